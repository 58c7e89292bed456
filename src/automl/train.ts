import type { ColumnInference } from '../data/column-builder.js';
import type { Frame } from '../data/frame.js';
import { holdoutSplit } from '../evaluate/split.js';
import { trainingReference } from '../evaluate/drift.js';
import { taskMetrics, type MetricSet } from '../evaluate/metrics.js';
import { buildSchema, createBundle, type Bundle } from '../export/bundle.js';
import type { JsonValue, Params, Prediction, Task } from '../techniques/contract.js';
import { describeModel } from '../techniques/explain.js';
import { defaultPipeline } from '../techniques/defaults.js';
import { fitPipeline, type FittedPipeline, type JournalStep, type PipelineSpec } from '../techniques/pipeline.js';
import { technique } from '../techniques/registry.js';
import { targetInfo } from '../techniques/target.js';
import { prepareTarget } from './prepare.js';
import '../techniques/index.js';

export interface TrainOptions {
  readonly target: string;
  readonly task?: Task;
  /** Model technique id (default `linear`), used with the default preprocessing when no pipeline is given. */
  readonly model?: string;
  readonly params?: Params;
  readonly pipeline?: PipelineSpec;
  readonly seed?: number;
  /** Share of rows held out to measure the model before refitting on all rows (0 = no holdout). */
  readonly holdout?: number;
  readonly source?: string;
  readonly inferences?: readonly ColumnInference[];
  /** Columns to leave out before anything else (e.g. leakage the profile flagged); not needed to score. */
  readonly drop?: readonly string[];
}

/** What happened, in order, for people and for the report. */
export interface Journal {
  readonly dataset: { readonly source?: string; readonly rows: number; readonly columns: number };
  readonly target: string;
  readonly task: Task;
  readonly taskReason: string;
  readonly classes: readonly string[];
  readonly rowsWithoutTarget: number;
  /** Columns left out by the user before training. */
  readonly dropped: readonly string[];
  readonly validation: {
    readonly method: string;
    readonly trainRows: number;
    readonly testRows: number;
    readonly metrics: MetricSet;
  } | null;
  readonly steps: readonly JournalStep[];
  /** The fitted model described: importances, coefficients (also in the data's own units), trees. */
  readonly model: JsonValue;
  readonly warnings: readonly string[];
  readonly seconds: number;
}

export interface TrainResult {
  readonly bundle: Bundle;
  readonly pipeline: FittedPipeline;
  readonly journal: Journal;
  /** The holdout measurement: the rows (input columns), their target, and the model fitted without them. */
  readonly holdout?: {
    readonly frame: Frame;
    readonly y: Float64Array;
    readonly prediction: Prediction;
    readonly pipeline: FittedPipeline;
  };
}

/**
 * Fits a pipeline the honest way: measure on a stratified holdout the model never saw, then
 * refit on every row for the bundle, recording each step in the journal.
 */
export function train(input: Frame, options: TrainOptions): TrainResult {
  const started = performance.now();
  const seed = options.seed ?? 1;
  const prep = prepareTarget(input, options);
  const { frame, task, taskReason, classes, rowsWithoutTarget, dropped, y } = prep;
  const warnings = prep.warnings;
  if (dropped.length) input = input.drop(dropped);

  const model = options.model ?? 'linear';
  if (!options.pipeline) technique(model);
  const spec = options.pipeline ?? defaultPipeline(model, options.params);

  const share = options.holdout ?? 0.2;
  let validation: Journal['validation'] = null;
  let holdout: TrainResult['holdout'];
  const minRows = task === 'regression' ? 20 : 10 * Math.max(2, classes.length);
  if (share > 0 && frame.nRows >= minRows) {
    const { train: tr, test: te } = holdoutSplit(frame.nRows, share, seed, task === 'regression' ? undefined : y);
    const { pipeline } = fitPipeline(frame.take(tr), spec, { target: options.target, task, seed, classes });
    const test = frame.take(te);
    const pred = pipeline.predict(test);
    const yTest = targetInfo(test, options.target, task, classes.length ? classes : undefined).y;
    holdout = { frame: test.drop([options.target]), y: yTest, prediction: pred, pipeline };
    validation = {
      method: `${task === 'regression' ? '' : 'stratified '}holdout: ${Math.round(share * 100)}% of rows, never used for fitting`,
      trainRows: tr.length,
      testRows: te.length,
      metrics: taskMetrics(task, yTest, { proba: pred.proba, values: pred.values, k: classes.length }),
    };
  } else if (share > 0) warnings.push(`only ${frame.nRows} rows: no holdout measurement (needs at least ${minRows})`);

  const { pipeline, journal: steps } = fitPipeline(frame, spec, { target: options.target, task, seed, classes });
  const schema = buildSchema(frame, pipeline, options.inferences);
  const bundle = createBundle({
    pipeline,
    spec,
    schema,
    metrics: validation ? { holdout: validation.metrics, holdoutRows: validation.testRows } : {},
    training: { rows: frame.nRows, seed, ...(options.source ? { source: options.source } : {}) },
    reference: trainingReference(
      frame,
      schema.map((c) => c.name),
      (f) => pipeline.predict(f),
    ) as unknown as JsonValue,
  });
  const journal: Journal = {
    dataset: { source: options.source, rows: input.nRows, columns: input.nCols },
    target: options.target,
    task,
    taskReason,
    classes: pipeline.classes,
    rowsWithoutTarget,
    dropped,
    validation,
    steps,
    model: describeModel(pipeline),
    warnings: [...warnings, ...steps.flatMap((s) => s.notes.map((n) => `${s.technique}: ${n}`))],
    seconds: Math.round(performance.now() - started) / 1000,
  };
  return { bundle, pipeline, journal, holdout };
}
