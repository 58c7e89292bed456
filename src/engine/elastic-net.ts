/**
 * Elastic net by coordinate descent (Friedman, Hastie & Tibshirani's glmnet):
 *   minimise  sum_i w_i loss_i + l1 |beta|_1 + (l2 / 2) |beta|^2      (intercepts unpenalised)
 * for squared loss (loss = (y - eta)^2 / 2), logistic and multinomial loss. Non-squared losses
 * are solved by iteratively reweighted least squares: each outer step replaces the loss by its
 * quadratic (Newton) approximation and solves that weighted least-squares elastic net by cyclic
 * coordinate descent, with step halving if the true objective would go up. A path of decreasing
 * l1 values, each warm-started from the last, reaches the requested one.
 */
import { sigmoid, softplus, sparseRows, type SparseRows } from './linear-loss.js';

export type EnetLoss = 'squared' | 'logistic' | 'multinomial';

export interface EnetProblem {
  /** Row-major n x p. */
  readonly X: Float64Array;
  readonly n: number;
  readonly p: number;
  /** Value (squared), 0/1 (logistic) or class index (multinomial). */
  readonly y: Float64Array;
  readonly w?: Float64Array;
  readonly loss: EnetLoss;
  /** Classes for multinomial, else 1. */
  readonly K: number;
  readonly l1: number;
  readonly l2: number;
  readonly fitIntercept: boolean;
}

export interface EnetOptions {
  /**
   * Converged when no coordinate step moves the fitted values by more than this (root mean
   * square), in units of the target's standard deviation for squared loss (so a target in
   * thousands converges as soon as one in units) and of the linear predictor otherwise.
   */
  readonly tol: number;
  readonly maxPasses: number;
  /** Points on the l1 path before the requested value (0 = fit it directly). */
  readonly pathLength: number;
}

export interface EnetFit {
  /** K x p, row-major. */
  readonly coef: Float64Array;
  readonly intercept: Float64Array;
  /** Coordinate-descent passes over all coefficients, summed over the path. */
  readonly passes: number;
  readonly converged: boolean;
  /** The path: each l1 with its non-zero coefficient count. */
  readonly path: { l1: number; nonZero: number }[];
}

function softThreshold(z: number, g: number): number {
  return z > g ? z - g : z < -g ? z + g : 0;
}

/** Buffers for the weighted least-squares solves of one fit. */
interface Gram {
  /** X' V X, p x p. */
  readonly G: Float64Array;
  /** X' v. */
  readonly xv: Float64Array;
  /** X' V r for the current residuals. */
  readonly q: Float64Array;
  /** Sum of V. */
  vs: number;
  /** v' r for the current residuals. */
  sr: number;
  /** The active set's linear system (below), (EXACT_MAX + 1)^2 entries at most. */
  readonly sys: Float64Array;
  readonly rhs: Float64Array;
  readonly active: Int32Array;
}

/** Largest active set solved exactly (a Cholesky factorisation costs its size cubed / 3). */
const EXACT_MAX = 256;

function newGram(p: number): Gram {
  const m = Math.min(p, EXACT_MAX) + 1;
  return {
    G: new Float64Array(p * p),
    xv: new Float64Array(p),
    q: new Float64Array(p),
    vs: 0,
    sr: 0,
    sys: new Float64Array(m * m),
    rhs: new Float64Array(m),
    active: new Int32Array(m),
  };
}

/**
 * Cholesky solve of the m x m symmetric system in `A` (row-major, overwritten by its factor)
 * for `b` (overwritten by the solution). False when A is not positive definite.
 */
function choleskySolve(A: Float64Array, b: Float64Array, m: number): boolean {
  for (let j = 0; j < m; j++) {
    let d = A[j * m + j];
    for (let t = 0; t < j; t++) d -= A[j * m + t] * A[j * m + t];
    // Relative to the diagonal: a collinear pair without L2 leaves a pivot at rounding level.
    if (!(d > 1e-12 * Math.abs(A[j * m + j]))) return false;
    const l = Math.sqrt(d);
    A[j * m + j] = l;
    for (let i = j + 1; i < m; i++) {
      let e = A[i * m + j];
      for (let t = 0; t < j; t++) e -= A[i * m + t] * A[j * m + t];
      A[i * m + j] = e / l;
    }
  }
  for (let i = 0; i < m; i++) {
    let e = b[i];
    for (let t = 0; t < i; t++) e -= A[i * m + t] * b[t];
    b[i] = e / A[i * m + i];
  }
  for (let i = m - 1; i >= 0; i--) {
    let e = b[i];
    for (let t = i + 1; t < m; t++) e -= A[t * m + i] * b[t];
    b[i] = e / A[i * m + i];
  }
  return true;
}

