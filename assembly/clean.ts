// AssemblyScript: compiled to WebAssembly by scripts/build-wasm.mjs. The per-row loops of the
// cleaning steps (duplicates, constant and identifier checks, median and mean, filling, scaling,
// one-hot, the design matrix), on arrays the caller placed in this module's memory (arguments
// are byte offsets). A pipeline fitted once, as `glassbox train` does, runs these loops once:
// as JavaScript that first run is interpreted, several times slower than the same loop compiled,
// while WebAssembly is compiled before it runs. Every kernel gives the same bits as its
// JavaScript twin (same operations in the same order); src/wasm/clean.test.ts checks that.

function at(p: usize, i: i32): usize {
  return p + ((<usize>i) << 3);
}

function at4(p: usize, i: i32): usize {
  return p + ((<usize>i) << 2);
}

/** Mixes a row's two 32-bit words into its running 64-bit key (h1, h2), as src/data/duplicates.ts. */
function mix(h1: usize, h2: usize, i: i32, a: u32, b: u32): void {
  const p1 = at4(h1, i);
  const p2 = at4(h2, i);
  store<u32>(p1, ((load<u32>(p1) ^ a) * 0x01000193) ^ (b * 0x5bd1e995));
  store<u32>(p2, (load<u32>(p2) ^ b) * 0xcc9e2d51 + a * 0x1b873593);
}

/** Starts every row's key. */
export function hashStart(h1: usize, h2: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    store<u32>(at4(h1, i), 0x9e3779b9);
    store<u32>(at4(h2, i), 0x85ebca6b);
  }
}

/** Mixes a number column into the keys: its 64 bits, every NaN alike and -0 as 0. */
export function hashNumbers(v: usize, n: i32, h1: usize, h2: usize): void {
  for (let i = 0; i < n; i++) {
    let x = load<f64>(at(v, i));
    if (x != x) x = NaN;
    else if (x == 0) x = 0;
    const bits = reinterpret<u64>(x);
    mix(h1, h2, i, <u32>bits, <u32>(bits >> 32));
  }
}

/** Mixes a category column's codes into the keys; the empty category counts as missing (-1). */
export function hashCodes(codes: usize, n: i32, empty: i32, h1: usize, h2: usize): void {
  for (let i = 0; i < n; i++) {
    let c = load<i32>(at4(codes, i));
    if (c == empty) c = -1;
    mix(h1, h2, i, <u32>c, <u32>~c);
  }
}

/**
 * first[i] = the first row whose 64-bit key equals row i's (i itself when none before it), by
 * open addressing on a table of size mask + 1 (a power of two at least 2n), filled with -1 here.
 */
export function firstOfKey(h1: usize, h2: usize, n: i32, table: usize, mask: u32, first: usize): void {
  for (let s: u32 = 0; s <= mask; s++) store<i32>(at4(table, <i32>s), -1);
  for (let i = 0; i < n; i++) {
    const a = load<u32>(at4(h1, i));
    const b = load<u32>(at4(h2, i));
    let slot = (a ^ (b * 0x27d4eb2d)) & mask;
    let head = load<i32>(at4(table, <i32>slot));
    while (head != -1 && (load<u32>(at4(h1, head)) != a || load<u32>(at4(h2, head)) != b)) {
      slot = (slot + 1) & mask;
      head = load<i32>(at4(table, <i32>slot));
    }
    if (head == -1) {
      store<i32>(at4(table, <i32>slot), i);
      head = i;
    }
    store<i32>(at4(first, i), head);
  }
}

/**
 * What drop-columns asks of a number column, in one pass: bit 0 = at most one distinct present
 * value, bit 1 = a row counter (starts at 0 or 1 and steps by 1), bit 2 = every value an integer
 * (NaN is not); the missing count goes to the return value's upper bits (>> 3).
 */
