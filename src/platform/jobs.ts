import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import type { AutomlEvent } from '../automl/automl.js';
import type { RunFile } from '../node/automl-run.js';
import { compiledModule } from '../node/files.js';
import type { JobMessage, JobStart, LifecycleStart, TrainStart } from './job-child.js';
import type { PipelineSpec } from '../techniques/pipeline.js';
import type { ColumnChoice } from '../node/read-flags.js';
import { datasetFile, runDir, type DatasetFormat } from './artifacts.js';
import type { Model, Store } from './store.js';

/** A run without search: one pipeline (or a model with its default preparation), as the API takes it. */
export interface TrainSettings {
  readonly target: string;
  readonly task?: 'binary' | 'multiclass' | 'regression';
  readonly model?: string;
  readonly params?: Record<string, string | number | boolean | null>;
  readonly pipeline?: PipelineSpec;
  readonly seed?: number;
  /** Column types set by the user; "ignore" leaves a column out. */
  readonly types?: Readonly<Record<string, ColumnChoice | 'ignore'>>;
}

/** What a run asks for, as the API takes it (stored in runs.settings). */
export interface RunSettings {
  readonly target: string;
  readonly task?: 'binary' | 'multiclass' | 'regression';
  readonly metric?: string;
  /** Seconds for the whole run. */
  readonly timeBudget: number;
  readonly seed?: number;
  readonly models?: readonly string[];
  readonly drop?: readonly string[];
  readonly ensembleSize?: number;
  /** Count trials instead of watching the clock. */
  readonly trials?: number;
  /** Column types set by the user; "ignore" leaves a column out. */
  readonly types?: Readonly<Record<string, ColumnChoice | 'ignore'>>;
}

/** The user's column choices as types to impose and columns to leave out. */
function typeChoices(types: Readonly<Record<string, ColumnChoice | 'ignore'>> | undefined): {
  types?: Record<string, ColumnChoice>;
  drop: string[];
} {
  const kept: Record<string, ColumnChoice> = {};
  const drop: string[] = [];
  for (const [name, kind] of Object.entries(types ?? {}))
    if (kind === 'ignore') drop.push(name);
    else kept[name] = kind;
  return { ...(Object.keys(kept).length ? { types: kept } : {}), drop };
}

/** What subscribers hear about a run: the job's own events, and its state changes. */
export type RunEvent = JobMessage | { readonly type: 'state'; readonly state: string; readonly error?: string };

/**
 * Runs out of the HTTP event loop: each AutoML run in its own child process, at most
 * `concurrency` at once, the rest queued in order. State lives in the database (queued, running,
 * done, failed, cancelled, interrupted) and each finished trial is recorded as it arrives, so a
 * restart loses nothing but the trials in flight.
 */
