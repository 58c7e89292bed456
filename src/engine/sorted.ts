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
 * Rearranges a[lo..hi] so that a[k] holds the value a full sort would put there, smaller-or-equal
 * values before it and greater-or-equal after (Hoare's selection with a median-of-three pivot).
 * Linear on average where a sort is n log n: a median is one selection, not a sort.
 */
export function selectInPlace(a: Float64Array, k: number, lo = 0, hi = a.length - 1): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three into a[mid], so sorted and reversed inputs stay linear.
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    // Hoare partition: stops on equal keys from both sides, so runs of ties split evenly.
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Median of the non-missing values as numpy computes it (the mean of the two middle values for an even count); NaN when none. */
export function medianPresent(values: Float64Array): number {
  const v = present(values);
  const m = v.length;
  if (m === 0) return NaN;
  const h = m >> 1;
  selectInPlace(v, h, 0, m - 1);
  if (m % 2) return v[h];
  // After selection everything left of h is <= v[h]: the lower middle is their maximum.
  let below = v[0];
  for (let i = 1; i < h; i++) if (v[i] > below) below = v[i];
  return (below + v[h]) / 2;
}

/** True when the non-missing values take at most one distinct value (a constant or empty column). */
export function atMostOneValue(values: Float64Array): boolean {
  let first = NaN;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x !== x) continue;
    if (first !== first) first = x;
    else if (x !== first) return false;
  }
  return true;
}
