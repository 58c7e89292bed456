/**
 * Rounds values to a power-of-two grid fine enough that any sum of `count` of them is exact in
 * float64 (XGBoost's deterministic histograms). Histogram sums then do not depend on the order
 * rows are added, so a model is bit-identical for any number of threads and any partitioning.
 * The relative error per value is about count * 2^-52: 2e-10 for a million rows. Returns the
 * grid step (0 when every value is 0 or one is not finite: nothing was changed).
 */
export function quantizeExact(a: Float64Array, start: number, end: number, count: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = start; i < end; i++) {
    const v = a[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const max = Math.max(Math.abs(lo), Math.abs(hi));
  if (max === 0 || !Number.isFinite(max)) return 0;
  const e = Math.ceil(Math.log2(max * Math.max(1, count))) + 1;
  const q = 2 ** (e - 52);
  if (lo === hi) {
    // Constant (a hessian without weights): one rounding serves every entry.
    a.fill(Math.round(lo / q) * q, start, end);
    return q;
  }
  // Adding and subtracting 1.5 * 2^52 * q rounds to a multiple of q (ties to even) in two
  // operations: |v| < 2^51 * q here, so v + magic stays in the binade where the spacing is q.
  const magic = 1.5 * 2 ** 52 * q;
  for (let i = start; i < end; i++) a[i] = a[i] + magic - magic;
  return q;
}
