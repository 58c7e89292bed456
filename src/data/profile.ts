import type { ColumnInference, InferredType } from './column-builder.js';
import { distinctCount, missingCount } from './column-stats.js';
import { firstOccurrences } from './duplicates.js';
import { GlassboxError } from './errors.js';
import { cellString, type Column, type Frame } from './frame.js';
import type { ReadFormat, ReadResult } from './read-csv.js';

export interface NumericSummary {
  readonly min: number;
  readonly q25: number;
  readonly median: number;
  readonly q75: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
  readonly zeros: number;
}

export interface CategoryCount {
  readonly value: string;
  readonly count: number;
  readonly share: number;
}

export interface ColumnProfile {
  readonly name: string;
  readonly type: InferredType;
  readonly confidence: number;
  readonly missing: number;
  readonly missingShare: number;
  readonly distinct: number;
  readonly dateFormat?: string;
  readonly numeric?: NumericSummary;
  /** First and last date, ISO 8601. */
  readonly range?: readonly [string, string];
  /** The most frequent values (up to 5) for categorical, boolean, ID-like and text columns. */
  readonly top?: readonly CategoryCount[];
  readonly notes: readonly string[];
}

export type WarningKind =
  | 'constant'
  | 'id-like'
  | 'high-missing'
  | 'high-cardinality'
  | 'sentinel'
  | 'leakage'
  | 'duplicates'
  | 'imbalance'
  | 'target-missing'
  | 'ambiguous-date'
  | 'mixed-type'
  | 'text';

export interface ProfileWarning {
  readonly kind: WarningKind;
  /** The columns concerned (none for whole-table warnings). */
  readonly columns: readonly string[];
  /** One sentence in plain language, with what to do about it. */
  readonly message: string;
}

export interface TargetProfile {
  readonly name: string;
  readonly task: 'binary' | 'multiclass' | 'regression';
  readonly missing: number;
  /** Classification: every class with its count and share, most frequent first. */
  readonly classes?: readonly CategoryCount[];
  /** Per-feature association with the target: AUC (classification) or binned R² (regression). */
  readonly association: readonly { column: string; score: number }[];
}

export interface Profile {
  readonly dataset: {
    readonly source?: string;
    readonly rows: number;
    readonly cols: number;
    readonly format: ReadFormat;
    /** Rows that repeat an earlier row in every column. */
    readonly duplicates: number;
  };
  readonly columns: readonly ColumnProfile[];
  readonly target?: TargetProfile;
  readonly warnings: readonly ProfileWarning[];
}

export interface ProfileOptions {
  target?: string;
  source?: string;
}

/** Thresholds of the plain-language warnings, in one place so the report can state them. */
export const PROFILE_THRESHOLDS = {
  highMissing: 0.3,
  highCardinality: 50,
  imbalance: 0.2,
  /** A single feature with this AUC is flagged as leakage. */
  leakAuc: 0.95,
  /** ...or with this AUC when it also stands this far above every other feature. */
  leakAucStandout: 0.78,
  leakAucMargin: 0.12,
  /** Regression: share of the target's variance explained by one feature's bins. */
  leakR2: 0.95,
  /** Regression: two features whose linear combination reproduces the target (e.g. a sum of parts). */
  leakPairR2: 0.999,
};

