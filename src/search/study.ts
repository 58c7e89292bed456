import { GlassboxError } from '../data/errors.js';
import { Rng } from '../engine/random.js';
import type { Pruner } from './pruner.js';
import { TpeSampler, type Sampler, type TrialState } from './sampler.js';
import { contains, validateSpace, type Params, type Space } from './space.js';

export type Direction = 'minimize' | 'maximize';

export interface StudyOptions {
  readonly space: Space;
  /** Default: a TpeSampler with Optuna's settings. */
  readonly sampler?: Sampler;
  /** Default: minimize. */
  readonly direction?: Direction;
  /** Default 0. */
  readonly seed?: number;
  readonly pruner?: Pruner;
}

/** A trial as the user sees it: values in the study's direction. */
export interface Trial {
  readonly number: number;
  readonly params: Readonly<Params>;
  readonly state: TrialState;
  /** Complete trials: the objective. Pruned trials: their last intermediate value, as Optuna records it. */
  readonly value?: number;
  /** [step, value] pairs in the order reported. */
  readonly intermediate: readonly (readonly [number, number])[];
  /** Why a trial failed. */
  readonly error?: string;
}

export type TellOutcome = { readonly value: number } | { readonly state: 'pruned' | 'failed'; readonly error?: string };

export interface BestTrial {
  readonly number: number;
  readonly params: Readonly<Params>;
  readonly value: number;
}

/** Non-finite numbers as strings, since JSON has no Infinity or NaN. */
export type JsonNumber = number | 'Infinity' | '-Infinity' | 'NaN';

export interface TrialJSON {
  readonly number: number;
  readonly params: Readonly<Params>;
  readonly state: TrialState;
  readonly value?: JsonNumber;
  readonly intermediate: readonly (readonly [number, JsonNumber])[];
  readonly error?: string;
}

export interface StudyJSON {
  readonly format: 'glassbox-study';
  readonly version: 1;
  readonly direction: Direction;
  readonly seed: number;
  readonly space: Space;
  readonly trials: readonly TrialJSON[];
}

/** Internal record: values already minimised, so samplers and pruners get them without copying. */
interface Stored {
  readonly number: number;
  readonly params: Readonly<Params>;
  state: TrialState;
  value?: number;
  readonly intermediate: [number, number][];
  error?: string;
}

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Each trial draws from its own stream, derived from the seed and its number, so a proposal
 * depends only on (seed, history): a study resumed from JSON proposes what the original would have.
 */
function trialSeed(seed: number, number: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return mix32(lo ^ mix32(hi ^ mix32((number + 0x6a09e667) >>> 0)));
}

function encodeNumber(v: number): JsonNumber {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

function decodeNumber(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === 'NaN') return NaN;
  throw invalid(`${where} is ${JSON.stringify(v)}, not a number`);
}

function invalid(message: string): GlassboxError {
  return new GlassboxError(`study JSON: ${message}`, { code: 'invalid-study' });
}

const STATES: readonly TrialState[] = ['complete', 'pruned', 'failed', 'running'];

/**
 * An ask/tell study, as Optuna's: `ask` proposes a trial's params, the caller evaluates them
 * (anywhere: another worker, another process), reports intermediate values for pruning, and
 * `tell`s the outcome. The trial history is plain data that round-trips through JSON.
 */
export class Study {
  readonly space: Space;
  readonly sampler: Sampler;
  readonly direction: Direction;
  readonly seed: number;
  readonly pruner: Pruner | undefined;
  private readonly records: Stored[] = [];
  private readonly sign: 1 | -1;
  private view: readonly Trial[] | undefined;

  constructor(options: StudyOptions) {
    validateSpace(options.space);
    this.space = options.space;
    this.sampler = options.sampler ?? new TpeSampler();
    this.direction = options.direction ?? 'minimize';
    if (this.direction !== 'minimize' && this.direction !== 'maximize')
      throw new Error(`study: direction must be "minimize" or "maximize" (got ${String(this.direction)})`);
    this.sign = this.direction === 'maximize' ? -1 : 1;
    this.seed = options.seed ?? 0;
    if (!Number.isSafeInteger(this.seed)) throw new Error(`study: seed must be an integer (got ${this.seed})`);
    this.pruner = options.pruner;
  }

