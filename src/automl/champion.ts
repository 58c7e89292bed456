import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import { bootstrapInterval, pairedBootstrap, type Interval } from '../evaluate/curves.js';
import { defaultMetric, taskMetrics, type MetricSpec } from '../evaluate/metrics.js';
import type { Bundle } from '../export/bundle.js';
import type { Prediction } from '../techniques/contract.js';
import type { FittedPipeline } from '../techniques/pipeline.js';

/**
 * Realised performance and champion / challenger: a bundle's predictions against labels that
 * arrived later, and two models compared on the same labelled rows by a paired bootstrap of the
 * per-row loss (log loss for classes, squared error for numbers).
 */

/** The labelled rows of a frame, their target as the bundle encodes it (class index, or value). */
export function labelledRows(bundle: Bundle, frame: Frame, file = 'data'): { frame: Frame; y: Float64Array } {
  const name = bundle.target.name;
  const c = frame.tryGet(name);
  if (!c)
    throw new GlassboxError(`${file}: no column "${name}" with the outcomes to compare against`, { column: name });
  const keep: number[] = [];
  const y: number[] = [];
  if (bundle.task === 'regression') {
    if (c.kind !== 'numeric') throw new GlassboxError(`${file}: column "${name}" must hold numbers`, { column: name });
    for (let i = 0; i < c.values.length; i++)
      if (c.values[i] === c.values[i]) {
        keep.push(i);
        y.push(c.values[i]);
      }
  } else {
    const index = new Map(bundle.target.classes.map((k, j) => [k, j]));
    const texts =
      c.kind === 'categorical'
        ? Array.from(c.codes, (k) => (k < 0 ? null : c.categories[k]))
        : c.kind === 'text'
          ? c.values
          : Array.from(c.values, (v) => (v === v ? String(v) : null));
    texts.forEach((t, i) => {
      if (t === null) return;
      const j = index.get(t);
      if (j === undefined)
        throw new GlassboxError(
          `${file}: row ${i + 1}, column "${name}": "${t}" is not one of the model's classes (${bundle.target.classes.join(', ')})`,
          { row: i + 1, column: name },
        );
      keep.push(i);
      y.push(j);
    });
  }
  if (!keep.length) throw new GlassboxError(`${file}: no row has a value in "${name}"`, { column: name });
  const rows = frame.take(Int32Array.from(keep)).drop([name]);
  return { frame: rows, y: Float64Array.from(y) };
}

/** Per-row loss: log loss of the observed class, or squared error. */
export function rowLosses(y: Float64Array, pred: Prediction): Float64Array {
  const out = new Float64Array(y.length);
  if (pred.proba) {
    const k = pred.classes.length;
    for (let i = 0; i < y.length; i++) out[i] = -Math.log(Math.max(1e-15, pred.proba[i * k + y[i]]));
  } else for (let i = 0; i < y.length; i++) out[i] = (y[i] - (pred.values as Float64Array)[i]) ** 2;
  return out;
}

export interface Evaluation {
  readonly rows: number;
  readonly metric: string;
  /** The main metric with its bootstrap 95% interval. */
  readonly score: Interval;
  /** Every standard metric of the task. */
  readonly metrics: Record<string, number>;
  /** The bundle's own held-out score, to compare with (when it has one). */
  readonly atTraining: number | null;
}

/** The metric on a subset of rows (a bootstrap resample), from a prediction of all of them. */
export function scoreOn(metric: MetricSpec, y: Float64Array, pred: Prediction, rows: ArrayLike<number>): number {
  const k = pred.proba ? pred.classes.length : 1;
  const ys = Float64Array.from(rows, (i) => y[i]);
  if (pred.proba) {
    const p = new Float64Array(rows.length * k);
    for (let t = 0; t < rows.length; t++) for (let j = 0; j < k; j++) p[t * k + j] = pred.proba[rows[t] * k + j];
    return metric.compute(ys, { proba: p, k });
  }
  return metric.compute(ys, { values: Float64Array.from(rows, (i) => (pred.values as Float64Array)[i]), k: 1 });
}

