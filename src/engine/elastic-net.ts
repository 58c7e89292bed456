/**
 * Elastic net by coordinate descent (Friedman, Hastie & Tibshirani's glmnet):
 *   minimise  sum_i w_i loss_i + l1 |beta|_1 + (l2 / 2) |beta|^2      (intercepts unpenalised)
 * for squared loss (loss = (y - eta)^2 / 2), logistic and multinomial loss. Non-squared losses
 * are solved by iteratively reweighted least squares: each outer step replaces the loss by its
 * quadratic (Newton) approximation and solves that weighted least-squares elastic net by cyclic
 * coordinate descent, with step halving if the true objective would go up. A path of decreasing
 * l1 values, each warm-started from the last, reaches the requested one.
 */
import { byteOffsets, placeEnet, PLAIN, type Alloc } from '../wasm/kernels.js';
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
  /** The loops as WebAssembly (default) or as their JavaScript twin, which gives the same bits. */
  readonly kernels?: 'wasm' | 'js';
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

/** The arrays of one fit: plain for the JavaScript kernels, in a kernel arena for WebAssembly. */
interface EnetArrays {
  /** Row-major n x p. */
  readonly X: Float64Array;
  /** X row-compressed (ptr has n + 1 entries), or all three empty when X is used dense. */
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
  readonly val: Float64Array;
  /** The target and the row weights (empty for unit weights). */
  readonly y: Float64Array;
  readonly w: Float64Array;
  /** Weights and working residuals of the current least-squares problem. */
  readonly v: Float64Array;
  readonly r: Float64Array;
  /** K x p coefficients and K intercepts. */
  readonly beta: Float64Array;
  readonly b0: Float64Array;
  /** Linear predictors, n x K output-major. */
  readonly eta: Float64Array;
  /** X' V X, p x p. */
  readonly G: Float64Array;
  /** X' v. */
  readonly xv: Float64Array;
  /** X' V r for the current residuals. */
  readonly q: Float64Array;
  /** [sum of V, v' r for the current residuals]. */
  readonly scal: Float64Array;
  /** The active set's linear system (below), (EXACT_MAX + 1)^2 entries at most. */
  readonly sys: Float64Array;
  readonly rhs: Float64Array;
  readonly active: Int32Array;
}

/** Largest active set solved exactly (a Cholesky factorisation costs its size cubed / 3). */
const EXACT_MAX = 256;

function layout(a: Alloc, pr: EnetProblem, nnz: number | null): EnetArrays {
  const { n, p, K } = pr;
  const m = Math.min(p, EXACT_MAX) + 1;
  return {
    X: a.f64(n * p),
    ptr: a.i32(nnz === null ? 0 : n + 1),
    idx: a.i32(nnz ?? 0),
    val: a.f64(nnz ?? 0),
    y: a.f64(n),
    w: a.f64(pr.w ? n : 0),
    v: a.f64(n),
    r: a.f64(n),
    beta: a.f64(K * p),
    b0: a.f64(K),
    eta: a.f64(K * n),
    G: a.f64(p * p),
    xv: a.f64(p),
    q: a.f64(p),
    scal: a.f64(2),
    sys: a.f64(m * m),
    rhs: a.f64(m),
    active: a.i32(m),
  };
}

/**
 * What a fit runs on its arrays: the Gram matrix of the current weights and residuals, the
 * linear predictors, and one weighted least-squares solve (from the Gram matrix) for output k,
 * whose coefficients start at beta[boff].
 */
interface EnetEngine {
  readonly a: EnetArrays;
  gram(): void;
  predict(): void;
  /** The Newton weights and working residuals of output c into v and r (logistic, multinomial). */
  weights(c: number): void;
  /** The penalised objective at the current predictors (logistic, multinomial). */
  objective(l1: number): number;
  descend(s: Descent): { passes: number; converged: boolean };
  /** l1Max of the problem (r and q serve as scratch: every solve writes them before reading). */
  l1Max(): number;
}

/** One weighted least-squares solve: output k, its coefficients from beta[boff], and the penalties. */
interface Descent {
  readonly boff: number;
  readonly k: number;
  readonly fitIntercept: boolean;
  readonly l1: number;
  readonly l2: number;
  readonly tol: number;
  readonly maxPasses: number;
}

/** The arrays of a problem, X (and its row-compressed form when sparse enough) copied in. */
function fill(a: EnetArrays, pr: EnetProblem, rows: SparseRows | null): void {
  a.X.set(pr.X);
  a.y.set(pr.y);
  if (pr.w) a.w.set(pr.w);
  if (rows) {
    a.ptr.set(rows.ptr);
    a.idx.set(rows.idx);
    a.val.set(rows.val);
  }
}

