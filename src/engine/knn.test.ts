import { describe, expect, it } from 'vitest';
import { Rng } from './random.js';
import { buildKdTree, kNearest, type Metric } from './knn.js';

/** The oracle: every distance, sorted by (distance, row). */
function naive(X: Float64Array, n: number, p: number, Q: Float64Array, nq: number, k: number, metric: Metric) {
  const out: [number, number][][] = [];
  for (let q = 0; q < nq; q++) {
    const all: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < p; j++) {
        const t = X[i * p + j] - Q[q * p + j];
        d += metric === 'euclidean' ? t * t : Math.abs(t);
      }
      all.push([metric === 'euclidean' ? Math.sqrt(d) : d, i]);
    }
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    out.push(all.slice(0, k));
  }
  return out;
}

describe('k nearest neighbours', () => {
  for (const metric of ['euclidean', 'manhattan'] as const)
    for (const p of [2, 7, 40])
      it(`k-d tree and brute force both equal the sorted oracle (${metric}, ${p} dims, with ties)`, () => {
        const rng = new Rng(p);
        const n = 700;
        // Rounded values make exact ties common, the hard case for a consistent order.
        const X = Float64Array.from({ length: n * p }, () => Math.round(rng.normal() * 3) / 2);
        const nq = 60;
        const Q = Float64Array.from({ length: nq * p }, () => Math.round(rng.normal() * 3) / 2);
        const k = 9;
        const want = naive(X, n, p, Q, nq, k, metric);
        for (const tree of [buildKdTree(X, n, p), undefined]) {
          const got = kNearest(X, n, p, Q, nq, k, metric, tree);
          for (let q = 0; q < nq; q++)
            for (let t = 0; t < k; t++) {
              expect(got.rows[q * k + t]).toBe(want[q][t][1]);
              expect(got.dist[q * k + t]).toBe(want[q][t][0]);
            }
        }
      });

  it('a training row is its own nearest neighbour at distance 0; k above n returns every row', () => {
    const X = Float64Array.of(0, 0, 1, 1, 5, 5);
    const r = kNearest(X, 3, 2, X, 3, 10, 'euclidean', buildKdTree(X, 3, 2));
    expect(Array.from(r.rows.subarray(0, 3))).toEqual([0, 1, 2]);
    expect(r.dist[0]).toBe(0);
    expect(r.dist[1]).toBe(Math.SQRT2);
    expect(r.rows.length).toBe(9);
  });
});
