import type { Column, Frame } from '../data/frame.js';
import { sortedPresent } from '../engine/sorted.js';

/**
 * Data drift: each scored batch against the training data, column by column and for the
 * predictions. The bundle keeps a compact reference (quantile bins and a sorted sample for
 * numbers, shares for categories); a batch is compared by the population stability index (PSI,
 * an effect size) and a test (Kolmogorov–Smirnov for numbers, chi-square for categories). A column
 * is flagged only when both say so: a large enough shift that is also unlikely by chance, so big
 * batches do not flag trifles and small ones do not flag noise.
 */

/** Bins at most; PSI's usual ten. */
const BINS = 10;
/** Sorted training values kept per numeric column for the KS test. */
const SAMPLE = 500;
/** Categorical columns with more categories than this are not watched. */
const MAX_CATEGORIES = 200;
/** Share given to an empty bin so a logarithm stays finite (a common PSI convention). */
const FLOOR = 1e-4;

export interface NumericReference {
  readonly name: string;
  readonly kind: 'numeric';
  /** Inner bin edges (value <= edge[b] falls in bin b); the last bin is above them all, then missing. */
  readonly edges: readonly number[];
  /** Shares per bin, then the missing share. */
  readonly shares: readonly number[];
  /** An evenly spaced sorted sample of the present training values. */
  readonly sample: readonly number[];
}

export interface CategoricalReference {
  readonly name: string;
  readonly kind: 'categorical';
  readonly categories: readonly string[];
  /** Shares per category, then "never seen in training" (0 in training), then missing. */
  readonly shares: readonly number[];
}

export type FeatureReference = NumericReference | CategoricalReference;

export interface DriftReference {
  readonly rows: number;
  readonly features: readonly FeatureReference[];
  /** The model's output on the training rows (positive-class probability, or the value). */
  readonly prediction: NumericReference;
}

export interface DriftThresholds {
  /** PSI from which a shift is worth a look (amber). Default 0.05. */
  readonly psiAmber: number;
  /**
   * PSI from which a column counts as drifted (red). Default 0.1, the usual "moderate change":
   * bank-full's balance doubled scores 0.14; random halves of the same rows score under 0.01.
   */
  readonly psiRed: number;
  /** The test must also reject "no change" at this level. Default 0.01. */
  readonly alpha: number;
}

export const DEFAULT_THRESHOLDS: DriftThresholds = { psiAmber: 0.05, psiRed: 0.1, alpha: 0.01 };

export interface FeatureDrift {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical' | 'prediction';
  readonly psi: number;
  readonly test: 'ks' | 'chi-square';
  /** KS D, or the chi-square statistic. */
  readonly statistic: number;
  readonly pValue: number;
  readonly light: 'green' | 'amber' | 'red';
  readonly drifted: boolean;
  /** What changed most, in words (a bin or category and its shares). */
  readonly detail: string;
}

export interface DriftResult {
  readonly rows: number;
  readonly referenceRows: number;
  readonly thresholds: DriftThresholds;
  readonly features: readonly FeatureDrift[];
  readonly prediction: FeatureDrift | null;
  readonly drifted: readonly string[];
}

export function numericReference(name: string, values: Float64Array): NumericReference {
  const sorted = sortedPresent(values);
  const n = values.length;
  // Quantile edges, ties merged: a column with few values gets fewer bins.
  const edges: number[] = [];
  for (let b = 1; b < BINS; b++) {
    if (!sorted.length) break;
    const e = sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / BINS))];
    if (!edges.length || e > edges[edges.length - 1]) edges.push(e);
  }
  if (edges.length && edges[edges.length - 1] >= sorted[sorted.length - 1]) edges.pop();
  const counts = numericCounts(values, edges);
  const sample: number[] = [];
  const m = Math.min(SAMPLE, sorted.length);
  for (let t = 0; t < m; t++) sample.push(sorted[Math.floor(((t + 0.5) * sorted.length) / m)]);
  return { name, kind: 'numeric', edges, shares: counts.map((c) => (n ? c / n : 0)), sample };
}

/** Counts per bin of `edges`, then missing. */
function numericCounts(values: Float64Array, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 2).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) {
      counts[edges.length + 1]++;
      continue;
    }
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v <= edges[mid]) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]++;
  }
  return counts;
}

function categoryTexts(c: Column): readonly (string | null)[] {
  if (c.kind === 'categorical') return Array.from(c.codes, (k) => (k < 0 ? null : c.categories[k]));
  if (c.kind === 'text') return c.values;
  return Array.from(c.values, (v) => (v === v ? String(v) : null));
}

