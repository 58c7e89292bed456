import { GlassboxError } from '../data/errors.js';
import type { Column, Frame } from '../data/frame.js';

/** One test on a raw input column, as the report prints it. */
export type Condition =
  | { readonly column: string; readonly op: '<=' | '>'; readonly value: number; readonly orMissing?: boolean }
  | { readonly column: string; readonly op: 'in'; readonly values: readonly string[] }
  | { readonly column: string; readonly op: 'missing' | 'present' };

/** A segment of rows described by conditions on the input columns, and how badly the model does there. */
export interface Slice {
  readonly conditions: readonly Condition[];
  readonly text: string;
  readonly rows: number;
  readonly share: number;
  readonly meanLoss: number;
  /** meanLoss over the mean loss of all rows. */
  readonly ratio: number;
}

export interface SliceOptions {
  /** Conditions per slice at most (default 2). */
  readonly depth?: number;
  /** Smallest slice, as a share of the rows (default 0.05). */
  readonly minShare?: number;
  /** Thresholds tried per numeric column (default 32, at evenly spaced ranks). */
  readonly thresholds?: number;
}

/** A split of a node's rows: which rows go left, and its decrease of the squared error of the loss. */
interface Split {
  readonly gain: number;
  readonly left: Condition;
  readonly right: Condition;
  readonly goesLeft: (row: number) => boolean;
}

function describe(c: Condition): string {
  switch (c.op) {
    case 'in':
      return `${c.column} in {${c.values.join(', ')}}`;
    case 'missing':
      return `${c.column} is missing`;
    case 'present':
      return `${c.column} is present`;
    default:
      return `${c.column} ${c.op} ${Number(c.value.toPrecision(6))}${c.orMissing ? ' or missing' : ''}`;
  }
}

/**
 * A path's conditions with repeated tests on one column merged ("a > 1 and a > 3" is "a > 3"),
 * so the text says what the segment is and nothing twice.
 */
function simplify(conditions: readonly Condition[]): Condition[] {
  const out: Condition[] = [];
  for (const c of conditions) {
    const i = out.findIndex(
      (o) => o.column === c.column && o.op === c.op && (c.op === '<=' || c.op === '>' || c.op === 'in'),
    );
    if (i < 0) {
      out.push(c);
      continue;
    }
    const o = out[i];
    if (c.op === 'in' && o.op === 'in') out[i] = { ...c, values: o.values.filter((v) => c.values.includes(v)) };
    else if (c.op === '>' && o.op === '>')
      out[i] = { ...c, value: Math.max(o.value, c.value), orMissing: o.orMissing && c.orMissing };
    else if (c.op === '<=' && o.op === '<=')
      out[i] = { ...c, value: Math.min(o.value, c.value), orMissing: o.orMissing && c.orMissing };
  }
  return out;
}

/** Squared-error decrease of splitting sums (sL, nL) | (s - sL, n - nL): the regression tree's criterion. */
function gainOf(sL: number, nL: number, s: number, n: number): number {
  const sR = s - sL;
  const nR = n - nL;
  return (sL * sL) / nL + (sR * sR) / nR - (s * s) / n;
}

/**
 * The best split of `rows` on one column whose sides both hold at least `minRows` rows. Numbers:
 * a threshold at one of `thresholds` evenly spaced ranks, or missing against present. Categories
 * (missing as its own): sorted by mean loss, the best prefix, which is the best of all subsets
 * for squared error (Fisher 1958; Breiman et al. 1984).
 */
