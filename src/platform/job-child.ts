/**
 * A run's own process: the server forks one per AutoML job, sends it what to run, and hears back
 * each finished trial, progress events and the outcome. Its trials are on disk in the run folder
 * as they finish, so a killed job resumes from them.
 */
import type { AutomlEvent, FinishedTrial } from '../automl/automl.js';
import { strip } from '../automl/automl.js';
import { createRunDir, executeRun, resumeRunDir, type RunFile } from '../node/automl-run.js';
import '../techniques/index.js';

export interface JobStart {
  readonly type: 'start';
  readonly out: string;
  readonly run: RunFile;
  readonly resume: boolean;
  readonly budget: number;
  readonly workers: number;
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
  | { readonly type: 'failed'; readonly message: string };

const send = (m: JobMessage): void => {
  process.send?.(m);
};

// The server gone (killed, crashed): stop at once; the run resumes from its saved trials.
const orphaned = (): never => process.exit(1);
process.on('disconnect', orphaned);

process.on('message', (m: JobStart) => {
  if (m.type !== 'start') return;
  void (async () => {
    try {
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
    } catch (e) {
      send({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
    } finally {
      process.off('disconnect', orphaned);
      process.disconnect?.();
    }
  })();
});