export class Jobs {
  private readonly queue: { runId: string; resume: boolean }[] = [];
  private readonly running = new Map<string, ChildProcess>();
  private readonly cancelled = new Set<string>();
  private readonly events = new EventEmitter();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly options: { concurrency?: number; workersPerJob?: number } = {},
  ) {
    this.events.setMaxListeners(0);
  }

  private get concurrency(): number {
    return this.options.concurrency ?? 1;
  }

  enqueue(runId: string, resume = false): void {
    this.store.setRunState(runId, 'queued');
    this.queue.push({ runId, resume });
    this.emit(runId, { type: 'state', state: 'queued' });
    this.pump();
  }

  /** Stops a queued or running run; false when it is neither. */
  cancel(runId: string): boolean {
    const at = this.queue.findIndex((q) => q.runId === runId);
    if (at >= 0) {
      this.queue.splice(at, 1);
      this.finish(runId, 'cancelled');
      return true;
    }
    const child = this.running.get(runId);
    if (!child) return false;
    this.cancelled.add(runId);
    child.kill('SIGKILL');
    return true;
  }

  subscribe(runId: string, listener: (e: RunEvent) => void): () => void {
    this.events.on(runId, listener);
    return () => this.events.off(runId, listener);
  }

  isActive(runId: string): boolean {
    return this.running.has(runId) || this.queue.some((q) => q.runId === runId);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    const exits = [...this.running.values()].map(
      (c) => new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : c.once('exit', () => resolve()))),
    );
    for (const c of this.running.values()) c.kill('SIGKILL');
    await Promise.all(exits);
  }

  private emit(runId: string, e: RunEvent): void {
    this.events.emit(runId, e);
  }

  private finish(runId: string, state: 'done' | 'failed' | 'cancelled', error?: string): void {
    this.store.setRunState(runId, state, { error: error ?? null });
    this.emit(runId, { type: 'state', state, ...(error ? { error } : {}) });
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.queue.length) {
      const next = this.queue.shift() as { runId: string; resume: boolean };
      this.start(next.runId, next.resume);
    }
  }

  private start(runId: string, resume: boolean): void {
    const run = this.store.runById(runId);
    if (!run) return;
    const settings = run.settings as unknown as RunSettings;
    const dataset = this.store.datasetById(run.datasetId);
    if (!dataset) return this.finish(runId, 'failed', 'its dataset is gone');
    const data = datasetFile(this.store.dataDir, dataset.id, dataset.format as DatasetFormat);
    const lifecycle = run.kind === 'evaluate' || run.kind === 'retrain';
    const lifecycleModel = lifecycle && run.modelId ? this.store.modelById(run.modelId) : undefined;
    if (lifecycle && !lifecycleModel) return this.finish(runId, 'failed', 'its model is gone');
    const choices = typeChoices(settings.types);
    const file: RunFile = {
      format: 'glassbox-automl-run',
      data,
      read: {},
      target: settings.target,
      task: settings.task,
      metric: settings.metric,
      seed: settings.seed ?? 1,
      drop: [...(settings.drop ?? []), ...choices.drop].join(',') || undefined,
      ...(choices.types ? { types: choices.types } : {}),
      models: settings.models?.join(','),
      deterministic: settings.trials !== undefined,
      ...(settings.trials !== undefined ? { trials: settings.trials } : {}),
      ensembleSize: settings.ensembleSize ?? 25,
      sampler: 'tpe',
    };
    const child = fork(compiledModule(import.meta.url, 'job-child.js'), [], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    this.running.set(runId, child);
    this.store.setRunState(runId, 'running');
    this.emit(runId, { type: 'state', state: 'running' });
    let outcome: JobMessage | undefined;
    let progress: Progress = { elapsed: 0, budget: settings.timeBudget, trials: 0, best: null, phase: 'search' };
    child.on('message', (m: JobMessage) => {
      try {
        record(m);
      } catch (e) {
        // The database refused what the job sent (full disk, a lock held too long): the run fails
        // with the reason instead of the server going down with it.
        outcome = { type: 'failed', message: `recording the result failed: ${(e as Error).message}` };
        child.kill('SIGKILL');
        return;
      }
      this.emit(runId, m);
    });
    const record = (m: JobMessage): void => {
      if (m.type === 'trial') this.store.addTrial(runId, m.trial.id, m.trial);
      else if (m.type === 'event') this.store.setRunProgress(runId, (progress = progressOf(progress, m.event)));
      else outcome = m;
      if (m.type === 'evaluated' && run.modelId)
        this.store.addEvaluation(run.projectId, run.modelId, runId, m.record, m.drift);
      if (m.type === 'retrained' && run.modelId) this.store.addRetrain(run.projectId, run.modelId, runId, m.record);
      if (m.type === 'done')
        this.store.createModel({
          projectId: run.projectId,
          runId,
          name: m.name,
          task: m.task,
          target: m.target,
          metrics: m.metrics,
          fingerprint: m.fingerprint,
        });
    };
    child.on('exit', (code, signal) => {
      this.running.delete(runId);
      if (this.cancelled.delete(runId)) this.finish(runId, 'cancelled');
      else if (this.closed) {
        // The server is stopping: the run resumes from its trials after the restart.
        this.store.setRunState(runId, 'interrupted', { error: 'the server stopped during the run' });
      } else if (outcome?.type === 'done' || outcome?.type === 'evaluated' || outcome?.type === 'retrained')
        this.finish(runId, 'done');
      else if (outcome?.type === 'failed') this.finish(runId, 'failed', outcome.message);
      else
        this.finish(
          runId,
          'failed',
          `the run's process ended (${signal ?? `exit code ${code}`})${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
        );
      this.pump();
    });
    if (run.kind === 'evaluate' || run.kind === 'retrain') {
      const model = lifecycleModel as Model;
      const l = run.settings as {
        policy?: 'significant' | 'better' | 'always';
        holdout?: number;
        seed?: number;
        mode?: 'refit' | 'automl';
        timeBudget?: number;
      };
      const start: LifecycleStart = {
        type: run.kind,
        bundlePath: join(runDir(this.store.dataDir, model.runId), 'bundle.json'),
        data,
        name: dataset.name,
        ...(l.policy ? { policy: l.policy } : {}),
        ...(l.holdout !== undefined ? { holdout: l.holdout } : {}),
        ...(l.seed !== undefined ? { seed: l.seed } : {}),
        ...(l.mode === 'automl'
          ? { automl: { budget: l.timeBudget ?? 60, workers: this.options.workersPerJob ?? availableParallelism() } }
          : {}),
      };
      child.send(start);
      return;
    }
    if (run.kind === 'train') {
      const t = run.settings as unknown as TrainSettings;
      const start: TrainStart = {
        type: 'train',
        out: runDir(this.store.dataDir, runId),
        data,
        target: t.target,
        ...(t.task ? { task: t.task } : {}),
        ...(t.model ? { model: t.model } : {}),
        ...(t.params ? { params: t.params } : {}),
        ...(t.pipeline ? { pipeline: t.pipeline } : {}),
        seed: t.seed ?? 1,
        ...choices,
      };
      child.send(start);
      return;
    }
    const start: JobStart = {
      type: 'start',
      out: runDir(this.store.dataDir, runId),
      run: file,
      resume,
      budget: settings.timeBudget,
      workers: this.options.workersPerJob ?? availableParallelism(),
    };
    child.send(start);
  }
}

/** What the run's progress keeps: the clock, the trials so far, the best one and the phase. */
interface Progress {
  readonly elapsed: number;
  readonly budget: number;
  readonly trials: number;
  readonly best: { readonly id: number; readonly name: string; readonly score: number } | null;
  readonly phase: string;
}

function progressOf(before: Progress, e: AutomlEvent): Progress {
  return e.type === 'trial'
    ? { ...before, elapsed: e.elapsed, budget: e.budget, trials: e.trials, best: e.best ?? before.best }
    : { ...before, elapsed: e.elapsed, budget: e.budget, phase: e.phase };
}