/** Describes every column and warns about what would hurt a model, in words a business reader follows. */
export function profile(read: ReadResult, options: ProfileOptions = {}): Profile {
  const frame = read.frame;
  const n = frame.nRows;
  const inferences = new Map(read.columns.map((c) => [c.name, c]));
  // Each numeric or date column sorted once: summaries, placeholder values and leakage bins read it.
  const sorted = new Map<string, Float64Array>();
  for (const c of frame.columns)
    if (c.kind === 'numeric' || c.kind === 'datetime') sorted.set(c.name, present(c.values));
  const columns = frame.columns.map((c) => profileColumn(c, inferences.get(c.name), n, sorted.get(c.name)));
  const byName = new Map(columns.map((c) => [c.name, c]));
  const warnings: ProfileWarning[] = [];

  for (const c of columns) columnWarnings(c, sorted.get(c.name), n, warnings);

  const duplicates = countDuplicateRows(frame);
  if (duplicates > 0) {
    warnings.push({
      kind: 'duplicates',
      columns: [],
      message: `${fmtInt(duplicates)} rows (${pct(duplicates / n)}) repeat an earlier row exactly; they are dropped before training so a row cannot be in both the training and the test data.`,
    });
  }

  let target: TargetProfile | undefined;
  if (options.target !== undefined) {
    const t = frame.get(options.target);
    const features = frame.columns.filter((c) => {
      const p = byName.get(c.name)!;
      return c.name !== t.name && p.type !== 'id' && p.type !== 'text' && p.distinct > 1;
    });
    target = profileTarget(t, features, sorted, warnings);
  }

  return {
    dataset: { source: options.source, rows: n, cols: frame.nCols, format: read.format, duplicates },
    columns,
    target,
    warnings,
  };
}

function profileColumn(
  c: Column,
  inf: ColumnInference | undefined,
  n: number,
  v: Float64Array | undefined,
): ColumnProfile {
  const missing = missingCount(c);
  const distinct = distinctCount(c);
  const type: InferredType =
    inf?.type ?? (c.kind === 'numeric' ? 'numeric' : c.kind === 'datetime' ? 'datetime' : c.kind);
  const base = {
    name: c.name,
    type,
    confidence: inf?.confidence ?? 1,
    missing,
    missingShare: n ? missing / n : 0,
    distinct,
    notes: inf?.notes ?? [],
  };
  if (c.kind === 'numeric' && v) {
    return {
      ...base,
      numeric: v.length ? summarize(v) : undefined,
      top: type === 'boolean' ? topValues(c, n) : undefined,
    };
  }
  if (c.kind === 'datetime' && v) {
    const range: [string, string] | undefined = v.length
      ? [new Date(v[0]).toISOString(), new Date(v[v.length - 1]).toISOString()]
      : undefined;
    return { ...base, dateFormat: inf?.dateFormat?.label, range };
  }
  return { ...base, top: topValues(c, n) };
}

/** Non-missing values, sorted ascending. */
function present(values: Float64Array): Float64Array {
  let k = 0;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) out[k++] = values[i];
  return out.subarray(0, k).sort();
}

