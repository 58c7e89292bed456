import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { mixedFrame, unseenFrame } from '../../test/frames.js';
import { categoricalFromStrings, Frame, numericColumn } from '../data/frame.js';
import { auc } from '../evaluate/metrics.js';
import { kFoldAssignment } from '../evaluate/split.js';
import { Rng } from '../engine/random.js';
import { fitPipeline } from './pipeline.js';
import { targetInfo } from './target.js';
import { frequencyEncode, rareCategories, targetEncode } from './index.js';
import { asTransformer } from './util.js';

const base = mixedFrame(150).drop(['when', 'notes']);

describe('target-encode', () => {
  it('keeps the technique contract (regression, binary, multiclass)', () => {
    const bin = base.withRole('amount', 'feature').withRole('label', 'target');
    const ubin = unseenFrame().drop(['when', 'notes']).withRole('amount', 'feature').withRole('label', 'target');
    const multi = base.withRole('amount', 'feature').withRole('label', 'feature').withRole('x', 'ignored');
    const m = new Frame([
      ...multi.columns,
      categoricalFromStrings(
        'tier',
        Array.from({ length: multi.nRows }, (_, i) => ['gold', 'silver', 'bronze'][i % 3]),
        'target',
      ),
    ]);
    checkTechnique(targetEncode, [
      {
        name: 'reg',
        frame: base,
        apply: unseenFrame().drop(['when', 'notes']),
        params: { minCategories: 2 },
        ctx: { target: targetInfo(base, 'amount', 'regression') },
      },
      {
        name: 'bin',
        frame: bin,
        apply: ubin,
        params: { columns: ['color'] },
        ctx: { target: targetInfo(bin, 'label', 'binary') },
      },
      { name: 'multi', frame: m, params: { minCategories: 2 }, ctx: { target: targetInfo(m, 'tier', 'multiclass') } },
    ]);
  });

  it('training rows get out-of-fold encodings: the smoothed mean of the other folds (brute force)', () => {
    const rng = new Rng(3);
    const n = 200;
    const cats = Array.from({ length: n }, () => `c${rng.int(12)}`);
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const f = new Frame([categoricalFromStrings('c', cats), numericColumn('y', y, 'target')]);
    const target = targetInfo(f, 'y', 'regression');
    const fitted = asTransformer(targetEncode.fit(f, { smoothing: 4, folds: 5 }, { seed: 9, target }));
    const oof = (fitted.transform(f, { training: true }).get('c') as { values: Float64Array }).values;
    const fold = kFoldAssignment(n, 5, 9);
    for (let i = 0; i < n; i++) {
      const rest = Array.from({ length: n }, (_, j) => j).filter((j) => fold[j] !== fold[i]);
      const prior = rest.reduce((s, j) => s + y[j], 0) / rest.length;
      const same = rest.filter((j) => cats[j] === cats[i]);
      const want = same.length ? (same.reduce((s, j) => s + y[j], 0) + 4 * prior) / (same.length + 4) : prior;
      expect(oof[i]).toBeCloseTo(want, 12);
    }
    // New data is encoded from every training row.
    const full = (fitted.transform(f, { training: false }).get('c') as { values: Float64Array }).values;
    expect(Array.from(full)).not.toEqual(Array.from(oof));
  });

  it('does not leak: an ID column encodes the label perfectly in sample, not out of fold', () => {
    const n = 400;
    const rng = new Rng(5);
    const labels = Array.from({ length: n }, () => (rng.next() < 0.5 ? 'yes' : 'no'));
    const f = new Frame([
      categoricalFromStrings(
        'id',
        Array.from({ length: n }, (_, i) => `row${i}`),
      ),
      categoricalFromStrings('label', labels, 'target'),
    ]);
    const target = targetInfo(f, 'label', 'binary');
    const fitted = asTransformer(targetEncode.fit(f, { columns: ['id'], smoothing: 1 }, { seed: 1, target }));
    const inSample = (fitted.transform(f, { training: false }).get('id') as { values: Float64Array }).values;
    const outOfFold = (fitted.transform(f, { training: true }).get('id') as { values: Float64Array }).values;
    expect(auc(target.y, inSample)).toBe(1);
    expect(Math.abs(auc(target.y, outOfFold) - 0.5)).toBeLessThan(0.1);
  });

  it('runs inside a pipeline before a model', () => {
    const f = base.withRole('amount', 'feature').withRole('label', 'target');
    const { pipeline, journal } = fitPipeline(
      f,
      {
        steps: [
          { technique: 'target-encode', params: { columns: ['color'] } },
          { technique: 'gbdt', params: { numRounds: 5 } },
        ],
      },
      { target: 'label', task: 'binary', seed: 1 },
    );
    expect(pipeline.transform(f).get('color').kind).toBe('numeric');
    expect(journal[0].notes.join(' ')).toMatch(/color/);
  });
});

describe('frequency-encode and rare-categories', () => {
  it('keep the technique contract', () => {
    checkTechnique(frequencyEncode, [{ name: 'freq', frame: base, apply: unseenFrame().drop(['when', 'notes']) }]);
    checkTechnique(rareCategories, [
      { name: 'rare', frame: base, apply: unseenFrame().drop(['when', 'notes']), params: { minCount: 5 } },
    ]);
  });

  it('frequency is the training share; rare categories and unseen ones share one group', () => {
    const f = new Frame([categoricalFromStrings('c', ['a', 'a', 'a', 'b', 'b', 'c', null, 'a'])]);
    const freq = asTransformer(frequencyEncode.fit(f, {}, { seed: 1 }));
    const q = new Frame([categoricalFromStrings('c', ['a', 'c', 'zzz', null])]);
    expect(Array.from((freq.transform(q, { training: false }).get('c') as { values: Float64Array }).values)).toEqual([
      0.5, 0.125, 0, 0.125,
    ]);
    const rare = asTransformer(rareCategories.fit(f, { minCount: 2 }, { seed: 1 }));
    const g = rare.transform(q, { training: false }).get('c') as unknown as { codes: Int32Array; categories: string[] };
    expect(Array.from(g.codes, (k) => (k < 0 ? null : g.categories[k]))).toEqual(['a', '(other)', '(other)', null]);
  });
});
