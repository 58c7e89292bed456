import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import {
  compressedRows,
  fillMissing,
  gatherRows,
  meanOf,
  meanStdOf,
  medianOf,
  missingFlags,
  numberFacts,
  oneHotColumns,
  rowMajor,
  standardized,
} from './clean.js';

/** Columns with what the cleaning steps meet: gaps, ties, zeros of both signs, counters, integers. */
function columns(rng: Rng): Float64Array[] {
  const out: Float64Array[] = [];
  for (const n of [0, 1, 2, 3, 17, 256, 1001]) {
    out.push(Float64Array.from({ length: n }, () => rng.normal() * 100));
    out.push(Float64Array.from({ length: n }, () => (rng.next() < 0.2 ? NaN : rng.int(5))));
    out.push(Float64Array.from({ length: n }, () => (rng.next() < 0.5 ? -0 : 0)));
    out.push(Float64Array.from({ length: n }, () => NaN));
    out.push(Float64Array.from({ length: n }, (_, i) => i + 1));
    out.push(Float64Array.from({ length: n }, () => 7));
  }
  out.push(
    Float64Array.of(0, 1, 2, NaN),
    Float64Array.of(1, 2, 4),
    Float64Array.of(1.5, 2.5),
    Float64Array.of(Infinity, 1),
  );
  return out;
}

/** Bit-for-bit equal, NaN equal to NaN. */
const same = (a: number, b: number): void => expect(Object.is(a, b) || (a !== a && b !== b)).toBe(true);

