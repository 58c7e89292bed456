/**
 * Metrics on typed arrays. Classification probabilities are n x k row-major; labels are class indices.
 */

/** Area under the ROC curve by the rank (Mann–Whitney) statistic, ties counted one half. */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>, positive = 1): number {
  const n = labels.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j < n && scores[order[j]] === scores[order[i]]) j++;
    const midRank = (i + 1 + j) / 2; // average of ranks i+1..j
    for (let t = i; t < j; t++) {
      if (labels[order[t]] === positive) {
        pos++;
        rankSum += midRank;
      }
    }
    i = j;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15] as scikit-learn does. */
export function logLoss(labels: ArrayLike<number>, proba: ArrayLike<number>, k: number): number {
  const n = labels.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(proba[i * k + labels[i]], 1e-15), 1 - 1e-15);
    s -= Math.log(p);
  }
  return s / n;
}

/** Share of rows whose most probable class is the label. */
export function accuracy(labels: ArrayLike<number>, proba: ArrayLike<number>, k: number): number {
  const n = labels.length;
  let hit = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (proba[i * k + j] > proba[i * k + best]) best = j;
    if (best === labels[i]) hit++;
  }
  return hit / n;
}

export function rmse(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - pred[i]) ** 2;
  return Math.sqrt(s / y.length);
}

export function mae(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i] - pred[i]);
  return s / y.length;
}

export function r2(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i] - pred[i]) ** 2;
    ssTot += (y[i] - mean) ** 2;
  }
  return ssTot === 0 ? NaN : 1 - ssRes / ssTot;
}

/** Mean one-vs-rest AUC over classes (macro), for multiclass. */
export function aucOvr(labels: ArrayLike<number>, proba: ArrayLike<number>, k: number): number {
  const n = labels.length;
  const scores = new Float64Array(n);
  let total = 0;
  let counted = 0;
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) scores[i] = proba[i * k + c];
    const a = auc(labels, scores, c);
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
