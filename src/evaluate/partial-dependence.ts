import { categoricalColumn, numericColumn, type Frame } from '../data/frame.js';

/** The model's average output as one column is set to each of a grid of values. */
export interface PartialDependence {
  readonly column: string;
  readonly kind: 'numeric' | 'categorical';
  /** Grid values (numbers) or categories. */
  readonly grid: readonly (number | string)[];
  /** Mean output over the rows at each grid value. */
  readonly average: readonly number[];
}

/**
 * Partial dependence (Friedman 2001): for each value of a grid, every row's `column` is set to
 * it and the model's outputs are averaged, so the curve shows how the prediction moves with the
 * column when everything else stays as in the data. Numbers: up to `points` distinct quantiles of
 * the column (5th to 95th percentile); categories: the most frequent `points` ones.
 */
export function partialDependence(
  predict: (frame: Frame) => Float64Array,
  frame: Frame,
  column: string,
  points = 20,
): PartialDependence {
  const c = frame.get(column);
  const n = frame.nRows;
  if (c.kind === 'numeric') {
    const present = Array.from(c.values)
      .filter((v) => v === v)
      .sort((a, b) => a - b);
    const grid: number[] = [];
    for (let g = 0; g < points && present.length; g++) {
      const q = 0.05 + (0.9 * g) / Math.max(1, points - 1);
      const v = present[Math.min(present.length - 1, Math.round(q * (present.length - 1)))];
      if (grid[grid.length - 1] !== v) grid.push(v);
    }
    const average = grid.map((v) =>
      mean(predict(frame.with(numericColumn(column, new Float64Array(n).fill(v), c.role)))),
    );
    return { column, kind: 'numeric', grid, average };
  }
  if (c.kind === 'categorical') {
    const count = new Float64Array(c.categories.length);
    for (const k of c.codes) if (k >= 0) count[k]++;
    const top = Array.from(c.categories.keys())
      .filter((k) => count[k] > 0)
      .sort((a, b) => count[b] - count[a] || a - b)
      .slice(0, points);
    const average = top.map((k) =>
      mean(predict(frame.with(categoricalColumn(column, new Int32Array(n).fill(k), c.categories, c.role)))),
    );
    return { column, kind: 'categorical', grid: top.map((k) => c.categories[k]), average };
  }
  return { column, kind: 'numeric', grid: [], average: [] };
}

function mean(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x;
  return s / Math.max(1, v.length);
}