describe('cleaning kernels (WebAssembly) against naive twins', () => {
  const cols = columns(new Rng(5));

  it('median: the middle of the sorted present values (mean of the two middle ones), NaN when none', () => {
    for (const v of cols) {
      const s = Array.from(v)
        .filter((x) => x === x)
        .sort((a, b) => a - b);
      const h = s.length >> 1;
      const want = s.length === 0 ? NaN : s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
      same(medianOf(v), want);
    }
  });

  it("mean and standard deviation: Welford's update in the same order, to the last bit", () => {
    for (const v of cols) {
      let n = 0;
      let mean = 0;
      let m2 = 0;
      for (const x of v) {
        if (x !== x) continue;
        n++;
        const d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
      }
      const got = meanStdOf(v);
      same(got.mean, n ? mean : 0);
      same(got.std, n ? Math.sqrt(m2 / n) : 0);
      let s = 0;
      for (const x of v) if (x === x) s += x;
      same(meanOf(v), n ? s / n : NaN);
    }
  });

  it('number facts: one value, a row counter, all integers and the missing count, as their definitions', () => {
    for (const v of cols) {
      const present = Array.from(v).filter((x) => x === x);
      const f = numberFacts(v);
      expect(f.missing).toBe(v.length - present.length);
      expect(f.constant).toBe(new Set(present.map((x) => (x === 0 ? 0 : x))).size <= 1);
      expect(f.integers).toBe(Array.from(v).every((x) => Number.isInteger(x)));
      expect(f.counter).toBe(
        v.length > 0 && (v[0] === 0 || v[0] === 1) && v.every((x, i) => i === 0 || x === v[i - 1] + 1),
      );
    }
  });

  it('fill, flag and standardise element by element; a column without gaps comes back as it is', () => {
    for (const v of cols) {
      const filled = fillMissing(v, -3);
      expect(Array.from(filled)).toEqual(Array.from(v, (x) => (x === x ? x : -3)));
      if (v.every((x) => x === x)) expect(filled).toBe(v);
      expect(Array.from(missingFlags(v))).toEqual(Array.from(v, (x) => (x === x ? 0 : 1)));
      const z = standardized(v, 1.25, 3.5);
      v.forEach((x, i) => same(z[i], (x - 1.25) / 3.5));
    }
  });

  it('one-hot: a 1 in the column its code maps to, none for a missing code or an unmapped one', () => {
    const rng = new Rng(9);
    for (const n of [0, 1, 50, 999]) {
      const codes = Int32Array.from({ length: n }, () => rng.int(6) - 1);
      const slot = Int32Array.of(0, 2, -1, 1, 2);
      const got = oneHotColumns(codes, slot, 3);
      expect(got).toHaveLength(3);
      for (let j = 0; j < 3; j++)
        expect(Array.from(got[j])).toEqual(Array.from(codes, (c) => (c >= 0 && slot[c] === j ? 1 : 0)));
    }
  });

  it('row-major matrix: X[i p + j] = column j row i, or the first column with a gap and its first gap', () => {
    const rng = new Rng(3);
    for (const [n, p] of [
      [0, 2],
      [1, 1],
      [300, 7],
      [1000, 3],
    ]) {
      const cs = Array.from({ length: p }, () => Float64Array.from({ length: n }, () => rng.normal()));
      const X = rowMajor(cs, n);
      if (!('matrix' in X)) throw new Error('unexpected gap');
      for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) expect(X.matrix[i * p + j]).toBe(cs[j][i]);
      if (n > 10 && p > 2) {
        cs[2][9] = NaN;
        cs[2][4] = NaN;
        if (p > 3) cs[p - 1][1] = NaN;
        expect(rowMajor(cs, n)).toEqual({ column: 2, row: 4 });
      }
    }
  });

  it('row-major matrix past the shared memory (over 64 MB): the same entries, in a memory of its own', () => {
    const n = 1_100_000;
    const p = 8;
    const cs = Array.from({ length: p }, (_, j) => Float64Array.from({ length: n }, (_, i) => i * p + j));
    const X = rowMajor(cs, n);
    if (!('matrix' in X)) throw new Error('unexpected gap');
    expect(X.matrix.length).toBe(n * p);
    for (const t of [0, 1, 7, 8, 12345, n * p - 1]) expect(X.matrix[t]).toBe(t);
    cs[5][n - 3] = NaN;
    cs[6][2] = NaN;
    expect(rowMajor(cs, n)).toEqual({ column: 5, row: n - 3 });
  });

  it('gathers rows of numbers and codes in the order asked, repeats allowed; an index out of range throws', () => {
    const rng = new Rng(2);
    // Growing sizes: the shared memory grows between calls and every view is made after it.
    for (const n of [1, 10, 5000, 200000]) {
      const v = Float64Array.from({ length: n }, () => rng.normal());
      const c = Int32Array.from({ length: n }, () => rng.int(1000) - 1);
      const idx = Array.from({ length: Math.ceil(n * 1.5) }, () => rng.int(n));
      const g = gatherRows(idx, n);
      expect(Array.from(g.f64(v))).toEqual(idx.map((i) => v[i]));
      expect(Array.from(g.i32(c))).toEqual(idx.map((i) => c[i]));
    }
    expect(() => gatherRows([0, 3], 3).f64(new Float64Array(3))).toThrow('row index 3 is outside 0..2');
    expect(() => gatherRows([-1], 3).i32(new Int32Array(3))).toThrow(RangeError);
  });

  it('row-compresses a matrix with few non-zeros, and declines a dense one', () => {
    const rng = new Rng(8);
    for (const [n, p, share] of [
      [0, 3, 0.1],
      [1, 4, 0.3],
      [500, 9, 0.2],
      [200, 30, 0.05],
    ]) {
      const X = Float64Array.from({ length: n * p }, () => (rng.next() < share ? rng.normal() : 0));
      const got = compressedRows(X, n, p, 0.4);
      const ptr = [0];
      const idx: number[] = [];
      const val: number[] = [];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < p; j++)
          if (X[i * p + j] !== 0) {
            idx.push(j);
            val.push(X[i * p + j]);
          }
        ptr.push(idx.length);
      }
      if (idx.length > 0.4 * n * p) expect(got).toBeNull();
      else expect([got?.ptr, got?.idx, got?.val].map((a) => Array.from(a ?? []))).toEqual([ptr, idx, val]);
    }
    expect(compressedRows(Float64Array.of(1, 2, 0, 4), 2, 2, 0.4)).toBeNull();
  });
});
