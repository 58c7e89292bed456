import { describe, expect, it } from 'vitest';
import { Rng } from './random.js';
import { fitElasticNet, l1Max, type EnetLoss, type EnetProblem } from './elastic-net.js';
import { minimize } from './lbfgs.js';
import { logisticObjective, ridgeExact } from './linear-loss.js';

function problem(loss: EnetLoss, n: number, p: number, seed: number, l1: number, l2: number): EnetProblem {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * p }, () => rng.normal());
  const truth = Float64Array.from({ length: p }, (_, j) => (j < 3 ? 2 - j : 0));
  const K = loss === 'multinomial' ? 3 : 1;
  const y = new Float64Array(n);
  const w = Float64Array.from({ length: n }, () => 0.5 + rng.next());
  for (let i = 0; i < n; i++) {
    let e = 0.3;
    for (let j = 0; j < p; j++) e += X[i * p + j] * truth[j];
    if (loss === 'squared') y[i] = e + rng.normal();
    else if (loss === 'logistic') y[i] = +(rng.next() < 1 / (1 + Math.exp(-e)));
    else y[i] = e + rng.normal() < -0.5 ? 0 : e + rng.normal() < 1 ? 1 : 2;
  }
  return { X, n, p, y, w, loss, K, l1, l2, fitIntercept: true };
}

/** Gradient of sum_i w_i loss_i with respect to each coefficient (K x p) and intercept (K). */
function lossGradient(pr: EnetProblem, coef: Float64Array, b0: Float64Array): { g: Float64Array; g0: Float64Array } {
  const { X, n, p, y, w, K } = pr;
  const g = new Float64Array(K * p);
  const g0 = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    const eta = Array.from({ length: K }, (_, c) => {
      let s = b0[c];
      for (let j = 0; j < p; j++) s += X[i * p + j] * coef[c * p + j];
      return s;
    });
    const resid = new Array<number>(K);
    if (pr.loss === 'squared') resid[0] = eta[0] - y[i];
    else if (pr.loss === 'logistic') resid[0] = 1 / (1 + Math.exp(-eta[0])) - y[i];
    else {
      const m = Math.max(...eta);
      const z = eta.reduce((s, e) => s + Math.exp(e - m), 0);
      for (let c = 0; c < K; c++) resid[c] = Math.exp(eta[c] - m) / z - +(y[i] === c);
    }
    for (let c = 0; c < K; c++) {
      const r = (w ? w[i] : 1) * resid[c];
      g0[c] += r;
      for (let j = 0; j < p; j++) g[c * p + j] += r * X[i * p + j];
    }
  }
  return { g, g0 };
}

/** Checks the optimality (KKT) conditions of a fit at penalty l1; returns its zero coefficients. */
function expectOptimal(pr: EnetProblem, fit: ReturnType<typeof fitElasticNet>, l1: number): number {
  expect(fit.converged).toBe(true);
  const { g, g0 } = lossGradient(pr, fit.coef, fit.intercept);
  const scale = l1Max(pr);
  for (const v of g0) expect(Math.abs(v)).toBeLessThan(1e-5 * scale);
  let zeros = 0;
  fit.coef.forEach((b, t) => {
    const s = g[t] + pr.l2 * b;
    if (b === 0) {
      zeros++;
      expect(Math.abs(s)).toBeLessThanOrEqual(l1 * (1 + 1e-6));
    } else expect(Math.abs(s + l1 * Math.sign(b))).toBeLessThan(1e-5 * scale);
  });
  return zeros;
}

