/**
 * The non-missing values, sorted ascending, in a new array. A plain loop: V8's
 * TypedArray.prototype.filter with a callback is several times slower than the sort itself.
 */
export function sortedPresent(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === x) out[m++] = x;
  }
  return out.subarray(0, m).sort();
}
