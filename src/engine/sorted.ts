import { medianOf } from '../wasm/clean.js';

/**
 * The non-missing values, sorted ascending, in a new array. A plain loop: V8's
 * TypedArray.prototype.filter with a callback is several times slower than the sort itself.
 */
export function sortedPresent(values: Float64Array): Float64Array {
  return present(values).sort();
}

/** The non-missing values in a new array, in order. */
export function present(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === x) out[m++] = x;
  }
  return out.subarray(0, m);
}

/**
 * Median of the non-missing values as numpy computes it (the mean of the two middle values for an
 * even count); NaN when none. Runs as WebAssembly (src/wasm/clean.ts): Hoare's selection with a
 * median-of-three pivot, linear on average where a sort is n log n.
 */
export function medianPresent(values: Float64Array): number {
  return medianOf(values);
}
