import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import {
  accuracy,
  auc,
  aucSorted,
  scoreOrder,
  aucOvr,
  balancedAccuracy,
  defaultMetric,
  f1,
  liftAtTop,
  listMetrics,
  logLoss,
  mae,
  mape,
  metricSpec,
  poissonDeviance,
  precisionAtTop,
  r2,
  rmse,
  taskMetrics,
} from './metrics.js';
import { holdoutSplit } from './split.js';

/** O(n²) pair counting: the definition of AUC. */
function naiveAuc(y: number[], s: number[]): number {
  let num = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++)
    for (let j = 0; j < y.length; j++)
      if (y[i] === 1 && y[j] === 0) {
        pairs++;
        num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
  return num / pairs;
}

describe('metrics against their definitions', () => {
  it('auc equals pair counting, ties included', () => {
    const rng = new Rng(5);
    for (let t = 0; t < 30; t++) {
      const n = 5 + rng.int(80);
      const y = Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
      y[0] = 1;
      y[1] = 0;
      const s = Array.from({ length: n }, () => Math.round(rng.next() * 10) / 10);
      expect(auc(y, s)).toBeCloseTo(naiveAuc(y, s), 12);
    }
  });
  it('known answers', () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(logLoss([1, 0], [0.2, 0.8, 0.6, 0.4], 2)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 15);
    expect(accuracy([1, 0, 2], [0, 1, 0, 1, 0, 0, 0.2, 0.3, 0.5], 3)).toBe(1);
    expect(rmse([1, 2, 3], [1, 2, 5])).toBeCloseTo(Math.sqrt(4 / 3), 15);
    expect(mae([1, 2, 3], [1, 2, 5])).toBeCloseTo(2 / 3, 15);
    expect(r2([1, 2, 3], [1, 2, 3])).toBe(1);
  });
});

describe('holdoutSplit', () => {
  it('is a seeded, stratified partition', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const a = holdoutSplit(1000, 0.2, 3, labels);
    const b = holdoutSplit(1000, 0.2, 3, labels);
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(a.train.length + a.test.length).toBe(1000);
    expect(new Set([...a.train, ...a.test]).size).toBe(1000);
    expect(Array.from(a.test).filter((i) => labels[i] === 1).length).toBe(20);
  });
});

/** Two-column probabilities from class-1 probabilities. */
function binaryProba(p1: number[]): Float64Array {
  const out = new Float64Array(p1.length * 2);
  p1.forEach((p, i) => {
    out[i * 2] = 1 - p;
    out[i * 2 + 1] = p;
  });
  return out;
}

function oneHot(classes: number[], k: number): Float64Array {
  const out = new Float64Array(classes.length * k);
  classes.forEach((c, i) => (out[i * k + c] = 1));
  return out;
}

// Small arrays with the values scikit-learn 1.2.1 gives on them (sklearn.metrics, printed with repr).
const yb = [0, 1, 1, 0, 1, 1, 0, 0];
const p1 = [0.2, 0.7, 0.4, 0.6, 0.9, 0.5, 0.1, 0.3];
const wb = [1, 2, 0.5, 1, 3, 1, 2, 0.5];
const ym = [0, 1, 2, 2, 1, 0, 1, 2, 0, 1];
// Rows 6 and 10 tie at the top: argmax takes the lower class, as numpy's argmax does.
const pm = [
  [0.6, 0.2, 0.1, 0.1],
  [0.2, 0.5, 0.2, 0.1],
  [0.1, 0.2, 0.6, 0.1],
  [0.3, 0.4, 0.2, 0.1],
  [0.1, 0.1, 0.7, 0.1],
  [0.4, 0.4, 0.1, 0.1],
  [0.2, 0.3, 0.4, 0.1],
  [0.1, 0.1, 0.5, 0.3],
  [0.1, 0.6, 0.2, 0.1],
  [0.3, 0.3, 0.3, 0.1],
].flat();
const wm = [1, 1, 2, 1, 0.5, 1, 3, 1, 1, 2];
const yr = [3, 0, 2, 5, 1, 4];
const pr = [2.5, 0.5, 2, 6, 1.5, 3];
const wr = [1, 2, 1, 0.5, 1, 3];

