import { GlassboxError } from '../data/errors.js';
import type { Frame, NumericColumn } from '../data/frame.js';

/**
 * The named columns as a row-major n x p matrix. Every column must be numeric and complete;
 * otherwise the error says which column and which step would fix it.
 */
export function designMatrix(frame: Frame, inputs: readonly string[], who: string): Float64Array {
  const n = frame.nRows;
  const p = inputs.length;
  const cols = inputs.map((name) => {
    const c = frame.get(name);
    if (c.kind !== 'numeric') {
      const fix =
        c.kind === 'categorical' ? 'one-hot (or ordinal)' : c.kind === 'datetime' ? 'datetime-parts' : 'drop-columns';
      throw new GlassboxError(`${who}: column "${name}" is ${c.kind}; put ${fix} before the model`, { column: name });
    }
    const v = c.values;
    for (let i = 0; i < n; i++)
      if (v[i] !== v[i])
        throw new GlassboxError(
          `${who}: column "${name}" has missing values (row ${i + 1}); put impute before the model`,
          { column: name, row: i + 1 },
        );
    return c as NumericColumn;
  });
  const X = new Float64Array(n * p);
  // Column-to-row transpose in blocks of rows: a block's rows stay in cache while every column
  // is written into them (row by row, each store would touch a new cache line).
  const BLOCK = 256;
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const r1 = Math.min(n, r0 + BLOCK);
    for (let j = 0; j < p; j++) {
      const v = cols[j].values;
      for (let i = r0; i < r1; i++) X[i * p + j] = v[i];
    }
  }
  return X;
}
