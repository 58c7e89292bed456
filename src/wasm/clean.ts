import { WASM as CLEAN } from './clean.generated.js';
import { instantiate, precompile, RESERVED } from './kernels.js';

/** The kernels of assembly/clean.ts; pointer arguments are byte offsets into the scratch memory. */
interface CleanKernels {
  hashStart(h1: number, h2: number, n: number): void;
  hashNumbers(v: number, n: number, h1: number, h2: number): void;
  hashCodes(codes: number, n: number, empty: number, h1: number, h2: number): void;
  firstOfKey(h1: number, h2: number, n: number, table: number, mask: number, first: number): void;
  numberFacts(v: number, n: number): number;
  median(v: number, n: number, tmp: number): number;
  meanStd(v: number, n: number): number;
  std(): number;
  presentMean(v: number, n: number): number;
  fillMissing(v: number, n: number, value: number, out: number): number;
  missingFlags(v: number, n: number, out: number): number;
  standardize(v: number, n: number, center: number, scale: number, out: number): void;
  oneHot(codes: number, n: number, map: number, k: number, out: number): void;
  blockToRows(C: number, B: number, rows: number, p: number, X: number): number;
  countNonZero(X: number, len: number): number;
  compressRows(X: number, n: number, p: number, ptr: number, idx: number, val: number): void;
  gather64(v: number, n: number, idx: number, m: number, out: number): number;
  gather32(v: number, n: number, idx: number, m: number, out: number): number;
}

/**
 * One instance of the kernels over a memory that grows to the largest call so far and is reused:
 * the cleaning steps call a kernel per column, and a memory per call would cost more than the
 * loop. Growing detaches earlier views, so each call makes its views after asking for its bytes.
 */
let memory: WebAssembly.Memory | undefined;
let kernels: CleanKernels | undefined;

/** A call's arrays, laid out one after another in the scratch memory. */
class Region {
  private next = RESERVED;
  constructor(private readonly buffer: ArrayBuffer) {}
  private take(bytes: number): number {
    const at = Math.ceil(this.next / 8) * 8;
    this.next = at + bytes;
    return at;
  }
  f64(n: number): Float64Array {
    return new Float64Array(this.buffer, this.take(8 * n), n);
  }
  i32(n: number): Int32Array {
    return new Int32Array(this.buffer, this.take(4 * n), n);
  }
}

/**
 * Calls needing more than this get a memory of their own, dropped after the call: WebAssembly
 * memory never shrinks, and the shared one should not keep a large table's size for good.
 */
const SHARED_BYTES = 64 * 2 ** 20;

/** The kernels with room for `bytes` of arrays (plus 8 bytes of alignment per array, counted by the caller). */
function scratch(bytes: number): { k: CleanKernels; r: Region; own: boolean } {
  const pages = Math.ceil((RESERVED + bytes) / 65536);
  if (bytes > SHARED_BYTES) {
    const mine = new WebAssembly.Memory({ initial: pages });
    return { k: instantiate(CLEAN, mine) as CleanKernels, r: new Region(mine.buffer), own: true };
  }
  if (!memory) {
    memory = new WebAssembly.Memory({ initial: Math.max(pages, 2) });
    kernels = instantiate(CLEAN, memory) as CleanKernels;
  } else {
    const have = memory.buffer.byteLength / 65536;
    if (pages > have) memory.grow(pages - have);
  }
  return { k: kernels as CleanKernels, r: new Region(memory.buffer), own: false };
}

precompile(CLEAN);

/** Bytes of `count` arrays of n doubles, with their alignment. */
const f64Bytes = (n: number, count = 1): number => count * (8 * n + 8);
const i32Bytes = (n: number, count = 1): number => count * (4 * n + 8);

/**
 * A column's kernel call: its values copied into the scratch memory (at v), and room for an
 * output (or working copy) of the same length.
 */
function loaded(values: Float64Array): { k: CleanKernels; v: number; n: number; out: Float64Array } {
  const n = values.length;
  const { k, r } = scratch(f64Bytes(n, 2));
  const v = r.f64(n);
  const out = r.f64(n);
  v.set(values);
  return { k, v: v.byteOffset, n, out };
}

/** Median of the non-missing values (the mean of the two middle ones for an even count); NaN when none. */
export function medianOf(values: Float64Array): number {
  const { k, v, n, out } = loaded(values);
  return k.median(v, n, out.byteOffset);
}

