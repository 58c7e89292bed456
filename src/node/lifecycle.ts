import { appendFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  compareModels,
  decide,
  evaluateBundle,
  labelledRows,
  type Comparison,
  type Evaluation,
  type PromotePolicy,
} from '../automl/champion.js';
import { train } from '../automl/train.js';
import { GlassboxError } from '../data/errors.js';
import { categoricalColumn, numericColumn } from '../data/frame.js';
import type { ReadOptions } from '../data/read-csv.js';
import { driftOf, predictionScalar, type DriftReference, type DriftResult } from '../evaluate/drift.js';
import { holdoutSplit } from '../evaluate/split.js';
import { forcedTypes, loadBundle, stringifyBundle, type Bundle } from '../export/bundle.js';
import { csvChunks } from '../data/write-csv.js';
import type { FittedPipeline } from '../techniques/pipeline.js';
import { createRunDir, executeRun, type RunFile } from './automl-run.js';
import { readJsonFile, writeFileAtomic } from './files.js';
import { readTable } from './read-table.js';

/**
 * A bundle's life after training, as the CLI (glassbox evaluate / retrain) and the server's jobs
 * both run it: realised performance on labelled rows, and champion / challenger retraining with
 * every version kept beside the bundle (versions/N/bundle.json, retrain.jsonl, evaluations.jsonl).
 */

export const POLICIES: readonly PromotePolicy[] = ['significant', 'better', 'always'];

export interface EvaluationRecord extends Evaluation {
  readonly at: string;
  readonly data: string;
  readonly fingerprint: string;
  /** Names of the drifted columns (null: the bundle keeps no training reference). */
  readonly drifted: readonly string[] | null;
}

/** Evaluates the bundle at bundlePath on labelled data and appends the batch to evaluations.jsonl. */
export async function executeEvaluate(options: {
  bundlePath: string;
  data: string;
  read?: ReadOptions;
  /** The data's name in messages and records (default: its path). */
  name?: string;
}): Promise<{ record: EvaluationRecord; drift: DriftResult | null }> {
  const name = options.name ?? options.data;
  const { bundle, pipeline } = loadBundle(readJsonFile(options.bundlePath, 'bundle'), options.bundlePath);
  const read = await readTable(options.data, { ...(options.read ?? {}), types: forcedTypes(bundle) });
  const { frame, y } = labelledRows(bundle, read.frame, name);
  const e = evaluateBundle(bundle, pipeline, frame, y);
  const drift = bundle.reference
    ? driftOf(bundle.reference as unknown as DriftReference, frame, predictionScalar(pipeline.predict(frame)))
    : null;
  const record: EvaluationRecord = {
    at: new Date().toISOString(),
    data: name,
    fingerprint: bundle.fingerprint,
    ...e,
    drifted: drift ? drift.drifted : null,
  };
  appendFileSync(join(dirname(options.bundlePath), 'evaluations.jsonl'), JSON.stringify(record) + '\n');
  return { record, drift };
}

export interface RetrainRecord {
  readonly at: string;
  readonly data: string;
  readonly champion: string;
  readonly challenger: string;
  /** The challenger's version number under versions/. */
  readonly version: number;
  readonly policy: PromotePolicy;
  /** refit: the champion's pipeline fitted on the new rows; automl: its search run again on them. */
  readonly mode: 'refit' | 'automl';
  readonly promoted: boolean;
  readonly why: string;
  readonly comparison: Comparison;
  readonly trainRows: number;
  readonly compareRows: number;
}

/** The next free version number under versions/, keeping the champion as version 1 the first time. */
function nextVersion(dir: string): number {
  const versions = join(dir, 'versions');
  if (!existsSync(versions)) return 1;
  const taken = readdirSync(versions)
    .map(Number)
    .filter((v) => Number.isInteger(v));
  return taken.length ? Math.max(...taken) + 1 : 1;
}

/**
 * Refits the bundle's pipeline on the new labelled rows not set aside (the challenger), compares
 * it with the bundle (the champion) on the rows set aside by a paired bootstrap, and replaces
 * bundle.json only when the policy says so. Every version is kept and every decision logged.
 */
