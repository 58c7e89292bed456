import { availableParallelism } from 'node:os';
import { workerModule } from './files.js';
import { Worker } from 'node:worker_threads';
import { TrialCut, type TrialRequest, type TrialRunner } from '../automl/runner.js';
import type { TrialData, TrialResult } from '../automl/trial.js';
import type { FittedJSON } from '../techniques/contract.js';
import type { PipelineSpec } from '../techniques/pipeline.js';

interface Job {
  readonly id: number;
  readonly message: unknown;
  readonly resolve: (v: { result?: TrialResult; steps?: FittedJSON[] }) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  job: Job | undefined;
}

/**
 * AutoML trials on worker threads, one trial per worker at a time, queued beyond that. Cutting a
 * trial terminates its worker (a synchronous fit cannot be interrupted any other way) and starts
 * a fresh one with the same data.
 */
export class WorkerTrialPool implements TrialRunner {
  readonly slots: number;
  private readonly pool: Slot[] = [];
  private readonly queue: Job[] = [];
  private data: TrialData | undefined;
  private closed = false;

  constructor(workers = availableParallelism()) {
    this.slots = Math.max(1, Math.floor(workers));
  }

  async init(data: TrialData): Promise<void> {
    this.data = data;
    for (let i = 0; i < this.slots; i++) this.pool.push(this.spawn());
    await Promise.all(this.pool.map((s) => s.ready));
  }

  private spawn(): Slot {
    if (!this.data) throw new Error('trial pool not initialised');
    const worker = new Worker(workerModule('trial-worker.js'));
    const { frame, ...rest } = this.data;
    const slot: Slot = { worker, ready: Promise.resolve(), job: undefined };
    slot.ready = new Promise<void>((resolve, reject) => {
      const onReady = (m: { id: number; ready?: boolean }): void => {
        if (m.id === -1 && m.ready) {
          worker.off('message', onReady);
          resolve();
        }
      };
      worker.on('message', onReady);
      worker.once('error', reject);
    });
    worker.on(
      'message',
      (m: { id: number; ready?: boolean; result?: TrialResult; steps?: FittedJSON[]; error?: string }) => {
        if (m.id === -1) return;
        const job = slot.job;
        if (!job || job.id !== m.id) return;
        slot.job = undefined;
        if (m.error !== undefined) job.reject(new Error(m.error));
        else job.resolve({ result: m.result, steps: m.steps });
        this.pump();
      },
    );
    worker.on('error', (e) => {
      const job = slot.job;
      slot.job = undefined;
      job?.reject(e);
      this.replace(slot);
    });
    worker.postMessage({ type: 'init', data: { ...rest, columns: frame.columns } });
    return slot;
  }

  /** A dead or terminated worker's place goes to a fresh one, so the pool keeps its size. */
  private replace(slot: Slot): void {
    if (this.closed) return;
    const i = this.pool.indexOf(slot);
    if (i < 0) return;
    const fresh = this.spawn();
    this.pool[i] = fresh;
    fresh.ready.then(
      () => this.pump(),
      () => {},
    );
  }

  private pump(): void {
    for (const slot of this.pool) {
      if (slot.job || !this.queue.length) continue;
      const job = this.queue.shift() as Job;
      slot.job = job;
      slot.ready.then(
        () => slot.worker.postMessage(job.message),
        (e: unknown) => job.reject(e instanceof Error ? e : new Error(String(e))),
      );
    }
  }

  private submit(id: number, message: unknown): Promise<{ result?: TrialResult; steps?: FittedJSON[] }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id, message, resolve, reject });
      this.pump();
    });
  }

  async run(request: TrialRequest): Promise<TrialResult> {
    const out = await this.submit(request.id, { type: 'trial', request });
    if (!out.result) throw new Error(`trial ${request.id} returned nothing`);
    return out.result;
  }

  cancel(id: number): void {
    const q = this.queue.findIndex((j) => j.id === id);
    if (q >= 0) {
      this.queue.splice(q, 1)[0].reject(new TrialCut(id));
      return;
    }
    const slot = this.pool.find((s) => s.job?.id === id);
    if (!slot) return;
    const job = slot.job as Job;
    slot.job = undefined;
    void slot.worker.terminate();
    job.reject(new TrialCut(id));
    this.replace(slot);
  }

  private refits = 0;

  async refit(spec: PipelineSpec, rows?: Int32Array): Promise<FittedJSON[]> {
    // Refit ids count down from -2 so they never meet a trial id.
    const id = -2 - this.refits++;
    const out = await this.submit(id, { type: 'refit', id, spec, ...(rows ? { rows } : {}) });
    if (!out.steps) throw new Error('the refit returned nothing');
    return out.steps;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new TrialCut(j.id));
    await Promise.all(this.pool.map((s) => s.worker.terminate()));
  }
}
