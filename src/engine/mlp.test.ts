import { describe, expect, it } from 'vitest';
import { Rng } from './random.js';
import {
  batchGradient,
  fitMlp,
  forwardRow,
  makeCache,
  makeGrads,
  predictBatch,
  sparseRows,
  sparseForward,
  sparseWeightGradient,
  columnScratch,
  type MlpLayer,
  type MlpOutput,
} from './mlp.js';

function tinyNet(rng: Rng, sizes: number[], layerNorm: boolean): MlpLayer[] {
  return sizes.slice(0, -1).map((nIn, l) => {
    const nOut = sizes[l + 1];
    const hidden = l + 2 < sizes.length;
    return {
      nIn,
      nOut,
      W: Float64Array.from({ length: nIn * nOut }, () => rng.normal() * 0.7),
      b: Float64Array.from({ length: nOut }, () => rng.normal() * 0.3),
      gamma: Float64Array.from({ length: layerNorm && hidden ? nOut : 0 }, () => 1 + rng.normal() * 0.2),
      beta: Float64Array.from({ length: layerNorm && hidden ? nOut : 0 }, () => rng.normal() * 0.2),
    };
  });
}

describe('mlp', () => {
  for (const output of ['softmax', 'sigmoid', 'identity'] as const)
    for (const layerNorm of [false, true])
      it(`backpropagation equals finite differences (${output}${layerNorm ? ', layer norm' : ''})`, () => {
        const rng = new Rng(3);
        const p = 3;
        const n = 6;
        const K = output === 'softmax' ? 3 : 1;
        const layers = tinyNet(rng, [p, 5, 4, K], layerNorm);
        const X = Float64Array.from({ length: n * p }, () => rng.normal());
        const y = Float64Array.from({ length: n }, (_, i) =>
          output === 'identity' ? rng.normal() : i % (output === 'softmax' ? 3 : 2),
        );
        const w = Float64Array.from({ length: n }, () => 0.5 + rng.next());
        const rows = Int32Array.from({ length: n }, (_, i) => i);
        const alpha = 0.3;
        const objective = (): number => {
          let s = 0;
          let sw = 0;
          for (let i = 0; i < n; i++) {
            const out = forwardRow({ layers, output: output as MlpOutput }, X.subarray(i * p, i * p + p));
            s += w[i] * (output === 'identity' ? 0.5 * (out[0] - y[i]) ** 2 : -Math.log(out[y[i]]));
            sw += w[i];
          }
          let reg = 0;
          for (const L of layers) for (const v of L.W) reg += v * v;
          return s / sw + (alpha / (2 * n)) * reg;
        };
        const grads = makeGrads(layers);
        batchGradient(
          layers,
          output,
          sparseRows(X, n, p, 5),
          y,
          w,
          rows,
          0,
          n,
          { dropout: 0, alpha },
          rng,
          makeCache(layers, n),
          grads,
          layers.map(() => new Float64Array(n * 5)),
        );
        const eps = 1e-6;
        layers.forEach((L, l) => {
          for (const [param, grad] of [
            [L.W, grads.W[l]],
            [L.b, grads.b[l]],
            [L.gamma, grads.gamma[l]],
            [L.beta, grads.beta[l]],
          ] as const)
            for (let t = 0; t < param.length; t++) {
              const keep = param[t];
              param[t] = keep + eps;
              const up = objective();
              param[t] = keep - eps;
              const down = objective();
              param[t] = keep;
              expect(grad[t]).toBeCloseTo((up - down) / (2 * eps), 6);
            }
        });
      });

  // Small ReLU nets can stall in a local minimum on XOR for unlucky seeds; 16 units and a
  // moderate step make that rare, and this seed is fixed.
  it('learns XOR, which no linear model can', () => {
    const X = Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1);
    const rows = 400;
    const Xr = new Float64Array(rows * 2);
    const y = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      Xr.set(X.subarray((i % 4) * 2, (i % 4) * 2 + 2), i * 2);
      y[i] = +(X[(i % 4) * 2] !== X[(i % 4) * 2 + 1]);
    }
    const model = fitMlp(Xr, rows, 2, y, 1, 'sigmoid', undefined, {
      hidden: [16],
      dropout: 0,
      layerNorm: false,
      learningRate: 0.01,
      lrDecay: 1,
      alpha: 0,
      batchSize: 32,
      maxEpochs: 200,
      patience: 10,
      tol: 1e-4,
      seed: 1,
    });
    for (let c = 0; c < 4; c++) {
      const p = forwardRow(model, X.subarray(c * 2, c * 2 + 2))[1];
      expect(Math.abs(p - +(X[c * 2] !== X[c * 2 + 1]))).toBeLessThan(0.05);
    }
  });
});

describe('mlp batch prediction', () => {
  it('gives forwardRow bit for bit, one-hot zeros and layer norm included', () => {
    const rng = new Rng(12);
    for (const output of ['softmax', 'sigmoid', 'identity'] as const) {
      const K = output === 'softmax' ? 3 : 1;
      const layers = tinyNet(rng, [6, 7, 5, K], output === 'softmax');
      const n = 263;
      const X = Float64Array.from({ length: n * 6 }, (_, t) => (t % 6 > 2 ? +(rng.next() < 0.3) : rng.normal()));
      const batch = predictBatch({ layers, output }, X, n);
      const width = output === 'sigmoid' ? 2 : K;
      for (let i = 0; i < n; i++) {
        const row = forwardRow({ layers, output }, X.subarray(i * 6, i * 6 + 6));
        for (let c = 0; c < width; c++) expect(Object.is(batch[i * width + c], row[c])).toBe(true);
      }
    }
  });
});

describe('mlp sparse first-layer kernels', () => {
  it('equal the naive dense sums on zero-heavy rows', () => {
    const rng = new Rng(5);
    for (const nOut of [1, 3, 8, 13, 20]) {
      const n = 57;
      const p = 11;
      const X = Float64Array.from({ length: n * p }, (_, t) => (t % p < 3 ? rng.normal() : +(rng.next() < 0.2)));
      const sp = sparseRows(X, n, p, nOut);
      const W = Float64Array.from({ length: p * nOut }, () => rng.normal());
      const b = Float64Array.from({ length: nOut }, () => rng.normal());
      const rows = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
      const start = 5;
      const count = 40;
      const z = new Float64Array(count * nOut);
      sparseForward(rows, start, count, sp, W, b, nOut, z);
      const dz = Float64Array.from({ length: count * nOut }, () => rng.normal());
      const gW = new Float64Array(p * nOut).fill(99);
      const gb = new Float64Array(nOut).fill(99);
      sparseWeightGradient(rows, start, count, sp, dz, p, nOut, gW, gb, columnScratch(p, count));
      for (let r = 0; r < count; r++) {
        const i = rows[start + r];
        for (let j = 0; j < nOut; j++) {
          let s = b[j];
          for (let k = 0; k < p; k++) s += X[i * p + k] * W[k * nOut + j];
          expect(z[r * nOut + j]).toBeCloseTo(s, 12);
        }
      }
      for (let k = 0; k < p; k++)
        for (let j = 0; j < nOut; j++) {
          let s = 0;
          for (let r = 0; r < count; r++) s += X[rows[start + r] * p + k] * dz[r * nOut + j];
          expect(gW[k * nOut + j]).toBeCloseTo(s, 12);
        }
      for (let j = 0; j < nOut; j++) {
        let s = 0;
        for (let r = 0; r < count; r++) s += dz[r * nOut + j];
        expect(gb[j]).toBeCloseTo(s, 12);
      }
    }
  });
});
