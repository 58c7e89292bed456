import { Command } from 'commander';
import { explainRows, score } from '../automl/score.js';
import { Frame } from '../data/frame.js';
import { csvChunks } from '../data/write-csv.js';
import { forcedTypes, loadBundle } from '../export/bundle.js';
import { readJsonFile, writeFileAtomic } from '../node/files.js';
import { readTable } from '../node/read-table.js';
import '../techniques/index.js';
import { addReadOptions, readOptionsFrom, type ReadFlags } from './read-options.js';

interface PredictFlags extends ReadFlags {
  out?: string;
  strict?: boolean;
  explain?: boolean;
}

export function predictCommand(): Command {
  const cmd = new Command('predict')
    .description(
      'score new data with a bundle: a CSV with a prediction column and, for classification, proba_<class> columns',
    )
    .argument('<bundle>', 'bundle.json written by train or automl')
    .argument('<data>', 'data to score: CSV, Excel .xlsx, JSON lines or Parquet')
    .option('--out <file>', 'write the predictions here (default: standard output)')
    .option(
      '--strict',
      'reject the data instead of warning about missing columns, unseen categories or out-of-range values',
    )
    .option(
      '--explain',
      'add reason_1..reason_3 columns: the inputs that moved each prediction most from the typical row of the file, with their effect (sampled Shapley values)',
    );
  addReadOptions(cmd);
  cmd.action(async (bundlePath: string, data: string, flags: PredictFlags) => {
    const { bundle, pipeline } = loadBundle(readJsonFile(bundlePath, 'bundle'), bundlePath);
    const read = await readTable(data, { ...readOptionsFrom(flags), types: forcedTypes(bundle) });
    for (const w of read.warnings) process.stderr.write(`warning: ${w}\n`);
    const scored = score(bundle, pipeline, read.frame, { strict: flags.strict, file: data });
    for (const w of scored.warnings) process.stderr.write(`warning: ${w}\n`);
    const out = flags.explain
      ? new Frame([...scored.frame.columns, ...explainRows(bundle, pipeline, scored)])
      : scored.frame;
    if (flags.out) {
      writeFileAtomic(flags.out, csvChunks(out));
      process.stderr.write(`wrote ${out.nRows} predictions to ${flags.out}\n`);
    } else for (const chunk of csvChunks(out)) process.stdout.write(chunk);
  });
  return cmd;
}
