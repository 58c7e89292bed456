import { metricSpec } from '../evaluate/metrics.js';
import type { FittedJSON } from '../techniques/contract.js';
import type { PipelineSpec } from '../techniques/pipeline.js';
import { SuccessiveHalvingPruner } from '../search/pruner.js';
import type { TrialRecord } from '../search/sampler.js';
import { evaluateTrial, refit, type TrialData, type TrialResult } from './trial.js';

/** A trial to run: its pipeline and what the pruner compares it with. */
export interface TrialRequest {
  readonly id: number;
  readonly spec: PipelineSpec;
  /**
   * Finished trials' running means after each fold (lower is better), as the pruner saw them
   * when this trial started. A snapshot, so a worker can decide alone, between folds.
   */
  readonly peers: readonly (readonly number[])[];
  readonly prune: boolean;
}

/** Raised by `run` when the trial was cut (the budget ran out, or the search stopped). */
export class TrialCut extends Error {
  constructor(id: number) {
    super(`trial ${id} was cut: the time budget ran out`);
  }
}

/**
 * Where trials run: in this thread (browsers, tests) or on worker threads (Node), behind one
 * small interface so the search does not care.
 */
export interface TrialRunner {
  /** Trials that can run at once. */
  readonly slots: number;
  init(data: TrialData): Promise<void>;
  run(request: TrialRequest): Promise<TrialResult>;
  /** Stops a running trial now if the runner can (its `run` rejects with TrialCut). */
  cancel(id: number): void;
  /** Fits the pipeline on every row, or on `rows` only. */
  refit(spec: PipelineSpec, rows?: Int32Array): Promise<FittedJSON[]>;
  close(): Promise<void>;
}

/** Asynchronous successive halving on folds: reduction factor 3, from the first fold. */
export const FOLD_PRUNER = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3 });

/**
 * The pruning decision for a trial after `folds` folds with running mean `value` (lower is
 * better), against the snapshot of finished trials' running means.
 */
export function shouldPruneAt(peers: readonly (readonly number[])[], folds: number, value: number): boolean {
  const records: TrialRecord[] = peers.map((means, number) => ({
    number,
    params: {},
    state: 'complete',
    value: means[means.length - 1],
    intermediate: means.map((m, i) => [i + 1, m] as [number, number]),
  }));
  const intermediate: [number, number][] = [];
  for (let f = 1; f <= folds; f++) intermediate.push([f, value]);
  const me: TrialRecord = { number: records.length, params: {}, state: 'running', intermediate };
  return FOLD_PRUNER.shouldPrune(me, [...records, me]);
}

/** Runs one trial where it is called; the pruner compares running means with lower as better. */
export function runTrial(data: TrialData, request: TrialRequest): TrialResult {
  const sign = metricSpec(data.metric, data.task).higherIsBetter ? -1 : 1;
  return evaluateTrial(
    data,
    request.spec,
    request.prune ? (folds, mean) => shouldPruneAt(request.peers, folds, sign * mean) : undefined,
  );
}

/** Trials one at a time in the calling thread: nothing to set up, but a running trial cannot be cut. */
export class InProcessRunner implements TrialRunner {
  readonly slots = 1;
  private data: TrialData | undefined;

  init(data: TrialData): Promise<void> {
    this.data = data;
    return Promise.resolve();
  }

  run(request: TrialRequest): Promise<TrialResult> {
    if (!this.data) return Promise.reject(new Error('runner not initialised'));
    try {
      return Promise.resolve(runTrial(this.data, request));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  cancel(): void {}

  refit(spec: PipelineSpec, rows?: Int32Array): Promise<FittedJSON[]> {
    if (!this.data) return Promise.reject(new Error('runner not initialised'));
    try {
      return Promise.resolve(refit(this.data, spec, rows));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
