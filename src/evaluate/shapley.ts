import { GlassboxError } from '../data/errors.js';
import { takeColumn, type Frame } from '../data/frame.js';
import { Rng } from '../engine/random.js';

export interface ShapleyOptions {
  /**
   * Permutations sampled per row (default 16), drawn in antithetic pairs (an order and its
   * reverse), each with its own background row.
   */
  readonly permutations?: number;
  readonly seed?: number;
  /**
   * When `predict` returns k outputs per row (row-major, e.g. class probabilities): k, and which
   * output to explain for each explained row (e.g. its predicted class). Default: one output.
   */
  readonly outputs?: { readonly k: number; readonly pick: ArrayLike<number> };
}

/** Per-row contributions of each column; with `base` they add up to the row's output. */
export interface Contributions {
  /** rows x columns, row-major. */
  readonly values: Float64Array;
  /** The output each row's contributions start from: the mean output over its background rows. */
  readonly base: Float64Array;
  /** The output for each explained row (base + the sum of its contributions, exactly). */
  readonly output: Float64Array;
  readonly columns: readonly string[];
}

/**
 * Shapley values of input columns by permutation sampling (Štrumbelj & Kononenko 2014), through
 * any fitted pipeline: for one ordering of the columns and one background row, the row's values
 * replace the background's one column at a time in that order, and each column is credited with
 * the change of the output when it arrived. Averaged over orderings and background rows this
 * converges to the interventional Shapley values; every ordering's credits add up to the output
 * minus that background row's output, so a row's contributions always add up exactly to its
 * output minus `base`. Columns not listed keep the row's own values.
 *
 * `rows` and `background` index rows of `data`; `predict` returns one output per row (a
 * probability or a value), or k per row with `options.outputs`. Each explained row costs permutations x (columns + 1) predictions,
 * all made in one batch.
 */
export function sampledShapley(
  predict: (frame: Frame) => Float64Array,
  data: Frame,
  rows: ArrayLike<number>,
  background: ArrayLike<number>,
  columns: readonly string[],
  options: ShapleyOptions = {},
): Contributions {
  const p = columns.length;
  const m = Math.max(2, 2 * Math.ceil((options.permutations ?? 16) / 2));
  if (background.length === 0) throw new GlassboxError('Shapley values need at least one background row');
  const rng = new Rng(options.seed ?? 1);
  const nRows = rows.length;
  const chain = p + 1;
  const total = nRows * m * chain;
  // For each synthetic row, where each listed column comes from: the explained row or a background row.
  const source = columns.map(() => new Int32Array(total));
  const fromRow = new Int32Array(total);
  const order = new Int32Array(p);
  const position = new Int32Array(p);
  const orders = new Int32Array(nRows * m * p);
  for (let r = 0; r < nRows; r++) {
    for (let s = 0; s < m; s++) {
      if (s % 2 === 0) {
        for (let j = 0; j < p; j++) order[j] = j;
        rng.shuffle(order);
      } else order.reverse();
      orders.set(order, (r * m + s) * p);
      const b = background[rng.int(background.length)];
      for (let j = 0; j < p; j++) position[order[j]] = j;
      const at = (r * m + s) * chain;
      // Synthetic row t of the chain has the first t columns of the ordering from the explained row.
      for (let t = 0; t < chain; t++) {
        fromRow[at + t] = rows[r];
        for (let j = 0; j < p; j++) source[j][at + t] = position[j] < t ? rows[r] : b;
      }
    }
  }
  let synthetic = data.take(fromRow);
  columns.forEach((name, j) => {
    synthetic = synthetic.with(takeColumn(data.get(name), source[j]));
  });
  const all = predict(synthetic);
  const k = options.outputs?.k ?? 1;
  if (all.length !== total * k) throw new Error('Shapley values: the model returned a different number of rows');
  const out = k === 1 ? all : new Float64Array(total);
  if (k > 1)
    for (let t = 0; t < total; t++)
      out[t] = all[t * k + (options.outputs as { pick: ArrayLike<number> }).pick[Math.floor(t / (m * chain))]];
  const values = new Float64Array(nRows * p);
  const base = new Float64Array(nRows);
  const output = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) {
    for (let s = 0; s < m; s++) {
      const at = (r * m + s) * chain;
      const o = (r * m + s) * p;
      base[r] += out[at] / m;
      for (let t = 1; t < chain; t++) values[r * p + orders[o + t - 1]] += (out[at + t] - out[at + t - 1]) / m;
    }
    output[r] = out[(r * m + 1) * chain - 1];
  }
  return { values, base, output, columns };
}

/**
 * The `top` columns that moved a row's output most, strongest first, as "column = value (+0.123)"
 * texts for a prediction file.
 */
export function topReasons(c: Contributions, row: number, cells: readonly string[], top = 3): string[] {
  const p = c.columns.length;
  const idx = Array.from({ length: p }, (_, j) => j).sort(
    (a, b) => Math.abs(c.values[row * p + b]) - Math.abs(c.values[row * p + a]) || a - b,
  );
  return idx.slice(0, top).map((j) => {
    const v = c.values[row * p + j];
    return `${c.columns[j]} = ${cells[j]} (${v >= 0 ? '+' : '−'}${Math.abs(v).toPrecision(3)})`;
  });
}
