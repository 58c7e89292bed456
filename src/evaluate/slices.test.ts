import { describe, expect, it } from 'vitest';
import { categoricalFromStrings, Frame, numericColumn } from '../data/frame.js';
import { Rng } from '../engine/random.js';
import { bestColumnSplit, worstSlices } from './slices.js';

function squaredError(loss: Float64Array, rows: number[]): number {
  const m = rows.reduce((a, r) => a + loss[r], 0) / rows.length;
  return rows.reduce((a, r) => a + (loss[r] - m) ** 2, 0);
}

describe('error slices', () => {
  const rng = new Rng(6);
  const n = 300;
  const a = Float64Array.from({ length: n }, () => (rng.next() < 0.05 ? NaN : rng.next()));
  const cats = ['x', 'y', 'z', 'w', 'v'];
  const c = Array.from({ length: n }, () => (rng.next() < 0.04 ? null : cats[rng.int(5)]));
  const loss = Float64Array.from({ length: n }, (_, i) => (a[i] > 0.7 && c[i] === 'x' ? 3 : 1) + 0.1 * rng.normal());
  const frame = new Frame([numericColumn('a', a), categoricalFromStrings('c', c)]);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const total = squaredError(loss, Array.from(all));

  it('the best category split is the best of every subset (brute force over 2^6 subsets, missing included)', () => {
    const col = frame.get('c');
    const split = bestColumnSplit(col, all, loss, 10);
    const codeOf = (i: number): number => (col.kind === 'categorical' ? col.codes[i] + 1 : 0);
    let best = 0;
    for (let mask = 1; mask < (1 << 6) - 1; mask++) {
      const left = Array.from(all).filter((i) => mask & (1 << codeOf(i)));
      const right = Array.from(all).filter((i) => !(mask & (1 << codeOf(i))));
      if (left.length < 10 || right.length < 10) continue;
      best = Math.max(best, total - squaredError(loss, left) - squaredError(loss, right));
    }
    expect(split?.gain).toBeCloseTo(best, 9);
  });

  it('the best threshold is the best of every cut between distinct values (missing rows on either side), or missing against present', () => {
    const split = bestColumnSplit(frame.get('a'), all, loss, 10, n);
    let best = 0;
    const values = [...new Set(Array.from(a).filter((v) => v === v))].sort((x, y) => x - y);
    for (const t of values)
      for (const missingLeft of [false, true]) {
        const goesLeft = (i: number): boolean => a[i] <= t || (missingLeft && a[i] !== a[i]);
        const left = Array.from(all).filter(goesLeft);
        const right = Array.from(all).filter((i) => !goesLeft(i));
        if (left.length >= 10 && right.length >= 10)
          best = Math.max(best, total - squaredError(loss, left) - squaredError(loss, right));
      }
    const miss = Array.from(all).filter((i) => a[i] !== a[i]);
    const pres = Array.from(all).filter((i) => a[i] === a[i]);
    if (miss.length >= 10) best = Math.max(best, total - squaredError(loss, miss) - squaredError(loss, pres));
    expect(split?.gain).toBeCloseTo(best, 9);
  });

  it('finds a planted slice: a > 0.7 and c = x', () => {
    const { overall, slices } = worstSlices(frame, loss, ['a', 'c'], { depth: 2, minShare: 0.02 });
    const worst = slices[0];
    expect(worst.meanLoss).toBeGreaterThan(2.8);
    expect(worst.ratio).toBeGreaterThan(2);
    expect(worst.text).toMatch(/c in \{x\}/);
    expect(worst.text).toMatch(/a > 0\.6\d*|a > 0\.7\d*/);
    expect(slices.reduce((s, x) => s + x.rows, 0)).toBe(n);
    // A column tested twice on one path reads once, at its tighter bound.
    const deep = worstSlices(frame, loss, ['a', 'c'], { depth: 3, minShare: 0.02 }).slices;
    for (const s of deep) for (const name of ['a >', 'a <=']) expect(s.text.split(name).length).toBeLessThanOrEqual(2);
    expect(slices.reduce((s, x) => s + x.meanLoss * x.rows, 0) / n).toBeCloseTo(overall, 9);
  });
});