/** Mean and population standard deviation of the non-missing values (0 and 0 when none), by Welford's update. */
export function meanStdOf(values: Float64Array): { mean: number; std: number } {
  const { k, v, n } = loaded(values);
  const mean = k.meanStd(v, n);
  return { mean, std: k.std() };
}

/** Mean of the non-missing values, summed in order; NaN when none. */
export function meanOf(values: Float64Array): number {
  const { k, v, n } = loaded(values);
  return k.presentMean(v, n);
}

/** What drop-columns asks of a number column, read in one pass. */
export interface NumberFacts {
  /** At most one distinct non-missing value. */
  readonly constant: boolean;
  /** Starts at 0 or 1 and steps by exactly 1: a row counter. */
  readonly counter: boolean;
  /** Every value an integer (a missing value is not). */
  readonly integers: boolean;
  readonly missing: number;
}

export function numberFacts(values: Float64Array): NumberFacts {
  const { k, v, n } = loaded(values);
  const bits = k.numberFacts(v, n);
  return { constant: (bits & 1) !== 0, counter: (bits & 2) !== 0, integers: (bits & 4) !== 0, missing: bits >>> 3 };
}

/** The values with every NaN replaced by `value`, or the input itself when none is missing. */
export function fillMissing(values: Float64Array, value: number): Float64Array {
  const { k, v, n, out } = loaded(values);
  return k.fillMissing(v, n, value, out.byteOffset) ? out.slice() : values;
}

/** 1 where the value is missing, else 0. */
export function missingFlags(values: Float64Array): Float64Array {
  const { k, v, n, out } = loaded(values);
  k.missingFlags(v, n, out.byteOffset);
  return out.slice();
}

/** (value - center) / scale for every value. */
export function standardized(values: Float64Array, center: number, scale: number): Float64Array {
  const { k, v, n, out } = loaded(values);
  k.standardize(v, n, center, scale, out.byteOffset);
  return out.slice();
}

/**
 * One 0/1 column per output: output slot[code] is 1 for a row with that code (slot -1: none;
 * a missing code, -1, none either).
 */
export function oneHotColumns(codes: Int32Array, slot: Int32Array, width: number): Float64Array[] {
  const n = codes.length;
  const { k, r } = scratch(i32Bytes(n) + i32Bytes(slot.length) + f64Bytes(n * width));
  const c = r.i32(n);
  const map = r.i32(slot.length);
  const out = r.f64(n * width);
  c.set(codes);
  map.set(slot);
  k.oneHot(c.byteOffset, n, map.byteOffset, width, out.byteOffset);
  return Array.from({ length: width }, (_, j) => out.slice(j * n, (j + 1) * n));
}

/**
 * The columns as a row-major n x p matrix, or the index of the first column holding a NaN and
 * its first such row.
 */
export function rowMajor(
  columns: readonly Float64Array[],
  n: number,
): { matrix: Float64Array } | { column: number; row: number } {
  const p = columns.length;
  // Columns go in a block of rows at a time: the block stays in cache while every column is
  // written into it, and the staging area is p blocks, not a second copy of the matrix.
  const B = 256;
  const { k, r, own } = scratch(f64Bytes(B * p) + f64Bytes(n * p));
  const C = r.f64(B * p);
  const X = r.f64(n * p);
  // The first gap in column order, as j * n + row; each block reports its own first.
  let bad = -1;
  for (let r0 = 0; r0 < n; r0 += B) {
    const rows = Math.min(B, n - r0);
    for (let j = 0; j < p; j++) C.set(columns[j].subarray(r0, r0 + rows), j * B);
    const b = k.blockToRows(C.byteOffset, B, rows, p, X.byteOffset + 8 * r0 * p);
    if (b >= 0) {
      const at = Math.floor(b / B) * n + r0 + (b % B);
      if (bad < 0 || at < bad) bad = at;
    }
  }
  if (bad >= 0) return { column: Math.floor(bad / n), row: bad % n };
  // A memory of the call's own holds this matrix and one block: it is handed out, not copied.
  return { matrix: own ? X : X.slice() };
}

/**
 * The row-major n x p matrix X row-compressed (ptr, column indices, values) when at most
 * `maxDensity` of its entries are non-zero, else null.
 */
