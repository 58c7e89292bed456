import { GlassboxError } from '../data/errors.js';
import { Rng } from '../engine/random.js';

/**
 * The charts and tables of a binary classifier's validation, from labels (1 = positive) and
 * scores (the positive class's probability), and a regression's error tables. Every function
 * groups tied scores: rows with equal scores are never split by a threshold, so the results
 * depend only on the scores, not on row order. Optional weights count a row that many times.
 */

/** Row indices by descending score; the tie groups are found by comparing neighbours. */
function byScoreDesc(scores: ArrayLike<number>): Int32Array {
  const n = scores.length;
  for (let i = 0; i < n; i++)
    if (Number.isNaN(scores[i])) throw new GlassboxError(`score ${i + 1} is not a number`, { code: 'bad-score' });
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => scores[b] - scores[a]);
}

/**
 * Cumulative weights of positives and negatives scoring at or above each distinct score, from
 * the highest: entry t is the threshold `thresholds[t]` ("predict positive when score >= it").
 */
export interface ThresholdSweep {
  readonly thresholds: Float64Array;
  readonly truePositives: Float64Array;
  readonly falsePositives: Float64Array;
  readonly positives: number;
  readonly negatives: number;
}

export function thresholdSweep(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): ThresholdSweep {
  const order = byScoreDesc(scores);
  const n = order.length;
  const thr: number[] = [];
  const tp: number[] = [];
  const fp: number[] = [];
  let p = 0;
  let q = 0;
  for (let i = 0; i < n;) {
    const s = scores[order[i]];
    while (i < n && scores[order[i]] === s) {
      const r = order[i++];
      const w = weights ? weights[r] : 1;
      if (labels[r] === 1) p += w;
      else q += w;
    }
    thr.push(s);
    tp.push(p);
    fp.push(q);
  }
  return {
    thresholds: Float64Array.from(thr),
    truePositives: Float64Array.from(tp),
    falsePositives: Float64Array.from(fp),
    positives: p,
    negatives: q,
  };
}

/** ROC curve from (0, 0) to (1, 1): one point per distinct score, and its area (trapezoids). */
export function rocCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): { fpr: number[]; tpr: number[]; thresholds: number[]; area: number } {
  const s = thresholdSweep(labels, scores, weights);
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let area = 0;
  for (let t = 0; t < s.thresholds.length; t++) {
    const x = s.negatives > 0 ? s.falsePositives[t] / s.negatives : NaN;
    const y = s.positives > 0 ? s.truePositives[t] / s.positives : NaN;
    area += ((x - fpr[fpr.length - 1]) * (y + tpr[tpr.length - 1])) / 2;
    fpr.push(x);
    tpr.push(y);
    thresholds.push(s.thresholds[t]);
  }
  return { fpr, tpr, thresholds, area };
}

/**
 * Precision-recall curve, one point per distinct score, and average precision: the sum over
 * thresholds of precision times the recall gained there (scikit-learn's average_precision_score).
 */
export function prCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): { precision: number[]; recall: number[]; thresholds: number[]; averagePrecision: number } {
  const s = thresholdSweep(labels, scores, weights);
  const precision: number[] = [];
  const recall: number[] = [];
  let ap = 0;
  let lastRecall = 0;
  for (let t = 0; t < s.thresholds.length; t++) {
    const tp = s.truePositives[t];
    const pr = tp / (tp + s.falsePositives[t]);
    const rc = s.positives > 0 ? tp / s.positives : NaN;
    ap += (rc - lastRecall) * pr;
    lastRecall = rc;
    precision.push(pr);
    recall.push(rc);
  }
  return { precision, recall, thresholds: Array.from(s.thresholds), averagePrecision: ap };
}

/** Counts at a threshold (positive when score >= threshold) and the rates read from them. */
export interface Confusion {
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly accuracy: number;
}

function confusionFrom(threshold: number, tp: number, fp: number, P: number, N: number): Confusion {
  const fn = P - tp;
  const tn = N - fp;
  const precision = tp + fp > 0 ? tp / (tp + fp) : NaN;
  const recall = P > 0 ? tp / P : NaN;
  return {
    threshold,
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    precision,
    recall,
    f1: tp > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0,
    accuracy: (tp + tn) / (P + N),
  };
}

export function confusionAt(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: number,
  weights?: ArrayLike<number>,
): Confusion {
  let tp = 0;
  let fp = 0;
  let P = 0;
  let N = 0;
  for (let i = 0; i < labels.length; i++) {
    const w = weights ? weights[i] : 1;
    const pos = labels[i] === 1;
    if (pos) P += w;
    else N += w;
    if (scores[i] >= threshold) {
      if (pos) tp += w;
      else fp += w;
    }
  }
  return confusionFrom(threshold, tp, fp, P, N);
}

/**
 * What a threshold is worth: maximise F1, or the expected profit of acting on the rows scored
 * positive, from what each outcome is worth (a cost is a negative value), e.g. a retention offer
 * that costs 10 and saves a customer worth 200: { truePositive: 190, falsePositive: -10 }.
 */