describe('new metrics against scikit-learn', () => {
  it('binary f1 at 0.5, balanced accuracy, weighted auc and log loss', () => {
    const proba = binaryProba(p1);
    // Predictions 0 1 0 1 1 0 0 0 (0.5 is negative): TP 2, FP 1, FN 2, F1 = 4 / 7.
    expect(f1(yb, proba, 2)).toBeCloseTo(0.5714285714285715, 14);
    expect(f1(yb, proba, 2, wb)).toBeCloseTo(0.8, 14);
    expect(balancedAccuracy(yb, proba, 2)).toBeCloseTo(0.625, 14);
    expect(balancedAccuracy(yb, proba, 2, wb)).toBeCloseTo(0.7735042735042735, 14);
    expect(auc(yb, p1, 1, wb)).toBeCloseTo(0.9487179487179489, 14);
    expect(logLoss(yb, proba, 2, wb)).toBeCloseTo(0.3372015243473954, 14);
  });
  it('multiclass macro f1 skips a class nobody has, balanced accuracy, weighted accuracy, auc_ovr', () => {
    expect(f1(ym, pm, 4)).toBeCloseTo(0.5079365079365079, 14);
    expect(f1(ym, pm, 4, wm)).toBeCloseTo(0.4511278195488722, 14);
    expect(balancedAccuracy(ym, pm, 4)).toBeCloseTo(0.5277777777777778, 14);
    expect(balancedAccuracy(ym, pm, 4, wm)).toBeCloseTo(0.5235042735042735, 14);
    expect(accuracy(ym, pm, 4, wm)).toBeCloseTo(0.4444444444444444, 14);
    // scikit-learn wants rows summing to 1 over the classes present: drop class 3 and renormalize.
    const p3: number[] = [];
    for (let i = 0; i < ym.length; i++) {
      const row = pm.slice(i * 4, i * 4 + 3);
      const sum = row[0] + row[1] + row[2];
      p3.push(...row.map((p) => p / sum));
    }
    expect(aucOvr(ym, p3, 3)).toBeCloseTo(0.6369047619047619, 14);
  });
  it('a predicted class absent from the labels: counted by macro f1, not by balanced accuracy', () => {
    const proba = oneHot([0, 2, 1, 2, 1], 3);
    expect(balancedAccuracy([0, 0, 1, 1, 1], proba, 3)).toBeCloseTo(0.5833333333333333, 14);
    expect(f1([0, 0, 1, 1, 1], proba, 3)).toBeCloseTo(0.48888888888888893, 14);
  });
  it('f1 with nothing positive is 0, as scikit-learn sets it', () => {
    expect(f1([0, 0], binaryProba([0.1, 0.2]), 2)).toBe(0);
    expect(f1([1, 1], binaryProba([0.9, 0.8]), 2)).toBe(1);
  });
  it('regression: r2, Poisson deviance, mape on the nonzero rows, weighted rmse and mae', () => {
    expect(r2(yr, pr)).toBeCloseTo(0.8428571428571429, 14);
    expect(r2(yr, pr, wr)).toBeCloseTo(0.8204225352112676, 14);
    expect(poissonDeviance(yr, pr)).toBeCloseTo(0.2935400227036833, 14);
    expect(poissonDeviance(yr, pr, wr)).toBeCloseTo(0.3853836564023959, 14);
    // scikit-learn on the rows with y != 0 (its own mape would divide row 2 by machine epsilon).
    expect(mape(yr, pr)).toBeCloseTo(0.22333333333333333, 14);
    expect(mape(yr, pr, wr)).toBeCloseTo(0.23333333333333334, 14);
    expect(rmse(yr, pr, wr)).toBeCloseTo(0.7276068751089989, 14);
    expect(mae(yr, pr, wr)).toBeCloseTo(0.6470588235294118, 14);
  });
});

describe('closed forms and edge cases', () => {
  it('Poisson deviance by hand, and its domain', () => {
    // 2 (y log(y / p) - y + p): y = 0 gives 2p; y = p gives 0.
    expect(poissonDeviance([0, 2], [0.5, 2])).toBeCloseTo((2 * 0.5 + 0) / 2, 15);
    expect(poissonDeviance([1], [Math.E])).toBeCloseTo(2 * (-1 - 1 + Math.E), 15);
    expect(() => poissonDeviance([1, -1], [1, 1])).toThrow(/row 2.*targets >= 0/);
    expect(() => poissonDeviance([1, 1], [1, 0])).toThrow(/row 2.*predictions > 0/);
    expect(poissonDeviance([1], [NaN])).toBeNaN();
  });
  it('mape skips zero targets, NaN when all are zero', () => {
    expect(mape([0, 2, 4], [9, 1, 5])).toBeCloseTo((0.5 + 0.25) / 2, 15);
    expect(mape([0, 0], [1, 2])).toBeNaN();
  });
  it('NaN predictions give NaN, not a number and not a hang', () => {
    expect(auc([0, 1, 0], [0.1, NaN, 0.2])).toBeNaN();
    expect(accuracy([0, 1], [1, 0, NaN, NaN], 2)).toBeNaN();
    expect(f1([0, 1], [1, 0, NaN, NaN], 2)).toBeNaN();
    expect(precisionAtTop([0, 1], [0.1, NaN])).toBeNaN();
  });
});

