import { Command } from 'commander';
import { driftSummary } from '../evaluate/drift.js';
import { writeFileAtomic } from '../node/files.js';
import { executeEvaluate } from '../node/lifecycle.js';
import '../techniques/index.js';
import { addReadOptions, readOptionsFrom, type ReadFlags } from './read-options.js';

interface EvaluateFlags extends ReadFlags {
  out?: string;
}

export function evaluateCommand(): Command {
  const cmd = new Command('evaluate')
    .description(
      "a bundle's realised performance on data whose outcomes arrived later: the metric with its 95% interval against the score at training, every standard metric, and drift; the batch is added to evaluations.jsonl beside the bundle",
    )
    .argument('<bundle>', 'bundle.json written by train or automl')
    .argument('<data>', 'scored rows with the outcome column filled in')
    .option('--out <file>', 'also write the evaluation as JSON here');
  addReadOptions(cmd);
  cmd.action(async (bundlePath: string, data: string, flags: EvaluateFlags) => {
    const { record: e, drift } = await executeEvaluate({ bundlePath, data, read: readOptionsFrom(flags) });
    const f = (v: number) => Number(v.toPrecision(4));
    const lines = [
      `realised ${e.metric}: ${f(e.score.estimate)} (95% interval ${f(e.score.low)} to ${f(e.score.high)}) on ${e.rows} labelled rows` +
        (e.atTraining !== null ? `; at training ${f(e.atTraining)} on held-out rows` : ''),
      Object.entries(e.metrics)
        .map(([k, v]) => `${k} ${f(v)}`)
        .join(', '),
      ...(drift ? [driftSummary(drift)] : []),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    if (flags.out) writeFileAtomic(flags.out, JSON.stringify({ ...e, drift }, null, 1) + '\n');
  });
  return cmd;
}