export type ThresholdObjective =
  | { readonly kind: 'f1' }
  | {
      readonly kind: 'profit';
      readonly truePositive: number;
      readonly falsePositive: number;
      readonly falseNegative?: number;
      readonly trueNegative?: number;
    };

/**
 * The threshold that maximises the objective among the data's distinct scores (and +Infinity,
 * acting on no row), with its confusion counts and value. Ties go to the higher threshold
 * (fewer rows acted on).
 */
export function pickThreshold(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  objective: ThresholdObjective,
  weights?: ArrayLike<number>,
): { threshold: number; value: number; confusion: Confusion } {
  const s = thresholdSweep(labels, scores, weights);
  const P = s.positives;
  const N = s.negatives;
  const value = (tp: number, fp: number): number => {
    if (objective.kind === 'f1') return tp > 0 ? (2 * tp) / (tp + P + fp) : 0;
    const fn = P - tp;
    const tn = N - fp;
    return (
      tp * objective.truePositive +
      fp * objective.falsePositive +
      fn * (objective.falseNegative ?? 0) +
      tn * (objective.trueNegative ?? 0)
    );
  };
  let best = { threshold: Infinity, tp: 0, fp: 0, v: value(0, 0) };
  for (let t = 0; t < s.thresholds.length; t++) {
    const v = value(s.truePositives[t], s.falsePositives[t]);
    if (v > best.v) best = { threshold: s.thresholds[t], tp: s.truePositives[t], fp: s.falsePositives[t], v };
  }
  return { threshold: best.threshold, value: best.v, confusion: confusionFrom(best.threshold, best.tp, best.fp, P, N) };
}

/** One row of a gains table: the rows ranked `from`..`to` (shares of all rows) by score. */
export interface GainsRow {
  readonly from: number;
  readonly to: number;
  /** Weight of the rows in the group, and of the positives among them. */
  readonly rows: number;
  readonly positives: number;
  /** Positive rate in the group over the overall rate. */
  readonly lift: number;
  /** Share of all positives in the top `to` of rows (cumulative gains, "capture"). */
  readonly capture: number;
  /** Positive rate in the top `to` of rows over the overall rate. */
  readonly cumulativeLift: number;
}

/**
 * Lift and cumulative gains by equal shares of rows (deciles by default), best scores first. A
 * group boundary that falls inside a run of tied scores takes that run's rows in proportion, each
 * tied row alike, so the table does not depend on the order of tied rows.
 */
export function gainsTable(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  groups = 10,
  weights?: ArrayLike<number>,
): GainsRow[] {
  if (!(Number.isInteger(groups) && groups >= 1)) throw new GlassboxError(`groups must be a positive integer`);
  const s = thresholdSweep(labels, scores, weights);
  const total = s.positives + s.negatives;
  const rate = s.positives / total;
  // Positives among the top `cut` weight of rows, tie runs taken in proportion.
  let t = 0;
  const positivesAt = (cut: number): number => {
    while (t < s.thresholds.length && s.truePositives[t] + s.falsePositives[t] < cut - 1e-9 * total) t++;
    if (t >= s.thresholds.length) return s.positives;
    const hiW = s.truePositives[t] + s.falsePositives[t];
    const loW = t > 0 ? s.truePositives[t - 1] + s.falsePositives[t - 1] : 0;
    const loP = t > 0 ? s.truePositives[t - 1] : 0;
    const f = hiW > loW ? (cut - loW) / (hiW - loW) : 1;
    return loP + Math.min(1, Math.max(0, f)) * (s.truePositives[t] - loP);
  };
  const out: GainsRow[] = [];
  let prevCut = 0;
  let prevPos = 0;
  for (let g = 1; g <= groups; g++) {
    const cut = (total * g) / groups;
    const pos = g === groups ? s.positives : positivesAt(cut);
    const rows = cut - prevCut;
    out.push({
      from: (g - 1) / groups,
      to: g / groups,
      rows,
      positives: pos - prevPos,
      lift: (pos - prevPos) / rows / rate,
      capture: s.positives > 0 ? pos / s.positives : NaN,
      cumulativeLift: pos / cut / rate,
    });
    prevCut = cut;
    prevPos = pos;
  }
  return out;
}

/** One bin of a reliability diagram. */
export interface CalibrationBin {
  readonly meanPredicted: number;
  readonly observedRate: number;
  readonly rows: number;
}

/**
 * Reliability diagram: rows binned by predicted probability (`uniform`: equal-width bins over
 * [0, 1]; `quantile`: equal numbers of rows, ties kept together), each bin's mean prediction
 * against its observed positive rate. Empty bins are left out.
 */