/** Quantiles by linear interpolation between order statistics (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function summarize(sorted: Float64Array): NumericSummary {
  let mean = 0;
  let zeros = 0;
  for (let i = 0; i < sorted.length; i++) {
    // Welford-free two-pass mean keeps large offsets (epoch-like values) accurate.
    mean += sorted[i];
    if (sorted[i] === 0) zeros++;
  }
  mean /= sorted.length;
  let ss = 0;
  for (let i = 0; i < sorted.length; i++) ss += (sorted[i] - mean) ** 2;
  return {
    min: sorted[0],
    q25: quantile(sorted, 0.25),
    median: quantile(sorted, 0.5),
    q75: quantile(sorted, 0.75),
    max: sorted[sorted.length - 1],
    mean,
    std: sorted.length > 1 ? Math.sqrt(ss / (sorted.length - 1)) : 0,
    zeros,
  };
}

function valueCounts(c: Column): Map<string, number> {
  const counts = new Map<string, number>();
  if (c.kind === 'categorical') {
    const k = new Int32Array(c.categories.length);
    for (let i = 0; i < c.codes.length; i++) if (c.codes[i] >= 0) k[c.codes[i]]++;
    for (let j = 0; j < k.length; j++)
      if (k[j] > 0) counts.set(c.categories[j], (counts.get(c.categories[j]) ?? 0) + k[j]);
    return counts;
  }
  const n = c.values.length;
  for (let i = 0; i < n; i++) {
    const s = cellString(c, i);
    if (s !== '') counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return counts;
}

function topValues(c: Column, n: number, limit = 5): CategoryCount[] {
  return [...valueCounts(c)]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([value, count]) => ({ value, count, share: count / n }));
}

function columnWarnings(
  p: ColumnProfile,
  sortedValues: Float64Array | undefined,
  n: number,
  out: ProfileWarning[],
): void {
  const name = p.name;
  if (p.distinct <= 1) {
    out.push({
      kind: 'constant',
      columns: [name],
      message:
        p.distinct === 0
          ? `"${name}" is empty in every row; it carries no information and is dropped.`
          : `"${name}" has the same value in every row${p.missing ? ' that has one' : ''}; it carries no information and is dropped.`,
    });
    return;
  }
  if (p.type === 'id') {
    out.push({
      kind: 'id-like',
      columns: [name],
      message: `"${name}" looks like an identifier (${p.notes[p.notes.length - 1] ?? 'every value is different'}); it is kept for reference but not used to predict.`,
    });
  }
  if (p.missingShare >= PROFILE_THRESHOLDS.highMissing) {
    out.push({
      kind: 'high-missing',
      columns: [name],
      message: `"${name}" is missing in ${pct(p.missingShare)} of rows; models see "missing" as its own signal, but check why the values are absent.`,
    });
  }
  if (p.type === 'categorical' && p.distinct > PROFILE_THRESHOLDS.highCardinality) {
    out.push({
      kind: 'high-cardinality',
      columns: [name],
      message: `"${name}" has ${fmtInt(p.distinct)} different values; rare ones are grouped as "other" so a model does not learn single customers by heart.`,
    });
  }
  if (p.type === 'text') {
    out.push({
      kind: 'text',
      columns: [name],
      message: `"${name}" is free text (${fmtInt(p.distinct)} different values of several words); it is not used as a category.`,
    });
  }
  if (p.dateFormat && p.confidence < 1) {
    out.push({
      kind: 'ambiguous-date',
      columns: [name],
      message: `"${name}": no date in the file tells day-first from month-first, so it was read as ${p.dateFormat}; say so with --types if that is wrong.`,
    });
  }
  if (p.type === 'categorical' && p.confidence < 0.5 && p.notes.length) {
    out.push({ kind: 'mixed-type', columns: [name], message: `"${name}": ${p.notes[0]}.` });
  }
  if (sortedValues && p.numeric && p.type !== 'boolean' && p.type !== 'id') {
    const s = sentinel(sortedValues, n);
    if (s) {
      out.push({
        kind: 'sentinel',
        columns: [name],
        message: `"${name}" = ${fmtNum(s.value)} in ${fmtInt(s.count)} rows (${pct(s.count / n)}) looks like a placeholder ("not known", "not applicable" or a cap) rather than a measurement${s.why}; treat it as missing or as a separate flag.`,
      });
    }
  }
}

/**
 * A placeholder value at either end of a numeric column: -1 (or another negative) below otherwise
 * non-negative values, or a value far from the rest (999 above days 0–27, 0 below glucose 44–199).
 * "Far" is five times the median step between neighbouring distinct values, so a count's natural
 * 0 (Pregnancies 0, 1, 2 …) is not flagged.
 */
function sentinel(v: Float64Array, n: number): { value: number; count: number; why: string } | undefined {
  if (v.length < 20) return undefined;
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < v.length; i++) {
    if (i === 0 || v[i] !== v[i - 1]) {
      distinct.push(v[i]);
      counts.push(1);
    } else counts[counts.length - 1]++;
  }
  const d = distinct.length;
  if (d < 5) return undefined;
  const minCount = Math.max(3, 0.002 * n);
  const lo = distinct[0];
  if (lo < 0 && distinct[1] >= 0 && counts[0] >= minCount && Number.isInteger(lo)) {
    return { value: lo, count: counts[0], why: ', the only negative value in a column of non-negative numbers' };
  }
  const gaps = new Float64Array(d - 1);
  for (let k = 1; k < d; k++) gaps[k - 1] = distinct[k] - distinct[k - 1];
  // The middle steps only: the ends are where the suspect gaps are.
  const inner = gaps.slice(1, d - 2).sort();
  const typical = inner.length ? quantile(inner, 0.5) : 0;
  if (!(typical > 0)) return undefined;
  const roundish = (x: number) => x === 0 || /^-?(9+|10+|1)$/.test(String(Math.abs(x)));
  // A zero held by most rows is a natural "none" (capital-loss), not a placeholder.
  const zeroOk = lo !== 0 || counts[0] < 0.5 * v.length;
  if (
    counts[0] >= minCount &&
    zeroOk &&
    gaps[0] >= 5 * typical &&
    gaps[0] >= 0.01 * (distinct[d - 1] - distinct[1]) &&
    roundish(lo)
  )
    return { value: lo, count: counts[0], why: `, far below the next value ${fmtNum(distinct[1])}` };
  const hi = distinct[d - 1];
  if (
    counts[d - 1] >= minCount &&
    gaps[d - 2] >= 5 * typical &&
    gaps[d - 2] >= 0.5 * (distinct[d - 2] - distinct[0]) &&
    roundish(hi)
  )
    return { value: hi, count: counts[d - 1], why: `, far above the next value ${fmtNum(distinct[d - 2])}` };
  return undefined;
}