  /**
   * Proposes the next trial and marks it running. `fixed` params (a configuration known to work,
   * as Optuna's enqueue_trial) are used instead of the sampler's proposal; they must lie in the space.
   */
  ask(fixed?: Readonly<Params>): { number: number; params: Params } {
    const number = this.records.length;
    const params = fixed
      ? { ...fixed }
      : this.sampler.sample(this.space, this.records, new Rng(trialSeed(this.seed, number)));
    if (!contains(this.space, params))
      throw new Error(
        `study: ${fixed ? 'the fixed' : 'the sampler proposed'} params outside the search space: ${JSON.stringify(params)}`,
      );
    this.records.push({ number, params: Object.freeze({ ...params }), state: 'running', intermediate: [] });
    this.view = undefined;
    return { number, params: { ...params } };
  }

  /** Records an intermediate value of a running trial; true when the pruner says to stop it. */
  report(number: number, step: number, value: number): boolean {
    const t = this.running(number, 'report');
    if (!Number.isFinite(step)) throw new Error(`study: trial ${number} reported a non-finite step (${step})`);
    if (typeof value !== 'number')
      throw new Error(`study: trial ${number} reported a non-number value at step ${step}`);
    if (t.intermediate.some(([s]) => s === step))
      throw new Error(`study: trial ${number} already reported step ${step}`);
    t.intermediate.push([step, this.sign * value]);
    this.view = undefined;
    return this.pruner ? this.pruner.shouldPrune(t, this.records) : false;
  }

  /** Finishes a running trial. A NaN objective marks it failed, as in Optuna. */
  tell(number: number, outcome: TellOutcome): void {
    const t = this.running(number, 'tell');
    if ('value' in outcome) {
      if (typeof outcome.value !== 'number') throw new Error(`study: trial ${number} was told a non-number value`);
      if (Number.isNaN(outcome.value)) {
        t.state = 'failed';
        t.error = 'the objective returned NaN';
      } else {
        t.state = 'complete';
        t.value = this.sign * outcome.value;
      }
    } else if (outcome.state === 'pruned') {
      t.state = 'pruned';
      let last: [number, number] | undefined;
      for (const r of t.intermediate) if (last === undefined || r[0] > last[0]) last = r;
      if (last !== undefined) t.value = last[1];
    } else if (outcome.state === 'failed') {
      t.state = 'failed';
      if (outcome.error !== undefined) t.error = outcome.error;
    } else throw new Error(`study: trial ${number} was told an unknown outcome ${JSON.stringify(outcome)}`);
    this.view = undefined;
  }

  /** Every trial so far, in number order. */
  get trials(): readonly Trial[] {
    this.view ??= Object.freeze(this.records.map((r) => this.toUser(r)));
    return this.view;
  }

  /** The best complete trial in the study's direction (the earliest on ties). */
  get best(): BestTrial | undefined {
    let best: Stored | undefined;
    for (const r of this.records)
      if (r.state === 'complete' && (best === undefined || (r.value as number) < (best.value as number))) best = r;
    if (best === undefined) return undefined;
    return { number: best.number, params: best.params, value: this.sign * (best.value as number) };
  }

  toJSON(): StudyJSON {
    return {
      format: 'glassbox-study',
      version: 1,
      direction: this.direction,
      seed: this.seed,
      space: this.space,
      trials: this.trials.map((t) => ({
        number: t.number,
        params: { ...t.params },
        state: t.state,
        ...(t.value !== undefined ? { value: encodeNumber(t.value) } : {}),
        intermediate: t.intermediate.map(([s, v]) => [s, encodeNumber(v)] as const),
        ...(t.error !== undefined ? { error: t.error } : {}),
      })),
    };
  }