export function calibrationCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  bins = 10,
  strategy: 'uniform' | 'quantile' = 'uniform',
  weights?: ArrayLike<number>,
): CalibrationBin[] {
  const n = labels.length;
  const bin = new Int32Array(n);
  if (strategy === 'uniform') {
    for (let i = 0; i < n; i++) bin[i] = Math.min(bins - 1, Math.max(0, Math.floor(scores[i] * bins)));
  } else {
    const order = byScoreDesc(scores).reverse();
    let total = 0;
    for (let i = 0; i < n; i++) total += weights ? weights[i] : 1;
    let seen = 0;
    for (let i = 0; i < n;) {
      const b = Math.min(bins - 1, Math.floor((seen / total) * bins));
      const s = scores[order[i]];
      while (i < n && scores[order[i]] === s) {
        bin[order[i]] = b;
        seen += weights ? weights[order[i]] : 1;
        i++;
      }
    }
  }
  const w = new Float64Array(bins);
  const sp = new Float64Array(bins);
  const sy = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const wi = weights ? weights[i] : 1;
    w[bin[i]] += wi;
    sp[bin[i]] += wi * scores[i];
    if (labels[i] === 1) sy[bin[i]] += wi;
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++)
    if (w[b] > 0) out.push({ meanPredicted: sp[b] / w[b], observedRate: sy[b] / w[b], rows: w[b] });
  return out;
}

/** An estimate with its bootstrap percentile interval. */
export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly level: number;
}

export interface BootstrapOptions {
  /** Resamples (default 1000). */
  readonly reps?: number;
  /** Coverage of the interval (default 0.95). */
  readonly level?: number;
  readonly seed?: number;
}

/**
 * Percentile bootstrap: `statistic` of `n` rows resampled with replacement `reps` times; the
 * interval holds the middle `level` of the resampled values (NaN resamples, e.g. a resample with
 * one class for AUC, are left out). `statistic(rows)` gets the resampled row indices.
 */
export function bootstrapInterval(
  n: number,
  statistic: (rows: Int32Array) => number,
  options: BootstrapOptions = {},
): Interval {
  return percentileInterval(resample(n, statistic, options), options.level ?? 0.95);
}

function percentileInterval(r: { estimate: number; values: readonly number[] }, level: number): Interval {
  return {
    estimate: r.estimate,
    low: quantileSorted(r.values, (1 - level) / 2),
    high: quantileSorted(r.values, (1 + level) / 2),
    level,
  };
}

/** The statistic on every row, and on `reps` resamples with replacement (NaNs left out), sorted. */
function resample(
  n: number,
  statistic: (rows: Int32Array) => number,
  options: BootstrapOptions,
): { estimate: number; values: number[] } {
  const rng = new Rng(options.seed ?? 1);
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const estimate = statistic(all);
  const values: number[] = [];
  const rows = new Int32Array(n);
  for (let r = 0; r < (options.reps ?? 1000); r++) {
    for (let i = 0; i < n; i++) rows[i] = rng.int(n);
    const v = statistic(rows);
    if (!Number.isNaN(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  return { estimate, values };
}

/** Linear interpolation between order statistics (numpy's default "linear" method). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Paired bootstrap of a difference between two models scored on the same rows: each resample
 * scores both on the same rows. `difference(rows)` returns metric(A) - metric(B) on them. The
 * p-value is two-sided: twice the smaller share of resamples on either side of zero.
 */
export function pairedBootstrap(
  n: number,
  difference: (rows: Int32Array) => number,
  options: BootstrapOptions = {},
): Interval & { pValue: number } {
  const r = resample(n, difference, options);
  const { values } = r;
  let below = 0;
  let above = 0;
  for (const d of values) {
    if (d <= 0) below++;
    if (d >= 0) above++;
  }
  return {
    ...percentileInterval(r, options.level ?? 0.95),
    pValue: values.length > 0 ? Math.min(1, (2 * Math.min(below, above)) / values.length) : NaN,
  };
}

/** Regression errors by bins of the prediction (equal numbers of rows): where the model errs most. */
export interface ErrorBin {
  readonly from: number;
  readonly to: number;
  readonly rows: number;
  readonly meanPredicted: number;
  readonly meanActual: number;
  readonly meanAbsError: number;
  readonly rmse: number;
}

export function errorByQuantile(actual: ArrayLike<number>, predicted: ArrayLike<number>, bins = 10): ErrorBin[] {
  const order = byScoreDesc(predicted).reverse();
  const n = order.length;
  const out: ErrorBin[] = [];
  for (let b = 0; b < bins; b++) {
    const lo = Math.floor((n * b) / bins);
    const hi = Math.floor((n * (b + 1)) / bins);
    if (hi <= lo) continue;
    let sp = 0;
    let sa = 0;
    let ae = 0;
    let se = 0;
    for (let t = lo; t < hi; t++) {
      const i = order[t];
      const e = actual[i] - predicted[i];
      sp += predicted[i];
      sa += actual[i];
      ae += Math.abs(e);
      se += e * e;
    }
    const m = hi - lo;
    out.push({
      from: predicted[order[lo]],
      to: predicted[order[hi - 1]],
      rows: m,
      meanPredicted: sp / m,
      meanActual: sa / m,
      meanAbsError: ae / m,
      rmse: Math.sqrt(se / m),
    });
  }
  return out;
}
