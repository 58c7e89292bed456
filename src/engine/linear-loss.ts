import { compressedRows } from '../wasm/clean.js';
import type { ObjectiveFn } from './lbfgs.js';

/**
 * Objectives of regularised linear models on a row-major design matrix X (n x p). Each is the
 * weighted mean loss plus the L2 penalty divided by the total weight:
 *   F = (1/W) [ sum_i w_i loss_i + (l2 / 2) |coefficients|^2 ],   W = sum_i w_i,
 * which has the same minimiser as scikit-learn's C * sum loss + |coef|^2 / 2 with l2 = 1/C (and
 * as Ridge with alpha = l2), while keeping gradients O(1) so one tolerance fits every data size.
 * Parameters per output: p coefficients then the intercept (unpenalised).
 */

export interface LinearProblem {
  readonly X: Float64Array;
  readonly n: number;
  readonly p: number;
  readonly y: Float64Array;
  readonly w?: Float64Array;
  readonly l2: number;
  readonly fitIntercept: boolean;
  /** X without its zeros, when that is much smaller (one-hot blocks); same values as X. */
  readonly rows?: SparseRows | null;
}

/** Row-compressed X: row i's non-zeros are val[ptr[i]..ptr[i+1]) in columns idx[...]. */
export interface SparseRows {
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
  readonly val: Float64Array;
}

/**
 * X in row-compressed form when at most `maxDensity` of its entries are non-zero, else null. After
 * one-hot encoding most entries are zero, and skipping them cuts the work per pass several times.
 * (A WebAssembly kernel: src/wasm/clean.ts.)
 */
export function sparseRows(X: Float64Array, n: number, p: number, maxDensity = 0.4): SparseRows | null {
  return compressedRows(X, n, p, maxDensity);
}

/** theta[off..off+p) · x_i. */
function rowDot(
  X: Float64Array,
  rows: SparseRows | null,
  i: number,
  p: number,
  theta: Float64Array,
  off: number,
): number {
  let s = 0;
  if (rows) {
    const { ptr, idx, val } = rows;
    for (let k = ptr[i], e = ptr[i + 1]; k < e; k++) s += theta[off + idx[k]] * val[k];
  } else {
    const base = i * p;
    for (let j = 0; j < p; j++) s += theta[off + j] * X[base + j];
  }
  return s;
}

/** grad[off..off+p) += a · x_i. */
function rowAxpy(
  X: Float64Array,
  rows: SparseRows | null,
  i: number,
  p: number,
  a: number,
  grad: Float64Array,
  off: number,
): void {
  if (rows) {
    const { ptr, idx, val } = rows;
    for (let k = ptr[i], e = ptr[i + 1]; k < e; k++) grad[off + idx[k]] += a * val[k];
  } else {
    const base = i * p;
    for (let j = 0; j < p; j++) grad[off + j] += a * X[base + j];
  }
}

function totalWeight(pr: LinearProblem): number {
  if (!pr.w) return pr.n;
  let s = 0;
  for (let i = 0; i < pr.n; i++) s += pr.w[i];
  return s;
}

/** log(1 + exp(m)) without overflow. */
export function softplus(m: number): number {
  return m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
}

export function sigmoid(m: number): number {
  return m >= 0 ? 1 / (1 + Math.exp(-m)) : Math.exp(m) / (1 + Math.exp(m));
}

/** Adds the L2 penalty to one output's gradient block, scales it by 1/W and returns |coef|². */
function penalise(theta: Float64Array, grad: Float64Array, off: number, p: number, l2: number, W: number): number {
  let pen = 0;
  for (let j = 0; j < p; j++) {
    const t = theta[off + j];
    pen += t * t;
    grad[off + j] = (grad[off + j] + l2 * t) / W;
  }
  return pen;
}

/** Binary logistic regression, y in {0, 1}. Parameters: p coefficients, then the intercept. */
export function logisticObjective(pr: LinearProblem): ObjectiveFn {
  const { X, n, p, y, w, l2, fitIntercept } = pr;
  const rows = pr.rows ?? null;
  const W = totalWeight(pr);
  return (theta, grad) => {
    const b = fitIntercept ? theta[p] : 0;
    grad.fill(0);
    let loss = 0;
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const m = b + rowDot(X, rows, i, p, theta, 0);
      const wi = w ? w[i] : 1;
      // One exp serves both the loss (softplus) and the residual (sigmoid).
      const e = Math.exp(-Math.abs(m));
      const sp = (m > 0 ? m : 0) + Math.log1p(e);
      const sg = m >= 0 ? 1 / (1 + e) : e / (1 + e);
      loss += wi * (sp - y[i] * m);
      const ri = wi * (sg - y[i]);
      if (ri !== 0) rowAxpy(X, rows, i, p, ri, grad, 0);
      gb += ri;
    }
    const pen = penalise(theta, grad, 0, p, l2, W);
    if (fitIntercept) grad[p] = gb / W;
    return (loss + 0.5 * l2 * pen) / W;
  };
}