/** precision in the top `cut` rows, ties broken by the order `perm` gives. */
function precisionWithOrder(y: number[], s: number[], cut: number, perm: number[]): number {
  const rank = new Map(perm.map((r, i) => [r, i]));
  const order = y.map((_, i) => i).sort((a, b) => s[b] - s[a] || (rank.get(a) as number) - (rank.get(b) as number));
  let hits = 0;
  for (let t = 0; t < cut; t++) hits += y[order[t]];
  return hits / cut;
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1))
    for (let at = 0; at <= p.length; at++) out.push([...p.slice(0, at), n - 1, ...p.slice(at)]);
  return out;
}

describe('precision and lift at the top', () => {
  it('known answers: whole rows, a straddled row, a straddled tie group', () => {
    const y10 = [1, 0, 1, 0, 0, 0, 0, 0, 0, 1];
    const s10 = [0.9, 0.8, 0.3, 0.2, 0.1, 0.05, 0.04, 0.03, 0.02, 0.01];
    expect(precisionAtTop(y10, s10, 0.2)).toBe(0.5);
    expect(liftAtTop(y10, s10, 0.2)).toBeCloseTo(0.5 / 0.3, 14);
    // 25 rows, top 10 % = 2.5 rows: rows 1 and 2 whole, half of row 3.
    const y25 = Array.from({ length: 25 }, (_, i) => (i === 0 || i === 2 ? 1 : 0));
    const s25 = Array.from({ length: 25 }, (_, i) => 25 - i);
    expect(precisionAtTop(y25, s25)).toBeCloseTo(1.5 / 2.5, 15);
    // 0.3 x 10 = 3 rows: the top row, then 2 of the 4 rows tied at 0.5 (2 positives) count half each.
    const yt = [1, 1, 0, 0, 1, 0, 0, 0, 1, 0];
    const st = [0.9, 0.5, 0.5, 0.5, 0.5, 0.2, 0.2, 0.1, 0.1, 0.1];
    expect(precisionAtTop(yt, st, 0.3)).toBeCloseTo(2 / 3, 15);
    expect(liftAtTop(yt, st, 0.3)).toBeCloseTo(2 / 3 / 0.4, 14);
    expect(liftAtTop([0, 0], [0.1, 0.2])).toBeNaN();
    expect(() => precisionAtTop(yt, st, 0)).toThrow(/top share/);
    expect(() => precisionAtTop(yt, st, 1.5)).toThrow(/top share/);
  });
  it('equals the average over every way of breaking the ties (brute force)', () => {
    const rng = new Rng(11);
    const perms = permutations(7);
    for (let t = 0; t < 12; t++) {
      const y = Array.from({ length: 7 }, () => (rng.next() < 0.4 ? 1 : 0));
      const s = Array.from({ length: 7 }, () => rng.int(3));
      const cut = 1 + rng.int(6);
      let mean = 0;
      for (const p of perms) mean += precisionWithOrder(y, s, cut, p);
      mean /= perms.length;
      expect(precisionAtTop(y, s, cut / 7)).toBeCloseTo(mean, 12);
    }
  });
  it('does not depend on row order', () => {
    const y = [1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0];
    const s = [0.9, 0.5, 0.5, 0.5, 0.5, 0.2, 0.2, 0.1, 0.1, 0.1, 0.5, 0.7];
    const perm = [11, 3, 7, 0, 5, 9, 1, 10, 2, 8, 4, 6];
    const share = 0.25;
    expect(
      precisionAtTop(
        perm.map((i) => y[i]),
        perm.map((i) => s[i]),
        share,
      ),
    ).toBe(precisionAtTop(y, s, share));
  });
});

describe('integer weights equal repeated rows', () => {
  it('for every registered metric', () => {
    const rng = new Rng(21);
    for (const task of ['binary', 'multiclass', 'regression'] as const) {
      const k = task === 'binary' ? 2 : task === 'multiclass' ? 3 : 1;
      const n = 40;
      const y: number[] = [];
      const proba: number[] = [];
      const values: number[] = [];
      const w: number[] = [];
      for (let i = 0; i < n; i++) {
        y.push(task === 'regression' ? rng.int(5) : rng.int(k));
        const raw = Array.from({ length: k }, () => 0.05 + Math.round(rng.next() * 4) / 4);
        const sum = raw.reduce((a, b) => a + b, 0);
        proba.push(...raw.map((p) => p / sum));
        values.push(0.5 + rng.next() * 4);
        w.push(1 + rng.int(3));
      }
      y[0] = 0;
      y[1] = 1;
      const ry: number[] = [];
      const rproba: number[] = [];
      const rvalues: number[] = [];
      for (let i = 0; i < n; i++)
        for (let r = 0; r < w[i]; r++) {
          ry.push(y[i]);
          rproba.push(...proba.slice(i * k, i * k + k));
          rvalues.push(values[i]);
        }
      for (const spec of listMetrics(task)) {
        const weighted = spec.compute(y, { proba, values, k }, w);
        const repeated = spec.compute(ry, { proba: rproba, values: rvalues, k });
        expect(weighted, `${task} ${spec.name}`).toBeCloseTo(repeated, 10);
        const ones = spec.compute(y, { proba, values, k }, new Float64Array(n).fill(1));
        expect(ones, `${task} ${spec.name}`).toBe(spec.compute(y, { proba, values, k }));
      }
    }
  });
});