/**
 * Weighted least-squares elastic net by cyclic coordinate descent with covariance updates:
 *   minimise (1/2) sum_i v_i r_i^2 + l1 |beta|_1 + (l2/2) |beta|^2,  r = z - b0 - X beta,
 * where `r` holds the residuals at the starting point. With the Gram matrix X'VX formed once, a
 * coordinate step costs O(p) instead of a pass over n rows, which pays whenever n > p (glmnet's
 * "covariance" mode). After each full sweep, sweeps over the non-zero coefficients alone run
 * until they settle (glmnet's active set). Returns the number of coordinate sweeps.
 */
function wlsCoordinateDescent(
  X: Float64Array,
  rows: SparseRows | null,
  n: number,
  p: number,
  v: Float64Array,
  r: Float64Array,
  beta: Float64Array,
  boff: number,
  b0: Float64Array,
  k: number,
  fitIntercept: boolean,
  l1: number,
  l2: number,
  tol: number,
  maxPasses: number,
  gram: Gram,
  rebuild: boolean,
): { passes: number; converged: boolean } {
  const { G, xv, q } = gram;
  if (rebuild) buildGram(X, rows, n, p, v, r, gram);
  const vs = gram.vs;
  let sr = gram.sr;
  // Changes are measured in root-mean-square units of the fitted values, so tol does not grow with n.
  const unit = vs > 0 ? 1 / Math.sqrt(vs) : 1;
  // Moving coefficient j (or the intercept) by d moves the residual sums q and sr with it.
  const move = (j: number, d: number): void => {
    beta[boff + j] += d;
    const col = j * p;
    for (let u = 0; u < p; u++) q[u] -= d * G[col + u];
    sr -= d * xv[j];
  };
  const moveIntercept = (d: number): void => {
    b0[k] += d;
    for (let u = 0; u < p; u++) q[u] -= d * xv[u];
    sr -= d * vs;
  };
  const step = (j: number): number => {
    const a = G[j * p + j];
    if (a === 0 && l2 === 0) return 0;
    const old = beta[boff + j];
    const d = softThreshold(q[j] + a * old, l1) / (a + l2) - old;
    if (d === 0) return 0;
    move(j, d);
    return Math.abs(d) * Math.sqrt(a) * unit;
  };
  const intercept = (): number => {
    if (!fitIntercept || vs <= 0) return 0;
    const d = sr / vs;
    if (d === 0) return 0;
    moveIntercept(d);
    return Math.abs(d) * Math.sqrt(vs) * unit;
  };
  /**
   * With the signs of the non-zero coefficients fixed, the objective is quadratic in them (and
   * the intercept): solve it outright. Coordinate descent crawls along correlated columns (a
   * one-hot block beside the intercept takes thousands of sweeps per decade of accuracy); this
   * jumps to the end, or to where the first coefficient reaches zero; the next full sweep checks
   * the coefficients at zero.
   */
  const { sys, rhs, active } = gram;
  let exactFailures = 0;
  const exact = (): boolean => {
    let m = 0;
    for (let j = 0; j < p; j++) {
      if (beta[boff + j] === 0) continue;
      if (m === EXACT_MAX) return false;
      active[m++] = j;
    }
    const withB0 = fitIntercept && vs > 0;
    const size = m + (withB0 ? 1 : 0);
    if (size === 0) return false;
    // (G_AA + l2 I) d + xv_A d0 = q_A - l1 sign(b_A) - l2 b_A;  xv_A' d + vs d0 = sr.
    for (let a = 0; a < m; a++) {
      const j = active[a];
      for (let c = 0; c < m; c++) sys[a * size + c] = G[j * p + active[c]];
      sys[a * size + a] += l2;
      const b = beta[boff + j];
      rhs[a] = q[j] - l1 * Math.sign(b) - l2 * b;
      if (withB0) {
        sys[a * size + m] = xv[j];
        sys[m * size + a] = xv[j];
      }
    }
    if (withB0) {
      sys[m * size + m] = vs;
      rhs[m] = sr;
    }
    if (!choleskySolve(sys, rhs, size)) return false;
    // A coefficient that would change sign stops the step where it reaches zero: along the way
    // the objective is the quadratic just solved, which falls all the way to its minimum.
    let t = 1;
    let stop = -1;
    for (let a = 0; a < m; a++) {
      const b = beta[boff + active[a]];
      if (Math.sign(b + rhs[a]) !== Math.sign(b) && -b / rhs[a] < t) {
        t = -b / rhs[a];
        stop = a;
      }
    }
    for (let a = 0; a < size; a++) rhs[a] *= t;
    for (let a = 0; a < m; a++) {
      const j = active[a];
      move(j, a === stop ? -beta[boff + j] : rhs[a]);
      // Exactly zero, not a rounding residue of b - b.
      if (a === stop) beta[boff + j] = 0;
    }
    if (withB0) moveIntercept(rhs[m]);
    return true;
  };
  let passes = 0;
  let converged = false;
  while (passes < maxPasses) {
    passes++;
    let change = intercept();
    for (let j = 0; j < p; j++) change = Math.max(change, step(j));
    if (change <= tol) {
      converged = true;
      break;
    }
    if (exactFailures < 3) {
      if (exact()) continue;
      exactFailures++;
    }
    // Sweeps over the active set until it settles, then a full sweep checks the rest.
    while (passes < maxPasses) {
      passes++;
      let c = intercept();
      for (let j = 0; j < p; j++) if (beta[boff + j] !== 0) c = Math.max(c, step(j));
      if (c <= tol) break;
    }
  }
  // q and sr now describe the residuals at the new coefficients: a later solve with the same
  // weights (squared loss along the path) continues from them without a new pass over the rows.
  gram.sr = sr;
  return { passes, converged };
}

