import type { Rng } from '../engine/random.js';
import { LOG_SQRT_2PI, logGaussMass, truncNormPpf } from './normal.js';

/** How TPE turns observations into a density; the defaults are Optuna's. */
export interface ParzenSettings {
  /** Weight of the prior kernel, relative to an observation's weight of 1. */
  readonly priorWeight: number;
  /** Bound each bandwidth below by range / min(100, kernels + 1) so no kernel collapses onto one point. */
  readonly considerMagicClip: boolean;
  /** Let the outermost observations take their distance to the bounds as bandwidth. */
  readonly considerEndpoints: boolean;
  /** Weight of each of n observations, in trial order. */
  readonly weights: (n: number) => Float64Array;
}

/**
 * Optuna's default observation weights: flat for the 25 most recent trials, a linear ramp from
 * 1/n up to 1 for older ones, so a long study slowly forgets its earliest region.
 */
export function defaultWeights(n: number): Float64Array {
  const w = new Float64Array(n).fill(1);
  const ramp = n - 25;
  for (let i = 0; i < ramp; i++) w[i] = ramp === 1 ? 1 / n : 1 / n + (i * (1 - 1 / n)) / (ramp - 1);
  return w;
}

export const DEFAULT_PARZEN: ParzenSettings = {
  priorWeight: 1,
  considerMagicClip: true,
  considerEndpoints: false,
  weights: defaultWeights,
};

/** The bandwidth floor without the magic clip (Optuna's EPS): no kernel may have zero width. */
const MIN_SIGMA = 1e-12;

/** Observation weights followed by the prior's, normalised; the prior alone when nothing was observed. */
function mixtureWeights(n: number, settings: ParzenSettings): Float64Array {
  if (n === 0) return Float64Array.of(1);
  if (!(settings.priorWeight > 0))
    throw new Error(`Parzen estimator: priorWeight must be > 0 (${settings.priorWeight})`);
  const raw = settings.weights(n);
  if (raw.length !== n) throw new Error(`Parzen estimator: weights(${n}) returned ${raw.length} weights`);
  const w = new Float64Array(n + 1);
  let sum = settings.priorWeight;
  for (let i = 0; i < n; i++) {
    if (!(raw[i] >= 0) || !Number.isFinite(raw[i])) throw new Error(`Parzen estimator: weight ${i} is ${raw[i]}`);
    w[i] = raw[i];
    sum += raw[i];
  }
  w[n] = settings.priorWeight;
  for (let i = 0; i <= n; i++) w[i] /= sum;
  return w;
}

