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

/** Binary logistic regression, y in {0, 1}. Parameters: p coefficients, then the intercept. */
export function logisticObjective(pr: LinearProblem): ObjectiveFn {
  const { X, n, p, y, w, l2, fitIntercept } = pr;
  const W = totalWeight(pr);
  const r = new Float64Array(n);
  return (theta, grad) => {
    const b = fitIntercept ? theta[p] : 0;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let m = b;
      const base = i * p;
      for (let j = 0; j < p; j++) m += theta[j] * X[base + j];
      const wi = w ? w[i] : 1;
      loss += wi * (softplus(m) - y[i] * m);
      r[i] = wi * (sigmoid(m) - y[i]);
    }
    grad.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const ri = r[i];
      if (ri === 0) continue;
      const base = i * p;
      for (let j = 0; j < p; j++) grad[j] += ri * X[base + j];
      gb += ri;
    }
    let pen = 0;
    for (let j = 0; j < p; j++) {
      pen += theta[j] * theta[j];
      grad[j] = (grad[j] + l2 * theta[j]) / W;
    }
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
  const W = totalWeight(pr);
  const stride = p + 1;
  const m = new Float64Array(K);
  const r = new Float64Array(n * K);
  return (theta, grad) => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const base = i * p;
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        let s = fitIntercept ? theta[k * stride + p] : 0;
        const off = k * stride;
        for (let j = 0; j < p; j++) s += theta[off + j] * X[base + j];
        m[k] = s;
        if (s > max) max = s;
      }
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(m[k] - max);
      const lse = max + Math.log(z);
      const wi = w ? w[i] : 1;
      loss += wi * (lse - m[y[i]]);
      for (let k = 0; k < K; k++) r[i * K + k] = wi * (Math.exp(m[k] - lse) - (y[i] === k ? 1 : 0));
    }
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      const base = i * p;
      for (let k = 0; k < K; k++) {
        const rk = r[i * K + k];
        const off = k * stride;
        for (let j = 0; j < p; j++) grad[off + j] += rk * X[base + j];
        grad[off + p] += rk;
      }
    }
    let pen = 0;
    for (let k = 0; k < K; k++) {
      const off = k * stride;
      for (let j = 0; j < p; j++) {
        pen += theta[off + j] * theta[off + j];
        grad[off + j] = (grad[off + j] + l2 * theta[off + j]) / W;
      }
      grad[off + p] = fitIntercept ? grad[off + p] / W : 0;
    }
    return (loss + 0.5 * l2 * pen) / W;
  };
}

/** Least squares, loss = (y - prediction)² / 2. Parameters: p coefficients, then the intercept. */
export function squaredObjective(pr: LinearProblem): ObjectiveFn {
  const { X, n, p, y, w, l2, fitIntercept } = pr;
  const W = totalWeight(pr);
  const r = new Float64Array(n);
  return (theta, grad) => {
    const b = fitIntercept ? theta[p] : 0;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let m = b;
      const base = i * p;
      for (let j = 0; j < p; j++) m += theta[j] * X[base + j];
      const wi = w ? w[i] : 1;
      const e = m - y[i];
      loss += 0.5 * wi * e * e;
      r[i] = wi * e;
    }
    grad.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const base = i * p;
      for (let j = 0; j < p; j++) grad[j] += r[i] * X[base + j];
      gb += r[i];
    }
    let pen = 0;
    for (let j = 0; j < p; j++) {
      pen += theta[j] * theta[j];
      grad[j] = (grad[j] + l2 * theta[j]) / W;
    }
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
