import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import { fitMlp, predictBatch, predictBatchPlain, type MlpOutput, type MlpParams } from '../engine/mlp.js';

/** Equal as numbers, element by element (the kernels skip zero inputs, which may flip a zero's sign only). */
const same = (a: Float64Array | readonly number[], b: Float64Array | readonly number[]): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) expect([i, a[i]]).toEqual([i, b[i]]);
};

describe('mlp kernels (WebAssembly, SIMD) against their JavaScript twins', () => {
  // Widths that leave SIMD remainders (odd, not a multiple of 8), zero-heavy inputs as one-hot
  // gives, a last batch shorter than the rest, dropout and layer norm drawing and normalising.
  const cases: [number[], MlpOutput, number, boolean, number, boolean][] = [
    [[11, 7], 'softmax', 3, false, 0, true],
    [[17], 'sigmoid', 2, true, 0.2, true],
    [[8, 5], 'identity', 1, false, 0.1, false],
    [[9, 6, 4], 'softmax', 4, true, 0.3, false],
    [[100], 'sigmoid', 2, false, 0, false],
    [[13], 'identity', 1, true, 0, true],
  ];
  for (const [hidden, output, K, layerNorm, dropout, weighted] of cases)
    it(`train to the same weights, losses and epochs (${hidden.join('-')} ${output}${layerNorm ? ', layer norm' : ''}${dropout ? ', dropout' : ''}${weighted ? ', weighted' : ''})`, () => {
      const rng = new Rng(5);
      const n = 157;
      const p = 13;
      const X = Float64Array.from({ length: n * p }, () => (rng.next() < 0.6 ? 0 : rng.normal()));
      const y = Float64Array.from({ length: n }, (_, i) => (output === 'identity' ? rng.normal() : i % K));
      const w = weighted ? Float64Array.from({ length: n }, () => 0.5 + rng.next()) : undefined;
      const valid = Int32Array.from({ length: 20 }, (_, i) => i * 7);
      const fit = Int32Array.from([...Array(n).keys()].filter((i) => i % 7 !== 0 || i >= 140));
      const params: MlpParams = {
        hidden,
        dropout,
        layerNorm,
        learningRate: 0.01,
        lrDecay: 0.99,
        alpha: 0.01,
        batchSize: 32,
        maxEpochs: 25,
        patience: 5,
        tol: 1e-4,
        seed: 3,
      };
      const a = fitMlp(X, n, p, y, K, output, w, params, { fit, valid });
      const b = fitMlp(X, n, p, y, K, output, w, params, { fit, valid }, { kernels: 'js' });
      expect(a.epochs).toBe(b.epochs);
      same(a.history.train, b.history.train);
      same(a.history.valid, b.history.valid);
      a.layers.forEach((L, l) => {
        same(L.W, b.layers[l].W);
        same(L.b, b.layers[l].b);
        same(L.gamma, b.layers[l].gamma);
        same(L.beta, b.layers[l].beta);
      });
      // Prediction: every input added (no zero skipped), as forwardRow does, in blocks of rows.
      same(predictBatch(a, X, n), predictBatchPlain(b, X, n));
    });

  it('predict a table larger than one block of rows the same way', () => {
    const rng = new Rng(2);
    const p = 5;
    const n = 700;
    const X = Float64Array.from({ length: n * p }, () => rng.normal());
    const y = Float64Array.from({ length: n }, (_, i) => i % 3);
    const params: MlpParams = {
      hidden: [6],
      dropout: 0,
      layerNorm: true,
      learningRate: 0.01,
      lrDecay: 1,
      alpha: 0,
      batchSize: 64,
      maxEpochs: 3,
      patience: 3,
      tol: 0,
      seed: 1,
    };
    const m = fitMlp(X, n, p, y, 3, 'softmax', undefined, params);
    same(predictBatch(m, X, n), predictBatchPlain(m, X, n));
  });
});
