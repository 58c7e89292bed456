import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import {
  adamStep,
  batchGradient,
  makeCache,
  makeGrads,
  predictBatch,
  predictBatchPlain,
  sparseRows,
  type MlpLayer,
} from '../engine/mlp.js';
import { placeMlp, PLAIN, type Alloc } from './kernels.js';

/** Equal as numbers (a zero's sign aside: skipping a zero input may leave -0 where adding it gives +0). */
const same = (a: Float64Array, b: Float64Array): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) expect([i, a[i]]).toEqual([i, b[i]]);
};

function net(rng: Rng, sizes: readonly number[], alloc: Alloc, layerNorm: boolean): MlpLayer[] {
  return sizes.slice(0, -1).map((nIn, l) => {
    const nOut = sizes[l + 1];
    const norm = layerNorm && l + 2 < sizes.length ? nOut : 0;
    const W = alloc.f64(nIn * nOut);
    for (let t = 0; t < W.length; t++) W[t] = rng.normal() * 0.5;
    const b = alloc.f64(nOut);
    for (let t = 0; t < nOut; t++) b[t] = rng.normal() * 0.2;
    return { nIn, nOut, W, b, gamma: alloc.f64(norm).fill(1), beta: alloc.f64(norm) };
  });
}

describe('mlp kernels (WebAssembly, SIMD) against the JavaScript twins', () => {
  // Widths that leave SIMD remainders (odd, not a multiple of 8), zero-heavy inputs as one-hot gives.
  for (const [sizes, output, layerNorm] of [
    [[13, 11, 7, 3], 'softmax', false],
    [[9, 17, 1], 'sigmoid', true],
    [[20, 8, 5, 1], 'identity', false],
  ] as const)
    it(`give the same gradients, updates and predictions (${sizes.join('-')} ${output})`, () => {
      const n = 37;
      const p = sizes[0];
      const batch = 16;
      const rng = new Rng(5);
      const Xp = Float64Array.from({ length: n * p }, () => (rng.next() < 0.6 ? 0 : rng.normal()));
      const y = Float64Array.from({ length: n }, (_, i) =>
        output === 'identity' ? rng.normal() : i % (output === 'softmax' ? 3 : 2),
      );
      const w = Float64Array.from({ length: n }, () => 0.5 + rng.next());
      // The same arrays in the kernels' memory and in plain memory (the twin's).
      const layout = (a: Alloc) => {
        const layers = net(new Rng(9), sizes, a, layerNorm);
        return {
          X: a.f64(n * p),
          rows: a.i32(n),
          layers,
          sparse: sparseRows(Xp, n, p, sizes[1], a),
          cache: makeCache(layers, batch, a),
          grads: makeGrads(layers, a),
          m: makeGrads(layers, a),
          v: makeGrads(layers, a),
          deltaA: layers.map(() => a.f64(batch * Math.max(...sizes))),
          bufs: layers.map((L) => a.f64(256 * L.nOut)),
        };
      };
      const { kernels, arrays: A } = placeMlp(layout);
      const B = layout(PLAIN);
      for (const s of [A, B]) {
        s.X.set(Xp);
        for (let i = 0; i < n; i++) s.rows[i] = (i * 7) % n;
      }
      const run = (s: ReturnType<typeof layout>, fast: boolean) =>
        batchGradient(
          s.layers,
          output,
          s.sparse,
          y,
          w,
          s.rows,
          3,
          batch,
          { dropout: 0, alpha: 0.1 },
          new Rng(1),
          s.cache,
          s.grads,
          s.deltaA,
          fast ? kernels : undefined,
        );
      expect(run(A, true).loss).toBe(run(B, false).loss);
      A.grads.W.forEach((gw, l) => same(gw, B.grads.W[l]));
      A.grads.b.forEach((gb, l) => same(gb, B.grads.b[l]));
      // One Adam step each way.
      A.layers.forEach((L, l) => {
        const at = (x: Float64Array): number => x.byteOffset;
        kernels.adamStep(at(L.W), at(A.grads.W[l]), at(A.m.W[l]), at(A.v.W[l]), L.W.length, 0.01, 0.1, 0.001);
        adamStep(B.layers[l].W, B.grads.W[l], B.m.W[l], B.v.W[l], 0.01, 0.1, 0.001);
        same(L.W, B.layers[l].W);
      });
      // Batch prediction, every input added (no zero skipped) as forwardRow does.
      const twin = B.layers;
      same(
        predictBatchPlain({ layers: A.layers, output }, A.X, n, { k: kernels, bufs: A.bufs }),
        predictBatchPlain({ layers: twin, output }, Xp, n),
      );
      // And through a temporary arena, from plain arrays.
      same(predictBatch({ layers: twin, output }, Xp, n), predictBatchPlain({ layers: twin, output }, Xp, n));
    });
});
