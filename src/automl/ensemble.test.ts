import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import { logLoss, rmse } from '../evaluate/metrics.js';
import { ensembleSelection } from './ensemble.js';

/** The average of the candidates taken `counts` times each, computed afresh. */
function blend(candidates: readonly Float64Array[], counts: readonly number[]): Float64Array {
  const total = counts.reduce((a, b) => a + b, 0);
  const out = new Float64Array(candidates[0].length);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let c = 0; c < candidates.length; c++) s += counts[c] * candidates[c][i];
    out[i] = s / total;
  }
  return out;
}

/**
 * The naive twin: each round tries every multiset that adds one member to the current one, blended
 * from scratch, keeps the lowest (lowest index on a tie), then keeps the best prefix.
 */
function naiveSelection(
  candidates: readonly Float64Array[],
  loss: (pred: Float64Array) => number,
  rounds: number,
): { members: number[]; trace: number[] } {
  const counts = new Array<number>(candidates.length).fill(0);
  const chosen: number[] = [];
  const trace: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let best = 0;
    let bestLoss = Infinity;
    for (let c = 0; c < candidates.length; c++) {
      counts[c]++;
      const l = loss(blend(candidates, counts));
      counts[c]--;
      if (l < bestLoss) {
        bestLoss = l;
        best = c;
      }
    }
    counts[best]++;
    chosen.push(best);
    trace.push(bestLoss);
  }
  const keep = trace.indexOf(Math.min(...trace));
  return { members: chosen.slice(0, keep + 1), trace };
}

/** Every multiset of `size` members over `count` candidates, as counts. */
function multisets(count: number, size: number): number[][] {
  if (count === 1) return [[size]];
  const out: number[][] = [];
  for (let first = 0; first <= size; first++)
    for (const rest of multisets(count - 1, size - first)) out.push([first, ...rest]);
  return out;
}

function randomProba(rng: Rng, n: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += out[i * k + j] = 0.05 + rng.next();
    for (let j = 0; j < k; j++) out[i * k + j] /= sum;
  }
  return out;
}