/** Rows equal in every column to an earlier row. */
export function countDuplicateRows(frame: Frame): number {
  return frame.nRows - firstOccurrences(frame).length;
}

// ---------------------------------------------------------------------------------------------
// Target: balance and leakage

const LEAK_BINS = 20;

function profileTarget(
  t: Column,
  features: readonly Column[],
  sorted: ReadonlyMap<string, Float64Array>,
  warnings: ProfileWarning[],
): TargetProfile {
  const n = t.kind === 'categorical' ? t.codes.length : t.values.length;
  const missing = missingCount(t);
  if (missing === n) {
    throw new GlassboxError(`target "${t.name}" is missing in every row`, { column: t.name });
  }
  if (missing > 0) {
    warnings.push({
      kind: 'target-missing',
      columns: [t.name],
      message: `The target "${t.name}" is missing in ${fmtInt(missing)} rows (${pct(missing / n)}); those rows cannot teach the model and are left out of training.`,
    });
  }
  const counts = [...valueCounts(t)].sort((a, b) => b[1] - a[1]);
  const task: TargetProfile['task'] =
    counts.length === 2 ? 'binary' : t.kind === 'numeric' ? 'regression' : 'multiclass';

  if (task === 'regression') {
    const y = (t as { values: Float64Array }).values;
    const association = features
      .map((f) => ({ column: f.name, score: round4(binnedR2(groupsOf(f, n, sorted.get(f.name)), y)) }))
      .sort((a, b) => b.score - a.score);
    regressionLeaks(t.name, y, features, association, warnings);
    return { name: t.name, task, missing, association };
  }

  const labelled = n - missing;
  const classes = counts.map(([value, count]) => ({ value, count, share: count / labelled }));
  const minority = classes[classes.length - 1];
  if (minority.share < PROFILE_THRESHOLDS.imbalance) {
    warnings.push({
      kind: 'imbalance',
      columns: [t.name],
      message: `Imbalanced target: only ${pct(minority.share)} of rows are "${minority.value}"; accuracy is misleading here, so Glassbox measures AUC and can weight the classes.`,
    });
  }
  const classIndex = new Map(classes.map((c, k) => [c.value, k]));
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = cellString(t, i);
    y[i] = s === '' ? -1 : classIndex.get(s)!;
  }
  const association = features
    .map((f) => ({ column: f.name, score: round4(groupAuc(groupsOf(f, n, sorted.get(f.name)), y, classes.length)) }))
    .sort((a, b) => b.score - a.score);
  const [best, second] = association;
  const th = PROFILE_THRESHOLDS;
  if (
    best &&
    (best.score >= th.leakAuc ||
      (best.score >= th.leakAucStandout && best.score - (second?.score ?? 0.5) >= th.leakAucMargin))
  ) {
    warnings.push({
      kind: 'leakage',
      columns: [best.column],
      message: `Suspected target leakage: "${best.column}" alone predicts ${t.name} with AUC ${best.score.toFixed(2)}${second ? ` (next best feature: "${second.column}", ${second.score.toFixed(2)})` : ''}. If it is only known after the outcome, as a call's duration is, leave it out with --drop ${best.column}.`,
    });
  }
  return { name: t.name, task, missing, classes, association };
}