export function categoricalReference(name: string, column: Column): CategoricalReference {
  const texts = categoryTexts(column);
  const counts = new Map<string, number>();
  let missing = 0;
  for (const t of texts) {
    if (t === null) missing++;
    else counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const categories = [...counts.keys()].sort();
  const n = texts.length;
  return {
    name,
    kind: 'categorical',
    categories,
    shares: [...categories.map((c) => (counts.get(c) as number) / n), 0, n ? missing / n : 0],
  };
}

/** Population stability index: sum of (batch - reference) x ln(batch / reference) over bins. */
export function psi(reference: readonly number[], batch: readonly number[]): number {
  let s = 0;
  for (let b = 0; b < reference.length; b++) {
    const r = Math.max(reference[b], FLOOR);
    const q = Math.max(batch[b], FLOOR);
    if (reference[b] === 0 && batch[b] === 0) continue;
    s += (q - r) * Math.log(q / r);
  }
  return s;
}

/** ln Γ(x) by the Lanczos approximation (g = 7, 9 terms), relative error below 1e-14. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Upper regularized incomplete gamma Q(a, x): a series below a + 1, a continued fraction above. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lead = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lead));
  }
  // Lentz's method for the continued fraction.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(lead) * h;
}

/** P(chi-square with `df` degrees of freedom > x). */
export function chiSquareSf(x: number, df: number): number {
  return df <= 0 ? 1 : gammaQ(df / 2, x / 2);
}

/** P(K > x) for the Kolmogorov distribution (the limit of sqrt(n) D). */
export function kolmogorovSf(x: number): number {
  if (x <= 0) return 1;
  if (x < 1.18) {
    // The theta-function form converges fast for small x.
    const y = Math.exp((-Math.PI * Math.PI) / (8 * x * x));
    let s = 0;
    for (let k = 1; k < 50; k += 2) s += Math.pow(y, k * k);
    return 1 - (Math.sqrt(2 * Math.PI) / x) * s;
  }
  let s = 0;
  for (let k = 1; k < 100; k++) s += (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * x * x);
  return Math.max(0, Math.min(1, 2 * s));
}

/** Two-sample KS statistic D of sorted samples, and its asymptotic p-value. */
export function ksTest(a: ArrayLike<number>, b: ArrayLike<number>): { d: number; pValue: number } {
  const n = a.length;
  const m = b.length;
  if (!n || !m) return { d: 0, pValue: 1 };
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i], b[j]);
    while (i < n && a[i] <= x) i++;
    while (j < m && b[j] <= x) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const en = Math.sqrt((n * m) / (n + m));
  // Stephens' small-sample correction of the asymptotic form.
  return { d, pValue: kolmogorovSf((en + 0.12 + 0.11 / en) * d) };
}

/** The bin whose share moved most from the reference. */
function largestChange(reference: readonly number[], batch: readonly number[]): number {
  let worst = 0;
  for (let b = 1; b < batch.length; b++)
    if (Math.abs(batch[b] - reference[b]) > Math.abs(batch[worst] - reference[worst])) worst = b;
  return worst;
}

