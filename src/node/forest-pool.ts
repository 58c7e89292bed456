import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { growClaimed, growTrees, type ForestJob, type ForestRunner } from '../engine/forest/forest.js';
import type { ForestTree } from '../engine/forest/grow.js';
import { workerModule } from './files.js';

/**
 * Grows a forest's trees on worker threads and the calling thread at once. Each thread claims
 * the next tree from a shared counter, the trees come back in seed order, and each tree depends
 * only on its seed, so the forest is the same for any number of threads. `run` blocks the
 * caller, as model fitting is synchronous: results arrive through receiveMessageOnPort, not the
 * event loop.
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
    // Every thread claims the next tree from one shared counter until none is left.
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const pending: { port: MessagePort; done: Int32Array; worker: number }[] = [];
    for (let i = 1; i < parts; i++) {
      const { port1, port2 } = new MessageChannel();
      const done = new Int32Array(new SharedArrayBuffer(4));
      // A worker still loading gets the message when it has: this thread starts meanwhile.
      this.workers[i - 1].postMessage({ job, counter, port: port2, done }, [port2]);
      pending.push({ port: port1, done, worker: i - 1 });
    }
    const out = new Array<ForestTree | undefined>(nT);
    const place = (r: { indices: readonly number[]; trees: readonly ForestTree[] }): void =>
      r.indices.forEach((t, k) => (out[t] = r.trees[k]));
    place(growClaimed(job, () => Atomics.add(counter, 0, 1)));
    for (const p of pending) {
      this.awaitReady(p.worker);
      const started = Date.now();
      while (Atomics.load(p.done, 0) === 0) {
        if (Atomics.wait(p.done, 0, 0, 5_000) === 'timed-out' && Date.now() - started > 600_000)
          throw new Error('forest workers stopped answering');
      }
      const msg = receiveMessageOnPort(p.port) as
        { message: { indices?: number[]; trees?: ForestTree[]; error?: string } } | undefined;
      p.port.close();
      if (!msg || msg.message.error !== undefined || !msg.message.trees || !msg.message.indices)
        throw new Error(`a forest worker failed: ${msg?.message.error ?? 'no result'}`);
      place({ indices: msg.message.indices, trees: msg.message.trees });
    }
    return out.map((t) => {
      if (!t) throw new Error('a forest worker lost a tree');
      return t;
    });
  };

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
