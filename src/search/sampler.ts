import type { Rng } from '../engine/random.js';
import type { SearchSpace } from '../techniques/contract.js';
import { DEFAULT_PARZEN, categoricalParzen, numericParzen, type ParzenSettings } from './parzen.js';
import {
  fitsValue,
  isActive,
  sampleRandom,
  type Dimension,
  type ParamValue,
  type Params,
  type Space,
} from './space.js';

export type TrialState = 'complete' | 'pruned' | 'failed' | 'running';

/** A trial as samplers and pruners see it. Values are minimised here; a study flips signs for maximise. */
export interface TrialRecord {
  readonly number: number;
  readonly params: Readonly<Params>;
  readonly state: TrialState;
  /** The objective: set for complete trials, and for pruned ones their last intermediate value. */
  readonly value?: number;
  /** Intermediate values as [step, value] in the order they were reported. */
  readonly intermediate?: readonly (readonly [number, number])[];
}

export interface Sampler {
  /** Proposes the next trial. `trials` is the history so far; the trial being proposed is not in it. */
  sample(space: Space, trials: readonly TrialRecord[], rng: Rng): Params;
}

export class RandomSampler implements Sampler {
  sample(space: Space, _trials: readonly TrialRecord[], rng: Rng): Params {
    return sampleRandom(space, rng);
  }
}

/** Optuna's default split: the best 10 % of finished trials are "good", but never more than 25. */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

export interface TpeOptions extends Partial<ParzenSettings> {
  /** Trials drawn at random before TPE has enough history to model (Optuna: 10). */
  readonly nStartupTrials?: number;
  /** Candidates drawn from l(x) per dimension; the one maximising l(x)/g(x) wins (Optuna: 24). */
  readonly nEiCandidates?: number;
  /** How many of n finished trials form the "below" (good) group. */
  readonly gamma?: (n: number) => number;
  /**
   * Count running trials as bad ones, so workers asking at the same time are pushed apart
   * instead of all being sent to the current best region.
   */
  readonly constantLiar?: boolean;
}

