// AssemblyScript: compiled to WebAssembly by scripts/build-wasm.mjs. The arithmetic of the
// elastic net in src/engine/elastic-net.ts (the Gram matrix, the linear predictors and the
// weighted least-squares coordinate descent with its exact active-set step), on arrays the caller
// placed in this module's memory (arguments are byte offsets). Each loop does the operations of
// its JavaScript twin in the same order, so a fit gives the same coefficients bit for bit; the
// tests check that. A fit on a few hundred rows is over before V8 has compiled the JavaScript:
// as WebAssembly it runs compiled from the first row.

import { exp, log, log1p } from './shared/fdlibm';
// Exported for src/wasm/fdlibm.test.ts, which compares them with Math.
export { exp, log, log1p } from './shared/fdlibm';

function f(p: usize, i: i32): f64 {
  return load<f64>(p + ((<usize>i) << 3));
}

function setf(p: usize, i: i32, x: f64): void {
  store<f64>(p + ((<usize>i) << 3), x);
}

function addf(p: usize, i: i32, x: f64): void {
  const a = p + ((<usize>i) << 3);
  store<f64>(a, load<f64>(a) + x);
}

function ix(p: usize, i: i32): i32 {
  return load<i32>(p + ((<usize>i) << 2));
}

function sign(x: f64): f64 {
  return x > 0 ? 1 : x < 0 ? -1 : x;
}

/**
 * G = X'VX (p x p), xv = X'v, q = X'Vr, and into scal: [0] = sum v, [1] = v'r; one pass over the
 * rows, dense (X row-major) or row-compressed (ptr, idx, val) when ptr is not 0.
 */
export function buildGram(
  X: usize,
  ptr: usize,
  idx: usize,
  val: usize,
  n: i32,
  p: i32,
  v: usize,
  r: usize,
  G: usize,
  xv: usize,
  q: usize,
  scal: usize,
): void {
  memory.fill(G, 0, (<usize>p * <usize>p) << 3);
  memory.fill(xv, 0, (<usize>p) << 3);
  memory.fill(q, 0, (<usize>p) << 3);
  let vs: f64 = 0;
  let sr: f64 = 0;
  for (let i = 0; i < n; i++) {
    const vi = f(v, i);
    if (vi == 0) continue;
    vs += vi;
    sr += vi * f(r, i);
    const vr = vi * f(r, i);
    if (ptr) {
      const s = ix(ptr, i);
      const e = ix(ptr, i + 1);
      for (let t = s; t < e; t++) {
        const j = ix(idx, t);
        const xj = f(val, t);
        addf(xv, j, vi * xj);
        addf(q, j, vr * xj);
        const vx = vi * xj;
        for (let u = s; u <= t; u++) addf(G, j * p + ix(idx, u), vx * f(val, u));
      }
    } else {
      const o = i * p;
      for (let j = 0; j < p; j++) {
        const xj = f(X, o + j);
        if (xj == 0) continue;
        addf(xv, j, vi * xj);
        addf(q, j, vr * xj);
        const vx = vi * xj;
        for (let u = 0; u <= j; u++) addf(G, j * p + u, vx * f(X, o + u));
      }
    }
  }
  for (let j = 0; j < p; j++) for (let u = 0; u < j; u++) setf(G, u * p + j, f(G, j * p + u));
  setf(scal, 0, vs);
  setf(scal, 1, sr);
}

/** eta[c n + i] = b0[c] + X_i . beta[c p ..] for every output c < K (X row-major). */
export function predictors(X: usize, n: i32, p: i32, K: i32, beta: usize, b0: usize, eta: usize): void {
  for (let c = 0; c < K; c++)
    for (let i = 0; i < n; i++) {
      let s = f(b0, c);
      for (let j = 0; j < p; j++) s += f(X, i * p + j) * f(beta, c * p + j);
      setf(eta, c * n + i, s);
    }
}

// The coordinate descent's state for one call: AssemblyScript has no closures.
let cG: usize = 0;
let cXv: usize = 0;
let cQ: usize = 0;
let cBeta: usize = 0;
let cB0: usize = 0;
let cK: i32 = 0;
let cP: i32 = 0;
let cVs: f64 = 0;
let cSr: f64 = 0;
let cL1: f64 = 0;
let cL2: f64 = 0;
let cUnit: f64 = 0;
let cIntercept: bool = false;
let lastConverged: bool = false;

/** Whether the last coordinateDescent converged. */
export function converged(): i32 {
  return lastConverged ? 1 : 0;
}

function move(j: i32, d: f64): void {
  addf(cBeta, j, d);
  const col = j * cP;
  for (let u = 0; u < cP; u++) addf(cQ, u, -(d * f(cG, col + u)));
  cSr -= d * f(cXv, j);
}

function moveIntercept(d: f64): void {
  addf(cB0, cK, d);
  for (let u = 0; u < cP; u++) addf(cQ, u, -(d * f(cXv, u)));
  cSr -= d * cVs;
}