describe('metric registry', () => {
  it('lists the metrics of each task with defaults and directions', () => {
    expect(listMetrics('binary').map((m) => m.name)).toEqual([
      'auc',
      'logloss',
      'accuracy',
      'f1',
      'balanced_accuracy',
      'precision_at_10',
      'lift_at_10',
    ]);
    expect(listMetrics('multiclass').map((m) => m.name)).toEqual([
      'logloss',
      'accuracy',
      'f1',
      'balanced_accuracy',
      'auc_ovr',
    ]);
    expect(listMetrics('regression').map((m) => m.name)).toEqual(['rmse', 'mae', 'mape', 'r2', 'poisson_deviance']);
    expect(defaultMetric('binary').name).toBe('auc');
    expect(defaultMetric('multiclass').name).toBe('logloss');
    expect(defaultMetric('regression').name).toBe('rmse');
    const lower = ['logloss', 'rmse', 'mae', 'mape', 'poisson_deviance'];
    for (const task of ['binary', 'multiclass', 'regression'] as const)
      for (const m of listMetrics(task)) {
        expect(m.higherIsBetter).toBe(!lower.includes(m.name));
        expect(m.title.length).toBeGreaterThan(3);
      }
  });
  it('computes what the functions compute, on the same predictions taskMetrics reads', () => {
    const proba = binaryProba(p1);
    const pred = { proba, k: 2 };
    const standard = taskMetrics('binary', yb, pred);
    expect(metricSpec('auc', 'binary').compute(yb, pred)).toBe(standard.auc);
    expect(metricSpec('logloss').compute(yb, pred)).toBe(standard.logloss);
    expect(metricSpec('f1', 'binary').compute(yb, pred)).toBe(f1(yb, proba, 2));
    expect(metricSpec('precision_at_10').compute(yb, pred)).toBe(precisionAtTop(yb, p1, 0.1));
    expect(metricSpec('auc_ovr').compute(ym, { proba: pm, k: 4 })).toBe(aucOvr(ym, pm, 4));
    expect(metricSpec('poisson_deviance').compute(yr, { values: pr, k: 0 })).toBe(poissonDeviance(yr, pr));
  });
  it('fails clearly: unknown names, the wrong task, missing predictions', () => {
    expect(() => metricSpec('acuracy', 'binary')).toThrow(
      'unknown metric "acuracy"; valid metrics for binary tasks: auc, logloss, accuracy, f1, balanced_accuracy, precision_at_10, lift_at_10',
    );
    expect(() => metricSpec('rmse', 'multiclass')).toThrow(
      'metric "rmse" does not apply to multiclass tasks; valid metrics for multiclass tasks: logloss, accuracy, f1, balanced_accuracy, auc_ovr',
    );
    expect(() => metricSpec('nope')).toThrow(/valid metrics: auc, logloss, .*poisson_deviance$/);
    expect(() => metricSpec('rmse').compute([1], { proba: [1], k: 1 })).toThrow(/needs predicted values/);
    expect(() => metricSpec('auc').compute([1], { values: [1], k: 2 })).toThrow(/needs class probabilities/);
  });
});

describe('aucSorted', () => {
  it('a resample as draw counts over rows sorted once has the AUC of the resampled rows themselves', () => {
    let s = 11;
    const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const n = 300;
    // Scores rounded to two decimals: many ties.
    const scores = Float64Array.from({ length: n }, () => Math.round(rnd() * 100) / 100);
    const y = Float64Array.from(scores, (p) => (rnd() < p ? 1 : 0));
    const order = scoreOrder(scores);
    expect(aucSorted(order, y, scores)).toBe(auc(y, scores));
    for (let rep = 0; rep < 20; rep++) {
      const rows = Int32Array.from({ length: n }, () => Math.floor(rnd() * n));
      const counts = new Float64Array(n);
      for (const r of rows) counts[r]++;
      const direct = auc(
        Float64Array.from(rows, (r) => y[r]),
        Float64Array.from(rows, (r) => scores[r]),
      );
      expect(aucSorted(order, y, scores, 1, counts)).toBeCloseTo(direct, 12);
    }
  });
});
