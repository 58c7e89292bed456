import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import { chooseValidation, groupKFoldAssignment, kFoldAssignment, timeSeriesFolds } from './split.js';

function foldRows(fold: Int32Array, k: number): number[] {
  const rows = new Array<number>(k).fill(0);
  for (const f of fold) rows[f]++;
  return rows;
}

describe('groupKFoldAssignment', () => {
  it('matches scikit-learn GroupKFold when group sizes differ (the seed only orders equal sizes)', () => {
    // sklearn.model_selection.GroupKFold(2) on these groups (sizes 5, 4, 3, 2, 1).
    const groups = [7, 7, 7, 7, 7, 3, 3, 3, 3, 9, 9, 9, 1, 1, 4];
    const sklearn = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0];
    for (const seed of [1, 2, 3]) expect(Array.from(groupKFoldAssignment(groups, 2, seed))).toEqual(sklearn);
    // By hand, sizes 6..1 into 3 folds: 6 -> 0, 5 -> 1, 4 -> 2, 3 -> 2, 2 -> 1, 1 -> 0: 7 rows each.
    const sizes = [6, 5, 4, 3, 2, 1];
    const g = sizes.flatMap((size, id) => new Array<number>(size).fill(id));
    const fold = groupKFoldAssignment(g, 3, 9);
    expect(sizes.map((_, id) => fold[g.indexOf(id)])).toEqual([0, 1, 2, 2, 1, 0]);
    expect(foldRows(fold, 3)).toEqual([7, 7, 7]);
  });
  it('keeps groups whole and folds within the largest group of each other (brute force)', () => {
    const rng = new Rng(3);
    for (let t = 0; t < 60; t++) {
      const n = 5 + rng.int(300);
      const nGroups = 2 + rng.int(Math.min(n, 40) - 1);
      const groups = Array.from({ length: n }, () => (rng.next() < 0.3 ? rng.int(3) : rng.int(nGroups)) * 10 - 7);
      const distinct = new Set(groups).size;
      const k = 2 + rng.int(Math.min(distinct, 8) - 1);
      const fold = groupKFoldAssignment(groups, k, t);
      const foldOf = new Map<number, number>();
      const size = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        if (!foldOf.has(groups[i])) foldOf.set(groups[i], fold[i]);
        expect(fold[i]).toBe(foldOf.get(groups[i]));
        size.set(groups[i], (size.get(groups[i]) ?? 0) + 1);
      }
      const rows = foldRows(fold, k);
      expect(Math.min(...rows)).toBeGreaterThan(0);
      expect(Math.max(...rows) - Math.min(...rows)).toBeLessThanOrEqual(Math.max(...size.values()));
      expect(Array.from(groupKFoldAssignment(groups, k, t))).toEqual(Array.from(fold));
    }
  });
  it('depends on the seed for equal-size groups, not on row order', () => {
    const groups = Array.from({ length: 60 }, (_, i) => i % 12);
    const seeds = new Set([1, 2, 3, 4, 5].map((s) => groupKFoldAssignment(groups, 3, s).join()));
    expect(seeds.size).toBeGreaterThan(1);
    const perm = new Rng(8).shuffle(Int32Array.from(groups.keys()));
    const a = groupKFoldAssignment(groups, 3, 4);
    const b = groupKFoldAssignment(
      Array.from(perm, (i) => groups[i]),
      3,
      4,
    );
    expect(Array.from(perm, (i) => a[i])).toEqual(Array.from(b));
  });
  it('fails clearly with fewer groups than folds', () => {
    expect(() => groupKFoldAssignment([1, 1, 2, 2], 3, 1)).toThrow(
      'group k-fold with 3 folds needs at least 3 groups, but there are only 2',
    );
    expect(() => groupKFoldAssignment([1, 2], 1, 1)).toThrow(/whole number >= 2/);
  });
});

