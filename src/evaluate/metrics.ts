import { GlassboxError } from '../data/errors.js';
import type { Task } from '../techniques/contract.js';

/**
 * Metrics on typed arrays. Classification probabilities are n x k row-major; labels are class indices.
 * Optional `weights` are per-row sample weights, averaged the way scikit-learn's `sample_weight` is;
 * without them every row weighs 1 and the results are unchanged. A NaN prediction gives a NaN metric,
 * so a broken model shows up as a failed score instead of a plausible number.
 */

/**
 * Area under the ROC curve by the Mann–Whitney statistic, ties counted one half. Weighted, a
 * positive-negative pair counts with the product of the two weights.
 */
export function auc(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  positive = 1,
  weights?: ArrayLike<number>,
): number {
  const n = labels.length;
  // A NaN breaks the sort and the tie scan below (it never equals itself).
  for (let i = 0; i < n; i++) if (Number.isNaN(scores[i])) return NaN;
  return aucSorted(scoreOrder(scores), labels, scores, positive, weights);
}

/** Row indices by ascending score. */
export function scoreOrder(scores: ArrayLike<number>): Int32Array {
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[a] - scores[b]);
}

/**
 * `auc` over rows already sorted by score: one pass. A bootstrap sorts once and passes each
 * resample as weights (how many times each row was drawn), which is the resample's own AUC.
 */
export function aucSorted(
  order: Int32Array,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  positive = 1,
  weights?: ArrayLike<number>,
): number {
  const n = order.length;
  let pos = 0;
  let negBelow = 0;
  let pairs = 0;
  for (let i = 0; i < n;) {
    let j = i;
    let groupPos = 0;
    let groupNeg = 0;
    while (j < n && scores[order[j]] === scores[order[i]]) {
      const r = order[j++];
      const w = weights ? weights[r] : 1;
      if (labels[r] === positive) groupPos += w;
      else groupNeg += w;
    }
    pairs += groupPos * (negBelow + groupNeg / 2);
    negBelow += groupNeg;
    pos += groupPos;
    i = j;
  }
  if (pos === 0 || negBelow === 0) return NaN;
  return pairs / (pos * negBelow);
}

/** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15] as scikit-learn does. */
export function logLoss(
  labels: ArrayLike<number>,
  proba: ArrayLike<number>,
  k: number,
  weights?: ArrayLike<number>,
): number {
  const n = labels.length;
  let s = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    const p = Math.min(Math.max(proba[i * k + labels[i]], 1e-15), 1 - 1e-15);
    s -= w * Math.log(p);
    total += w;
  }
  return s / total;
}

/** Share of rows whose most probable class is the label. */
export function accuracy(
  labels: ArrayLike<number>,
  proba: ArrayLike<number>,
  k: number,
  weights?: ArrayLike<number>,
): number {
  const n = labels.length;
  let hit = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    const predicted = argmax(proba, i, k);
    if (predicted < 0) return NaN;
    if (predicted === labels[i]) hit += w;
    total += w;
  }
  return hit / total;
}

/**
 * F1 score. With k = 2 it is the binary F1 of class 1, a row predicted positive when its class-1
 * probability is above 0.5 (exactly 0.5 is negative, agreeing with `accuracy`'s argmax, which breaks
 * ties toward the lower class). With k > 2 it is the macro F1 of the argmax predictions, averaged
 * over the classes that occur among the labels or the predictions, as scikit-learn's
 * `f1_score(average='macro')` does. With no true and no predicted positives, binary F1 is 0, as
 * scikit-learn sets it.
 */
export function f1(
  labels: ArrayLike<number>,
  proba: ArrayLike<number>,
  k: number,
  weights?: ArrayLike<number>,
): number {
  const n = labels.length;
  if (k === 2) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i] : 1;
      const p = proba[i * 2 + 1];
      if (Number.isNaN(p)) return NaN;
      const predicted = p > 0.5;
      const actual = labels[i] === 1;
      if (predicted && actual) tp += w;
      else if (predicted) fp += w;
      else if (actual) fn += w;
    }
    return fScore(tp, fp, fn);
  }
  const tp = new Float64Array(k);
  const fp = new Float64Array(k);
  const fn = new Float64Array(k);
  const seen = new Uint8Array(k);
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    const predicted = argmax(proba, i, k);
    if (predicted < 0) return NaN;
    const actual = labels[i];
    seen[predicted] = 1;
    seen[actual] = 1;
    if (predicted === actual) tp[actual] += w;
    else {
      fp[predicted] += w;
      fn[actual] += w;
    }
  }
  let total = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    if (!seen[c]) continue;
    total += fScore(tp[c], fp[c], fn[c]);
    classes++;
  }
  return classes ? total / classes : NaN;
}

