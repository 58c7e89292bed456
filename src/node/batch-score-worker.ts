/** Worker thread: one batch scored (see batch-score.ts), its result or error posted back. */
import { parentPort, workerData } from 'node:worker_threads';
import { GlassboxError } from '../data/errors.js';
import { scoreBatch, type BatchTask } from './batch-score.js';
import '../techniques/index.js';

scoreBatch(workerData as BatchTask).then(
  (result) => parentPort?.postMessage({ result }),
  (e: unknown) =>
    parentPort?.postMessage({
      error: e instanceof Error ? e.message : String(e),
      glassbox: e instanceof GlassboxError,
    }),
);