/** How a bundle does on labelled rows, against what it scored when it was trained. */
export function evaluateBundle(bundle: Bundle, pipeline: FittedPipeline, frame: Frame, y: Float64Array): Evaluation {
  const pred = pipeline.predict(frame);
  const metric = defaultMetric(bundle.task);
  const score = bootstrapInterval(y.length, (rows) => scoreOn(metric, y, pred, rows), { reps: 500, seed: 1 });
  const metrics = taskMetrics(bundle.task, y, {
    proba: pred.proba,
    values: pred.values,
    k: bundle.target.classes.length || 1,
  });
  const holdout = bundle.metrics.holdout as Record<string, number> | undefined;
  return {
    rows: y.length,
    metric: metric.name,
    score,
    metrics: metrics as Record<string, number>,
    atTraining: holdout && typeof holdout[metric.name] === 'number' ? holdout[metric.name] : null,
  };
}

export interface Comparison {
  readonly rows: number;
  /** Mean per-row loss (log loss or squared error) of each. */
  readonly championLoss: number;
  readonly challengerLoss: number;
  /** The challenger's gain in the metric (positive = better), with its paired-bootstrap interval and p-value. */
  readonly gain: Interval & { pValue: number };
  readonly metric: string;
  readonly champion: number;
  readonly challenger: number;
}

/** Two pipelines on the same labelled rows: a paired bootstrap of the difference in the model's metric. */
export function compareModels(
  champion: FittedPipeline,
  challenger: FittedPipeline,
  frame: Frame,
  y: Float64Array,
  task: Bundle['task'],
): Comparison {
  const a = champion.predict(frame);
  const b = challenger.predict(frame);
  const la = rowLosses(y, a);
  const lb = rowLosses(y, b);
  const mean = (v: Float64Array, rows: Int32Array): number => {
    let s = 0;
    for (const r of rows) s += v[r];
    return s / rows.length;
  };
  const all = Int32Array.from({ length: y.length }, (_, i) => i);
  const metric = defaultMetric(task);
  // In the model's own metric (AUC, log loss or RMSE), oriented so that a gain is positive.
  const sign = metric.higherIsBetter ? 1 : -1;
  const gain = pairedBootstrap(y.length, (rows) => sign * (scoreOn(metric, y, b, rows) - scoreOn(metric, y, a, rows)), {
    reps: 1000,
    seed: 1,
  });
  return {
    rows: y.length,
    championLoss: mean(la, all),
    challengerLoss: mean(lb, all),
    gain,
    metric: metric.name,
    champion: scoreOn(metric, y, a, all),
    challenger: scoreOn(metric, y, b, all),
  };
}

export type PromotePolicy = 'significant' | 'better' | 'always';

/** Whether the challenger replaces the champion, and why, in words. */
export function decide(c: Comparison, policy: PromotePolicy, alpha = 0.05): { promote: boolean; why: string } {
  const what = c.metric;
  const fmt = (v: number) => Number(v.toPrecision(4));
  const numbers = `${what} ${fmt(c.challenger)} against ${fmt(c.champion)} (gain ${fmt(c.gain.estimate)}, 95% interval ${fmt(c.gain.low)} to ${fmt(c.gain.high)}, p = ${fmt(c.gain.pValue)}); mean loss ${fmt(c.challengerLoss)} against ${fmt(c.championLoss)}`;
  if (policy === 'always') return { promote: true, why: `promoted (policy: always): ${numbers}` };
  const better = c.gain.estimate > 0;
  if (policy === 'better')
    return better
      ? { promote: true, why: `promoted: the challenger scores better: ${numbers}` }
      : { promote: false, why: `kept the champion: the challenger is no better: ${numbers}` };
  if (better && c.gain.pValue < alpha)
    return { promote: true, why: `promoted: the challenger is better beyond chance (p < ${alpha}): ${numbers}` };
  return {
    promote: false,
    why: better
      ? `kept the champion: the challenger's gain could be chance (p >= ${alpha}): ${numbers}`
      : `kept the champion: the challenger is worse: ${numbers}`,
  };
}
