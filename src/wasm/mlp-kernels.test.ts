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
import { KernelArena, PLAIN, type Alloc } from './kernels.js';

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
      const arena = KernelArena.mlp(1 << 20);
      const rng = new Rng(5);
      const X = arena.f64(n * p);
      for (let t = 0; t < X.length; t++) X[t] = rng.next() < 0.6 ? 0 : rng.normal();
      const y = Float64Array.from({ length: n }, (_, i) =>
        output === 'identity' ? rng.normal() : i % (output === 'softmax' ? 3 : 2),
      );
      const w = Float64Array.from({ length: n }, () => 0.5 + rng.next());
      const rows = arena.i32(n);
      for (let i = 0; i < n; i++) rows[i] = (i * 7) % n;
      const layers = net(new Rng(9), sizes, arena, layerNorm);
      const twin = net(new Rng(9), sizes, PLAIN, layerNorm);
      const widest = Math.max(...sizes);
      const run = (ls: MlpLayer[], alloc: Alloc, fast: boolean) => {
        const grads = makeGrads(ls, alloc);
        const g = batchGradient(
          ls,
          output,
          sparseRows(X, n, p, sizes[1], alloc),
          y,
          w,
          rows,
          3,
          batch,
          { dropout: 0, alpha: 0.1 },
          new Rng(1),
          makeCache(ls, batch, alloc),
          grads,
          ls.map(() => alloc.f64(batch * widest)),
          fast ? arena.kernels : undefined,
        );
        return { g, grads };
      };
      const a = run(layers, arena, true);
      const b = run(twin, PLAIN, false);
      expect(a.g.loss).toBe(b.g.loss);
      a.grads.W.forEach((gw, l) => same(gw, b.grads.W[l]));
      a.grads.b.forEach((gb, l) => same(gb, b.grads.b[l]));
      // One Adam step each way.
      const m = layers.map((L) => [arena.f64(L.W.length), arena.f64(L.W.length)]);
      const mt = twin.map((L) => [new Float64Array(L.W.length), new Float64Array(L.W.length)]);
      layers.forEach((L, l) => {
        arena.kernels.adamStep(
          L.W.byteOffset,
          a.grads.W[l].byteOffset,
          m[l][0].byteOffset,
          m[l][1].byteOffset,
          L.W.length,
          0.01,
          0.1,
          0.001,
        );
        adamStep(twin[l].W, b.grads.W[l], mt[l][0], mt[l][1], 0.01, 0.1, 0.001);
        same(L.W, twin[l].W);
      });
      // Batch prediction, every input added (no zero skipped) as forwardRow does.
      const bufs = layers.map((L) => arena.f64(256 * L.nOut));
      same(
        predictBatchPlain({ layers, output }, X, n, { k: arena.kernels, bufs }),
        predictBatchPlain({ layers: twin, output }, Float64Array.from(X), n),
      );
      // And through a temporary arena, from plain arrays.
      same(
        predictBatch({ layers: twin, output }, Float64Array.from(X), n),
        predictBatchPlain({ layers: twin, output }, Float64Array.from(X), n),
      );
    });
});