/** The kernels as WebAssembly (assembly/enet.ts): compiled before their first row, unlike JavaScript. */
function wasmEngine(pr: EnetProblem, rows: SparseRows | null): EnetEngine {
  const { n, p, K } = pr;
  const { kernels: w, arrays: a } = placeEnet((al) => layout(al, pr, rows ? rows.idx.length : null));
  fill(a, pr, rows);
  const o = byteOffsets({ ...a });
  const sparse = rows !== null;
  const weights = pr.w ? o.w : 0;
  return {
    a,
    gram: () => w.buildGram(o.X, sparse ? o.ptr : 0, o.idx, o.val, n, p, o.v, o.r, o.G, o.xv, o.q, o.scal),
    predict: () => w.predictors(o.X, n, p, K, o.beta, o.b0, o.eta),
    weights: (c) => w.irlsWeights(o.eta, o.y, weights, n, K, c, o.v, o.r),
    objective: (l1) => w.objective(o.eta, o.y, weights, n, K, o.beta, K * p, l1, pr.l2),
    descend(s) {
      const passes = w.coordinateDescent(
        p,
        o.beta + 8 * s.boff,
        o.b0,
        s.k,
        s.fitIntercept ? 1 : 0,
        s.l1,
        s.l2,
        s.tol,
        s.maxPasses,
        o.G,
        o.xv,
        o.q,
        o.scal,
        o.sys,
        o.rhs,
        o.active,
        EXACT_MAX,
      );
      return { passes, converged: w.converged() === 1 };
    },
    l1Max: () =>
      w.l1Max(
        o.X,
        o.y,
        weights,
        n,
        p,
        K,
        pr.loss === 'multinomial' ? 1 : 0,
        pr.fitIntercept ? 1 : 0,
        noInterceptCentre(pr),
        o.r,
        o.q,
      ),
  };
}