export function bestColumnSplit(
  column: Column,
  rows: Int32Array,
  loss: Float64Array,
  minRows: number,
  thresholds = 32,
): Split | undefined {
  const n = rows.length;
  let s = 0;
  for (const r of rows) s += loss[r];
  let best: Split | undefined;
  const consider = (gain: number, make: () => Omit<Split, 'gain'>): void => {
    if (gain > (best?.gain ?? 1e-12 * Math.abs(s))) best = { gain, ...make() };
  };
  if (column.kind === 'numeric' || column.kind === 'datetime') {
    const v = column.values;
    const present = Array.from(rows).filter((r) => v[r] === v[r]);
    const nMissing = n - present.length;
    let sm = 0;
    for (const r of rows) if (v[r] !== v[r]) sm += loss[r];
    if (nMissing >= minRows && present.length >= minRows) {
      consider(gainOf(sm, nMissing, s, n), () => ({
        left: { column: column.name, op: 'missing' },
        right: { column: column.name, op: 'present' },
        goesLeft: (r) => v[r] !== v[r],
      }));
    }
    // Thresholds among present values; the missing rows join the side where they fit better, and
    // that side's condition reads "or missing".
    present.sort((a, b) => v[a] - v[b]);
    const prefix = new Float64Array(present.length + 1);
    present.forEach((r, t) => (prefix[t + 1] = prefix[t] + loss[r]));
    let last = NaN;
    for (let q = 1; q < thresholds; q++) {
      let cut = Math.floor((present.length * q) / thresholds);
      // The cut goes after the last row equal to the value there, so equal values stay together.
      while (cut < present.length && cut > 0 && v[present[cut]] === v[present[cut - 1]]) cut++;
      if (cut >= present.length || cut === 0) continue;
      const value = v[present[cut - 1]];
      if (value === last) continue;
      last = value;
      if (cut >= minRows && n - cut >= minRows)
        consider(gainOf(prefix[cut], cut, s, n), () => ({
          left: { column: column.name, op: '<=', value },
          right: { column: column.name, op: '>', value, orMissing: nMissing > 0 },
          goesLeft: (r) => v[r] <= value,
        }));
      if (nMissing > 0 && cut + nMissing >= minRows && n - cut - nMissing >= minRows)
        consider(gainOf(prefix[cut] + sm, cut + nMissing, s, n), () => ({
          left: { column: column.name, op: '<=', value, orMissing: true },
          right: { column: column.name, op: '>', value },
          goesLeft: (r) => !(v[r] > value),
        }));
    }
    return best;
  }
  if (column.kind !== 'categorical') return undefined;
  // Per category (index k + 1; 0 = missing): rows and loss sum.
  const k = column.categories.length;
  const cnt = new Float64Array(k + 1);
  const sum = new Float64Array(k + 1);
  for (const r of rows) {
    const c = column.codes[r] + 1;
    cnt[c]++;
    sum[c] += loss[r];
  }
  const seen = Array.from({ length: k + 1 }, (_, c) => c).filter((c) => cnt[c] > 0);
  seen.sort((a, b) => sum[a] / cnt[a] - sum[b] / cnt[b] || a - b);
  const name = (c: number): string => (c === 0 ? '(missing)' : column.categories[c - 1]);
  let sL = 0;
  let nL = 0;
  for (let t = 0; t + 1 < seen.length; t++) {
    sL += sum[seen[t]];
    nL += cnt[seen[t]];
    if (nL < minRows || n - nL < minRows) continue;
    const left = new Set(seen.slice(0, t + 1));
    consider(gainOf(sL, nL, s, n), () => ({
      left: { column: column.name, op: 'in', values: seen.slice(0, t + 1).map(name) },
      right: { column: column.name, op: 'in', values: seen.slice(t + 1).map(name) },
      goesLeft: (r) => left.has(column.codes[r] + 1),
    }));
  }
  return best;
}

/**
 * Where the model is worst: a shallow regression tree fitted on each row's loss over the raw input
 * columns (the classic error-analysis tree), its leaves reported as slices from the worst mean
 * loss down. `loss` is per row of `frame` (e.g. log loss, absolute error); `columns` are the
 * columns the slices may use.
 */
export function worstSlices(
  frame: Frame,
  loss: Float64Array,
  columns: readonly string[],
  options: SliceOptions = {},
): { overall: number; slices: Slice[] } {
  const n = frame.nRows;
  if (loss.length !== n) throw new GlassboxError('worstSlices: one loss per row is needed');
  const depth = options.depth ?? 2;
  const minRows = Math.max(1, Math.ceil((options.minShare ?? 0.05) * n));
  let total = 0;
  for (const v of loss) total += v;
  const overall = total / Math.max(1, n);
  const slices: Slice[] = [];
  const grow = (rows: Int32Array, conditions: Condition[]): void => {
    let best: Split | undefined;
    if (conditions.length < depth && rows.length >= 2 * minRows)
      for (const name of columns) {
        const split = bestColumnSplit(frame.get(name), rows, loss, minRows, options.thresholds);
        if (split && split.gain > (best?.gain ?? 0)) best = split;
      }
    if (!best) {
      let s = 0;
      for (const r of rows) s += loss[r];
      const meanLoss = s / rows.length;
      const merged = simplify(conditions);
      slices.push({
        conditions: merged,
        text: merged.length ? merged.map(describe).join(' and ') : 'all rows',
        rows: rows.length,
        share: rows.length / n,
        meanLoss,
        ratio: meanLoss / overall,
      });
      return;
    }
    const split = best;
    const left = rows.filter((r) => split.goesLeft(r));
    const right = rows.filter((r) => !split.goesLeft(r));
    grow(left, [...conditions, split.left]);
    grow(right, [...conditions, split.right]);
  };
  if (n > 0)
    grow(
      Int32Array.from({ length: n }, (_, i) => i),
      [],
    );
  slices.sort((a, b) => b.meanLoss - a.meanLoss);
  return { overall, slices };
}
