/**
 * Standard normal functions in log space, enough for truncated-normal Parzen kernels. TPE's kernels
 * can sit a hundred bandwidths away from a candidate, so plain `Φ(b) - Φ(a)` would round to 0 (or
 * 1 - 1) and turn the acquisition into NaN; every mass here is computed as a logarithm instead.
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
export const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_HALF = -Math.LN2;

/**
 * exp(x²)·erfc(x) for x ≥ 0. Below 2 a series whose terms are all positive (so nothing cancels
 * inside the sum); from 2 up a continued fraction, which never forms the underflowing exp(-x²).
 */
export function erfcx(x: number): number {
  if (x < 2) {
    // erf(x) = 2/√π · exp(-x²) · Σ 2ⁿ x^(2n+1) / (2n+1)!!
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term <= sum * 1e-17) break;
    }
    return Math.exp(x2) - TWO_OVER_SQRT_PI * sum;
  }
  // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), by modified Lentz.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 1000; n++) {
    const a = n / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return INV_SQRT_PI / f;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 0) return x === Infinity ? 0 : erfcx(x) * Math.exp(-x * x);
  return x === -Infinity ? 2 : 2 - erfcx(-x) * Math.exp(-x * x);
}

/** Φ(z), the standard normal CDF. */
export function ndtr(z: number): number {
  return z < 0 ? 0.5 * erfc(-z * Math.SQRT1_2) : 1 - 0.5 * erfc(z * Math.SQRT1_2);
}

/** log Φ(z), accurate far into both tails. */
export function logNdtr(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z > 0) return Math.log1p(-0.5 * erfc(z * Math.SQRT1_2));
  if (z === -Infinity) return -Infinity;
  const x = -z * Math.SQRT1_2;
  return Math.log(0.5 * erfcx(x)) - x * x;
}

/** log φ(z). */
export function logNormPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

export function logAddExp(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === -Infinity) return -Infinity;
  if (m === Infinity) return Infinity;
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** log(exp(a) - exp(b)) for a ≥ b. */
function logSubExp(a: number, b: number): number {
  if (b === -Infinity) return a;
  if (b >= a) return -Infinity;
  return a + Math.log(-Math.expm1(b - a));
}

/** log(Φ(b) - Φ(a)) for a ≤ b, without cancellation in either tail. */
export function logGaussMass(a: number, b: number): number {
  if (!(a < b)) return -Infinity;
  if (b <= 0) return logSubExp(logNdtr(b), logNdtr(a));
  // Mirroring keeps both ends in the lower tail, where log Φ is precise.
  if (a > 0) return logGaussMass(-b, -a);
  return Math.log1p(-ndtr(a) - ndtr(-b));
}

/** Acklam's rational approximation of Φ⁻¹(p) for 0 < p ≤ 0.5 (relative error ~1e-9, refined by the caller). */
function acklamLower(p: number): number {
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549671010243133) * q +
        4.374664141464968) *
        q +
        2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r -
      3.066479806614716e1) *
      r +
      2.506628277459239) *
      q) /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r -
      1.328068155288572e1) *
      r +
      1)
  );
}

/** Φ⁻¹(exp(y)) for y ≤ 0: the quantile of a probability given by its logarithm. */
export function ndtriExp(y: number): number {
  if (Number.isNaN(y)) return NaN;
  if (y >= 0) return Infinity;
  if (y === -Infinity) return -Infinity;
  let x: number;
  if (y < LOG_HALF) {
    const p = Math.exp(y);
    // Once exp(y) underflows, the leading tail term log Φ(x) ≈ -x²/2 is a good enough start.
    x = p > 0 ? acklamLower(p) : -Math.sqrt(-2 * y);
  } else {
    // 1 - p from expm1 keeps the upper tail's digits that p itself has lost.
    x = -acklamLower(-Math.expm1(y));
  }
  // Newton on log Φ(x) = y; log Φ is smooth and concave, so a few steps reach full precision.
  for (let i = 0; i < 8; i++) {
    const l = logNdtr(x);
    const dx = (l - y) * Math.exp(l - logNormPdf(x));
    x -= dx;
    if (!(Math.abs(dx) > 1e-15 * (1 + Math.abs(x)))) break;
  }
  return x;
}

/** The q-quantile of the standard normal truncated to [a, b], in standard units. */
export function truncNormPpf(q: number, a: number, b: number): number {
  const logMass = logGaussMass(a, b);
  // Work from whichever end lies in a lower tail, so the quantile keeps its precision (as scipy does).
  const z =
    a < 0
      ? ndtriExp(logAddExp(logNdtr(a), Math.log(q) + logMass))
      : -ndtriExp(logAddExp(logNdtr(-b), Math.log1p(-q) + logMass));
  return Math.min(b, Math.max(a, z));
}