/** The kernels as JavaScript on plain arrays: the twin the tests hold the WebAssembly to, bit for bit. */
function jsEngine(pr: EnetProblem, rows: SparseRows | null): EnetEngine {
  const { n, p, K } = pr;
  const a = layout(PLAIN, pr, rows ? rows.idx.length : null);
  fill(a, pr, rows);
  return {
    a,
    gram: () => buildGram(a, n, p),
    predict: () => predictorsOf(a, n, p, K),
    weights: (c) => irlsWeights(pr, a, c),
    objective: (l1) => objective(pr, a.eta, a.beta, l1),
    descend: (s) => wlsCoordinateDescent(a, p, s),
    l1Max: () => l1Max(pr),
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
 * where `r` held the residuals at the starting point when the Gram matrix was built. With X'VX
 * formed once, a coordinate step costs O(p) instead of a pass over n rows, which pays whenever
 * n > p (glmnet's "covariance" mode). After each full sweep, sweeps over the non-zero
 * coefficients alone run until they settle (glmnet's active set). Returns the number of sweeps.
 */
function wlsCoordinateDescent(arrays: EnetArrays, p: number, s: Descent): { passes: number; converged: boolean } {
  const { boff, k, fitIntercept, l1, l2, tol, maxPasses } = s;
  const { G, xv, q, beta, b0, scal } = arrays;
  const vs = scal[0];
  let sr = scal[1];
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
  const { sys, rhs, active } = arrays;
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
  scal[1] = sr;
  return { passes, converged };
}

/** G = X'VX (p x p), xv = X'v, q = X'Vr, scal = [sum v, v'r]: one pass over the rows. */
function buildGram(arrays: EnetArrays, n: number, p: number): void {
  const { X, ptr, idx, val, v, r, G, xv, q, scal } = arrays;
  const sparse = ptr.length > 0;
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
    if (sparse) {
      const e = ptr[i + 1];
      for (let t = ptr[i]; t < e; t++) {
        const j = idx[t];
        const xj = val[t];
        xv[j] += vi * xj;
        q[j] += vr * xj;
        const vx = vi * xj;
        for (let u = ptr[i]; u <= t; u++) G[j * p + idx[u]] += vx * val[u];
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
  scal[0] = vs;
  scal[1] = sr;
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

/** The Newton weights v and working residuals r of output c at the predictors (logistic or multinomial). */
function irlsWeights(pr: EnetProblem, arrays: EnetArrays, c: number): void {
  const { n, y, w, K } = pr;
  const { eta, v, r } = arrays;
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
}

/** eta = b0 + X beta for every output, output-major. */
function predictorsOf(arrays: EnetArrays, n: number, p: number, K: number): void {
  const { X, beta, b0, eta } = arrays;
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

/** The prediction at beta = 0 without an intercept: 0, or the probability every class then has. */
function noInterceptCentre(pr: EnetProblem): number {
  return pr.loss === 'logistic' ? 0.5 : pr.loss === 'multinomial' ? 1 / pr.K : 0;
}

/** The smallest l1 at which every coefficient is zero; the kernels' twin. */
export function l1Max(pr: EnetProblem): number {
  const { X, n, p, y, w, K } = pr;
  let W = 0;
  for (let i = 0; i < n; i++) W += w ? w[i] : 1;
  // The loss's gradient at beta = 0 with the intercept at its optimum, X'(w (t - mean t)), one
  // output at a time: residuals first, then one pass over X in its row-major order. Without an
  // intercept the predictions at beta = 0 are 0, a probability of 1/2 or 1/K instead of the mean.
  const res = new Float64Array(n);
  const g = new Float64Array(p);
  const centre = noInterceptCentre(pr);
  let best = 0;
  for (let c = 0; c < K; c++) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      res[i] = pr.loss === 'multinomial' ? +(y[i] === c) : y[i];
      m += (w ? w[i] : 1) * res[i];
    }
    m = pr.fitIntercept ? m / W : centre;
    for (let i = 0; i < n; i++) res[i] = (w ? w[i] : 1) * (res[i] - m);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const ri = res[i];
      const o = i * p;
      for (let j = 0; j < p; j++) g[j] += ri * X[o + j];
    }
    for (let j = 0; j < p; j++) best = Math.max(best, Math.abs(g[j]));
  }
  return best;
}

/** Newton steps at each penalty before the last: the path only has to warm-start the next one. */
const PATH_NEWTON_STEPS = 1;

export function fitElasticNet(pr: EnetProblem, opts: EnetOptions): EnetFit {
  const { n, p } = pr;
  const rows = sparseRows(pr.X, n, p);
  const engine = (opts.kernels === 'js' ? jsEngine : wasmEngine)(pr, rows);
  const top = engine.l1Max();
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
  const beta = engine.a.beta;
  for (let t = 0; t < path.length; t++) {
    const l1 = path[t];
    const res = solve(pr, engine, l1, solveOpts, t === 0, t === path.length - 1 ? 100 : PATH_NEWTON_STEPS);
    passes += res.passes;
    converged = res.converged;
    let nz = 0;
    for (let t = 0; t < beta.length; t++) if (beta[t] !== 0) nz++;
    trace.push({ l1, nonZero: nz });
  }
  return { coef: beta.slice(), intercept: engine.a.b0.slice(), passes, converged, path: trace };
}

function solve(
  pr: EnetProblem,
  engine: EnetEngine,
  l1: number,
  opts: EnetOptions,
  first: boolean,
  maxOuter: number,
): { passes: number; converged: boolean } {
  const { n, p, y, w, K, l2, fitIntercept } = pr;
  const { beta, b0, eta, v, r } = engine.a;
  if (pr.loss === 'squared') {
    if (first) {
      engine.predict();
      for (let i = 0; i < n; i++) {
        v[i] = w ? w[i] : 1;
        r[i] = y[i] - eta[i];
      }
      engine.gram();
    }
    return engine.descend({ boff: 0, k: 0, fitIntercept, l1, l2, tol: opts.tol, maxPasses: opts.maxPasses });
  }
  // IRLS: each outer step is a weighted least-squares elastic net on the Newton approximation.
  let passes = 0;
  engine.predict();
  let f = engine.objective(l1);
  const prevBeta = new Float64Array(beta.length);
  const prevB0 = new Float64Array(K);
  for (let outer = 0; outer < maxOuter; outer++) {
    prevBeta.set(beta);
    prevB0.set(b0);
    for (let c = 0; c < K; c++) {
      engine.weights(c);
      engine.gram();
      const res = engine.descend({ boff: c * p, k: c, fitIntercept, l1, l2, tol: opts.tol, maxPasses: opts.maxPasses });
      passes += res.passes;
      // Multinomial: later classes see this class's update.
      if (K > 1) engine.predict();
    }
    if (K === 1) engine.predict();
    let g = engine.objective(l1);
    // Step halving when the quadratic model overshot.
    for (let halve = 0; halve < 30 && g > f + 1e-12 * Math.abs(f); halve++) {
      for (let t = 0; t < beta.length; t++) beta[t] = 0.5 * (beta[t] + prevBeta[t]);
      for (let c = 0; c < K; c++) b0[c] = 0.5 * (b0[c] + prevB0[c]);
      engine.predict();
      g = engine.objective(l1);
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