export async function executeRetrain(options: {
  bundlePath: string;
  data: string;
  read?: ReadOptions;
  name?: string;
  holdout: number;
  policy: PromotePolicy;
  seed: number;
  /**
   * Rerun AutoML with the champion's own settings (its run.json) on the new rows, within this
   * budget, instead of refitting its pipeline. The challenger's run folder is versions/N.
   */
  automl?: { readonly budget: number; readonly workers: number };
}): Promise<{ record: RetrainRecord; message: string }> {
  const { bundlePath, holdout: share, policy, seed } = options;
  const name = options.name ?? options.data;
  if (!(share > 0 && share < 1)) throw new GlassboxError(`the holdout must be a share in (0, 1), got ${share}`);
  if (!POLICIES.includes(policy))
    throw new GlassboxError(`the policy must be one of ${POLICIES.join(', ')}, got "${policy}"`);
  if (!Number.isInteger(seed)) throw new GlassboxError(`the seed must be a whole number, got ${seed}`);
  const { bundle, pipeline: champion } = loadBundle(readJsonFile(bundlePath, 'bundle'), bundlePath);
  const read = await readTable(options.data, { ...(options.read ?? {}), types: forcedTypes(bundle) });
  const { frame, y } = labelledRows(bundle, read.frame, name);
  const classification = bundle.task !== 'regression';
  const { train: fitRows, test } = holdoutSplit(y.length, share, seed, classification ? y : undefined);
  // The challenger learns from the new rows not set aside, with the champion's own pipeline.
  const target = bundle.target.name;
  const targetColumn = classification
    ? categoricalColumn(target, Int32Array.from(y), bundle.target.classes)
    : numericColumn(target, y);
  const dir = dirname(bundlePath);
  const runFile = join(dir, 'run.json');
  if (options.automl && !existsSync(runFile))
    throw new GlassboxError(
      `${bundlePath}: no run.json beside it, so glassbox automl did not make it: retrain without --automl refits its pipeline`,
    );
  // Every version kept: the champion as version 1 the first time, then each challenger.
  let version = nextVersion(dir);
  if (version === 1) {
    mkdirSync(join(dir, 'versions', '1'), { recursive: true });
    writeFileAtomic(join(dir, 'versions', '1', 'bundle.json'), stringifyBundle(bundle) + '\n');
    version = 2;
  }
  const out = join(dir, 'versions', String(version));
  mkdirSync(out, { recursive: true });
  const fitFrame = frame.with(targetColumn).take(fitRows);
  let challengerRun: { bundle: Bundle; pipeline: FittedPipeline };
  if (options.automl) {
    // The same search as the champion's, on the new rows: its run folder is the version's folder.
    const original = readJsonFile(runFile, 'run.json') as RunFile;
    const data = join(out, 'data.csv');
    writeFileAtomic(data, csvChunks(fitFrame, { exact: true }));
    const run: RunFile = { ...original, data, read: {}, seed };
    createRunDir(out, run);
    challengerRun = (
      await executeRun({
        out,
        run,
        previous: [],
        budget: options.automl.budget,
        startedAt: performance.now(),
        workers: options.automl.workers,
        report: true,
      })
    ).result;
  } else {
    challengerRun = train(fitFrame, { target, task: bundle.task, pipeline: bundle.pipeline, seed, holdout: 0 });
    writeFileAtomic(join(out, 'bundle.json'), stringifyBundle(challengerRun.bundle) + '\n');
  }
  const challenger = challengerRun.pipeline;
  if (classification && challenger.classes.join('\u0000') !== bundle.target.classes.join('\u0000'))
    throw new GlassboxError(
      `${name}: the new rows hold the classes ${challenger.classes.join(', ')}, the champion ${bundle.target.classes.join(', ')}: a challenger must predict the same classes`,
    );
  const testFrame = frame.take(test);
  const yTest = Float64Array.from(test, (i) => y[i]);
  const comparison = compareModels(champion, challenger, testFrame, yTest, bundle.task);
  const { promote, why } = decide(comparison, policy);
  if (promote) writeFileAtomic(bundlePath, stringifyBundle(challengerRun.bundle) + '\n');
  const record: RetrainRecord = {
    at: new Date().toISOString(),
    data: name,
    champion: bundle.fingerprint,
    challenger: challengerRun.bundle.fingerprint,
    version,
    policy,
    mode: options.automl ? 'automl' : 'refit',
    promoted: promote,
    why,
    comparison,
    trainRows: fitRows.length,
    compareRows: test.length,
  };
  appendFileSync(join(dir, 'retrain.jsonl'), JSON.stringify(record) + '\n');
  const message =
    `challenger (version ${version}, ${options.automl ? 'AutoML rerun' : 'pipeline refitted'}) fitted on ${fitRows.length} new rows, compared on ${test.length} others: ${why}\n` +
    (promote
      ? `bundle.json is now version ${version}\n`
      : `bundle.json unchanged; the challenger is kept as versions/${version}\n`);
  return { record, message };
}
