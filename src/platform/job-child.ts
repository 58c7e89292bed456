/**
 * A run's own process: the server forks one per AutoML job, sends it what to run, and hears back
 * each finished trial, progress events and the outcome. Its trials are on disk in the run folder
 * as they finish, so a killed job resumes from them.
 */
import type { AutomlEvent, FinishedTrial } from '../automl/automl.js';
import { strip } from '../automl/automl.js';
import { createRunDir, executeRun, resumeRunDir, type RunFile } from '../node/automl-run.js';
import { mkdirSync } from 'node:fs';
import { executeTrain } from '../node/train-run.js';
import type { ColumnChoice } from '../node/read-flags.js';
import type { PipelineSpec } from '../techniques/pipeline.js';
import { executeEvaluate, executeRetrain, type EvaluationRecord, type RetrainRecord } from '../node/lifecycle.js';
import type { PromotePolicy } from '../automl/champion.js';
import type { DriftResult } from '../evaluate/drift.js';
import '../techniques/index.js';

export interface JobStart {
  readonly type: 'start';
  readonly out: string;
  readonly run: RunFile;
  readonly resume: boolean;
  readonly budget: number;
  readonly workers: number;
}

/** A hand-built pipeline (or one model with its default preparation), fitted without search. */
export interface TrainStart {
  readonly type: 'train';
  readonly out: string;
  readonly data: string;
  readonly target: string;
  readonly task?: 'binary' | 'multiclass' | 'regression';
  readonly model?: string;
  readonly params?: Record<string, string | number | boolean | null>;
  readonly pipeline?: PipelineSpec;
  readonly seed: number;
  readonly types?: Readonly<Record<string, ColumnChoice>>;
  readonly drop?: readonly string[];
}

/** A model's realised performance on labelled data, or a challenger fitted and compared with it. */
export interface LifecycleStart {
  readonly type: 'evaluate' | 'retrain';
  /** The model's bundle.json (retraining may replace it and writes versions/ beside it). */
  readonly bundlePath: string;
  readonly data: string;
  /** The dataset's name, for messages and records. */
  readonly name: string;
  readonly policy?: PromotePolicy;
  readonly holdout?: number;
  readonly seed?: number;
  /** Retrain by rerunning the model's AutoML search within this many seconds (default: refit its pipeline). */
  readonly automl?: { readonly budget: number; readonly workers: number };
}

export type JobMessage =
  | { readonly type: 'event'; readonly event: AutomlEvent }
  | { readonly type: 'trial'; readonly trial: ReturnType<typeof strip> }
  | {
      readonly type: 'done';
      readonly task: string;
      readonly target: string;
      readonly fingerprint: string;
      readonly metrics: unknown;
      readonly name: string;
    }
  | { readonly type: 'evaluated'; readonly record: EvaluationRecord; readonly drift: DriftResult | null }
  | { readonly type: 'retrained'; readonly record: RetrainRecord; readonly message: string }
  | { readonly type: 'failed'; readonly message: string };

const send = (m: JobMessage): void => {
  process.send?.(m);
};

// The server gone (killed, crashed): stop at once; the run resumes from its saved trials.
const orphaned = (): never => process.exit(1);
process.on('disconnect', orphaned);

/** Runs one job: its outcome (or its error, as 'failed') is the last message, then the channel closes. */
async function settle(job: () => Promise<void>): Promise<void> {
  try {
    await job();
  } catch (e) {
    send({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
  } finally {
    process.off('disconnect', orphaned);
    process.disconnect?.();
  }
}

process.on('message', (m: JobStart | TrainStart | LifecycleStart) => {
  if (m.type === 'train') return void settle(() => runTrain(m));
  if (m.type === 'evaluate' || m.type === 'retrain') return void settle(() => runLifecycle(m));
  if (m.type === 'start') return void settle(() => runAutoml(m));
});

async function runAutoml(m: JobStart): Promise<void> {
  let previous: FinishedTrial[] = [];
  if (m.resume) previous = resumeRunDir(m.out).previous;
  else createRunDir(m.out, m.run);
  const { result } = await executeRun({
    out: m.out,
    run: m.run,
    previous,
    budget: m.budget,
    workers: m.workers,
    report: true,
    onEvent: (event) => send({ type: 'event', event }),
    onTrial: (t) => send({ type: 'trial', trial: strip(t) }),
  });
  const j = result.journal;
  send({
    type: 'done',
    task: j.task,
    target: j.target,
    fingerprint: result.bundle.fingerprint,
    metrics: result.bundle.metrics,
    name:
      j.ensemble.members.length > 1
        ? `ensemble of ${j.ensemble.members.length}`
        : (j.ensemble.members[0]?.name ?? 'model'),
  });
}

async function runTrain(m: TrainStart): Promise<void> {
  mkdirSync(m.out, { recursive: true });
  const { result } = await executeTrain({
    data: m.data,
    out: m.out,
    target: m.target,
    task: m.task,
    model: m.model,
    params: m.params ?? {},
    pipeline: m.pipeline,
    seed: m.seed,
    holdout: 0.2,
    ...(m.types ? { types: m.types } : {}),
    ...(m.drop ? { drop: m.drop } : {}),
  });
  send({ type: 'event', event: { type: 'phase', phase: 'done', elapsed: result.journal.seconds, budget: 0 } });
  send({
    type: 'done',
    task: result.journal.task,
    target: result.journal.target,
    fingerprint: result.bundle.fingerprint,
    metrics: result.bundle.metrics,
    name: result.journal.steps
      .map((s) => s.technique)
      .filter((t) => !['drop-columns', 'drop-duplicates', 'datetime-parts'].includes(t))
      .join(' → '),
  });
}

async function runLifecycle(m: LifecycleStart): Promise<void> {
  if (m.type === 'evaluate') {
    const { record, drift } = await executeEvaluate({ bundlePath: m.bundlePath, data: m.data, name: m.name });
    send({ type: 'evaluated', record, drift });
    return;
  }
  const { record, message } = await executeRetrain({
    bundlePath: m.bundlePath,
    data: m.data,
    name: m.name,
    policy: m.policy ?? 'significant',
    holdout: m.holdout ?? 0.25,
    seed: m.seed ?? 1,
    ...(m.automl ? { automl: m.automl } : {}),
  });
  send({ type: 'retrained', record, message });
}