/**
 * Mean recall over the classes present among the labels, predictions by argmax (ties toward the
 * lower class), as scikit-learn's `balanced_accuracy_score`: a predicted class no row has does not
 * count, and a rare class weighs as much as a common one.
 */
export function balancedAccuracy(
  labels: ArrayLike<number>,
  proba: ArrayLike<number>,
  k: number,
  weights?: ArrayLike<number>,
): number {
  const n = labels.length;
  const hit = new Float64Array(k);
  const count = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    const predicted = argmax(proba, i, k);
    if (predicted < 0) return NaN;
    count[labels[i]] += w;
    if (predicted === labels[i]) hit[labels[i]] += w;
  }
  let total = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    if (count[c] <= 0) continue;
    total += hit[c] / count[c];
    classes++;
  }
  return classes ? total / classes : NaN;
}

/**
 * Share of positives (label 1) among the `share` of rows with the highest scores. The top is
 * exactly `share` x n rows (x the total weight, weighted), which is rarely a whole number of rows
 * and may cut through rows with equal scores. Rows are not ordered within a score, so the cut never
 * picks among tied rows: the tie group it crosses counts with the fraction of it that fits, every
 * tied row alike (a straddled single row counts in part). The result depends only on the scores,
 * not on row order, and moves smoothly with `share`.
 */
export function precisionAtTop(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  share = 0.1,
  weights?: ArrayLike<number>,
): number {
  const top = topPositives(labels, scores, share, weights);
  return top.positives / top.cut;
}

/**
 * How many times more positives the top `share` of scores holds than the data overall:
 * `precisionAtTop` over the positive rate (NaN without positives). Ties at the cut count as there.
 */
export function liftAtTop(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  share = 0.1,
  weights?: ArrayLike<number>,
): number {
  const top = topPositives(labels, scores, share, weights);
  if (top.allPositives === 0) return NaN;
  return top.positives / top.cut / (top.allPositives / top.total);
}

export function rmse(y: ArrayLike<number>, pred: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let s = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights ? weights[i] : 1;
    s += w * (y[i] - pred[i]) ** 2;
    total += w;
  }
  return Math.sqrt(s / total);
}

export function mae(y: ArrayLike<number>, pred: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let s = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights ? weights[i] : 1;
    s += w * Math.abs(y[i] - pred[i]);
    total += w;
  }
  return s / total;
}

/**
 * Mean absolute percentage error as a fraction (0.1 = 10 %), like scikit-learn's
 * `mean_absolute_percentage_error`. Rows with y = 0 are skipped: their percentage error is
 * infinite, and scikit-learn's tiny-epsilon denominator would let one such row swamp the rest.
 * NaN when every y is 0.
 */
export function mape(y: ArrayLike<number>, pred: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let s = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 0) continue;
    const w = weights ? weights[i] : 1;
    s += (w * Math.abs(y[i] - pred[i])) / Math.abs(y[i]);
    total += w;
  }
  return total > 0 ? s / total : NaN;
}

export function r2(y: ArrayLike<number>, pred: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let mean = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights ? weights[i] : 1;
    mean += w * y[i];
    total += w;
  }
  mean /= total;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights ? weights[i] : 1;
    ssRes += w * (y[i] - pred[i]) ** 2;
    ssTot += w * (y[i] - mean) ** 2;
  }
  return ssTot === 0 ? NaN : 1 - ssRes / ssTot;
}

/**
 * Mean Poisson deviance, scikit-learn's `mean_poisson_deviance`: the mean of
 * 2 (y log(y / p) - y + p), with y log(y / p) = 0 at y = 0. Counts need y >= 0 and p > 0; anything
 * else throws, naming the row, because the deviance is undefined there.
 */
export function poissonDeviance(y: ArrayLike<number>, pred: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let s = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const yi = y[i];
    const p = pred[i];
    if (Number.isNaN(p)) return NaN;
    if (!(yi >= 0)) throw new GlassboxError(`row ${i + 1}: Poisson deviance needs targets >= 0, got ${yi}`);
    if (!(p > 0)) throw new GlassboxError(`row ${i + 1}: Poisson deviance needs predictions > 0, got ${p}`);
    const w = weights ? weights[i] : 1;
    s += w * 2 * ((yi > 0 ? yi * Math.log(yi / p) : 0) - yi + p);
    total += w;
  }
  return s / total;
}

/** Mean one-vs-rest AUC over classes (macro), for multiclass. */
export function aucOvr(
  labels: ArrayLike<number>,
  proba: ArrayLike<number>,
  k: number,
  weights?: ArrayLike<number>,
): number {
  const n = labels.length;
  const scores = new Float64Array(n);
  let total = 0;
  let counted = 0;
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) scores[i] = proba[i * k + c];
    const a = auc(labels, scores, c, weights);
    if (!Number.isNaN(a)) {
      total += a;
      counted++;
    }
  }
  return counted ? total / counted : NaN;
}

