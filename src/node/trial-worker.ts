/**
 * Worker thread for AutoML trials: receives the training data once, then cross-validates or
 * refits the pipelines it is sent, posting results back. The pool terminates a worker to cut a
 * trial at the end of the budget, so nothing here needs to watch the clock.
 */
import { parentPort } from 'node:worker_threads';
import { Frame, type Column } from '../data/frame.js';
import { runTrial, type TrialRequest } from '../automl/runner.js';
import { refit, type TrialData } from '../automl/trial.js';

type Message =
  | {
      readonly type: 'init';
      readonly data: Omit<TrialData, 'frame'> & { readonly columns: Column[] };
    }
  | { readonly type: 'trial'; readonly request: TrialRequest }
  | { readonly type: 'refit'; readonly id: number; readonly spec: TrialRequest['spec']; readonly rows?: Int32Array };

let data: TrialData | undefined;

function fail(id: number, e: unknown): void {
  parentPort?.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
}

parentPort?.on('message', (m: Message) => {
  if (m.type === 'init') {
    const { columns, ...rest } = m.data;
    data = { ...rest, frame: new Frame(columns) };
    parentPort?.postMessage({ id: -1, ready: true });
    return;
  }
  const id = m.type === 'trial' ? m.request.id : m.id;
  if (!data) return fail(id, new Error('trial worker not initialised'));
  try {
    if (m.type === 'trial') {
      const result = runTrial(data, m.request);
      const transfer = [result.oof?.buffer, result.holdout?.buffer].filter((b): b is ArrayBuffer => !!b);
      parentPort?.postMessage({ id, result }, transfer);
    } else parentPort?.postMessage({ id, steps: refit(data, m.spec, m.rows) });
  } catch (e) {
    fail(id, e);
  }
});
