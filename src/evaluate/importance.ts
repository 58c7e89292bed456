import type { Frame } from '../data/frame.js';
import { takeColumn } from '../data/frame.js';
import { Rng } from '../engine/random.js';
import type { MetricSpec, Predictions } from './metrics.js';

/** How much the score falls when one column's values are shuffled among the rows. */
export interface ColumnImportance {
  readonly column: string;
  /** Mean fall of the metric over the repeats (positive = the model relies on the column). */
  readonly importance: number;
  /** Standard deviation of the fall over the repeats. */
  readonly std: number;
  /** The metric after each shuffle. */
  readonly scores: readonly number[];
}

export interface PermutationOptions {
  /** Shuffles per column (default 5). */
  readonly repeats?: number;
  readonly seed?: number;
  readonly weights?: ArrayLike<number>;
}

/**
 * Permutation importance (Breiman; scikit-learn's permutation_importance) on rows the model did
 * not learn from: each column in turn is shuffled among the rows, breaking its link to the
 * target while keeping its distribution, and the model is scored again. The fall is measured in
 * the metric's own direction, so a positive importance always means the column helps. Works on
 * raw input columns through the whole fitted pipeline, so an ensemble or any preprocessing is
 * explained in the user's columns.
 */
export function permutationImportance(
  predict: (frame: Frame) => Predictions,
  frame: Frame,
  y: ArrayLike<number>,
  metric: MetricSpec,
  columns: readonly string[],
  options: PermutationOptions = {},
): { baseline: number; columns: ColumnImportance[] } {
  const repeats = options.repeats ?? 5;
  const rng = new Rng(options.seed ?? 1);
  const sign = metric.higherIsBetter ? 1 : -1;
  const baseline = metric.compute(y, predict(frame), options.weights);
  const perm = new Int32Array(frame.nRows);
  const out: ColumnImportance[] = [];
  for (const name of columns) {
    const column = frame.get(name);
    const scores: number[] = [];
    for (let r = 0; r < repeats; r++) {
      for (let i = 0; i < perm.length; i++) perm[i] = i;
      rng.shuffle(perm);
      scores.push(metric.compute(y, predict(frame.with(takeColumn(column, perm))), options.weights));
    }
    const falls = scores.map((s) => sign * (baseline - s));
    const mean = falls.reduce((a, b) => a + b, 0) / repeats;
    const sd = Math.sqrt(falls.reduce((a, b) => a + (b - mean) ** 2, 0) / repeats);
    out.push({ column: name, importance: mean, std: sd, scores });
  }
  out.sort((a, b) => b.importance - a.importance);
  return { baseline, columns: out };
}
