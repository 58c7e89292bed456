import type { TrialRecord } from './sampler.js';

export interface Pruner {
  /**
   * Called right after `trial` reported an intermediate value (its last [step, value] pair).
   * `trials` is the whole history, `trial` included. Values are minimised.
   */
  shouldPrune(trial: TrialRecord, trials: readonly TrialRecord[]): boolean;
}

/** Never prunes: every trial runs to the end. */
export class NopPruner implements Pruner {
  shouldPrune(_trial: TrialRecord, _trials: readonly TrialRecord[]): boolean {
    return false;
  }
}

// Resources such as data fractions are products of decimals (0.1 · 2³ = 0.8000000000000002), so a
// caller reporting at 0.8 must count as having reached that rung.
const RELATIVE_TOLERANCE = 1e-9;

function reached(step: number, resource: number): boolean {
  return step >= resource - RELATIVE_TOLERANCE * Math.abs(resource);
}

function checkResources(minResource: number, reductionFactor: number): void {
  if (!(minResource > 0) || !Number.isFinite(minResource))
    throw new Error(`successive halving: minResource must be a positive number (${minResource})`);
  if (!(reductionFactor > 1) || !Number.isFinite(reductionFactor))
    throw new Error(`successive halving: reductionFactor must be greater than 1 (${reductionFactor})`);
}

/**
 * The rung resource levels minResource · reductionFactor^k up to maxResource, e.g. boosting rounds
 * (1, 100, 3) → [1, 3, 9, 27, 81] or data fractions (0.1, 1, 2) → [0.1, 0.2, 0.4, 0.8]. Reporting at
 * these steps is what gives the pruner something to decide on; the full budget is not a rung unless
 * it falls on one.
 */
export function rungs(minResource: number, maxResource: number, reductionFactor: number): number[] {
  checkResources(minResource, reductionFactor);
  if (!(maxResource >= minResource))
    throw new Error(`rungs: maxResource (${maxResource}) is below minResource (${minResource})`);
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const r = minResource * reductionFactor ** k;
    if (!reached(maxResource, r)) return out;
    // Twelve digits drop the float noise of the product so callers can use the levels as given.
    out.push(Number(r.toPrecision(12)));
  }
}

export interface SuccessiveHalvingOptions {
  /** Resource (step) of the first rung. Default 1. */
  readonly minResource?: number;
  /** Each rung keeps the top 1/reductionFactor and sits reductionFactor times further. Default 4, as Optuna. */
  readonly reductionFactor?: number;
  /** Skip this many of the lowest rungs (Optuna's min_early_stopping_rate). Default 0. */
  readonly minEarlyStoppingRate?: number;
  /** No pruning at a rung until this many trials (the reporting one included) have a value there. Default reductionFactor. */
  readonly minTrialsAtRung?: number;
}

/**
 * Asynchronous successive halving (ASHA), as Optuna's SuccessiveHalvingPruner: when a trial first
 * reaches a rung it records its value there, and is pruned unless that value is among the best
 * ⌊n / reductionFactor⌋ of the n values recorded at the rung so far (the best one while n is
 * below reductionFactor). Decisions never wait for other trials, which suits a time budget.
 *
 * A trial's value at a rung is read from its history — its first reported value at or beyond the
 * rung's step — so the pruner keeps no state and a resumed study prunes as the original would.
 */
export class SuccessiveHalvingPruner implements Pruner {
  readonly minResource: number;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  readonly minTrialsAtRung: number;

  constructor(options: SuccessiveHalvingOptions = {}) {
    this.minResource = options.minResource ?? 1;
    this.reductionFactor = options.reductionFactor ?? 4;
    this.minEarlyStoppingRate = options.minEarlyStoppingRate ?? 0;
    this.minTrialsAtRung = options.minTrialsAtRung ?? this.reductionFactor;
    checkResources(this.minResource, this.reductionFactor);
    if (!Number.isInteger(this.minEarlyStoppingRate) || this.minEarlyStoppingRate < 0)
      throw new Error(
        `successive halving: minEarlyStoppingRate must be a non-negative integer (${this.minEarlyStoppingRate})`,
      );
    if (!(this.minTrialsAtRung >= 1))
      throw new Error(`successive halving: minTrialsAtRung must be at least 1 (${this.minTrialsAtRung})`);
  }

  /** The step of rung k. */
  rung(k: number): number {
    return this.minResource * this.reductionFactor ** (this.minEarlyStoppingRate + k);
  }

  /** The rung levels this pruner decides at, up to maxResource: the steps to report at. */
  rungs(maxResource: number): number[] {
    return rungs(this.rung(0), maxResource, this.reductionFactor);
  }

  shouldPrune(trial: TrialRecord, trials: readonly TrialRecord[]): boolean {
    const reports = trial.intermediate ?? [];
    if (reports.length === 0) return false;
    const [step, value] = reports[reports.length - 1];
    if (!Number.isFinite(step)) return false;
    let previous = -Infinity;
    for (let i = 0; i < reports.length - 1; i++) previous = Math.max(previous, reports[i][0]);
    for (let k = 0; ; k++) {
      const resource = this.rung(k);
      if (!reached(step, resource)) return false;
      // Rungs reached by an earlier report were decided then.
      if (reached(previous, resource)) continue;
      if (Number.isNaN(value)) return true;
      const competing = [value];
      for (const other of trials) {
        if (other.number === trial.number) continue;
        const v = valueAtRung(other, resource);
        if (v !== undefined) competing.push(v);
      }
      if (competing.length < this.minTrialsAtRung) continue;
      if (!promotable(value, competing, this.reductionFactor)) return true;
    }
  }
}

/** The value a trial recorded at a rung: its first report at or beyond the rung's step. */
function valueAtRung(t: TrialRecord, resource: number): number | undefined {
  for (const [step, v] of t.intermediate ?? []) if (reached(step, resource)) return Number.isNaN(v) ? undefined : v;
  return undefined;
}

function promotable(value: number, competing: number[], reductionFactor: number): boolean {
  // With fewer than reductionFactor values the top share is empty; Optuna then keeps only the best.
  const index = Math.max(0, Math.floor(competing.length / reductionFactor) - 1);
  competing.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return value <= competing[index];
}