function step(j: i32): f64 {
  const a = f(cG, j * cP + j);
  if (a == 0 && cL2 == 0) return 0;
  const old = f(cBeta, j);
  const z = f(cQ, j) + a * old;
  const st = z > cL1 ? z - cL1 : z < -cL1 ? z + cL1 : 0;
  const d = st / (a + cL2) - old;
  if (d == 0) return 0;
  move(j, d);
  return Math.abs(d) * Math.sqrt(a) * cUnit;
}

function intercept(): f64 {
  if (!cIntercept || cVs <= 0) return 0;
  const d = cSr / cVs;
  if (d == 0) return 0;
  moveIntercept(d);
  return Math.abs(d) * Math.sqrt(cVs) * cUnit;
}

/** Cholesky solve of the m x m system A (row-major, overwritten) for b (overwritten); false when not positive definite. */
function choleskySolve(A: usize, b: usize, m: i32): bool {
  for (let j = 0; j < m; j++) {
    let d = f(A, j * m + j);
    for (let t = 0; t < j; t++) d -= f(A, j * m + t) * f(A, j * m + t);
    if (!(d > 1e-12 * Math.abs(f(A, j * m + j)))) return false;
    const l = Math.sqrt(d);
    setf(A, j * m + j, l);
    for (let i = j + 1; i < m; i++) {
      let e = f(A, i * m + j);
      for (let t = 0; t < j; t++) e -= f(A, i * m + t) * f(A, j * m + t);
      setf(A, i * m + j, e / l);
    }
  }
  for (let i = 0; i < m; i++) {
    let e = f(b, i);
    for (let t = 0; t < i; t++) e -= f(A, i * m + t) * f(b, t);
    setf(b, i, e / f(A, i * m + i));
  }
  for (let i = m - 1; i >= 0; i--) {
    let e = f(b, i);
    for (let t = i + 1; t < m; t++) e -= f(A, t * m + i) * f(b, t);
    setf(b, i, e / f(A, i * m + i));
  }
  return true;
}

/** The exact step on the active set (see wlsCoordinateDescent in src/engine/elastic-net.ts). */
function exact(sys: usize, rhs: usize, active: usize, exactMax: i32): bool {
  const p = cP;
  let m: i32 = 0;
  for (let j = 0; j < p; j++) {
    if (f(cBeta, j) == 0) continue;
    if (m == exactMax) return false;
    store<i32>(active + ((<usize>m) << 2), j);
    m++;
  }
  const withB0 = cIntercept && cVs > 0;
  const size = m + (withB0 ? 1 : 0);
  if (size == 0) return false;
  for (let a = 0; a < m; a++) {
    const j = ix(active, a);
    for (let c = 0; c < m; c++) setf(sys, a * size + c, f(cG, j * p + ix(active, c)));
    addf(sys, a * size + a, cL2);
    const b = f(cBeta, j);
    setf(rhs, a, f(cQ, j) - cL1 * sign(b) - cL2 * b);
    if (withB0) {
      setf(sys, a * size + m, f(cXv, j));
      setf(sys, m * size + a, f(cXv, j));
    }
  }
  if (withB0) {
    setf(sys, m * size + m, cVs);
    setf(rhs, m, cSr);
  }
  if (!choleskySolve(sys, rhs, size)) return false;
  let t: f64 = 1;
  let stop: i32 = -1;
  for (let a = 0; a < m; a++) {
    const b = f(cBeta, ix(active, a));
    const d = f(rhs, a);
    if (sign(b + d) != sign(b) && -b / d < t) {
      t = -b / d;
      stop = a;
    }
  }
  for (let a = 0; a < size; a++) setf(rhs, a, f(rhs, a) * t);
  for (let a = 0; a < m; a++) {
    const j = ix(active, a);
    move(j, a == stop ? -f(cBeta, j) : f(rhs, a));
    if (a == stop) setf(cBeta, j, 0);
  }
  if (withB0) moveIntercept(f(rhs, m));
  return true;
}

/**
 * Weighted least-squares elastic net by cyclic coordinate descent on the Gram matrix, as
 * wlsCoordinateDescent in src/engine/elastic-net.ts: beta is the output's p coefficients, b0 the
 * intercepts (this one is b0[k]); scal holds [sum v, v'r] from buildGram and gets v'r back.
 * Returns the sweeps; converged() says whether they met tol.
 */
export function coordinateDescent(
  p: i32,
  beta: usize,
  b0: usize,
  k: i32,
  fitIntercept: i32,
  l1: f64,
  l2: f64,
  tol: f64,
  maxPasses: i32,
  G: usize,
  xv: usize,
  q: usize,
  scal: usize,
  sys: usize,
  rhs: usize,
  active: usize,
  exactMax: i32,
): i32 {
  cG = G;
  cXv = xv;
  cQ = q;
  cBeta = beta;
  cB0 = b0;
  cK = k;
  cP = p;
  cVs = f(scal, 0);
  cSr = f(scal, 1);
  cL1 = l1;
  cL2 = l2;
  cIntercept = fitIntercept != 0;
  cUnit = cVs > 0 ? 1 / Math.sqrt(cVs) : 1;
  let exactFailures = 0;
  let passes = 0;
  let done = false;
  while (passes < maxPasses) {
    passes++;
    let change = intercept();
    for (let j = 0; j < p; j++) change = Math.max(change, step(j));
    if (change <= tol) {
      done = true;
      break;
    }
    if (exactFailures < 3) {
      if (exact(sys, rhs, active, exactMax)) continue;
      exactFailures++;
    }
    while (passes < maxPasses) {
      passes++;
      let c = intercept();
      for (let j = 0; j < p; j++) if (f(beta, j) != 0) c = Math.max(c, step(j));
      if (c <= tol) break;
    }
  }
  setf(scal, 1, cSr);
  lastConverged = done;
  return passes;
}