/** G = X'VX (p x p), xv = X'v, q = X'Vr, vs = sum v, sr = v'r: one pass over the rows. */
function buildGram(
  X: Float64Array,
  rows: SparseRows | null,
  n: number,
  p: number,
  v: Float64Array,
  r: Float64Array,
  gram: Gram,
): void {
  const { G, xv, q } = gram;
  G.fill(0);
  xv.fill(0);
  q.fill(0);
  let vs = 0;
  let sr = 0;
  for (let i = 0; i < n; i++) {
    const vi = v[i];
    if (vi === 0) continue;
    vs += vi;
    sr += vi * r[i];
    const vr = vi * r[i];
    if (rows) {
      const e = rows.ptr[i + 1];
      for (let t = rows.ptr[i]; t < e; t++) {
        const j = rows.idx[t];
        const xj = rows.val[t];
        xv[j] += vi * xj;
        q[j] += vr * xj;
        const vx = vi * xj;
        for (let u = rows.ptr[i]; u <= t; u++) G[j * p + rows.idx[u]] += vx * rows.val[u];
      }
    } else {
      const o = i * p;
      for (let j = 0; j < p; j++) {
        const xj = X[o + j];
        if (xj === 0) continue;
        xv[j] += vi * xj;
        q[j] += vr * xj;
        const vx = vi * xj;
        for (let u = 0; u <= j; u++) G[j * p + u] += vx * X[o + u];
      }
    }
  }
  // Only the lower triangle was summed (column indices ascend within a row); mirror it.
  for (let j = 0; j < p; j++) for (let u = 0; u < j; u++) G[u * p + j] = G[j * p + u];
  gram.vs = vs;
  gram.sr = sr;
}