export type MetricSet = Record<string, number>;

/** The standard metrics for a task: auc/logloss/accuracy for classification, rmse/mae/r2 for regression. */
export function taskMetrics(
  task: 'binary' | 'multiclass' | 'regression',
  y: ArrayLike<number>,
  pred: { proba?: ArrayLike<number>; values?: ArrayLike<number>; k: number },
): MetricSet {
  if (task === 'regression') {
    const v = pred.values ?? [];
    return { rmse: rmse(y, v), mae: mae(y, v), r2: r2(y, v) };
  }
  const proba = pred.proba ?? [];
  const out: MetricSet = { logloss: logLoss(y, proba, pred.k), accuracy: accuracy(y, proba, pred.k) };
  if (task === 'binary') {
    const s = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) s[i] = proba[i * 2 + 1];
    out.auc = auc(y, s);
  } else out.auc_ovr = aucOvr(y, proba, pred.k);
  return out;
}

/** What a model predicted: class probabilities (n x k row-major) or regression values, and k. */
export interface Predictions {
  readonly proba?: ArrayLike<number>;
  readonly values?: ArrayLike<number>;
  readonly k: number;
}

/** A metric as data, so the search, the leaderboard and the report read one description. */
export interface MetricSpec {
  readonly name: string;
  /** Plain-language name for the report. */
  readonly title: string;
  readonly tasks: readonly Task[];
  readonly higherIsBetter: boolean;
  /** Every registered metric honours `weights`. */
  compute(y: ArrayLike<number>, pred: Predictions, weights?: ArrayLike<number>): number;
}

const CLASSIFICATION: readonly Task[] = ['binary', 'multiclass'];

const METRICS: readonly MetricSpec[] = [
  {
    name: 'auc',
    title: 'Area under the ROC curve',
    tasks: ['binary'],
    higherIsBetter: true,
    compute: (y, pred, w) => auc(y, positiveScores(y, pred), 1, w),
  },
  {
    name: 'logloss',
    title: 'Log loss (how far the predicted probabilities are from what happened)',
    tasks: CLASSIFICATION,
    higherIsBetter: false,
    compute: (y, pred, w) => logLoss(y, probaOf(pred), pred.k, w),
  },
  {
    name: 'accuracy',
    title: 'Accuracy (share of rows predicted right)',
    tasks: CLASSIFICATION,
    higherIsBetter: true,
    compute: (y, pred, w) => accuracy(y, probaOf(pred), pred.k, w),
  },
  {
    name: 'f1',
    title: 'F1 score (balance of precision and recall; averaged over classes for multiclass)',
    tasks: CLASSIFICATION,
    higherIsBetter: true,
    compute: (y, pred, w) => f1(y, probaOf(pred), pred.k, w),
  },
  {
    name: 'balanced_accuracy',
    title: 'Balanced accuracy (share of each class predicted right, averaged over classes)',
    tasks: CLASSIFICATION,
    higherIsBetter: true,
    compute: (y, pred, w) => balancedAccuracy(y, probaOf(pred), pred.k, w),
  },
  {
    name: 'precision_at_10',
    title: 'Precision in the top 10 % (share of positives among the highest-scored tenth)',
    tasks: ['binary'],
    higherIsBetter: true,
    compute: (y, pred, w) => precisionAtTop(y, positiveScores(y, pred), 0.1, w),
  },
  {
    name: 'lift_at_10',
    title: 'Lift in the top 10 % (how many times the overall positive rate the highest-scored tenth holds)',
    tasks: ['binary'],
    higherIsBetter: true,
    compute: (y, pred, w) => liftAtTop(y, positiveScores(y, pred), 0.1, w),
  },
  {
    name: 'auc_ovr',
    title: 'Area under the ROC curve, each class against the rest, averaged',
    tasks: ['multiclass'],
    higherIsBetter: true,
    compute: (y, pred, w) => aucOvr(y, probaOf(pred), pred.k, w),
  },
  {
    name: 'rmse',
    title: 'Root mean squared error (typical error, large misses weigh more)',
    tasks: ['regression'],
    higherIsBetter: false,
    compute: (y, pred, w) => rmse(y, valuesOf(pred), w),
  },
  {
    name: 'mae',
    title: 'Mean absolute error (average size of a miss)',
    tasks: ['regression'],
    higherIsBetter: false,
    compute: (y, pred, w) => mae(y, valuesOf(pred), w),
  },
  {
    name: 'mape',
    title: 'Mean absolute percentage error (average miss relative to the true value; zero targets skipped)',
    tasks: ['regression'],
    higherIsBetter: false,
    compute: (y, pred, w) => mape(y, valuesOf(pred), w),
  },
  {
    name: 'r2',
    title: 'R² (share of the variation in the target the model explains)',
    tasks: ['regression'],
    higherIsBetter: true,
    compute: (y, pred, w) => r2(y, valuesOf(pred), w),
  },
  {
    name: 'poisson_deviance',
    title: 'Mean Poisson deviance (error measure for counts)',
    tasks: ['regression'],
    higherIsBetter: false,
    compute: (y, pred, w) => poissonDeviance(y, valuesOf(pred), w),
  },
];