export function numberFacts(v: usize, n: i32): i32 {
  let missing: i32 = 0;
  let first: f64 = NaN;
  let one: bool = true;
  let counter: bool = n > 0 && (load<f64>(v) == 0 || load<f64>(v) == 1);
  let integers: bool = true;
  for (let i = 0; i < n; i++) {
    const x = load<f64>(at(v, i));
    if (i > 0 && counter && x != load<f64>(at(v, i - 1)) + 1) counter = false;
    if (integers && !(x == Math.floor(x) && Math.abs(x) != Infinity)) integers = false;
    if (x != x) {
      missing++;
      continue;
    }
    if (first != first) first = x;
    else if (x != first) one = false;
  }
  return (one ? 1 : 0) | (counter ? 2 : 0) | (integers ? 4 : 0) | (missing << 3);
}

/** Copies the present (non-NaN) values to out, in order; returns their count. */
export function present(v: usize, n: i32, out: usize): i32 {
  let m: i32 = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f64>(at(v, i));
    if (x == x) store<f64>(at(out, m++), x);
  }
  return m;
}

function swap(a: usize, i: i32, j: i32): void {
  const t = load<f64>(at(a, i));
  store<f64>(at(a, i), load<f64>(at(a, j)));
  store<f64>(at(a, j), t);
}

/** Hoare's selection with a median-of-three pivot, as selectInPlace in src/engine/sorted.ts. */
export function select(a: usize, k: i32, lo: i32, hi: i32): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    if (load<f64>(at(a, mid)) < load<f64>(at(a, lo))) swap(a, mid, lo);
    if (load<f64>(at(a, hi)) < load<f64>(at(a, lo))) swap(a, hi, lo);
    if (load<f64>(at(a, hi)) < load<f64>(at(a, mid))) swap(a, hi, mid);
    const pivot = load<f64>(at(a, mid));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (load<f64>(at(a, i)) < pivot) i++;
      while (load<f64>(at(a, j)) > pivot) j--;
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

/** Median of the present values (the mean of the two middle ones for an even count), NaN when none; tmp holds n doubles. */
export function median(v: usize, n: i32, tmp: usize): f64 {
  const m = present(v, n, tmp);
  if (m == 0) return NaN;
  const h = m >> 1;
  select(tmp, h, 0, m - 1);
  if (m & 1) return load<f64>(at(tmp, h));
  let below = load<f64>(tmp);
  for (let i = 1; i < h; i++) {
    const x = load<f64>(at(tmp, i));
    if (x > below) below = x;
  }
  return (below + load<f64>(at(tmp, h))) / 2;
}

let lastStd: f64 = 0;

/** Standard deviation (ddof 0) from the last meanStd. */
export function std(): f64 {
  return lastStd;
}

/** Mean of the present values by Welford's update, as meanStd in src/techniques/scale.ts (0 when none). */
export function meanStd(v: usize, n: i32): f64 {
  let c: i32 = 0;
  let mean: f64 = 0;
  let m2: f64 = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f64>(at(v, i));
    if (x != x) continue;
    c++;
    const d = x - mean;
    mean += d / <f64>c;
    m2 += d * (x - mean);
  }
  lastStd = c ? Math.sqrt(m2 / <f64>c) : 0;
  return c ? mean : 0;
}

/** Mean of the present values, summed in order (NaN when none), as mean in src/techniques/impute.ts. */
export function presentMean(v: usize, n: i32): f64 {
  let s: f64 = 0;
  let c: i32 = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f64>(at(v, i));
    if (x == x) {
      s += x;
      c++;
    }
  }
  return c ? s / <f64>c : NaN;
}

/** out[i] = v[i], or value where v[i] is NaN; returns how many were filled. */
export function fillMissing(v: usize, n: i32, value: f64, out: usize): i32 {
  let filled: i32 = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f64>(at(v, i));
    if (x != x) {
      store<f64>(at(out, i), value);
      filled++;
    } else store<f64>(at(out, i), x);
  }
  return filled;
}