export function compressedRows(
  X: Float64Array,
  n: number,
  p: number,
  maxDensity: number,
): { ptr: Int32Array; idx: Int32Array; val: Float64Array } | null {
  // Room for as many entries as the density allows, so X goes in once and is counted in place.
  const cap = Math.floor(maxDensity * n * p);
  const { k, r } = scratch(f64Bytes(n * p) + i32Bytes(n + 1) + i32Bytes(cap) + f64Bytes(cap));
  const v = r.f64(n * p);
  const ptr = r.i32(n + 1);
  const idx = r.i32(cap);
  const val = r.f64(cap);
  v.set(X);
  const nnz = k.countNonZero(v.byteOffset, n * p);
  if (nnz > cap) return null;
  k.compressRows(v.byteOffset, n, p, ptr.byteOffset, idx.byteOffset, val.byteOffset);
  return { ptr: ptr.slice(), idx: idx.slice(0, nnz), val: val.slice(0, nnz) };
}

/** Gathers rows of columns: each call returns column[indices[t]] for every t, in a new array. */
export interface Gather {
  f64(values: Float64Array): Float64Array;
  i32(values: Int32Array): Int32Array;
}

/** A gather of the given rows from columns of n rows; an index outside them is a RangeError. */
export function gatherRows(indices: ArrayLike<number>, n: number): Gather {
  const m = indices.length;
  const { k, r } = scratch(i32Bytes(m) + f64Bytes(n) + f64Bytes(m));
  const idx = r.i32(m);
  const v = r.f64(n);
  const out = r.f64(m);
  idx.set(indices);
  const v32 = new Int32Array(v.buffer, v.byteOffset, n);
  const out32 = new Int32Array(out.buffer, out.byteOffset, m);
  const check = (t: number): void => {
    if (t >= 0) throw new RangeError(`row index ${indices[t]} is outside 0..${n - 1}`);
  };
  return {
    f64(values) {
      v.set(values);
      check(k.gather64(v.byteOffset, n, idx.byteOffset, m, out.byteOffset));
      return out.slice();
    },
    i32(values) {
      v32.set(values);
      check(k.gather32(v32.byteOffset, n, idx.byteOffset, m, out32.byteOffset));
      return out32.slice();
    },
  };
}

/** The row keys of firstOccurrences: each column mixed in by `add`, then rows grouped by key. */
export interface RowKeys {
  /** Mixes a number column's values into the keys. */
  numbers(values: Float64Array): void;
  /** Mixes a category column's codes into the keys (the code `empty` counts as missing). */
  codes(codes: Int32Array, empty: number): void;
  /** Mixes two 32-bit words per row, computed by the caller (text). */
  words(a: Uint32Array, b: Uint32Array): void;
  /** first[i]: the first row with row i's key (i when none before it). */
  firstOfKey(): Int32Array;
}

/** 64-bit row keys over n rows, as src/data/duplicates.ts defines them. */
export function rowKeys(n: number): RowKeys {
  let size = 2;
  while (size < 2 * n) size *= 2;
  const { k, r } = scratch(i32Bytes(n, 4) + i32Bytes(size) + f64Bytes(n));
  const h1 = r.i32(n);
  const h2 = r.i32(n);
  const first = r.i32(n);
  const table = r.i32(size);
  const v = r.f64(n);
  const c = r.i32(n);
  k.hashStart(h1.byteOffset, h2.byteOffset, n);
  const u1 = new Uint32Array(h1.buffer, h1.byteOffset, n);
  const u2 = new Uint32Array(h2.buffer, h2.byteOffset, n);
  return {
    numbers(values) {
      v.set(values);
      k.hashNumbers(v.byteOffset, n, h1.byteOffset, h2.byteOffset);
    },
    codes(codes, empty) {
      c.set(codes);
      k.hashCodes(c.byteOffset, n, empty, h1.byteOffset, h2.byteOffset);
    },
    words(a, b) {
      for (let i = 0; i < n; i++) {
        u1[i] = Math.imul(u1[i] ^ a[i], 0x01000193) ^ Math.imul(b[i], 0x5bd1e995);
        u2[i] = Math.imul(u2[i] ^ b[i], 0xcc9e2d51) + Math.imul(a[i], 0x1b873593);
      }
    },
    firstOfKey() {
      k.firstOfKey(h1.byteOffset, h2.byteOffset, n, table.byteOffset, size - 1, first.byteOffset);
      return first.slice();
    },
  };
}