describe('timeSeriesFolds', () => {
  it('matches scikit-learn TimeSeriesSplit on distinct times, rows in any order', () => {
    // TimeSeriesSplit(n_splits=3, gap=1) on 10 rows and TimeSeriesSplit(n_splits=4) on 13 rows.
    const cases = [
      {
        n: 10,
        k: 3,
        gap: 1,
        sklearn: [
          [
            [0, 1, 2],
            [4, 5],
          ],
          [
            [0, 1, 2, 3, 4],
            [6, 7],
          ],
          [
            [0, 1, 2, 3, 4, 5, 6],
            [8, 9],
          ],
        ],
      },
      {
        n: 13,
        k: 4,
        gap: 0,
        sklearn: [
          [
            [0, 1, 2, 3, 4],
            [5, 6],
          ],
          [
            [0, 1, 2, 3, 4, 5, 6],
            [7, 8],
          ],
          [
            [0, 1, 2, 3, 4, 5, 6, 7, 8],
            [9, 10],
          ],
          [
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            [11, 12],
          ],
        ],
      },
    ];
    for (const c of cases) {
      // Row r holds the time of sorted position rank[r]; sklearn's positions map back through it.
      const rank = new Rng(c.n).shuffle(Int32Array.from({ length: c.n }, (_, i) => i));
      const times = Array.from(rank, (p) => 1000 + 60 * p);
      const rowAt = new Array<number>(c.n);
      rank.forEach((p, r) => (rowAt[p] = r));
      const folds = timeSeriesFolds(times, c.k, { gap: c.gap });
      expect(folds.length).toBe(c.k);
      folds.forEach((f, j) => {
        const [train, test] = c.sklearn[j];
        expect(Array.from(f.train)).toEqual(train.map((p) => rowAt[p]).sort((a, b) => a - b));
        expect(Array.from(f.test)).toEqual(test.map((p) => rowAt[p]).sort((a, b) => a - b));
      });
    }
  });
  it('never trains on the future and never splits equal times (brute force)', () => {
    const rng = new Rng(17);
    let checked = 0;
    for (let t = 0; t < 200; t++) {
      const n = 6 + rng.int(80);
      const distinct = 2 + rng.int(n);
      const times = Array.from({ length: n }, () => rng.int(distinct) * 3.5);
      const k = 1 + rng.int(5);
      const gap = rng.int(4);
      let folds;
      try {
        folds = timeSeriesFolds(times, k, { gap });
      } catch (e) {
        expect((e as Error).message).toMatch(/cannot make|needs at least/);
        continue;
      }
      checked++;
      expect(folds.length).toBe(k);
      let lastTestEnd = -Infinity;
      const tested = new Set<number>();
      for (const { train, test } of folds) {
        expect(train.length).toBeGreaterThan(0);
        expect(test.length).toBeGreaterThan(0);
        const trainMax = Math.max(...Array.from(train, (i) => times[i]));
        const testMin = Math.min(...Array.from(test, (i) => times[i]));
        const testMax = Math.max(...Array.from(test, (i) => times[i]));
        expect(trainMax).toBeLessThan(testMin);
        expect(testMin).toBeGreaterThan(lastTestEnd);
        lastTestEnd = testMax;
        // Train is every row up to its last time; the test block is every row in its time span.
        expect(train.length).toBe(times.filter((x) => x <= trainMax).length);
        expect(test.length).toBe(times.filter((x) => x >= testMin && x <= testMax).length);
        const between = times.filter((x) => x > trainMax && x < testMin).length;
        expect(between).toBeGreaterThanOrEqual(gap);
        for (const i of test) tested.add(i);
        for (let p = 1; p < train.length; p++) expect(train[p]).toBeGreaterThan(train[p - 1]);
      }
      // The test blocks tile the latest rows.
      expect(tested.size).toBe(
        times.filter((x) => x >= Math.min(...Array.from(folds[0].test, (i) => times[i]))).length,
      );
    }
    expect(checked).toBeGreaterThan(100);
  });
  it('moves a block edge to the nearer end of a run of equal times', () => {
    // 9 rows, 2 folds: test blocks of 3 start at sorted positions 3 and 6. The run 1,1,1 at 2..4
    // covers position 3; its nearer end is 2 (one step back vs two forward).
    const times = [0, 0.5, 1, 1, 1, 2, 3, 4, 5];
    const folds = timeSeriesFolds(times, 2);
    expect(Array.from(folds[0].train)).toEqual([0, 1]);
    expect(Array.from(folds[0].test)).toEqual([2, 3, 4, 5]);
    expect(Array.from(folds[1].train)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(folds[1].test)).toEqual([6, 7, 8]);
  });
  it('fails clearly on a missing time and on too few distinct times', () => {
    expect(() => timeSeriesFolds([1, 2, NaN, 4], 2)).toThrow(
      'row 3: the time is missing; time-ordered validation needs a time on every row',
    );
    expect(() => timeSeriesFolds([1, 1, 1, 1, 2, 2], 2)).toThrow(
      /cannot make 2 folds from 6 rows and 2 distinct times/,
    );
    expect(() => timeSeriesFolds([1, 2], 2)).toThrow(/needs at least 3 rows/);
    expect(() => timeSeriesFolds([1, 2, 3, 4], 1, { gap: 2 })).toThrow(/with a gap of 2 rows/);
    expect(() => timeSeriesFolds([1, 2, 3], 1, { gap: 0.5 })).toThrow(/gap must be a whole number/);
  });
});

describe('chooseValidation', () => {
  it('picks by size, then by group and time columns', () => {
    expect(chooseValidation(19_999)).toMatchObject({ kind: 'kfold', folds: 5 });
    expect(chooseValidation(20_000)).toMatchObject({ kind: 'kfold', folds: 3 });
    expect(chooseValidation(200_000)).toMatchObject({ kind: 'kfold', folds: 3 });
    expect(chooseValidation(200_001)).toEqual({
      kind: 'holdout',
      folds: 1,
      testShare: 0.2,
      why:
        'With 200,001 rows, 20 % of them held out are enough for a stable score, and one fit instead of several ' +
        'leaves more of the time budget for the search.',
    });
    expect(chooseValidation(3)).toMatchObject({ kind: 'kfold', folds: 3 });
    expect(chooseValidation(1000).why).toBe(
      'With 1,000 rows, 5-fold cross-validation scores every row once with a model that did not see it, ' +
        'so the score does not hinge on one lucky split.',
    );
    const group = chooseValidation(500_000, { groupColumn: 'store', groups: 40 });
    expect(group).toMatchObject({ kind: 'group-kfold', folds: 3 });
    expect(group.why).toContain('"store"');
    expect(chooseValidation(1000, { groupColumn: 'store', groups: 4 }).folds).toBe(4);
    expect(() => chooseValidation(1000, { groupColumn: 'store', groups: 1 })).toThrow(/"store" has 1 distinct/);
    const time = chooseValidation(1000, { timeColumn: 'date', groupColumn: 'store' });
    expect(time).toMatchObject({ kind: 'time', folds: 5 });
    expect(time.why).toMatch(/"date".*later period.*"store" does not shape/);
    expect(() => chooseValidation(1)).toThrow(/at least 2 rows/);
  });
});

describe('kFoldAssignment', () => {
  it('keeps fold sizes within one row', () => {
    const rows = foldRows(kFoldAssignment(103, 5, 1), 5);
    expect(Math.max(...rows) - Math.min(...rows)).toBeLessThanOrEqual(1);
  });
});
