import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import { placeForest } from './kernels.js';

/** Naive twins of assembly/forest.ts, on plain arrays. */
function gatherTwin(col: Uint8Array, base: number, idx: Int32Array, start: number, end: number) {
  const bins = Array.from(idx.subarray(start, end), (r) => col[base + r]);
  const present = bins.filter((b) => b !== 255);
  return {
    bins,
    lo: present.length ? Math.min(...present) : 256,
    hi: present.length ? Math.max(...present) : -1,
    missing: bins.length - present.length,
  };
}

describe('forest kernels (WebAssembly) against naive twins', () => {
  const n = 300;
  const p = 3;
  const rng = new Rng(11);
  const { kernels: k, arrays } = placeForest((a) => ({
    col: a.u8(n * p),
    idx: a.i32(n),
    tmp: a.i32(n),
    gb: a.u8(n),
    wa: a.f64(n),
    ya: a.f64(n),
    tw: a.f64(n),
    ty: a.f64(n),
    ca: a.i32(n),
    tc: a.i32(n),
    cat: a.i32(8),
    hw: a.f64(256),
    hs: a.f64(256),
    hsc: a.f64(256 * 3),
    hc: a.i32(256),
    touched: a.i32(256),
  }));
  const { col, idx, tmp, gb, wa, ya, tw, ty, ca, tc, cat } = arrays;
  /** A random node: positions start..end (possibly empty). */
  const span = (): [number, number] => {
    const start = rng.int(n);
    return [start, start + rng.int(n - start + 1)];
  };
  const fill = (): void => {
    for (let i = 0; i < n * p; i++) col[i] = rng.next() < 0.1 ? 255 : rng.int(20);
    for (let i = 0; i < n; i++) {
      idx[i] = i;
      wa[i] = rng.int(3);
      ya[i] = rng.next() * 10 - 5;
      ca[i] = rng.int(3);
    }
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
  };

  it('gatherRange copies the node bins and finds their range and missing count', () => {
    for (let t = 0; t < 50; t++) {
      fill();
      const f = rng.int(p);
      const [start, end] = span();
      const want = gatherTwin(col, f * n, idx, start, end);
      const packed = k.gatherRange(col.byteOffset, f * n, idx.byteOffset, gb.byteOffset, start, end);
      expect(Array.from(gb.subarray(start, end))).toEqual(want.bins);
      expect(packed & 511).toBe(want.lo);
      expect((packed >>> 9) - 1).toBe(want.hi);
      expect(k.lastMissing()).toBe(want.missing);
    }
  });

  it('leftSums counts, weighs and sums the rows going left', () => {
    for (let t = 0; t < 50; t++) {
      fill();
      for (let i = 0; i < n; i++) gb[i] = col[i];
      const [start, end] = span();
      const thr = rng.int(20);
      const ml = rng.int(2);
      for (const unit of [0, 1]) {
        let cl = 0;
        let wl = 0;
        let s = 0;
        for (let i = start; i < end; i++) {
          const left = gb[i] === 255 ? ml === 1 : gb[i] <= thr;
          if (!left) continue;
          cl++;
          wl += unit ? 1 : wa[i];
          s += ya[i] * (left ? 1 : 0);
        }
        expect(k.leftSums(gb.byteOffset, wa.byteOffset, ya.byteOffset, start, end, thr, ml, unit)).toBe(cl);
        expect(k.lastLeftWeight()).toBeCloseTo(wl, 9);
        expect(k.lastLeftSum()).toBeCloseTo(s, 9);
      }
    }
  });

  it('accumulate builds the per-bin weights, counts and sums of a node, listing each bin once', () => {
    const { hw, hs, hsc, hc, touched } = arrays;
    for (let t = 0; t < 30; t++) {
      fill();
      const f = rng.int(p);
      const [start, end] = span();
      for (const cls of [0, 1]) {
        [hw, hs, hsc, hc].forEach((a) => a.fill(0));
        const at = (a: { byteOffset: number }): number => a.byteOffset;
        const D = cls ? 3 : 1;
        const sums = cls ? hsc : hs;
        const nt = k.accumulate(
          at(col),
          f * n,
          at(idx),
          at(wa),
          at(ya),
          at(ca),
          start,
          end,
          D,
          cls,
          at(hw),
          at(hc),
          at(sums),
          at(touched),
        );
        const wantW = new Float64Array(256);
        const wantC = new Int32Array(256);
        const wantS = new Float64Array(256 * D);
        const order: number[] = [];
        for (let i = start; i < end; i++) {
          const b = col[f * n + idx[i]];
          if (wantC[b]++ === 0) order.push(b);
          wantW[b] += wa[i];
          if (cls) wantS[b * D + ca[i]] += wa[i];
          else wantS[b] += ya[i];
        }
        expect(Array.from(touched.subarray(0, nt))).toEqual(order);
        expect(Array.from(hc)).toEqual(Array.from(wantC));
        for (let b = 0; b < 256 * D; b++) expect(sums[b]).toBeCloseTo(wantS[b], 9);
        if (!cls) for (let b = 0; b < 256; b++) expect(hw[b]).toBeCloseTo(wantW[b], 9);
      }
    }
  });

  it('partition is stable and moves weights, classes and targets with their rows', () => {
    for (let t = 0; t < 60; t++) {
      fill();
      const f = rng.int(p);
      const [start, end] = span();
      const thr = rng.int(20);
      const dl = rng.int(2);
      const categorical = t % 3 === 0 ? 1 : 0;
      for (let w = 0; w < 8; w++) cat[w] = rng.nextU32() | 0;
      const goesLeft = (b: number): boolean =>
        b === 255 ? dl === 1 : categorical ? ((cat[b >>> 5] >>> (b & 31)) & 1) === 1 : b <= thr;
      const before = Array.from({ length: end - start }, (_, j) => ({
        row: idx[start + j],
        w: wa[start + j],
        y: ya[start + j],
        c: ca[start + j],
      }));
      const want = [
        ...before.filter((x) => goesLeft(col[f * n + x.row])),
        ...before.filter((x) => !goesLeft(col[f * n + x.row])),
      ];
      const mid = k.partition(
        col.byteOffset,
        f * n,
        idx.byteOffset,
        tmp.byteOffset,
        wa.byteOffset,
        tw.byteOffset,
        ya.byteOffset,
        ty.byteOffset,
        ca.byteOffset,
        tc.byteOffset,
        start,
        end,
        thr,
        dl,
        cat.byteOffset,
        categorical,
        0,
        1,
        1,
      );
      expect(mid - start).toBe(before.filter((x) => goesLeft(col[f * n + x.row])).length);
      const got = Array.from({ length: end - start }, (_, j) => ({
        row: idx[start + j],
        w: wa[start + j],
        y: ya[start + j],
        c: ca[start + j],
      }));
      expect(got).toEqual(want);
    }
  });
});
