import type { Frame } from '../data/frame.js';
import { metricSpec } from '../evaluate/metrics.js';
import type { FittedJSON, Task } from '../techniques/contract.js';
import { fitPipeline, type PipelineSpec } from '../techniques/pipeline.js';
import '../techniques/index.js';

/** One validation fold: rows to fit on and rows to score, as indices into the training frame. */
export interface Fold {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/**
 * Everything a trial needs besides its pipeline; sent once to each worker. `holdout` rows are
 * never fitted on during the search: each fold model predicts them, and their average is how the
 * chosen models are measured honestly at the end.
 */
export interface TrialData {
  readonly frame: Frame;
  readonly target: string;
  readonly task: Task;
  readonly classes: readonly string[];
  /** The target as numbers (class indices or values), per frame row. */
  readonly y: Float64Array;
  readonly folds: readonly Fold[];
  readonly holdout: Int32Array;
  readonly metric: string;
  readonly seed: number;
}

export interface TrialResult {
  /** The metric on each evaluated fold, in fold order. */
  readonly foldScores: number[];
  /** Mean of foldScores. */
  readonly score: number;
  /** Out-of-fold predictions, n x width (NaN for rows no fold scored); absent when pruned. */
  readonly oof?: Float64Array;
  /** Holdout predictions averaged over the fold models, holdout.length x width. */
  readonly holdout?: Float64Array;
  readonly fitSeconds: number;
  readonly pruned: boolean;
}

/** Values per row of a prediction: class probabilities, or one value. */
export function predictionWidth(task: Task, classes: readonly string[]): number {
  return task === 'regression' ? 1 : classes.length;
}

/** The metric of predictions `pred` (rows x width) against the target values `y` of those rows. */
export function scoreValues(data: Omit<TrialData, 'frame'>, y: Float64Array, pred: Float64Array): number {
  const k = predictionWidth(data.task, data.classes);
  const spec = metricSpec(data.metric, data.task);
  return data.task === 'regression' ? spec.compute(y, { values: pred, k: 1 }) : spec.compute(y, { proba: pred, k });
}

/** The metric of predictions `pred` (rows x width) against y at `rows`. */
export function scoreRows(data: TrialData, rows: ArrayLike<number>, pred: Float64Array): number {
  return scoreValues(
    data,
    Float64Array.from(rows, (i) => data.y[i]),
    pred,
  );
}

/**
 * Cross-validates one pipeline: fits it on each fold's training rows, scores the fold's test
 * rows, keeps every out-of-fold prediction and the fold models' average on the holdout rows.
 * `prune` sees the running mean after each fold but the last (in the metric's own direction)
 * and may stop the trial there.
 */
export function evaluateTrial(
  data: TrialData,
  spec: PipelineSpec,
  prune?: (foldsDone: number, meanSoFar: number) => boolean,
): TrialResult {
  const width = predictionWidth(data.task, data.classes);
  const n = data.frame.nRows;
  // Repeated folds score a row more than once: its out-of-fold prediction is the average.
  const oof = new Float64Array(n * width);
  const seen = new Uint16Array(n);
  const hold = new Float64Array(data.holdout.length * width);
  const holdFrame = data.holdout.length ? data.frame.take(data.holdout) : undefined;
  const foldScores: number[] = [];
  let fitSeconds = 0;
  for (let f = 0; f < data.folds.length; f++) {
    const { train, test } = data.folds[f];
    const t0 = performance.now();
    const { pipeline } = fitPipeline(data.frame.take(train), spec, {
      target: data.target,
      task: data.task,
      seed: data.seed,
      classes: data.classes,
    });
    fitSeconds += (performance.now() - t0) / 1000;
    const p = flat(pipeline.predict(data.frame.take(test)), width);
    for (let t = 0; t < test.length; t++) {
      seen[test[t]]++;
      for (let c = 0; c < width; c++) oof[test[t] * width + c] += p[t * width + c];
    }
    foldScores.push(scoreRows(data, test, p));
    if (holdFrame) {
      const h = flat(pipeline.predict(holdFrame), width);
      for (let t = 0; t < h.length; t++) hold[t] += h[t] / data.folds.length;
    }
    const mean = foldScores.reduce((a, b) => a + b, 0) / foldScores.length;
    if (f + 1 < data.folds.length && prune?.(f + 1, mean)) return { foldScores, score: mean, fitSeconds, pruned: true };
  }
  const score = foldScores.reduce((a, b) => a + b, 0) / foldScores.length;
  for (let i = 0; i < n; i++)
    for (let c = 0; c < width; c++) oof[i * width + c] = seen[i] ? oof[i * width + c] / seen[i] : NaN;
  return { foldScores, score, oof, holdout: holdFrame ? hold : undefined, fitSeconds, pruned: false };
}

function flat(p: { proba?: Float64Array; values?: Float64Array }, width: number): Float64Array {
  const v = width === 1 && !p.proba ? p.values : p.proba;
  if (!v) throw new Error('the model returned no predictions');
  return v;
}

/** Fits a pipeline on every row of the frame (the final refit) and returns its fitted steps. */
export function refit(data: TrialData, spec: PipelineSpec, rows?: Int32Array): FittedJSON[] {
  const { pipeline } = fitPipeline(rows ? data.frame.take(rows) : data.frame, spec, {
    target: data.target,
    task: data.task,
    seed: data.seed,
    classes: data.classes,
  });
  return pipeline.toJSON();
}
