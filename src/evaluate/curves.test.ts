import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import {
  bootstrapInterval,
  calibrationCurve,
  confusionAt,
  errorByQuantile,
  gainsTable,
  pairedBootstrap,
  pickThreshold,
  prCurve,
  rocCurve,
} from './curves.js';
import { auc, liftAtTop, precisionAtTop } from './metrics.js';

/** Labels and scores rounded to two decimals, so many rows tie. */
function sample(n: number, seed: number, weighted = false) {
  const rng = new Rng(seed);
  const labels = new Float64Array(n);
  const scores = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.next() < 0.3 ? 1 : 0;
    scores[i] = Math.round(Math.min(1, Math.max(0, 0.35 + 0.3 * (labels[i] - 0.3) + 0.25 * rng.normal())) * 20) / 20;
    weights[i] = weighted ? 1 + rng.int(3) : 1;
  }
  return { labels, scores, weights: weighted ? weights : undefined };
}

const distinctDesc = (scores: ArrayLike<number>): number[] => [...new Set(Array.from(scores))].sort((a, b) => b - a);

describe('validation curves', () => {
  for (const weighted of [false, true]) {
    const { labels, scores, weights } = sample(400, weighted ? 2 : 1, weighted);
    const tag = weighted ? 'weighted' : 'unweighted';

    it(`ROC area equals the Mann-Whitney AUC with ties (${tag})`, () => {
      const roc = rocCurve(labels, scores, weights);
      expect(roc.area).toBeCloseTo(auc(labels, scores, 1, weights), 12);
      expect(roc.fpr[roc.fpr.length - 1]).toBeCloseTo(1, 12);
      expect(roc.tpr[roc.tpr.length - 1]).toBeCloseTo(1, 12);
    });

    it(`precision-recall points and average precision match a scan of every threshold (${tag})`, () => {
      const pr = prCurve(labels, scores, weights);
      let ap = 0;
      let last = 0;
      distinctDesc(scores).forEach((t, k) => {
        const c = confusionAt(labels, scores, t, weights);
        expect(pr.thresholds[k]).toBe(t);
        expect(pr.precision[k]).toBeCloseTo(c.precision, 12);
        expect(pr.recall[k]).toBeCloseTo(c.recall, 12);
        ap += (c.recall - last) * c.precision;
        last = c.recall;
      });
      expect(pr.averagePrecision).toBeCloseTo(ap, 12);
    });

    it(`the picked threshold is the best of every threshold tried by hand (${tag})`, () => {
      const objectives = [
        { kind: 'f1' as const },
        { kind: 'profit' as const, truePositive: 190, falsePositive: -10 },
        { kind: 'profit' as const, truePositive: 5, falsePositive: -20, falseNegative: -1 },
      ];
      for (const objective of objectives) {
        const got = pickThreshold(labels, scores, objective, weights);
        let best = -Infinity;
        for (const t of [Infinity, ...distinctDesc(scores)]) {
          const c = confusionAt(labels, scores, t, weights);
          const v =
            objective.kind === 'f1'
              ? c.f1
              : c.truePositives * objective.truePositive +
                c.falsePositives * objective.falsePositive +
                c.falseNegatives * (objective.falseNegative ?? 0);
          best = Math.max(best, v);
        }
        expect(got.value).toBeCloseTo(best, 9);
        const c = confusionAt(labels, scores, got.threshold, weights);
        expect(got.confusion.truePositives).toBeCloseTo(c.truePositives, 9);
        expect(got.confusion.falsePositives).toBeCloseTo(c.falsePositives, 9);
      }
    });

    it(`gains and lift agree with the tie-aware top-share metrics (${tag})`, () => {
      const table = gainsTable(labels, scores, 10, weights);
      let P = 0;
      let W = 0;
      labels.forEach((y, i) => {
        W += weights ? weights[i] : 1;
        if (y === 1) P += weights ? weights[i] : 1;
      });
      expect(table).toHaveLength(10);
      for (const row of table) {
        expect(row.cumulativeLift).toBeCloseTo(liftAtTop(labels, scores, row.to, weights), 9);
        expect(row.capture).toBeCloseTo((precisionAtTop(labels, scores, row.to, weights) * row.to * W) / P, 9);
        expect(row.rows).toBeCloseTo(W / 10, 9);
      }
      expect(table[9].capture).toBeCloseTo(1, 12);
      expect(table.reduce((s, r) => s + r.positives, 0)).toBeCloseTo(P, 9);
    });

    it(`calibration bins match binning by hand (${tag})`, () => {
      const bins = calibrationCurve(labels, scores, 5, 'uniform', weights);
      const by = new Map<number, { w: number; p: number; y: number }>();
      labels.forEach((y, i) => {
        const b = Math.min(4, Math.floor(scores[i] * 5));
        const e = by.get(b) ?? { w: 0, p: 0, y: 0 };
        const w = weights ? weights[i] : 1;
        by.set(b, { w: e.w + w, p: e.p + w * scores[i], y: e.y + w * y });
      });
      const expected = [...by.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
      expect(bins).toHaveLength(expected.length);
      bins.forEach((b, k) => {
        expect(b.rows).toBeCloseTo(expected[k].w, 12);
        expect(b.meanPredicted).toBeCloseTo(expected[k].p / expected[k].w, 12);
        expect(b.observedRate).toBeCloseTo(expected[k].y / expected[k].w, 12);
      });
      // Quantile bins keep tied scores together and cover every row.
      const q = calibrationCurve(labels, scores, 4, 'quantile', weights);
      expect(q.reduce((s, b) => s + b.rows, 0)).toBeCloseTo(weights ? weights.reduce((a, b) => a + b, 0) : 400, 9);
      for (let k = 1; k < q.length; k++) expect(q[k].meanPredicted).toBeGreaterThan(q[k - 1].meanPredicted);
    });
  }

  it('a 95% bootstrap interval of a mean covers the true mean about 95% of the time', () => {
    const rng = new Rng(9);
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const x = Float64Array.from({ length: 60 }, () => 3 + rng.normal());
      const ci = bootstrapInterval(
        x.length,
        (rows) => {
          let s = 0;
          for (const i of rows) s += x[i];
          return s / rows.length;
        },
        { reps: 400, seed: t + 1 },
      );
      expect(ci.low).toBeLessThanOrEqual(ci.estimate);
      expect(ci.high).toBeGreaterThanOrEqual(ci.estimate);
      if (ci.low <= 3 && 3 <= ci.high) covered++;
    }
    // Percentile intervals run a little narrow at n = 60; 200 trials put the share within +-0.05.
    expect(covered / trials).toBeGreaterThan(0.88);
    expect(covered / trials).toBeLessThan(0.99);
  });

  it('the paired bootstrap finds no difference between a model and itself and a clear one against noise', () => {
    const { labels, scores } = sample(300, 4);
    const rng = new Rng(3);
    const noise = Float64Array.from(scores, () => rng.next());
    const aucOn = (s: Float64Array, rows: Int32Array): number =>
      auc(
        Float64Array.from(rows, (i) => labels[i]),
        Float64Array.from(rows, (i) => s[i]),
      );
    const same = pairedBootstrap(300, (rows) => aucOn(scores, rows) - aucOn(scores, rows), { reps: 200 });
    expect(same.estimate).toBe(0);
    expect(same.pValue).toBe(1);
    const better = pairedBootstrap(300, (rows) => aucOn(scores, rows) - aucOn(noise, rows), { reps: 300 });
    expect(better.estimate).toBeGreaterThan(0.1);
    expect(better.low).toBeGreaterThan(0);
    expect(better.pValue).toBeLessThan(0.01);
  });

  it('regression errors by prediction decile match a sort by hand', () => {
    const rng = new Rng(5);
    const predicted = Float64Array.from({ length: 103 }, () => rng.normal() * 10);
    const actual = Float64Array.from(predicted, (p) => p + rng.normal() * (1 + Math.abs(p) / 5));
    const bins = errorByQuantile(actual, predicted, 10);
    const order = Array.from(predicted.keys()).sort((a, b) => predicted[a] - predicted[b]);
    expect(bins.reduce((s, b) => s + b.rows, 0)).toBe(103);
    let start = 0;
    for (const b of bins) {
      const rows = order.slice(start, start + b.rows);
      start += b.rows;
      const mae = rows.reduce((s, i) => s + Math.abs(actual[i] - predicted[i]), 0) / rows.length;
      expect(b.meanAbsError).toBeCloseTo(mae, 12);
      expect(b.from).toBe(predicted[rows[0]]);
      expect(b.to).toBe(predicted[rows[rows.length - 1]]);
    }
  });
});
