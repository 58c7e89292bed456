import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import { rowMajor } from '../wasm/clean.js';

/**
 * The named columns as a row-major n x p matrix. Every column must be numeric and complete;
 * otherwise the error names the first column, in order, that is not, and the step that would fix it.
 */
export function designMatrix(frame: Frame, inputs: readonly string[], who: string): Float64Array {
  const n = frame.nRows;
  const cols: Float64Array[] = [];
  const matrix = (): Float64Array => {
    const X = rowMajor(cols, n);
    if ('matrix' in X) return X.matrix;
    const name = inputs[X.column];
    throw new GlassboxError(
      `${who}: column "${name}" has missing values (row ${X.row + 1}); put impute before the model`,
      { column: name, row: X.row + 1 },
    );
  };
  for (const name of inputs) {
    const c = frame.get(name);
    if (c.kind !== 'numeric') {
      // A gap in a column before this one is the first problem.
      matrix();
      const fix =
        c.kind === 'categorical' ? 'one-hot (or ordinal)' : c.kind === 'datetime' ? 'datetime-parts' : 'drop-columns';
      throw new GlassboxError(`${who}: column "${name}" is ${c.kind}; put ${fix} before the model`, { column: name });
    }
    cols.push(c.values);
  }
  return matrix();
}
