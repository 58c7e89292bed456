/**
 * Rounds values to a power-of-two grid fine enough that any sum of `count` of them is exact in
 * float64 (XGBoost's deterministic histograms). Histogram sums then do not depend on the order
 * rows are added, so a model is bit-identical for any number of threads and any partitioning.
 * The relative error per value is about count * 2^-52: 2e-10 for a million rows.
 */
export function quantizeExact(a: Float64Array, start: number, end: number, count: number): void {
  let max = 0;
  for (let i = start; i < end; i++) {
    const v = Math.abs(a[i]);
    if (v > max) max = v;
  }
  if (max === 0 || !Number.isFinite(max)) return;
  const e = Math.ceil(Math.log2(max * Math.max(1, count))) + 1;
  const q = 2 ** (e - 52);
  const inv = 1 / q;
  for (let i = start; i < end; i++) a[i] = Math.round(a[i] * inv) * q;
}
