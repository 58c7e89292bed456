/**
 * Probability calibration maps, fitted on held-out scores: Platt's sigmoid (Platt 1999, with
 * his smoothed targets, as scikit-learn) and isotonic regression by pool-adjacent-violators.
 */
import { sigmoid, softplus } from './linear-loss.js';

/** P(y = 1 | f) = 1 / (1 + exp(a f + b)). */
export interface Platt {
  readonly a: number;
  readonly b: number;
}

/**
 * Fits Platt's sigmoid to scores f and 0/1 labels y (weights w) by Newton's method on the
 * log loss against targets (N+ + 1)/(N+ + 2) and 1/(N- + 2), which keeps a perfectly
 * separated set from pushing the slope to infinity.
 */
export function fitPlatt(f: ArrayLike<number>, y: ArrayLike<number>, w?: ArrayLike<number>): Platt {
  const n = f.length;
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    if (y[i] === 1) pos += wi;
    else neg += wi;
  }
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  let a = 0;
  let b = Math.log((neg + 1) / (pos + 1));
  const loss = (a: number, b: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const t = y[i] === 1 ? hi : lo;
      const m = a * f[i] + b;
      // -[t log p + (1 - t) log(1 - p)] with p = 1/(1 + e^m) is log(1 + e^m) - (1 - t) m.
      s += (w ? w[i] : 1) * (softplus(m) - (1 - t) * m);
    }
    return s;
  };
  let current = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const t = y[i] === 1 ? hi : lo;
      const m = a * f[i] + b;
      const p = sigmoid(-m);
      const wi = w ? w[i] : 1;
      const d = wi * (t - p);
      const h = wi * p * (1 - p);
      ga += d * f[i];
      gb += d;
      haa += h * f[i] * f[i];
      hab += h * f[i];
      hbb += h;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = -(hbb * ga - hab * gb) / det;
    const db = -(haa * gb - hab * ga) / det;
    let step = 1;
    let next = loss(a + step * da, b + step * db);
    while (next > current && step > 1e-10) {
      step /= 2;
      next = loss(a + step * da, b + step * db);
    }
    if (next > current) break;
    a += step * da;
    b += step * db;
    const gain = current - next;
    current = next;
    if (gain <= 1e-12 * Math.max(1, Math.abs(current))) break;
  }
  return { a, b };
}

export function applyPlatt(c: Platt, f: number): number {
  return sigmoid(-(c.a * f + c.b));
}

/** A non-decreasing step function through (x[i], y[i]), linearly interpolated between points and flat beyond them. */
export interface Isotonic {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/**
 * Isotonic (non-decreasing) least-squares fit of y on x with weights, by pool-adjacent-violators
 * over x sorted ascending (ties pooled first, as scikit-learn does).
 */
export function fitIsotonic(x: ArrayLike<number>, y: ArrayLike<number>, w?: ArrayLike<number>): Isotonic {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  // Blocks: value (weighted mean), weight, and the x range they cover.
  const val: number[] = [];
  const wt: number[] = [];
  const xl: number[] = [];
  const xr: number[] = [];
  for (const i of order) {
    const wi = w ? w[i] : 1;
    if (wi <= 0) continue;
    if (xl.length > 0 && xr[xr.length - 1] === x[i]) {
      // Equal x: one point with the pooled mean.
      const k = val.length - 1;
      val[k] = (val[k] * wt[k] + y[i] * wi) / (wt[k] + wi);
      wt[k] += wi;
    } else {
      val.push(y[i]);
      wt.push(wi);
      xl.push(x[i]);
      xr.push(x[i]);
    }
    // Merge backwards while the order is violated.
    while (val.length > 1 && val[val.length - 2] > val[val.length - 1]) {
      const k = val.length - 1;
      const merged = (val[k - 1] * wt[k - 1] + val[k] * wt[k]) / (wt[k - 1] + wt[k]);
      wt[k - 1] += wt[k];
      val[k - 1] = merged;
      xr[k - 1] = xr[k];
      val.pop();
      wt.pop();
      xl.pop();
      xr.pop();
    }
  }
  // Each block becomes its two ends (one point when it covers a single x).
  const px: number[] = [];
  const py: number[] = [];
  for (let k = 0; k < val.length; k++) {
    px.push(xl[k]);
    py.push(val[k]);
    if (xr[k] !== xl[k]) {
      px.push(xr[k]);
      py.push(val[k]);
    }
  }
  return { x: Float64Array.from(px), y: Float64Array.from(py) };
}

export function applyIsotonic(c: Isotonic, v: number): number {
  const { x, y } = c;
  const m = x.length;
  if (m === 0) return NaN;
  if (v <= x[0]) return y[0];
  if (v >= x[m - 1]) return y[m - 1];
  let lo = 0;
  let hi = m - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= v) lo = mid;
    else hi = mid;
  }
  const t = (v - x[lo]) / (x[hi] - x[lo]);
  return y[lo] + t * (y[hi] - y[lo]);
}