describe('elastic net', () => {
  for (const loss of ['squared', 'logistic', 'multinomial'] as const)
    it(`meets the optimality (KKT) conditions, ${loss} loss`, () => {
      const pr = problem(loss, 400, 8, 3, 0, 0.5);
      const l1 = 0.2 * l1Max(pr);
      const fit = fitElasticNet({ ...pr, l1 }, { tol: 1e-10, maxPasses: 10000, pathLength: 8 });
      // The noise features are dropped.
      expect(expectOptimal(pr, fit, l1)).toBeGreaterThan(0);
    });

  for (const loss of ['squared', 'logistic'] as const)
    it(`solves a one-hot block beside the intercept and a near-copy of a column in a few sweeps, ${loss} loss`, () => {
      // Plain coordinate descent needs thousands of sweeps here (the columns of a one-hot block sum
      // to the intercept's); the active set's exact solve ends it in a few.
      const base = problem(loss, 500, 6, 11, 0, 0.2);
      const { n } = base;
      const p = 9;
      const rng = new Rng(5);
      const X = new Float64Array(n * p);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 6; j++) X[i * p + j] = base.X[i * 6 + j];
        X[i * p + 6] = base.X[i * 6] + 0.01 * rng.normal();
        const level = Math.floor(rng.next() * 2);
        X[i * p + 7] = +(level === 0);
        X[i * p + 8] = +(level === 1);
      }
      const pr: EnetProblem = { ...base, X, p, y: loss === 'squared' ? base.y.map((v) => 1000 * v) : base.y };
      const l1 = 0.01 * l1Max(pr);
      const fit = fitElasticNet({ ...pr, l1 }, { tol: 1e-10, maxPasses: 100000, pathLength: 12 });
      expectOptimal(pr, fit, l1);
      expect(fit.passes).toBeLessThan(200);
    });

  for (const loss of ['squared', 'logistic', 'multinomial'] as const)
    for (const fitIntercept of [true, false])
      it(`at l1 = l1Max every coefficient is zero, just below it one is not (${loss}, ${fitIntercept ? 'with' : 'no'} intercept)`, () => {
        const pr = { ...problem(loss, 300, 6, 5, 0, 0), fitIntercept };
        const top = l1Max(pr);
        const opts = { tol: 1e-10, maxPasses: 5000, pathLength: 0 };
        // At l1Max to rounding: the solver's gradient sums the rows in another order.
        const atTop = fitElasticNet({ ...pr, l1: top * (1 + 1e-12) }, opts);
        expect(Array.from(atTop.coef).every((b) => b === 0)).toBe(true);
        expect(Array.from(fitElasticNet({ ...pr, l1: top * 0.99 }, opts).coef).some((b) => b !== 0)).toBe(true);
      });

  it('lasso on orthogonal columns is the soft-thresholded least-squares fit (closed form)', () => {
    // Columns ±1 patterns, orthogonal and centred: beta_j = S(x_j·y, l1) / (x_j·x_j).
    const n = 8;
    const cols = [
      [1, 1, 1, 1, -1, -1, -1, -1],
      [1, 1, -1, -1, 1, 1, -1, -1],
      [1, -1, 1, -1, 1, -1, 1, -1],
    ];
    const X = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) X[i * 3 + j] = cols[j][i];
    const y = Float64Array.of(5, 3, 4, 1, 0, -1, 2, -2);
    const l1 = 6;
    const fit = fitElasticNet(
      { X, n, p: 3, y, loss: 'squared', K: 1, l1, l2: 0, fitIntercept: true },
      { tol: 1e-14, maxPasses: 1000, pathLength: 0 },
    );
    cols.forEach((c, j) => {
      const xy = c.reduce((s, v, i) => s + v * y[i], 0);
      const want = (Math.sign(xy) * Math.max(Math.abs(xy) - l1, 0)) / n;
      expect(fit.coef[j]).toBeCloseTo(want, 12);
    });
    expect(fit.intercept[0]).toBeCloseTo(12 / 8, 12);
  });

  it('with l1 = 0 it reaches the ridge optimum (exact solve) and the L-BFGS logistic optimum', () => {
    const sq = problem('squared', 200, 5, 7, 0, 2);
    const fit = fitElasticNet(sq, { tol: 1e-13, maxPasses: 100000, pathLength: 0 });
    const exact = ridgeExact({ X: sq.X, n: 200, p: 5, y: sq.y, w: sq.w, l2: 2, fitIntercept: true }) as {
      coef: Float64Array;
      intercept: number;
    };
    for (let j = 0; j < 5; j++) expect(fit.coef[j]).toBeCloseTo(exact.coef[j], 9);
    expect(fit.intercept[0]).toBeCloseTo(exact.intercept, 9);

    const lg = problem('logistic', 300, 5, 8, 0, 1);
    const cd = fitElasticNet(lg, { tol: 1e-12, maxPasses: 100000, pathLength: 0 });
    const lb = minimize(
      logisticObjective({ X: lg.X, n: 300, p: 5, y: lg.y, w: lg.w, l2: 1, fitIntercept: true }),
      new Float64Array(6),
      { maxIter: 1000, gtol: 1e-12 },
    );
    for (let j = 0; j < 5; j++) expect(cd.coef[j]).toBeCloseTo(lb.x[j], 6);
    expect(cd.intercept[0]).toBeCloseTo(lb.x[5], 6);
  });

  it("the WebAssembly kernels give the JavaScript twin's fit bit for bit: every loss, dense and sparse, with the exact step", () => {
    for (const loss of ['squared', 'logistic', 'multinomial'] as const) {
      for (const sparse of [false, true]) {
        const pr = problem(loss, 300, 12, 21, 0, 0.5);
        // One-hot-like columns: mostly zeros, so X is row-compressed.
        const X = sparse ? pr.X.map((x) => (x > 0.8 ? 1 : 0)) : pr.X;
        for (const share of [0.5, 0.05]) {
          // Unit weights (no w) and no intercept on the sparse problems.
          const base = { ...pr, X, w: sparse ? undefined : pr.w, fitIntercept: !sparse };
          const q = { ...base, l1: share * l1Max(base) };
          const opts = { tol: 1e-9, maxPasses: 5000, pathLength: 6 };
          const a = fitElasticNet(q, opts);
          const b = fitElasticNet(q, { ...opts, kernels: 'js' });
          expect(Array.from(a.coef)).toEqual(Array.from(b.coef));
          expect(Array.from(a.intercept)).toEqual(Array.from(b.intercept));
          expect([a.passes, a.converged]).toEqual([b.passes, b.converged]);
          expect(a.path).toEqual(b.path);
          expect(a.coef.some((c) => c !== 0)).toBe(true);
        }
      }
    }
  });
});
