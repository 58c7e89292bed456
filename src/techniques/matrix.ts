import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';

/**
 * The named columns as a row-major n x p matrix. Every column must be numeric and complete;
 * otherwise the error says which column and which step would fix it.
 */
export function designMatrix(frame: Frame, inputs: readonly string[], who: string): Float64Array {
  const n = frame.nRows;
  const p = inputs.length;
  const X = new Float64Array(n * p);
  inputs.forEach((name, j) => {
    const c = frame.get(name);
    if (c.kind !== 'numeric') {
      const fix =
        c.kind === 'categorical' ? 'one-hot (or ordinal)' : c.kind === 'datetime' ? 'datetime-parts' : 'drop-columns';
      throw new GlassboxError(`${who}: column "${name}" is ${c.kind}; put ${fix} before the model`, { column: name });
    }
    const v = c.values;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (x !== x)
        throw new GlassboxError(
          `${who}: column "${name}" has missing values (row ${i + 1}); put impute before the model`,
          { column: name, row: i + 1 },
        );
      X[i * p + j] = x;
    }
  });
  return X;
}