/** The metrics that apply to a task, in registry order. */
export function listMetrics(task: Task): MetricSpec[] {
  return METRICS.filter((m) => m.tasks.includes(task));
}

/**
 * The metric called `name`; with a task, it must also apply to that task. The error lists the
 * valid names, so a typo on the command line is fixed from the message alone.
 */
export function metricSpec(name: string, task?: Task): MetricSpec {
  const spec = METRICS.find((m) => m.name === name);
  if (spec && (!task || spec.tasks.includes(task))) return spec;
  const names = (task ? listMetrics(task) : METRICS).map((m) => m.name).join(', ');
  const valid = task ? `valid metrics for ${task} tasks: ${names}` : `valid metrics: ${names}`;
  const problem = spec ? `metric "${name}" does not apply to ${task} tasks` : `unknown metric "${name}"`;
  throw new GlassboxError(`${problem}; ${valid}`, { code: 'bad-parameter' });
}

/** What AutoML optimizes when the user names no metric. */
export function defaultMetric(task: Task): MetricSpec {
  return metricSpec(task === 'binary' ? 'auc' : task === 'multiclass' ? 'logloss' : 'rmse', task);
}

/** Index of the largest of row i's k probabilities, ties to the lower class; -1 on NaN. */
function argmax(proba: ArrayLike<number>, i: number, k: number): number {
  let best = 0;
  for (let j = 0; j < k; j++) {
    const p = proba[i * k + j];
    if (Number.isNaN(p)) return -1;
    if (p > proba[i * k + best]) best = j;
  }
  return best;
}

function fScore(tp: number, fp: number, fn: number): number {
  const denominator = 2 * tp + fp + fn;
  return denominator > 0 ? (2 * tp) / denominator : 0;
}

/** Weighted positives in the top `share` of scores, tie groups at the cut counted fractionally. */
function topPositives(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  share: number,
  weights?: ArrayLike<number>,
): { positives: number; cut: number; allPositives: number; total: number } {
  if (!(share > 0 && share <= 1)) throw new GlassboxError(`the top share must be in (0, 1], got ${share}`);
  const n = labels.length;
  let total = 0;
  let allPositives = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) return { positives: NaN, cut: NaN, allPositives: NaN, total: NaN };
    const w = weights ? weights[i] : 1;
    total += w;
    if (labels[i] === 1) allPositives += w;
  }
  let cut = share * total;
  // 0.1 x 30 is 3.0000000000000004 in binary; without the snap a sliver of the 4th row would count.
  const whole = Math.round(cut);
  if (Math.abs(cut - whole) <= 1e-12 * total) cut = whole;
  if (!(cut > 0)) return { positives: NaN, cut: NaN, allPositives, total };
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b] - scores[a]);
  let taken = 0;
  let positives = 0;
  for (let i = 0; i < n && taken < cut;) {
    let j = i;
    let groupWeight = 0;
    let groupPositives = 0;
    while (j < n && scores[order[j]] === scores[order[i]]) {
      const r = order[j++];
      const w = weights ? weights[r] : 1;
      groupWeight += w;
      if (labels[r] === 1) groupPositives += w;
    }
    const fraction = taken + groupWeight <= cut ? 1 : (cut - taken) / groupWeight;
    positives += fraction * groupPositives;
    if (fraction < 1) break;
    taken += groupWeight;
    i = j;
  }
  return { positives, cut, allPositives, total };
}

function probaOf(pred: Predictions): ArrayLike<number> {
  if (!pred.proba) throw new GlassboxError('this metric needs class probabilities, but the model gave none');
  return pred.proba;
}

function valuesOf(pred: Predictions): ArrayLike<number> {
  if (!pred.values) throw new GlassboxError('this metric needs predicted values, but the model gave none');
  return pred.values;
}

/** Class-1 probabilities of a binary prediction (n x 2). */
function positiveScores(y: ArrayLike<number>, pred: Predictions): Float64Array {
  const proba = probaOf(pred);
  const s = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) s[i] = proba[i * pred.k + 1];
  return s;
}