/** A feature as group numbers: quantile bins for numbers and dates, categories (rare ones pooled), missing last. */
function groupsOf(c: Column, n: number, sorted: Float64Array | undefined): { g: Int32Array; count: number } {
  const g = new Int32Array(n);
  if (c.kind === 'categorical') {
    const freq = new Int32Array(c.categories.length);
    for (let i = 0; i < n; i++) if (c.codes[i] >= 0) freq[c.codes[i]]++;
    // Pooling rare categories keeps a many-valued column from scoring well by memorising small groups.
    const minSize = Math.max(10, Math.ceil(n / 1000));
    const map = new Int32Array(c.categories.length);
    let k = 1;
    for (let j = 0; j < freq.length; j++) map[j] = freq[j] >= minSize ? k++ : 0;
    for (let i = 0; i < n; i++) g[i] = c.codes[i] < 0 ? k : map[c.codes[i]];
    return { g, count: k + 1 };
  }
  if (c.kind === 'text' || !sorted) return { g, count: 1 };
  const edges: number[] = [];
  for (let b = 1; b < LEAK_BINS; b++) {
    const e = sorted[Math.floor((b * sorted.length) / LEAK_BINS)];
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  const v = c.values;
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (x !== x) {
      g[i] = edges.length + 1;
      continue;
    }
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < edges[mid]) hi = mid;
      else lo = mid + 1;
    }
    g[i] = lo;
  }
  return { g, count: edges.length + 2 };
}

/**
 * AUC of the best score a model could build from this feature's groups alone (each group's class
 * share), macro-averaged one-vs-rest for more than two classes. Ties within a group count half.
 */
export function groupAuc(groups: { g: Int32Array; count: number }, y: Int32Array, nClasses: number): number {
  const { g, count } = groups;
  const classesToScore = nClasses === 2 ? 1 : nClasses;
  let total = 0;
  for (let k = 0; k < classesToScore; k++) {
    const pos = new Float64Array(count);
    const neg = new Float64Array(count);
    for (let i = 0; i < g.length; i++) {
      if (y[i] < 0) continue;
      if (y[i] === k) pos[g[i]]++;
      else neg[g[i]]++;
    }
    const order = Array.from({ length: count }, (_, j) => j)
      .filter((j) => pos[j] + neg[j] > 0)
      .sort((a, b) => pos[a] / (pos[a] + neg[a]) - pos[b] / (pos[b] + neg[b]));
    let P = 0;
    let N = 0;
    for (const j of order) {
      P += pos[j];
      N += neg[j];
    }
    if (P === 0 || N === 0) {
      total += 0.5;
      continue;
    }
    // Walking groups from the lowest share up: each positive beats the negatives already passed.
    let negBelow = 0;
    let area = 0;
    for (let a = 0; a < order.length;) {
      let b = a;
      let p = 0;
      let q = 0;
      const r = pos[order[a]] / (pos[order[a]] + neg[order[a]]);
      while (b < order.length && pos[order[b]] / (pos[order[b]] + neg[order[b]]) === r) {
        p += pos[order[b]];
        q += neg[order[b]];
        b++;
      }
      area += p * (negBelow + q / 2);
      negBelow += q;
      a = b;
    }
    total += area / (P * N);
  }
  return total / classesToScore;
}

/** Share of the target's variance explained by the feature's group means (the correlation ratio η²). */
export function binnedR2(groups: { g: Int32Array; count: number }, y: Float64Array): number {
  const { g, count } = groups;
  const sum = new Float64Array(count);
  const cnt = new Float64Array(count);
  let mean = 0;
  let m = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== y[i]) continue;
    mean += y[i];
    m++;
  }
  if (m === 0) return 0;
  mean /= m;
  let sst = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== y[i]) continue;
    sum[g[i]] += y[i];
    cnt[g[i]]++;
    sst += (y[i] - mean) ** 2;
  }
  let ssb = 0;
  for (let j = 0; j < count; j++) if (cnt[j] > 0) ssb += cnt[j] * (sum[j] / cnt[j] - mean) ** 2;
  return sst > 0 ? ssb / sst : 0;
}

