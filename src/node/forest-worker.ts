/**
 * Worker thread for forests: grows the trees of each job it receives with the engine's own
 * `growClaimed` (the trees it claims from the job's shared counter) and posts them back with
 * their indices on the job's port, then raises its done flag.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { growClaimed, type ForestJob } from '../engine/forest/forest.js';

interface Message {
  readonly job: ForestJob;
  /** The index of the next tree to grow, shared with the other threads growing this forest. */
  readonly counter: Int32Array;
  readonly port: MessagePort;
  readonly done: Int32Array;
}

parentPort?.on('message', (m: Message) => {
  try {
    m.port.postMessage(growClaimed(m.job, () => Atomics.add(m.counter, 0, 1)));
  } catch (e) {
    m.port.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
  Atomics.store(m.done, 0, 1);
  Atomics.notify(m.done, 0);
});

// Loaded: the pool waits for this before handing out work, so a worker that failed to load is an
// error, not a hang.
const ready = new Int32Array((workerData as { ready: SharedArrayBuffer }).ready);
Atomics.store(ready, 0, 1);
Atomics.notify(ready, 0);
