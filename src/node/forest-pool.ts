import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { growTrees, type ForestJob, type ForestRunner } from '../engine/forest/forest.js';
import type { ForestTree } from '../engine/forest/grow.js';
import { workerModule } from './files.js';

/**
 * Grows a forest's trees on worker threads and the calling thread at once. Trees are dealt in
 * contiguous blocks and come back in seed order, and each tree depends only on its seed, so the
 * forest is the same for any number of threads. `run` blocks the caller, as model fitting is
 * synchronous: results arrive through receiveMessageOnPort, not the event loop.
 */
export class WorkerForestPool {
  readonly threads: number;
  private readonly workers: Worker[] = [];

  constructor(threads = availableParallelism()) {
    this.threads = Math.max(1, Math.floor(threads));
    const path = this.threads > 1 ? workerModule('forest-worker.js') : '';
    for (let i = 0; i < this.threads - 1; i++) {
      const ready = new Int32Array(new SharedArrayBuffer(4));
      const w = new Worker(path, { workerData: { ready: ready.buffer } });
      w.unref();
      this.workers.push(w);
      this.ready.push(ready);
    }
  }

  private readonly ready: Int32Array[] = [];

  /** Blocks until worker i has loaded (at most 60 s): a worker that cannot load fails loudly. */
  private awaitReady(i: number): void {
    const flag = this.ready[i];
    const started = Date.now();
    while (Atomics.load(flag, 0) === 0) {
      Atomics.wait(flag, 0, 0, 1_000);
      if (Date.now() - started > 60_000) throw new Error('a forest worker thread did not start');
    }
  }

  readonly run: ForestRunner = (job: ForestJob): ForestTree[] => {
    const nT = job.seeds.length;
    const parts = Math.min(this.threads, nT);
    if (parts <= 1) return growTrees(job);
    const per = Math.ceil(nT / parts);
    const pending: { port: MessagePort; done: Int32Array; worker: Worker }[] = [];
    for (let i = 1; i < parts; i++) {
      const seeds = job.seeds.slice(i * per, Math.min(nT, (i + 1) * per));
      if (seeds.length === 0) break;
      const { port1, port2 } = new MessageChannel();
      const done = new Int32Array(new SharedArrayBuffer(4));
      const worker = this.workers[i - 1];
      this.awaitReady(i - 1);
      worker.postMessage({ job: { ...job, seeds }, port: port2, done }, [port2]);
      pending.push({ port: port1, done, worker });
    }
    const mine = growTrees({ ...job, seeds: job.seeds.slice(0, per) });
    const out = mine;
    for (const p of pending) {
      const started = Date.now();
      while (Atomics.load(p.done, 0) === 0) {
        if (Atomics.wait(p.done, 0, 0, 5_000) === 'timed-out' && Date.now() - started > 600_000)
          throw new Error('forest workers stopped answering');
      }
      const msg = receiveMessageOnPort(p.port) as { message: { trees?: ForestTree[]; error?: string } } | undefined;
      p.port.close();
      if (!msg || msg.message.error !== undefined || !msg.message.trees)
        throw new Error(`a forest worker failed: ${msg?.message.error ?? 'no result'}`);
      out.push(...msg.message.trees);
    }
    return out;
  };

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