function pickKernel(cumulative: Float64Array, rng: Rng): number {
  const u = rng.next() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function cumulate(w: Float64Array): Float64Array {
  const c = new Float64Array(w.length);
  let s = 0;
  for (let i = 0; i < w.length; i++) c[i] = s += w[i];
  return c;
}

/**
 * A weighted mixture of normals, each truncated to [low, high] and renormalised. TPE works in a
 * transformed domain (logs for log scales); an integer's probability is the mixture's mass on the
 * cell the integer rounds from, which `logMass` gives.
 */
export class TruncNormMixture {
  private readonly logW: Float64Array;
  private readonly logZ: Float64Array;
  private readonly cumulative: Float64Array;
  private readonly terms: Float64Array;

  constructor(
    readonly weights: Float64Array,
    readonly mus: Float64Array,
    readonly sigmas: Float64Array,
    readonly low: number,
    readonly high: number,
  ) {
    const k = weights.length;
    if (mus.length !== k || sigmas.length !== k)
      throw new Error('TruncNormMixture: weights, mus and sigmas differ in length');
    this.logW = weights.map(Math.log);
    this.cumulative = cumulate(weights);
    this.terms = new Float64Array(k);
    this.logZ = new Float64Array(k);
    for (let i = 0; i < k; i++) this.logZ[i] = logGaussMass((low - mus[i]) / sigmas[i], (high - mus[i]) / sigmas[i]);
  }

  /** Log density at x. */
  logPdf(x: number): number {
    if (!(x >= this.low && x <= this.high)) return -Infinity;
    for (let i = 0; i < this.terms.length; i++) {
      const z = (x - this.mus[i]) / this.sigmas[i];
      this.terms[i] = this.logW[i] - 0.5 * z * z - LOG_SQRT_2PI - Math.log(this.sigmas[i]) - this.logZ[i];
    }
    return this.logSumTerms();
  }

  /** Log of the probability of [a, b]. */
  logMass(a: number, b: number): number {
    const lo = Math.max(a, this.low);
    const hi = Math.min(b, this.high);
    if (!(lo < hi)) return -Infinity;
    for (let i = 0; i < this.terms.length; i++) {
      const mu = this.mus[i];
      const s = this.sigmas[i];
      this.terms[i] = this.logW[i] + logGaussMass((lo - mu) / s, (hi - mu) / s) - this.logZ[i];
    }
    return this.logSumTerms();
  }

  sample(rng: Rng): number {
    const i = pickKernel(this.cumulative, rng);
    const mu = this.mus[i];
    const s = this.sigmas[i];
    const x = mu + s * truncNormPpf(rng.next(), (this.low - mu) / s, (this.high - mu) / s);
    return Math.min(this.high, Math.max(this.low, x));
  }

  private logSumTerms(): number {
    const terms = this.terms;
    let max = -Infinity;
    for (let i = 0; i < terms.length; i++) if (terms[i] > max) max = terms[i];
    if (max === -Infinity) return -Infinity;
    let sum = 0;
    for (let i = 0; i < terms.length; i++) sum += Math.exp(terms[i] - max);
    return max + Math.log(sum);
  }
}

/** A categorical distribution over choice indices (a mixture of categoricals is one). */
export class CategoricalMixture {
  private readonly cumulative: Float64Array;

  constructor(readonly probs: Float64Array) {
    this.cumulative = cumulate(probs);
  }

  logPdf(index: number): number {
    return Math.log(this.probs[index]);
  }

  sample(rng: Rng): number {
    return pickKernel(this.cumulative, rng);
  }
}

/**
 * Optuna's univariate Parzen estimator (as of Optuna 5) on [low, high], given in the working
 * domain: logs taken for log scales, and an integer dimension already widened by half a step on
 * each side so every integer owns a cell. One kernel per observation, centred on it, with
 * bandwidth the larger gap to its sorted neighbours (the bounds close the ends), clipped to
 * [range / min(100, n + 2), range]; plus a prior kernel N((low + high) / 2, range).
 */
export function numericParzen(
  observations: ArrayLike<number>,
  low: number,
  high: number,
  settings: ParzenSettings = DEFAULT_PARZEN,
): TruncNormMixture {
  const n = observations.length;
  const range = high - low;
  const mus = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) mus[i] = observations[i];
  mus[n] = 0.5 * (low + high);
  // A stable order, so tied observations (common for integers) get reproducible bandwidths.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => mus[a] - mus[b] || a - b);
  const edges = new Float64Array(n + 2);
  edges[0] = low;
  for (let r = 0; r < n; r++) edges[r + 1] = mus[order[r]];
  edges[n + 1] = high;
  const sigmas = new Float64Array(n + 1);
  const minSigma = settings.considerMagicClip ? range / Math.min(100, n + 2) : MIN_SIGMA;
  for (let r = 0; r < n; r++) {
    let s = Math.max(edges[r + 1] - edges[r], edges[r + 2] - edges[r + 1]);
    // The outermost kernels ignore the distance to the bound, so a point near an edge stays sharp.
    if (!settings.considerEndpoints && n >= 2) {
      if (r === 0) s = edges[2] - edges[1];
      else if (r === n - 1) s = edges[n] - edges[n - 1];
    }
    sigmas[order[r]] = Math.min(range, Math.max(minSigma, s));
  }
  sigmas[n] = range;
  return new TruncNormMixture(mixtureWeights(n, settings), mus, sigmas, low, high);
}

/**
 * Optuna's categorical Parzen estimator: each observation is a kernel putting weight 1 on its
 * choice and priorWeight/(n+1) on every choice, normalised; the prior kernel is uniform.
 */
export function categoricalParzen(
  observations: ArrayLike<number>,
  nChoices: number,
  settings: ParzenSettings = DEFAULT_PARZEN,
): CategoricalMixture {
  const n = observations.length;
  const probs = new Float64Array(nChoices);
  if (n === 0) return new CategoricalMixture(probs.fill(1 / nChoices));
  const w = mixtureWeights(n, settings);
  const base = settings.priorWeight / (n + 1);
  const rowSum = nChoices * base + 1;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nChoices; c++) probs[c] += (w[i] * base) / rowSum;
    probs[observations[i]] += w[i] / rowSum;
  }
  for (let c = 0; c < nChoices; c++) probs[c] += w[n] / nChoices;
  return new CategoricalMixture(probs);
}
