import { basename, dirname, join } from 'node:path';
import { Command } from 'commander';
import { GlassboxError } from '../data/errors.js';
import { DEFAULT_THRESHOLDS, driftOf, driftSummary, predictionScalar, type DriftReference } from '../evaluate/drift.js';
import { driftHtml } from '../report/drift-report.js';
import { displaySpec, isTableSpec, readDbTable, writeDbTable } from '../node/db-table.js';
import { explainRows, keptColumns, score } from '../automl/score.js';
import { Frame } from '../data/frame.js';
import { csvChunks } from '../data/write-csv.js';
import { forcedTypes, loadBundle } from '../export/bundle.js';
import { readJsonFile, writeFileAtomic } from '../node/files.js';
import { readTable } from '../node/read-table.js';
import '../techniques/index.js';
import { addReadOptions, readOptionsFrom, type ReadFlags } from './read-options.js';

interface PredictFlags extends ReadFlags {
  out?: string;
  outTable?: string;
  keep?: string;
  strict?: boolean;
  explain?: boolean;
  drift: boolean | string;
  driftPsi?: string;
}

export function predictCommand(): Command {
  const cmd = new Command('predict')
    .description(
      'score new data with a bundle: a CSV with a prediction column and, for classification, proba_<class> columns',
    )
    .argument('<bundle>', 'bundle.json written by train or automl')
    .argument(
      '<data>',
      'data to score: CSV, Excel .xlsx, JSON lines, Parquet, or a database table as sqlite:PATH?table=NAME or postgres://USER@HOST:PORT/DB?table=NAME',
    )
    .option('--out <file>', 'write the predictions here (default: standard output)')
    .option(
      '--out-table <name>',
      'with a database table as data, write the predictions into this new table of the same database (refuses to overwrite one)',
    )
    .option(
      '--keep <columns>',
      'copy these input columns (comma-separated, e.g. an id) into the output before the predictions',
    )
    .option(
      '--strict',
      'reject the data instead of warning about missing columns, unseen categories or out-of-range values',
    )
    .option(
      '--explain',
      'add reason_1..reason_3 columns: the inputs that moved each prediction most from the typical row of the file, with their effect (sampled Shapley values)',
    );
  cmd
    .option(
      '--drift <file>',
      'write the drift check as JSON to this file, and as HTML beside it (default: drift.json beside --out)',
    )
    .option('--no-drift', 'skip the drift check')
    .option('--drift-psi <value>', 'PSI from which a column counts as drifted (default 0.1)');
  addReadOptions(cmd);
  cmd.action(async (bundlePath: string, data: string, flags: PredictFlags) => {
    const { bundle, pipeline } = loadBundle(readJsonFile(bundlePath, 'bundle'), bundlePath);
    const readOptions = { ...readOptionsFrom(flags), types: forcedTypes(bundle) };
    if (flags.outTable && !isTableSpec(data))
      throw new GlassboxError(
        '--out-table writes into the database the rows came from: give the data as sqlite:PATH?table=NAME or postgres://…?table=NAME',
        { code: 'bad-option' },
      );
    const shown = displaySpec(data);
    const read = isTableSpec(data) ? await readDbTable(data, readOptions) : await readTable(data, readOptions);
    const kept = keptColumns(
      read.frame,
      (flags.keep ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== ''),
      shown,
    );
    for (const w of read.warnings) process.stderr.write(`warning: ${w}\n`);
    const scored = score(bundle, pipeline, read.frame, { strict: flags.strict, file: shown });
    for (const w of scored.warnings) process.stderr.write(`warning: ${w}\n`);
    if (flags.drift !== false && bundle.reference) {
      const psiRed = flags.driftPsi !== undefined ? Number(flags.driftPsi) : undefined;
      if (psiRed !== undefined && !(psiRed > 0))
        throw new GlassboxError(`--drift-psi must be a positive number, got "${flags.driftPsi}"`, {
          code: 'bad-option',
        });
      const d = driftOf(
        bundle.reference as unknown as DriftReference,
        read.frame,
        predictionScalar(scored.prediction),
        psiRed !== undefined ? { psiRed, psiAmber: Math.min(DEFAULT_THRESHOLDS.psiAmber, psiRed / 2) } : {},
      );
      process.stderr.write(driftSummary(d) + '\n');
      const json =
        typeof flags.drift === 'string' ? flags.drift : flags.out ? join(dirname(flags.out), 'drift.json') : undefined;
      if (json) {
        writeFileAtomic(json, JSON.stringify(d, null, 1) + '\n');
        writeFileAtomic(
          json.replace(/\.json$/i, '') + '.html',
          driftHtml(d, `Drift: ${isTableSpec(data) ? shown : basename(data)} against the training data`),
        );
      }
    }
    const out = new Frame([
      ...kept,
      ...scored.frame.columns,
      ...(flags.explain ? explainRows(bundle, pipeline, scored) : []),
    ]);
    if (flags.outTable) {
      await writeDbTable(data, flags.outTable, out);
      process.stderr.write(`wrote ${out.nRows} predictions to table ${flags.outTable}\n`);
      return;
    }
    if (flags.out) {
      writeFileAtomic(flags.out, csvChunks(out));
      process.stderr.write(`wrote ${out.nRows} predictions to ${flags.out}\n`);
    } else for (const chunk of csvChunks(out)) process.stdout.write(chunk);
  });
  return cmd;
}