/**
 * Multinomial logistic regression with K full coefficient vectors (scikit-learn's multinomial
 * lbfgs), y = class index. Parameters: class-major blocks of p coefficients plus an intercept.
 */
export function multinomialObjective(pr: LinearProblem, K: number): ObjectiveFn {
  const { X, n, p, y, w, l2, fitIntercept } = pr;
  const rows = pr.rows ?? null;
  const W = totalWeight(pr);
  const stride = p + 1;
  const m = new Float64Array(K);
  return (theta, grad) => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        const s = (fitIntercept ? theta[k * stride + p] : 0) + rowDot(X, rows, i, p, theta, k * stride);
        m[k] = s;
        if (s > max) max = s;
      }
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(m[k] - max);
      const lse = max + Math.log(z);
      const wi = w ? w[i] : 1;
      loss += wi * (lse - m[y[i]]);
      for (let k = 0; k < K; k++) {
        const rk = wi * (Math.exp(m[k] - lse) - (y[i] === k ? 1 : 0));
        rowAxpy(X, rows, i, p, rk, grad, k * stride);
        grad[k * stride + p] += rk;
      }
    }
    let pen = 0;
    for (let k = 0; k < K; k++) {
      const off = k * stride;
      pen += penalise(theta, grad, off, p, l2, W);
      grad[off + p] = fitIntercept ? grad[off + p] / W : 0;
    }
    return (loss + 0.5 * l2 * pen) / W;
  };
}

/** Least squares, loss = (y - prediction)² / 2. Parameters: p coefficients, then the intercept. */
export function squaredObjective(pr: LinearProblem): ObjectiveFn {
  const { X, n, p, y, w, l2, fitIntercept } = pr;
  const rows = pr.rows ?? null;
  const W = totalWeight(pr);
  return (theta, grad) => {
    const b = fitIntercept ? theta[p] : 0;
    grad.fill(0);
    let loss = 0;
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i] : 1;
      const e = b + rowDot(X, rows, i, p, theta, 0) - y[i];
      loss += 0.5 * wi * e * e;
      const ri = wi * e;
      rowAxpy(X, rows, i, p, ri, grad, 0);
      gb += ri;
    }
    const pen = penalise(theta, grad, 0, p, l2, W);
    if (fitIntercept) grad[p] = gb / W;
    return (loss + 0.5 * l2 * pen) / W;
  };
}

/** Solves A x = b in place for a symmetric positive definite A (p x p, row-major); false if not SPD. */
export function choleskySolve(A: Float64Array, b: Float64Array, p: number): boolean {
  for (let j = 0; j < p; j++) {
    let s = A[j * p + j];
    for (let k = 0; k < j; k++) s -= A[j * p + k] * A[j * p + k];
    if (!(s > 0)) return false;
    const ljj = Math.sqrt(s);
    A[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let t = A[i * p + j];
      for (let k = 0; k < j; k++) t -= A[i * p + k] * A[j * p + k];
      A[i * p + j] = t / ljj;
    }
  }
  for (let i = 0; i < p; i++) {
    let t = b[i];
    for (let k = 0; k < i; k++) t -= A[i * p + k] * b[k];
    b[i] = t / A[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let t = b[i];
    for (let k = i + 1; k < p; k++) t -= A[k * p + i] * b[k];
    b[i] = t / A[i * p + i];
  }
  return true;
}

/**
 * Ridge regression exactly: centre X and y by their weighted means (so the intercept is not
 * penalised), solve (Xc' W Xc + l2 I) beta = Xc' W yc by Cholesky. Returns null when the system
 * is not positive definite (l2 = 0 with collinear columns): the caller falls back to L-BFGS.
 */
export function ridgeExact(pr: LinearProblem): { coef: Float64Array; intercept: number } | null {
  const { X, n, p, y, w, l2, fitIntercept } = pr;
  const W = totalWeight(pr);
  const mx = new Float64Array(p);
  let my = 0;
  if (fitIntercept) {
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i] : 1;
      my += wi * y[i];
      for (let j = 0; j < p; j++) mx[j] += wi * X[i * p + j];
    }
    my /= W;
    for (let j = 0; j < p; j++) mx[j] /= W;
  }
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  const xc = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    for (let j = 0; j < p; j++) xc[j] = X[i * p + j] - mx[j];
    const yc = y[i] - my;
    for (let j = 0; j < p; j++) {
      const v = wi * xc[j];
      b[j] += v * yc;
      for (let k = 0; k <= j; k++) A[j * p + k] += v * xc[k];
    }
  }
  for (let j = 0; j < p; j++) {
    A[j * p + j] += l2;
    for (let k = 0; k < j; k++) A[k * p + j] = A[j * p + k];
  }
  if (!choleskySolve(A, b, p)) return null;
  let intercept = my;
  for (let j = 0; j < p; j++) intercept -= b[j] * mx[j];
  return { coef: b, intercept: fitIntercept ? intercept : 0 };
}
