import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { evaluateBundle, labelledRows } from '../automl/champion.js';
import { driftOf, driftSummary, predictionScalar, type DriftReference } from '../evaluate/drift.js';
import { forcedTypes, loadBundle } from '../export/bundle.js';
import { readJsonFile, writeFileAtomic } from '../node/files.js';
import { readTable } from '../node/read-table.js';
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
    const { bundle, pipeline } = loadBundle(readJsonFile(bundlePath, 'bundle'), bundlePath);
    const read = await readTable(data, { ...readOptionsFrom(flags), types: forcedTypes(bundle) });
    const { frame, y } = labelledRows(bundle, read.frame, data);
    const e = evaluateBundle(bundle, pipeline, frame, y);
    const drift = bundle.reference
      ? driftOf(bundle.reference as unknown as DriftReference, frame, predictionScalar(pipeline.predict(frame)))
      : null;
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
    const record = {
      at: new Date().toISOString(),
      data,
      fingerprint: bundle.fingerprint,
      ...e,
      drifted: drift?.drifted ?? null,
    };
    appendFileSync(join(dirname(bundlePath), 'evaluations.jsonl'), JSON.stringify(record) + '\n');
    if (flags.out) writeFileAtomic(flags.out, JSON.stringify({ ...record, drift }, null, 1) + '\n');
  });
  return cmd;
}