  /**
   * Rebuilds a study from `toJSON()` output (parsed or not). Sampler and pruner are code, not
   * data, so pass the ones the original used (default: a fresh TpeSampler, no pruner). Trials that
   * were running stay running: the caller decides whether an interrupted trial failed or is still
   * going elsewhere.
   */
  static fromJSON(json: unknown, options: { sampler?: Sampler; pruner?: Pruner } = {}): Study {
    if (json === null || typeof json !== 'object') throw invalid('expected an object');
    const j = json as Partial<Record<keyof StudyJSON, unknown>>;
    if (j.format !== 'glassbox-study') throw invalid(`unknown format ${JSON.stringify(j.format)}`);
    if (j.version !== 1) throw invalid(`unsupported version ${JSON.stringify(j.version)}`);
    if (j.direction !== 'minimize' && j.direction !== 'maximize')
      throw invalid(`direction is ${JSON.stringify(j.direction)}`);
    if (!Number.isSafeInteger(j.seed)) throw invalid(`seed is ${JSON.stringify(j.seed)}`);
    if (!Array.isArray(j.space)) throw invalid('space is not a list of dimensions');
    if (!Array.isArray(j.trials)) throw invalid('trials is not a list');
    const study = new Study({
      space: j.space as Space,
      direction: j.direction,
      seed: j.seed as number,
      ...(options.sampler ? { sampler: options.sampler } : {}),
      ...(options.pruner ? { pruner: options.pruner } : {}),
    });
    (j.trials as unknown[]).forEach((raw, i) => study.records.push(study.readTrial(raw, i)));
    return study;
  }

  private readTrial(raw: unknown, i: number): Stored {
    const where = `trial ${i}`;
    if (raw === null || typeof raw !== 'object') throw invalid(`${where} is not an object`);
    const t = raw as Partial<Record<keyof TrialJSON, unknown>>;
    if (t.number !== i)
      throw invalid(`${where} has number ${JSON.stringify(t.number)}; trials must be numbered 0, 1, 2...`);
    if (!STATES.includes(t.state as TrialState)) throw invalid(`${where} has state ${JSON.stringify(t.state)}`);
    const params = t.params as Params;
    if (params === null || typeof params !== 'object' || !contains(this.space, params))
      throw invalid(`${where} has params ${JSON.stringify(t.params)} outside the search space`);
    if (!Array.isArray(t.intermediate)) throw invalid(`${where} has no intermediate list`);
    const intermediate: [number, number][] = [];
    for (const pair of t.intermediate as unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2 || !Number.isFinite(pair[0]))
        throw invalid(`${where} has an intermediate entry ${JSON.stringify(pair)}; expected [step, value]`);
      if (intermediate.some(([s]) => s === pair[0])) throw invalid(`${where} reports step ${pair[0]} twice`);
      intermediate.push([pair[0] as number, this.sign * decodeNumber(pair[1], `${where} at step ${pair[0]}`)]);
    }
    const stored: Stored = {
      number: i,
      params: Object.freeze({ ...params }),
      state: t.state as TrialState,
      intermediate,
    };
    if (t.value !== undefined) stored.value = this.sign * decodeNumber(t.value, `${where}'s value`);
    if (stored.state === 'complete' && (stored.value === undefined || Number.isNaN(stored.value)))
      throw invalid(`${where} is complete but has no value`);
    if (t.error !== undefined) stored.error = String(t.error);
    return stored;
  }

  private running(number: number, what: string): Stored {
    const t = Number.isInteger(number) ? this.records[number] : undefined;
    if (t === undefined) throw new Error(`study: cannot ${what} trial ${number}: no such trial`);
    if (t.state !== 'running') throw new Error(`study: cannot ${what} trial ${number}: it is already ${t.state}`);
    return t;
  }

  private toUser(r: Stored): Trial {
    const sign = this.sign;
    return Object.freeze({
      number: r.number,
      params: r.params,
      state: r.state,
      ...(r.value !== undefined ? { value: sign * r.value } : {}),
      intermediate: Object.freeze(r.intermediate.map(([s, v]) => Object.freeze([s, sign * v] as const))),
      ...(r.error !== undefined ? { error: r.error } : {}),
    });
  }
}
