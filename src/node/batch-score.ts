import { Worker } from 'node:worker_threads';
import { explainRows, keptColumns, score } from '../automl/score.js';
import { GlassboxError } from '../data/errors.js';
import { Frame } from '../data/frame.js';
import { csvChunks } from '../data/write-csv.js';
import { driftOf, predictionScalar, type DriftReference, type DriftResult } from '../evaluate/drift.js';
import { forcedTypes, loadBundle } from '../export/bundle.js';
import { readDbTable, writeDbTable } from './db-table.js';
import { readJsonFile, workerModule, writeFileAtomic } from './files.js';
import { readTable } from './read-table.js';

/**
 * Scoring a whole file or table: read, conform, predict, check drift, write. The server runs it
 * in a worker thread (scoreInWorker), so a batch of millions of rows never holds the event loop
 * that answers everyone else's requests.
 */
export interface BatchTask {
  readonly bundlePath: string;
  /** A table file, or a database table spec (sqlite:… / postgres://…?table=…). */
  readonly input: { readonly kind: 'file' | 'table'; readonly source: string };
  /** The input's name in messages and in the model history. */
  readonly name: string;
  readonly strict?: boolean;
  readonly explain?: boolean;
  readonly limits: { readonly rows: number; readonly columns: number };
  /** Input columns copied into the output before the predictions (an id to join on). */
  readonly keep?: readonly string[];
  readonly output: { readonly kind: 'csv'; readonly path: string } | { readonly kind: 'table'; readonly table: string };
}

export interface BatchResult {
  readonly rows: number;
  readonly warnings: readonly string[];
  readonly drift: DriftResult | null;
}

export async function scoreBatch(task: BatchTask): Promise<BatchResult> {
  const { bundle, pipeline } = loadBundle(readJsonFile(task.bundlePath, 'bundle'), 'bundle.json');
  const options = { maxRows: task.limits.rows, maxColumns: task.limits.columns, types: forcedTypes(bundle) };
  const read =
    task.input.kind === 'table'
      ? await readDbTable(task.input.source, options)
      : await readTable(task.input.source, options);
  const scored = score(bundle, pipeline, read.frame, { strict: task.strict, file: task.name });
  const kept = keptColumns(read.frame, task.keep ?? [], task.name);
  const out = new Frame([
    ...kept,
    ...scored.frame.columns,
    ...(task.explain ? explainRows(bundle, pipeline, scored) : []),
  ]);
  if (task.output.kind === 'table') await writeDbTable(task.input.source, task.output.table, out);
  else writeFileAtomic(task.output.path, csvChunks(out));
  const drift = bundle.reference
    ? driftOf(bundle.reference as unknown as DriftReference, read.frame, predictionScalar(scored.prediction))
    : null;
  return { rows: out.nRows, warnings: scored.warnings, drift };
}

/** scoreBatch in a worker thread of its own; a GlassboxError there is a GlassboxError here. */
export function scoreInWorker(task: BatchTask): Promise<BatchResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerModule('batch-score-worker.js'), { workerData: task });
    let settled = false;
    worker.once('message', (m: { result?: BatchResult; error?: string; glassbox?: boolean }) => {
      settled = true;
      if (m.result) resolve(m.result);
      else reject(m.glassbox ? new GlassboxError(m.error ?? 'scoring failed') : new Error(m.error));
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the scoring worker stopped (exit code ${code})`));
    });
  });
}