function regressionLeaks(
  target: string,
  y: Float64Array,
  features: readonly Column[],
  association: readonly { column: string; score: number }[],
  warnings: ProfileWarning[],
): void {
  const th = PROFILE_THRESHOLDS;
  const best = association[0];
  if (best && best.score >= th.leakR2) {
    warnings.push({
      kind: 'leakage',
      columns: [best.column],
      message: `Suspected target leakage: "${best.column}" alone explains ${pct(best.score)} of the variation in ${target}. If it is only known after the outcome, leave it out with --drop ${best.column}.`,
    });
    return;
  }
  // Parts that add up to the target (bike rentals: casual + registered = cnt) each look innocent alone.
  const numeric = association
    .map((a) => features.find((f) => f.name === a.column)!)
    .filter((f): f is Column & { values: Float64Array } => f.kind === 'numeric')
    .slice(0, 6);
  let found: { a: string; b: string; r2: number } | undefined;
  for (let i = 0; i < numeric.length && !found; i++) {
    for (let j = i + 1; j < numeric.length && !found; j++) {
      const r2 = olsR2(numeric[i].values, numeric[j].values, y);
      if (r2 >= th.leakPairR2) found = { a: numeric[i].name, b: numeric[j].name, r2 };
    }
  }
  if (found) {
    warnings.push({
      kind: 'leakage',
      columns: [found.a, found.b],
      message: `Suspected target leakage: "${found.a}" and "${found.b}" together reproduce ${target} exactly (R² ${found.r2.toFixed(4)}), as parts of a total do. Leave them out with --drop ${found.a},${found.b}.`,
    });
  }
}

/** R² of the least-squares fit y ≈ c + a·x1 + b·x2 over rows where all three are present. */
export function olsR2(x1: Float64Array, x2: Float64Array, y: Float64Array): number {
  let n = 0;
  let m1 = 0;
  let m2 = 0;
  let my = 0;
  for (let i = 0; i < y.length; i++) {
    if (x1[i] !== x1[i] || x2[i] !== x2[i] || y[i] !== y[i]) continue;
    n++;
    m1 += x1[i];
    m2 += x2[i];
    my += y[i];
  }
  if (n < 3) return 0;
  m1 /= n;
  m2 /= n;
  my /= n;
  let s11 = 0;
  let s22 = 0;
  let s12 = 0;
  let s1y = 0;
  let s2y = 0;
  let syy = 0;
  for (let i = 0; i < y.length; i++) {
    if (x1[i] !== x1[i] || x2[i] !== x2[i] || y[i] !== y[i]) continue;
    const a = x1[i] - m1;
    const b = x2[i] - m2;
    const c = y[i] - my;
    s11 += a * a;
    s22 += b * b;
    s12 += a * b;
    s1y += a * c;
    s2y += b * c;
    syy += c * c;
  }
  if (syy === 0) return 0;
  const det = s11 * s22 - s12 * s12;
  if (det <= 1e-12 * s11 * s22) {
    // Collinear features: the better single one.
    const r1 = s11 > 0 ? (s1y * s1y) / (s11 * syy) : 0;
    const r2 = s22 > 0 ? (s2y * s2y) / (s22 * syy) : 0;
    return Math.max(r1, r2);
  }
  const a = (s22 * s1y - s12 * s2y) / det;
  const b = (s11 * s2y - s12 * s1y) / det;
  return (a * s1y + b * s2y) / syy;
}

// ---------------------------------------------------------------------------------------------
// Plain-text rendering

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

export function pct(share: number): string {
  const p = share * 100;
  return `${p === 0 || p >= 10 || Number.isInteger(p) ? p.toFixed(p >= 99.95 || p === 0 ? 0 : 1) : p.toPrecision(2)} %`;
}

function fmtInt(x: number): string {
  return x.toLocaleString('en-US');
}

