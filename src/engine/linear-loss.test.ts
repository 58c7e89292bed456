import { describe, expect, it } from 'vitest';
import { Rng } from './random.js';
import {
  logisticObjective,
  multinomialObjective,
  ridgeExact,
  sparseRows,
  squaredObjective,
  type LinearProblem,
} from './linear-loss.js';

function problem(n: number, p: number, seed: number, kind: 'bin' | 'multi' | 'reg', weights = true): LinearProblem {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * p }, () => rng.normal());
  const y = Float64Array.from({ length: n }, (_, i) => {
    const s = X[i * p] - 0.5 * X[i * p + 1] + rng.normal() * 0.3;
    return kind === 'reg' ? s * 3 + 1 : kind === 'bin' ? (s > 0 ? 1 : 0) : s > 0.5 ? 2 : s > -0.5 ? 1 : 0;
  });
  const w = weights ? Float64Array.from({ length: n }, () => 0.5 + rng.next()) : undefined;
  return { X, n, p, y, w, l2: 0.7, fitIntercept: true };
}

/** The objectives written the obvious way (per-row loops, explicit formulas): the oracle. */
function naive(pr: LinearProblem, kind: 'bin' | 'multi' | 'reg', theta: Float64Array, K = 3): number {
  const { X, n, p, y, w, l2 } = pr;
  let W = 0;
  let loss = 0;
  let pen = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    W += wi;
    if (kind === 'multi') {
      const m = Array.from({ length: K }, (_, k) => {
        let s = theta[k * (p + 1) + p];
        for (let j = 0; j < p; j++) s += theta[k * (p + 1) + j] * X[i * p + j];
        return s;
      });
      const z = m.reduce((a, v) => a + Math.exp(v), 0);
      loss += wi * -Math.log(Math.exp(m[y[i]]) / z);
    } else {
      let m = theta[p];
      for (let j = 0; j < p; j++) m += theta[j] * X[i * p + j];
      if (kind === 'bin') {
        const q = 1 / (1 + Math.exp(-m));
        loss += wi * -(y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q));
      } else loss += wi * 0.5 * (y[i] - m) ** 2;
    }
  }
  if (kind === 'multi') for (let k = 0; k < K; k++) for (let j = 0; j < p; j++) pen += theta[k * (p + 1) + j] ** 2;
  else for (let j = 0; j < p; j++) pen += theta[j] ** 2;
  return (loss + 0.5 * l2 * pen) / W;
}

describe('linear objectives', () => {
  const cases: ['bin' | 'multi' | 'reg', number][] = [
    ['bin', 4],
    ['multi', 3 * 5],
    ['reg', 4],
  ];
  for (const [kind, size] of cases) {
    it(`${kind}: value equals the naive twin, gradient equals central differences`, () => {
      const pr = problem(80, 4, 3, kind);
      const fg =
        kind === 'bin' ? logisticObjective(pr) : kind === 'multi' ? multinomialObjective(pr, 3) : squaredObjective(pr);
      const rng = new Rng(7);
      const theta = Float64Array.from({ length: kind === 'multi' ? size : size + 1 }, () => rng.normal() * 0.5);
      const g = new Float64Array(theta.length);
      const f = fg(theta, g);
      expect(f).toBeCloseTo(naive(pr, kind, theta), 12);
      const h = 1e-6;
      const tmp = new Float64Array(theta.length);
      for (let j = 0; j < theta.length; j++) {
        const tp = theta.slice();
        const tm = theta.slice();
        tp[j] += h;
        tm[j] -= h;
        const fd = (fg(tp, tmp) - fg(tm, tmp)) / (2 * h);
        expect(Math.abs(g[j] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      }
    });
  }

  it('the row-compressed kernels give the dense values and gradients', () => {
    const rng = new Rng(13);
    const n = 120;
    const p = 9;
    for (const kind of ['bin', 'multi', 'reg'] as const) {
      const pr = problem(n, p, 5, kind);
      // Mostly zeros, as after one-hot encoding.
      const X = pr.X.map((v) => (rng.next() < 0.7 ? 0 : v));
      const dense = { ...pr, X };
      const rows = sparseRows(X, n, p);
      expect(rows).not.toBeNull();
      const sparse = { ...dense, rows };
      const make = (q: LinearProblem) =>
        kind === 'bin' ? logisticObjective(q) : kind === 'multi' ? multinomialObjective(q, 3) : squaredObjective(q);
      const theta = Float64Array.from({ length: kind === 'multi' ? 3 * (p + 1) : p + 1 }, () => rng.normal());
      const gd = new Float64Array(theta.length);
      const gs = new Float64Array(theta.length);
      expect(make(sparse)(theta, gs)).toBeCloseTo(make(dense)(theta, gd), 12);
      for (let j = 0; j < theta.length; j++) expect(gs[j]).toBeCloseTo(gd[j], 12);
    }
    expect(sparseRows(Float64Array.of(1, 2, 3, 4), 2, 2)).toBeNull();
  });

  it('stays finite for margins of +-1000', () => {
    const pr: LinearProblem = {
      X: Float64Array.of(1000, -1000),
      n: 2,
      p: 1,
      y: Float64Array.of(0, 1),
      l2: 0,
      fitIntercept: false,
    };
    const g = new Float64Array(2);
    const f = logisticObjective(pr)(Float64Array.of(1, 0), g);
    expect(Number.isFinite(f)).toBe(true);
    expect(f).toBeCloseTo(1000, 6);
    const fm = multinomialObjective({ ...pr, y: Float64Array.of(0, 1) }, 2)(
      Float64Array.of(1, 0, -1, 0),
      new Float64Array(4),
    );
    expect(Number.isFinite(fm)).toBe(true);
  });

  it('ridgeExact solves the weighted normal equations (intercept unpenalised)', () => {
    const pr = problem(60, 3, 9, 'reg');
    const r = ridgeExact(pr);
    if (!r) throw new Error('ridge failed');
    // At the optimum the gradient of the objective is zero.
    const g = new Float64Array(4);
    squaredObjective(pr)(Float64Array.of(...r.coef, r.intercept), g);
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-12);
  });
});