/** The penalised objective at (beta, b0), from the linear predictors eta (n x K, output-major). */
function objective(pr: EnetProblem, eta: Float64Array, beta: Float64Array, l1: number): number {
  const { n, y, w, K } = pr;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    if (pr.loss === 'squared') loss += 0.5 * wi * (y[i] - eta[i]) ** 2;
    else if (pr.loss === 'logistic') {
      const e = eta[i];
      loss += wi * (softplus(e) - y[i] * e);
    } else {
      let max = -Infinity;
      for (let c = 0; c < K; c++) max = Math.max(max, eta[c * n + i]);
      let z = 0;
      for (let c = 0; c < K; c++) z += Math.exp(eta[c * n + i] - max);
      loss += wi * (max + Math.log(z) - eta[y[i] * n + i]);
    }
  }
  let a = 0;
  let q = 0;
  for (let t = 0; t < beta.length; t++) {
    a += Math.abs(beta[t]);
    q += beta[t] * beta[t];
  }
  return loss + l1 * a + 0.5 * pr.l2 * q;
}

/** eta = b0 + X beta for every output, output-major. */
function predictors(pr: EnetProblem, beta: Float64Array, b0: Float64Array, eta: Float64Array): void {
  const { X, n, p, K } = pr;
  for (let c = 0; c < K; c++)
    for (let i = 0; i < n; i++) {
      let s = b0[c];
      for (let j = 0; j < p; j++) s += X[i * p + j] * beta[c * p + j];
      eta[c * n + i] = s;
    }
}

/** The weighted standard deviation of y (1 when it is constant). */
function targetSpread(pr: EnetProblem): number {
  const { n, y, w } = pr;
  let sw = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    sw += wi;
    m += wi * y[i];
  }
  m /= sw;
  let v = 0;
  for (let i = 0; i < n; i++) v += (w ? w[i] : 1) * (y[i] - m) ** 2;
  const sd = Math.sqrt(v / sw);
  return sd > 0 ? sd : 1;
}

/** The smallest l1 at which every coefficient is zero (with intercepts fitted). */
export function l1Max(pr: EnetProblem): number {
  const { X, n, p, y, w, K } = pr;
  let W = 0;
  for (let i = 0; i < n; i++) W += w ? w[i] : 1;
  let best = 0;
  for (let c = 0; c < K; c++) {
    // Gradient of the loss at beta = 0 and the intercept's optimum: residuals from the weighted mean.
    let m = 0;
    for (let i = 0; i < n; i++) {
      const t = pr.loss === 'multinomial' ? +(y[i] === c) : y[i];
      m += (w ? w[i] : 1) * t;
    }
    m = pr.fitIntercept ? m / W : 0;
    for (let j = 0; j < p; j++) {
      let g = 0;
      for (let i = 0; i < n; i++) {
        const t = pr.loss === 'multinomial' ? +(y[i] === c) : y[i];
        g += (w ? w[i] : 1) * X[i * p + j] * (t - m);
      }
      best = Math.max(best, Math.abs(g));
    }
  }
  return best;
}

/** Newton steps at each penalty before the last: the path only has to warm-start the next one. */
const PATH_NEWTON_STEPS = 1;

export function fitElasticNet(pr: EnetProblem, opts: EnetOptions): EnetFit {
  const { n, p, K } = pr;
  const rows = sparseRows(pr.X, n, p);
  const gram = newGram(p);
  const beta = new Float64Array(K * p);
  const b0 = new Float64Array(K);
  const eta = new Float64Array(K * n);
  const v = new Float64Array(n);
  const r = new Float64Array(n);
  const top = l1Max(pr);
  const path: number[] = [];
  if (opts.pathLength > 0 && top > pr.l1) {
    const lo = Math.max(pr.l1, top * 1e-4);
    for (let t = 0; t < opts.pathLength; t++) path.push(top * (lo / top) ** (t / opts.pathLength));
  }
  path.push(pr.l1);
  // Squared loss measures its tolerance in units of the target's spread (see EnetOptions.tol).
  const solveOpts = pr.loss === 'squared' ? { ...opts, tol: opts.tol * targetSpread(pr) } : opts;
  let passes = 0;
  let converged = true;
  const trace: { l1: number; nonZero: number }[] = [];
  for (let t = 0; t < path.length; t++) {
    const l1 = path[t];
    const res = solve(
      pr,
      rows,
      gram,
      l1,
      beta,
      b0,
      eta,
      v,
      r,
      solveOpts,
      t === 0,
      t === path.length - 1 ? 100 : PATH_NEWTON_STEPS,
    );
    passes += res.passes;
    converged = res.converged;
    let nz = 0;
    for (let t = 0; t < beta.length; t++) if (beta[t] !== 0) nz++;
    trace.push({ l1, nonZero: nz });
  }
  return { coef: beta, intercept: b0, passes, converged, path: trace };
}