function fmtNum(x: number): string {
  if (Number.isInteger(x)) return fmtInt(x);
  const a = Math.abs(x);
  return a >= 1000
    ? fmtInt(Math.round(x))
    : a >= 1
      ? String(Number(x.toPrecision(4)))
      : String(Number(x.toPrecision(3)));
}

function describeFormat(f: ReadFormat): string {
  const parts: string[] = [f.kind.toUpperCase()];
  if (f.separator !== undefined) parts.push(`separator "${f.separator === '\t' ? 'TAB' : f.separator}"`);
  if (f.header === false) parts.push('no header');
  if (f.encoding) parts.push(f.encoding);
  if (f.lineEnding) parts.push(f.lineEnding);
  if (f.sheet) parts.push(`sheet "${f.sheet}"`);
  return parts.join(', ');
}

function summaryOf(c: ColumnProfile): string {
  if (c.numeric && c.type !== 'boolean') {
    const s = c.numeric;
    return `min ${fmtNum(s.min)}, median ${fmtNum(s.median)}, max ${fmtNum(s.max)}, mean ${fmtNum(s.mean)}`;
  }
  if (c.range)
    return `${c.range[0].slice(0, 10)} to ${c.range[1].slice(0, 10)}${c.dateFormat ? ` (${c.dateFormat})` : ''}`;
  if (c.top && c.type === 'id')
    return `e.g. ${c.top
      .slice(0, 3)
      .map((t) => clip(t.value, 24))
      .join(', ')}`;
  if (c.top) {
    const shown = c.top.slice(0, 3).map((t) => `${clip(t.value, 24)} ${pct(t.share)}`);
    return shown.join(', ') + (c.distinct > 3 ? ', ...' : '');
  }
  return '';
}

function clip(s: string, w: number): string {
  return s.length > w ? s.slice(0, w - 1) + '…' : s;
}

/** The profile as the text `glassbox profile` prints. */
export function renderProfile(p: Profile): string {
  const lines: string[] = [];
  const d = p.dataset;
  lines.push(
    `${d.source ? `${d.source}: ` : ''}${fmtInt(d.rows)} rows x ${fmtInt(d.cols)} columns (${describeFormat(d.format)})`,
  );
  if (p.target) {
    const t = p.target;
    if (t.classes) {
      const shown = t.classes.slice(0, 6).map((c) => `"${c.value}" ${pct(c.share)}`);
      lines.push(
        `Target "${t.name}": ${t.task}, ${t.classes.length} classes: ${shown.join(', ')}${t.classes.length > 6 ? ', ...' : ''}`,
      );
    } else {
      lines.push(`Target "${t.name}": regression (a number to predict)`);
    }
  }
  lines.push('');
  if (p.warnings.length) {
    lines.push(`Warnings (${p.warnings.length})`);
    for (const w of p.warnings) lines.push(`  ! ${w.message}`);
  } else lines.push('No warnings.');
  lines.push('');
  const header = ['column', 'type', 'missing', 'distinct', 'summary'];
  const rows = p.columns.map((c) => [
    clip(c.name, 28),
    c.type + (c.confidence < 1 && c.confidence > 0 ? ` (${Math.round(c.confidence * 100)}%)` : ''),
    c.missing ? pct(c.missingShare) : '-',
    fmtInt(c.distinct),
    summaryOf(c),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const fmtRow = (r: string[]) =>
    r
      .map((cell, j) => (j === 2 || j === 3 ? cell.padStart(widths[j]) : cell.padEnd(widths[j])))
      .join('  ')
      .trimEnd();
  lines.push(fmtRow(header));
  for (const r of rows) lines.push(fmtRow(r));
  if (p.target && p.target.association.length) {
    lines.push('');
    const metric = p.target.task === 'regression' ? 'binned R²' : 'AUC';
    const top = p.target.association.slice(0, 5).map((a) => `${a.column} ${a.score.toFixed(3)}`);
    lines.push(`Strongest single features (${metric} alone): ${top.join(', ')}`);
  }
  return lines.join('\n');
}
