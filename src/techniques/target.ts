import { GlassboxError } from '../data/errors.js';
import { cellString, type Column, type Frame } from '../data/frame.js';
import type { TargetInfo, Task } from './contract.js';

/** Class labels sorted as scikit-learn sorts them: numerically when every label is a number, else as text. */
export function sortClasses(labels: readonly string[]): string[] {
  const numeric = labels.every((l) => l.trim() !== '' && !Number.isNaN(Number(l)));
  return labels.slice().sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Distinct non-missing labels of a column as text. */
export function labelsOf(c: Column): string[] {
  if (c.kind === 'categorical') {
    const present = new Uint8Array(c.categories.length);
    for (let i = 0; i < c.codes.length; i++) if (c.codes[i] >= 0) present[c.codes[i]] = 1;
    return c.categories.filter((cat, k) => present[k] && cat !== '');
  }
  if (c.kind === 'text') {
    const seen = new Set<string>();
    for (let i = 0; i < c.values.length; i++) {
      const s = cellString(c, i);
      if (s !== '') seen.add(s);
    }
    return [...seen];
  }
  // Numbers and dates: the first row of each distinct value, formatted once rather than every
  // row (distinct numbers have distinct texts; 0 and -0, both "0", are one key to a Map).
  const first = new Map<number, number>();
  const v = c.values;
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i]) && !first.has(v[i])) first.set(v[i], i);
  return Array.from(first.values(), (i) => cellString(c, i));
}

/** binary for two labels, multiclass for a categorical with more, regression for numbers. */
export function guessTask(c: Column): Task {
  const distinct = labelsOf(c).length;
  if (distinct === 2) return 'binary';
  if (c.kind === 'numeric') return 'regression';
  return 'multiclass';
}

/**
 * The target as models see it. Rows with a missing target must already be removed.
 * Classification labels are compared as text, so a bundle's classes match new data's however it was read.
 */
export function targetInfo(frame: Frame, name: string, task: Task, classes?: readonly string[]): TargetInfo {
  const c = frame.get(name);
  const n = frame.nRows;
  const y = new Float64Array(n);
  if (task === 'regression') {
    if (c.kind !== 'numeric')
      throw new GlassboxError(`target "${name}" is ${c.kind}, not numeric: use --task binary or multiclass`, {
        column: name,
      });
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(c.values[i]))
        throw new GlassboxError(`target "${name}" is missing in row ${i + 1}`, { column: name, row: i + 1 });
      y[i] = c.values[i];
    }
    return { name, task, y, classes: [] };
  }
  const labels = classes ?? sortClasses(labelsOf(c));
  if (labels.length < 2)
    throw new GlassboxError(
      `target "${name}" has ${labels.length === 0 ? 'no values' : `only one class ("${labels[0]}")`}; a model needs at least two`,
      { column: name },
    );
  if (task === 'binary' && labels.length !== 2)
    throw new GlassboxError(`target "${name}" has ${labels.length} classes; use --task multiclass`, { column: name });
  const index = new Map(labels.map((l, k) => [l, k]));
  // Categories: one lookup per category, not one string per row; numbers: one per distinct value.
  const byCode = c.kind === 'categorical' ? Int32Array.from(c.categories, (cat) => index.get(cat) ?? -1) : null;
  const byValue = c.kind === 'numeric' ? new Map<number, number>() : null;
  for (let i = 0; i < n; i++) {
    if (byCode && c.kind === 'categorical' && c.codes[i] >= 0 && byCode[c.codes[i]] >= 0) {
      y[i] = byCode[c.codes[i]];
      continue;
    }
    if (byValue && c.kind === 'numeric') {
      const known = byValue.get(c.values[i]);
      if (known !== undefined) {
        y[i] = known;
        continue;
      }
    }
    const k = index.get(cellString(c, i));
    if (k === undefined)
      throw new GlassboxError(`target "${name}" row ${i + 1}: unknown class "${cellString(c, i)}"`, {
        column: name,
        row: i + 1,
      });
    y[i] = k;
    if (byValue && c.kind === 'numeric') byValue.set(c.values[i], k);
  }
  return { name, task, y, classes: labels };
}

/**
 * Row weights for classWeight = balanced (scikit-learn's n / (K · count of the row's class)),
 * times the given row weights.
 */
export function balancedWeights(y: Float64Array, K: number, base: Float64Array | undefined): Float64Array {
  const counts = new Float64Array(K);
  for (const v of y) counts[v]++;
  const w = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) w[i] = (y.length / (K * counts[y[i]])) * (base ? base[i] : 1);
  return w;
}