// exp, log and log1p as V8 rounds them (shared/fdlibm.ts), so these loops give the JavaScript
// twin's bits without calling out to Math for every row.

function sigmoid(m: f64): f64 {
  return m >= 0 ? 1 / (1 + exp(-m)) : exp(m) / (1 + exp(m));
}

function softplus(m: f64): f64 {
  return m > 0 ? m + log1p(exp(-m)) : log1p(exp(m));
}

/** max over the K outputs of row i, as Math.max from -Infinity. */
function rowMax(eta: usize, n: i32, K: i32, i: i32): f64 {
  let max: f64 = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, f(eta, k * n + i));
  return max;
}

/**
 * The Newton (IRLS) weights and working residuals of output c at the predictors eta, as solve in
 * src/engine/elastic-net.ts: logistic when K is 1, else multinomial; w is 0 for unit weights.
 */
export function irlsWeights(eta: usize, y: usize, w: usize, n: i32, K: i32, c: i32, v: usize, r: usize): void {
  for (let i = 0; i < n; i++) {
    let q: f64;
    let t: f64;
    if (K == 1) {
      q = sigmoid(f(eta, i));
      t = f(y, i);
    } else {
      const max = rowMax(eta, n, K, i);
      let z: f64 = 0;
      for (let k = 0; k < K; k++) z += exp(f(eta, k * n + i) - max);
      q = exp(f(eta, c * n + i) - max) / z;
      t = f(y, i) == <f64>c ? 1 : 0;
    }
    const h = Math.max(q * (1 - q), 1e-5);
    setf(v, i, (w ? f(w, i) : 1) * h);
    setf(r, i, (t - q) / h);
  }
}

/** The penalised objective of the logistic (K = 1) or multinomial loss at the predictors eta. */
export function objective(
  eta: usize,
  y: usize,
  w: usize,
  n: i32,
  K: i32,
  beta: usize,
  len: i32,
  l1: f64,
  l2: f64,
): f64 {
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? f(w, i) : 1;
    if (K == 1) {
      const e = f(eta, i);
      loss += wi * (softplus(e) - f(y, i) * e);
    } else {
      const max = rowMax(eta, n, K, i);
      let z: f64 = 0;
      for (let c = 0; c < K; c++) z += exp(f(eta, c * n + i) - max);
      loss += wi * (max + log(z) - f(eta, <i32>f(y, i) * n + i));
    }
  }
  let a: f64 = 0;
  let q: f64 = 0;
  for (let t = 0; t < len; t++) {
    a += Math.abs(f(beta, t));
    q += f(beta, t) * f(beta, t);
  }
  return loss + l1 * a + 0.5 * l2 * q;
}

/**
 * The smallest l1 at which every coefficient is zero, with intercepts fitted (l1Max in
 * src/engine/elastic-net.ts): per output c, the loss's gradient X'(w (t - mean t)) at beta = 0,
 * t the target (or, multinomial, 1 where it is class c), and without an intercept w (t - centre),
 * centre the prediction at beta = 0. res (n) and g (p) are scratch. A cold
 * fit on a few hundred rows spent a millisecond or two in this loop as JavaScript.
 */
export function l1Max(
  X: usize,
  y: usize,
  w: usize,
  n: i32,
  p: i32,
  K: i32,
  multinomial: i32,
  fitIntercept: i32,
  centre: f64,
  res: usize,
  g: usize,
): f64 {
  let W: f64 = 0;
  for (let i = 0; i < n; i++) W += w ? f(w, i) : 1;
  let best: f64 = 0;
  for (let c = 0; c < K; c++) {
    let m: f64 = 0;
    for (let i = 0; i < n; i++) {
      const t: f64 = multinomial ? (f(y, i) == <f64>c ? 1 : 0) : f(y, i);
      setf(res, i, t);
      m += (w ? f(w, i) : 1) * t;
    }
    m = fitIntercept ? m / W : centre;
    for (let i = 0; i < n; i++) setf(res, i, (w ? f(w, i) : 1) * (f(res, i) - m));
    memory.fill(g, 0, (<usize>p) << 3);
    for (let i = 0; i < n; i++) {
      const ri = f(res, i);
      const o = i * p;
      for (let j = 0; j < p; j++) addf(g, j, ri * f(X, o + j));
    }
    for (let j = 0; j < p; j++) best = Math.max(best, Math.abs(f(g, j)));
  }
  return best;
}