function lightOf(psiValue: number, pValue: number, t: DriftThresholds): FeatureDrift['light'] {
  if (pValue >= t.alpha) return 'green';
  return psiValue >= t.psiRed ? 'red' : psiValue >= t.psiAmber ? 'amber' : 'green';
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

function numericDrift(ref: NumericReference, values: Float64Array, t: DriftThresholds): FeatureDrift {
  const n = values.length;
  const counts = numericCounts(values, ref.edges);
  const shares = counts.map((c) => (n ? c / n : 0));
  const p = psi(ref.shares, shares);
  const sample = sortedPresent(values);
  const ks = ksTest(ref.sample, sample);
  const worst = largestChange(ref.shares, shares);
  const where =
    worst === ref.edges.length + 1
      ? 'missing'
      : worst === 0
        ? `<= ${ref.edges[0] ?? '∞'}`
        : worst === ref.edges.length
          ? `> ${ref.edges[ref.edges.length - 1]}`
          : `${ref.edges[worst - 1]} to ${ref.edges[worst]}`;
  const light = lightOf(p, ks.pValue, t);
  return {
    name: ref.name,
    kind: 'numeric',
    psi: p,
    test: 'ks',
    statistic: ks.d,
    pValue: ks.pValue,
    light,
    drifted: light === 'red',
    detail: `${where}: ${pct(shares[worst])} of rows against ${pct(ref.shares[worst])} in training`,
  };
}

function categoricalDrift(
  ref: CategoricalReference,
  column: Column,
  t: DriftThresholds,
  refRows: number,
): FeatureDrift {
  const texts = categoryTexts(column);
  const n = texts.length;
  const index = new Map(ref.categories.map((c, j) => [c, j]));
  const k = ref.categories.length;
  const counts = new Array<number>(k + 2).fill(0);
  const unseen = new Map<string, number>();
  for (const s of texts) {
    if (s === null) counts[k + 1]++;
    else {
      const j = index.get(s);
      if (j === undefined) {
        counts[k]++;
        unseen.set(s, (unseen.get(s) ?? 0) + 1);
      } else counts[j]++;
    }
  }
  const shares = counts.map((c) => (n ? c / n : 0));
  const p = psi(ref.shares, shares);
  // Pearson's two-sample chi-square on the contingency table (training counts vs batch counts).
  const refCounts = ref.shares.map((s) => s * refRows);
  let stat = 0;
  let cells = 0;
  const total = refRows + n;
  for (let b = 0; b < counts.length; b++) {
    const col = refCounts[b] + counts[b];
    if (col === 0) continue;
    cells++;
    const e1 = (col * refRows) / total;
    const e2 = (col * n) / total;
    stat += (refCounts[b] - e1) ** 2 / e1 + (counts[b] - e2) ** 2 / e2;
  }
  const pValue = chiSquareSf(stat, cells - 1);
  const worst = largestChange(ref.shares, shares);
  const label =
    worst === k
      ? `never seen in training (${[...unseen.keys()]
          .slice(0, 3)
          .map((u) => `"${u}"`)
          .join(', ')})`
      : worst === k + 1
        ? 'missing'
        : `"${ref.categories[worst]}"`;
  const light = lightOf(p, pValue, t);
  return {
    name: ref.name,
    kind: 'categorical',
    psi: p,
    test: 'chi-square',
    statistic: stat,
    pValue,
    light,
    drifted: light === 'red',
    detail: `${label}: ${pct(shares[worst])} of rows against ${pct(ref.shares[worst])} in training`,
  };
}

/** The reference a bundle keeps: the model's input columns as trained, and its training predictions. */
export function driftReference(frame: Frame, columns: readonly string[], predictions: Float64Array): DriftReference {
  const features: FeatureReference[] = [];
  for (const name of columns) {
    const c = frame.get(name);
    if (c.kind === 'numeric' || c.kind === 'datetime') features.push(numericReference(name, c.values));
    // Free text and identifier-like categories have no distribution worth comparing (nor room in a bundle).
    else if (c.kind === 'categorical' && c.categories.length <= MAX_CATEGORIES)
      features.push(categoricalReference(name, c));
  }
  return { rows: frame.nRows, features, prediction: numericReference('prediction', predictions) };
}

/** A batch against the reference: every column the batch has, and the predictions. */
export function driftOf(
  reference: DriftReference,
  frame: Frame,
  predictions: Float64Array | null,
  thresholds: Partial<DriftThresholds> = {},
): DriftResult {
  const t = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const features: FeatureDrift[] = [];
  for (const ref of reference.features) {
    const c = frame.tryGet(ref.name);
    if (!c) continue;
    if (ref.kind === 'numeric') {
      if (c.kind === 'numeric' || c.kind === 'datetime') features.push(numericDrift(ref, c.values, t));
    } else features.push(categoricalDrift(ref, c, t, reference.rows));
  }
  const prediction = predictions
    ? { ...numericDrift(reference.prediction, predictions, t), name: 'prediction', kind: 'prediction' as const }
    : null;
  return {
    rows: frame.nRows,
    referenceRows: reference.rows,
    thresholds: t,
    features,
    prediction,
    drifted: features.filter((f) => f.drifted).map((f) => f.name),
  };
}

/** The one line `glassbox predict` prints: "drift: 2 of 16 features drifted: balance (PSI 0.84), job (PSI 0.31)". */
export function driftSummary(d: DriftResult): string {
  const named = d.features
    .filter((f) => f.drifted)
    .sort((a, b) => b.psi - a.psi)
    .map((f) => `${f.name} (PSI ${f.psi.toFixed(2)})`);
  const pred = d.prediction?.drifted ? `; predictions drifted (PSI ${d.prediction.psi.toFixed(2)})` : '';
  return `drift: ${named.length} of ${d.features.length} features drifted${named.length ? `: ${named.join(', ')}` : ''}${pred}`;
}

/** The one number per row drift watches in the predictions: P(positive), P(predicted class), or the value. */
export function predictionScalar(pred: {
  n: number;
  values?: Float64Array;
  proba?: Float64Array;
  classes: readonly string[];
}): Float64Array {
  if (pred.values) return pred.values;
  const k = pred.classes.length;
  const p = pred.proba as Float64Array;
  if (k === 2) return Float64Array.from({ length: pred.n }, (_, i) => p[2 * i + 1]);
  return Float64Array.from({ length: pred.n }, (_, i) => {
    let best = 0;
    for (let c = 0; c < k; c++) best = Math.max(best, p[i * k + c]);
    return best;
  });
}

/** Rows the reference's predictions use at most: an evenly spread sample of larger tables. */
const REFERENCE_ROWS = 20000;

/**
 * The drift reference of a trained pipeline: its input columns on every training row, and its
 * predictions on (up to 20,000 evenly spread) training rows.
 */
export function trainingReference(
  frame: Frame,
  columns: readonly string[],
  predict: (f: Frame) => { n: number; values?: Float64Array; proba?: Float64Array; classes: readonly string[] },
): DriftReference {
  const n = frame.nRows;
  const sample =
    n > REFERENCE_ROWS
      ? frame.take(Int32Array.from({ length: REFERENCE_ROWS }, (_, t) => Math.floor((t * n) / REFERENCE_ROWS)))
      : frame;
  return driftReference(frame, columns, predictionScalar(predict(sample)));
}