describe('ensembleSelection', () => {
  it('matches the naive twin that blends each multiset from scratch', () => {
    const rng = new Rng(4);
    for (let t = 0; t < 20; t++) {
      const regression = t % 2 === 0;
      const n = 10 + rng.int(30);
      const k = regression ? 1 : 3;
      const y = Array.from({ length: n }, () => (regression ? rng.normal() : rng.int(k)));
      const candidates = Array.from({ length: 3 + rng.int(3) }, () =>
        regression ? Float64Array.from(y, (v) => v + rng.normal() * (0.5 + rng.next())) : randomProba(rng, n, k),
      );
      const loss = regression ? (p: Float64Array) => rmse(y, p) : (p: Float64Array) => logLoss(y, p, k);
      const rounds = 1 + rng.int(8);
      const fast = ensembleSelection(candidates, y, loss, { size: rounds, k: regression ? 0 : k });
      const naive = naiveSelection(candidates, loss, rounds);
      expect(fast.members).toEqual(naive.members);
      fast.trace.forEach((l, r) => expect(l).toBeCloseTo(naive.trace[r], 12));
      expect(fast.trace.length).toBe(rounds);
    }
  });
  it('against every weight multiset of 3 candidates: never worse than the best single one, never better than the optimum', () => {
    const rng = new Rng(9);
    for (let t = 0; t < 10; t++) {
      const n = 12;
      const y = Array.from({ length: n }, () => rng.normal());
      const candidates = [0, 1, 2].map(() => Float64Array.from(y, (v) => v + rng.normal()));
      const loss = (p: Float64Array) => rmse(y, p);
      const rounds = 4;
      const result = ensembleSelection(candidates, y, loss, { size: rounds, k: 1 });
      let optimum = Infinity;
      for (let size = 1; size <= rounds; size++)
        for (const counts of multisets(3, size)) optimum = Math.min(optimum, loss(blend(candidates, counts)));
      const bestSingle = Math.min(...candidates.map(loss));
      expect(result.trace[0]).toBe(bestSingle);
      expect(result.loss).toBeLessThanOrEqual(bestSingle);
      expect(result.loss).toBeGreaterThanOrEqual(optimum - 1e-12);
      // The weights are what the loss was measured on.
      expect(loss(blend(candidates, Array.from(result.weights)))).toBeCloseTo(result.loss, 12);
      expect(result.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
      const counts = [0, 0, 0];
      for (const m of result.members) counts[m]++;
      expect(Array.from(result.weights)).toEqual(counts.map((c) => c / result.members.length));
    }
  });
  it('finds the exact blend when the target is the average of the two best candidates', () => {
    const y = [1, 2, 3, 4];
    const a = Float64Array.from([2, 1, 4, 3]);
    const b = Float64Array.from([0, 3, 2, 5]);
    const c = Float64Array.from([3, 4, 5, 6]);
    const result = ensembleSelection([a, b, c], y, (p) => rmse(y, p), { size: 6, k: 1 });
    // a and b tie at 1 (a wins on index), a + b is exact, 2a + b misses by 1/3, 2a + 2b is exact
    // again, 3a + 2b misses by 1/5, 3a + 3b is exact: the earliest exact round is kept.
    expect(result.trace.map((l) => Math.round(l * 1e12) / 1e12)).toEqual([1, 0, 0.333333333333, 0, 0.2, 0]);
    expect(result.members).toEqual([0, 1]);
    expect(Array.from(result.weights)).toEqual([0.5, 0.5, 0]);
    expect(result.loss).toBe(0);
  });
  it('keeps the best prefix when later rounds only lose', () => {
    const y = [0, 0];
    const good = Float64Array.from([0, 0]);
    const bad = Float64Array.from([1, 1]);
    const result = ensembleSelection([bad, good], y, (p) => rmse(y, p), { size: 5, k: 1 });
    expect(result.members).toEqual([1]);
    expect(Array.from(result.weights)).toEqual([0, 1]);
    expect(result.loss).toBe(0);
    expect(result.trace).toEqual([0, 0, 0, 0, 0]);
  });
  it('breaks ties by the lowest index and never picks a NaN loss', () => {
    const y = [1, 2, 3];
    const x = Float64Array.from([1, 2, 4]);
    const nan = Float64Array.from([NaN, 0, 0]);
    const result = ensembleSelection([nan, x, Float64Array.from(x)], y, (p) => rmse(y, p), { size: 3, k: 1 });
    expect(result.members).toEqual([1]);
    expect(Array.from(result.weights)).toEqual([0, 1, 0]);
    expect(() => ensembleSelection([nan], y, (p) => rmse(y, p), { k: 1 })).toThrow(/NaN loss in round 1/);
  });
  it('stops when asked, runs once for a single candidate, and checks shapes', () => {
    const y = [0, 1];
    const p = [Float64Array.from([0.2, 0.8, 0.6, 0.4]), Float64Array.from([0.5, 0.5, 0.5, 0.5])];
    const loss = (q: Float64Array) => logLoss(y, q, 2);
    let asked = 0;
    const stopped = ensembleSelection(p, y, loss, { size: 50, k: 2, shouldStop: () => ++asked >= 3 });
    expect(stopped.trace.length).toBe(3);
    expect(ensembleSelection([p[0]], y, loss, { k: 2 }).trace.length).toBe(1);
    expect(() => ensembleSelection([p[0], Float64Array.from([1, 2])], y, loss, { k: 2 })).toThrow(
      'candidate 1 has 2 values; expected 2 rows x 2',
    );
    expect(() => ensembleSelection([], y, loss, { k: 2 })).toThrow(/at least one candidate/);
    expect(() => ensembleSelection(p, y, loss, { k: 2, size: 0 })).toThrow(/whole number >= 1/);
  });
});