function solve(
  pr: EnetProblem,
  rows: SparseRows | null,
  gram: Gram,
  l1: number,
  beta: Float64Array,
  b0: Float64Array,
  eta: Float64Array,
  v: Float64Array,
  r: Float64Array,
  opts: EnetOptions,
  first: boolean,
  maxOuter: number,
): { passes: number; converged: boolean } {
  const { n, p, y, w, K, l2, fitIntercept } = pr;
  if (pr.loss === 'squared') {
    if (first) {
      predictors(pr, beta, b0, eta);
      for (let i = 0; i < n; i++) {
        v[i] = w ? w[i] : 1;
        r[i] = y[i] - eta[i];
      }
    }
    return wlsCoordinateDescent(
      pr.X,
      rows,
      n,
      p,
      v,
      r,
      beta,
      0,
      b0,
      0,
      fitIntercept,
      l1,
      l2,
      opts.tol,
      opts.maxPasses,
      gram,
      first,
    );
  }
  // IRLS: each outer step is a weighted least-squares elastic net on the Newton approximation.
  let passes = 0;
  predictors(pr, beta, b0, eta);
  let f = objective(pr, eta, beta, l1);
  const prevBeta = new Float64Array(beta.length);
  const prevB0 = new Float64Array(K);
  for (let outer = 0; outer < maxOuter; outer++) {
    prevBeta.set(beta);
    prevB0.set(b0);
    for (let c = 0; c < K; c++) {
      for (let i = 0; i < n; i++) {
        let q: number;
        let t: number;
        if (pr.loss === 'logistic') {
          q = sigmoid(eta[i]);
          t = y[i];
        } else {
          let max = -Infinity;
          for (let k = 0; k < K; k++) max = Math.max(max, eta[k * n + i]);
          let z = 0;
          for (let k = 0; k < K; k++) z += Math.exp(eta[k * n + i] - max);
          q = Math.exp(eta[c * n + i] - max) / z;
          t = +(y[i] === c);
        }
        // Curvature floored, as glmnet does, so near-certain rows cannot blow the working response up.
        const h = Math.max(q * (1 - q), 1e-5);
        v[i] = (w ? w[i] : 1) * h;
        r[i] = (t - q) / h;
      }
      const res = wlsCoordinateDescent(
        pr.X,
        rows,
        n,
        p,
        v,
        r,
        beta,
        c * p,
        b0,
        c,
        fitIntercept,
        l1,
        l2,
        opts.tol,
        opts.maxPasses,
        gram,
        true,
      );
      passes += res.passes;
      // Multinomial: later classes see this class's update.
      if (K > 1) predictors(pr, beta, b0, eta);
    }
    if (K === 1) predictors(pr, beta, b0, eta);
    let g = objective(pr, eta, beta, l1);
    // Step halving when the quadratic model overshot.
    for (let halve = 0; halve < 30 && g > f + 1e-12 * Math.abs(f); halve++) {
      for (let t = 0; t < beta.length; t++) beta[t] = 0.5 * (beta[t] + prevBeta[t]);
      for (let c = 0; c < K; c++) b0[c] = 0.5 * (b0[c] + prevB0[c]);
      predictors(pr, beta, b0, eta);
      g = objective(pr, eta, beta, l1);
    }
    let change = 0;
    for (let t = 0; t < beta.length; t++) change = Math.max(change, Math.abs(beta[t] - prevBeta[t]));
    for (let c = 0; c < K; c++) change = Math.max(change, Math.abs(b0[c] - prevB0[c]));
    const done = f - g <= 1e-10 * Math.max(1, Math.abs(g)) && change <= Math.sqrt(opts.tol);
    f = Math.min(f, g);
    if (done) return { passes, converged: true };
  }
  return { passes, converged: false };
}