function hasValue(t: TrialRecord): t is TrialRecord & { value: number } {
  return t.state === 'complete' && typeof t.value === 'number' && !Number.isNaN(t.value);
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Pruned trials are ranked as Optuna ranks them: the further a trial got, the better; among those
 * that stopped at the same step, the better last value; trials that never reported come last.
 */
function prunedKey(t: TrialRecord): [number, number, number] {
  const steps = t.intermediate ?? [];
  if (steps.length === 0) return [1, 0, 0];
  let best = 0;
  for (let i = 1; i < steps.length; i++) if (steps[i][0] > steps[best][0]) best = i;
  const v = steps[best][1];
  return [0, -steps[best][0], Number.isNaN(v) ? Infinity : v];
}

/**
 * Splits the history into the `nBelow` best finished trials and the rest, both in trial order.
 * Complete trials rank before pruned ones; failed trials take no part; running ones join the
 * rest when `includeRunning` (the constant liar).
 */
export function splitTrials(
  trials: readonly TrialRecord[],
  nBelow: number,
  includeRunning: boolean,
): { below: TrialRecord[]; above: TrialRecord[] } {
  const complete: (TrialRecord & { value: number })[] = [];
  const pruned: TrialRecord[] = [];
  const running: TrialRecord[] = [];
  for (const t of trials) {
    if (hasValue(t)) complete.push(t);
    else if (t.state === 'pruned') pruned.push(t);
    else if (t.state === 'running' && includeRunning) running.push(t);
  }
  complete.sort((a, b) => compareNumbers(a.value, b.value) || a.number - b.number);
  const nComplete = Math.min(nBelow, complete.length);
  const below: TrialRecord[] = complete.slice(0, nComplete);
  const above: TrialRecord[] = complete.slice(nComplete);
  const keyed = pruned.map((t) => ({ t, key: prunedKey(t) }));
  keyed.sort(
    (a, b) =>
      compareNumbers(a.key[0], b.key[0]) ||
      compareNumbers(a.key[1], b.key[1]) ||
      compareNumbers(a.key[2], b.key[2]) ||
      a.t.number - b.t.number,
  );
  const nPruned = Math.min(nBelow - nComplete, keyed.length);
  for (let i = 0; i < keyed.length; i++) (i < nPruned ? below : above).push(keyed[i].t);
  above.push(...running);
  // Trial order matters: observation weights ramp up with recency.
  below.sort((a, b) => a.number - b.number);
  above.sort((a, b) => a.number - b.number);
  return { below, above };
}

/**
 * A numeric dimension in TPE's working domain: logs for log scales; integers widened by half a
 * step each side, so each integer is scored by the mass of its cell rather than a density.
 */
interface Coding {
  readonly low: number;
  readonly high: number;
  encode(v: number): number;
  decode(x: number): number;
  /** The working-domain interval an integer owns; absent for continuous dimensions. */
  cell?(v: number): [number, number];
}

function codingOf(dist: Exclude<SearchSpace, { type: 'choice' }>): Coding {
  const { low, high } = dist;
  const clamp = (v: number): number => Math.min(high, Math.max(low, v));
  const t = dist.log ? Math.log : (v: number) => v;
  if (dist.type === 'float')
    return { low: t(low), high: t(high), encode: t, decode: dist.log ? (x) => clamp(Math.exp(x)) : clamp };
  const inverse = dist.log ? Math.exp : (x: number) => x;
  return {
    low: t(low - 0.5),
    high: t(high + 0.5),
    encode: t,
    decode: (x) => clamp(low + Math.round(inverse(x) - low)),
    cell: (v) => [t(v - 0.5), t(v + 0.5)],
  };
}

function valuesOf(trials: readonly TrialRecord[], dim: Dimension): ParamValue[] {
  const out: ParamValue[] = [];
  for (const t of trials) {
    // Only trials where the dimension was active (and whose value still fits, should the space have changed).
    if (!Object.hasOwn(t.params, dim.name)) continue;
    const v = t.params[dim.name];
    if (fitsValue(dim.dist, v)) out.push(v);
  }
  return out;
}

/**
 * Tree-structured Parzen Estimator, following Optuna's univariate TPESampler: per dimension, a
 * Parzen density l(x) of the good trials and g(x) of the rest; candidates drawn from l(x) and the
 * one with the largest log l(x) - log g(x) (expected improvement's maximiser) is proposed.
 */
export class TpeSampler implements Sampler {
  readonly nStartupTrials: number;
  readonly nEiCandidates: number;
  readonly gamma: (n: number) => number;
  readonly constantLiar: boolean;
  readonly parzen: ParzenSettings;
  private readonly random = new RandomSampler();

  constructor(options: TpeOptions = {}) {
    this.nStartupTrials = options.nStartupTrials ?? 10;
    this.nEiCandidates = options.nEiCandidates ?? 24;
    this.gamma = options.gamma ?? defaultGamma;
    this.constantLiar = options.constantLiar ?? true;
    this.parzen = {
      priorWeight: options.priorWeight ?? DEFAULT_PARZEN.priorWeight,
      considerMagicClip: options.considerMagicClip ?? DEFAULT_PARZEN.considerMagicClip,
      considerEndpoints: options.considerEndpoints ?? DEFAULT_PARZEN.considerEndpoints,
      weights: options.weights ?? DEFAULT_PARZEN.weights,
    };
    if (!Number.isInteger(this.nStartupTrials) || this.nStartupTrials < 0)
      throw new Error(`TPE: nStartupTrials must be a non-negative integer (${this.nStartupTrials})`);
    if (!Number.isInteger(this.nEiCandidates) || this.nEiCandidates < 1)
      throw new Error(`TPE: nEiCandidates must be a positive integer (${this.nEiCandidates})`);
    if (!(this.parzen.priorWeight > 0)) throw new Error(`TPE: priorWeight must be > 0 (${this.parzen.priorWeight})`);
  }

  sample(space: Space, trials: readonly TrialRecord[], rng: Rng): Params {
    let finished = 0;
    for (const t of trials) if (hasValue(t) || t.state === 'pruned') finished++;
    if (finished < this.nStartupTrials) return this.random.sample(space, trials, rng);
    const nBelow = Math.max(0, Math.min(finished, Math.floor(this.gamma(finished))));
    const { below, above } = splitTrials(trials, nBelow, this.constantLiar);
    const params: Params = {};
    for (let i = 0; i < space.length; i++)
      if (isActive(space, i, params)) params[space[i].name] = this.sampleDimension(space[i], below, above, rng);
    return params;
  }

  private sampleDimension(dim: Dimension, below: TrialRecord[], above: TrialRecord[], rng: Rng): ParamValue {
    const dist = dim.dist;
    if (dist.type === 'choice') {
      if (dist.values.length === 1) return dist.values[0];
      const index = (v: ParamValue): number => dist.values.indexOf(v);
      const l = categoricalParzen(valuesOf(below, dim).map(index), dist.values.length, this.parzen);
      const g = categoricalParzen(valuesOf(above, dim).map(index), dist.values.length, this.parzen);
      return dist.values[
        this.argmax(
          rng,
          (r) => l.sample(r),
          (c) => l.logPdf(c) - g.logPdf(c),
        )
      ];
    }
    if (dist.low === dist.high) return dist.low;
    const coding = codingOf(dist);
    const encoded = (trials: TrialRecord[]): number[] => valuesOf(trials, dim).map((v) => coding.encode(v as number));
    const l = numericParzen(encoded(below), coding.low, coding.high, this.parzen);
    const g = numericParzen(encoded(above), coding.low, coding.high, this.parzen);
    const cell = coding.cell;
    // Candidates are scored where they land, after rounding to the grid or back to the bounds.
    const score = cell
      ? (v: number) => {
          const [a, b] = cell(v);
          return l.logMass(a, b) - g.logMass(a, b);
        }
      : (v: number) => {
          const x = coding.encode(v);
          return l.logPdf(x) - g.logPdf(x);
        };
    return this.argmax(rng, (r) => coding.decode(l.sample(r)), score);
  }

  private argmax<T>(rng: Rng, draw: (rng: Rng) => T, score: (candidate: T) => number): T {
    let best = draw(rng);
    let bestScore = score(best);
    for (let i = 1; i < this.nEiCandidates; i++) {
      const c = draw(rng);
      const s = score(c);
      if (s > bestScore || Number.isNaN(bestScore)) {
        best = c;
        bestScore = s;
      }
    }
    return best;
  }
}