/** out[i] = 1 where v[i] is NaN, else 0; returns the count of NaN. */
export function missingFlags(v: usize, n: i32, out: usize): i32 {
  let c: i32 = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f64>(at(v, i));
    const m: f64 = x != x ? 1 : 0;
    store<f64>(at(out, i), m);
    c += <i32>m;
  }
  return c;
}

/** out[i] = (v[i] - center) / scale. */
export function standardize(v: usize, n: i32, center: f64, scale: f64, out: usize): void {
  for (let i = 0; i < n; i++) store<f64>(at(out, i), (load<f64>(at(v, i)) - center) / scale);
}

/**
 * One-hot: out holds k columns of n doubles one after another; column j is 1 where the row's
 * code is map[code] = j (map holds one entry per code, -1 for codes without a column).
 * Rows with a negative code get 0 everywhere.
 */
export function oneHot(codes: usize, n: i32, map: usize, k: i32, out: usize): void {
  memory.fill(out, 0, (<usize>n * <usize>k) << 3);
  for (let i = 0; i < n; i++) {
    const c = load<i32>(at4(codes, i));
    if (c < 0) continue;
    const j = load<i32>(at4(map, c));
    if (j >= 0) store<f64>(at(out, j * n + i), 1);
  }
}

/**
 * A block of rows into the row-major matrix X (which points at the block's first row): C holds
 * the block's p columns, `rows` values each, column j at C + 8 j B. Returns j * B + i of the
 * block's first NaN in column order (the first column with one, its first row), or -1.
 */
export function blockToRows(C: usize, B: i32, rows: i32, p: i32, X: usize): i32 {
  let bad: i32 = -1;
  for (let j = 0; j < p; j++) {
    const col = C + ((<usize>j * <usize>B) << 3);
    for (let i = 0; i < rows; i++) {
      const x = load<f64>(at(col, i));
      if (x != x && bad < 0) bad = j * B + i;
      store<f64>(at(X, i * p + j), x);
    }
  }
  return bad;
}

/** out[t] = v[idx[t]] for t < m (doubles); returns the first t whose index is not in [0, n), or -1. */
export function gather64(v: usize, n: i32, idx: usize, m: i32, out: usize): i32 {
  for (let t = 0; t < m; t++) {
    const i = load<i32>(at4(idx, t));
    if (<u32>i >= <u32>n) return t;
    store<f64>(at(out, t), load<f64>(at(v, i)));
  }
  return -1;
}

/** out[t] = v[idx[t]] for t < m (32-bit integers); returns the first t whose index is not in [0, n), or -1. */
export function gather32(v: usize, n: i32, idx: usize, m: i32, out: usize): i32 {
  for (let t = 0; t < m; t++) {
    const i = load<i32>(at4(idx, t));
    if (<u32>i >= <u32>n) return t;
    store<i32>(at4(out, t), load<i32>(at4(v, i)));
  }
  return -1;
}

/** Non-zero entries among the first len doubles at X. */
export function countNonZero(X: usize, len: i32): i32 {
  let c: i32 = 0;
  for (let k = 0; k < len; k++) if (load<f64>(at(X, k)) != 0) c++;
  return c;
}

/** The row-major n x p matrix X row-compressed: ptr (n + 1), column indices idx and values val. */
export function compressRows(X: usize, n: i32, p: i32, ptr: usize, idx: usize, val: usize): void {
  let t: i32 = 0;
  store<i32>(ptr, 0);
  for (let i = 0; i < n; i++) {
    const base = i * p;
    for (let j = 0; j < p; j++) {
      const v = load<f64>(at(X, base + j));
      if (v != 0) {
        store<i32>(at4(idx, t), j);
        store<f64>(at(val, t), v);
        t++;
      }
    }
    store<i32>(at4(ptr, i + 1), t);
  }
}
