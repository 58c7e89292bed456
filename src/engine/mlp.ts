import { sigmoid } from './linear-loss.js';
import { Rng } from './random.js';

/**
 * A multilayer perceptron on typed arrays: dense layers with ReLU, inverted dropout, optional
 * layer normalisation before each activation, and a softmax, sigmoid or identity output, trained
 * with Adam on minibatches (learning rate decayed per epoch) and early stopping on held-out rows
 * the caller chooses.
 * Weights are row-major in x out per layer.
 */

export type MlpOutput = 'softmax' | 'sigmoid' | 'identity';

export interface MlpParams {
  readonly hidden: readonly number[];
  readonly dropout: number;
  readonly layerNorm: boolean;
  readonly learningRate: number;
  /** Learning rate multiplier per epoch (1 = constant). */
  readonly lrDecay: number;
  /** L2 penalty on weights (scikit-learn's alpha): alpha/2 |W|^2 per batch, scaled by batch / n. */
  readonly alpha: number;
  readonly batchSize: number;
  readonly maxEpochs: number;
  readonly patience: number;
  /** Early stopping: an epoch counts as better only if it lowers the held-out loss by more than this. */
  readonly tol: number;
  readonly seed: number;
}

export interface MlpLayer {
  readonly nIn: number;
  readonly nOut: number;
  readonly W: Float64Array;
  readonly b: Float64Array;
  /** Layer-norm gain and shift (hidden layers with layerNorm), else empty. */
  readonly gamma: Float64Array;
  readonly beta: Float64Array;
}

export interface MlpModel {
  readonly layers: readonly MlpLayer[];
  readonly output: MlpOutput;
  readonly epochs: number;
  readonly history: { readonly train: number[]; readonly valid: number[] };
}

const LN_EPS = 1e-5;

/**
 * Forward pass of one row, the reference order every prediction (and the exported code) uses:
 * each unit's sum starts at its bias and adds inputs in index order.
 */
export function forwardRow(model: { layers: readonly MlpLayer[]; output: MlpOutput }, x: Float64Array): Float64Array {
  let a = x;
  model.layers.forEach((L, li) => {
    const z = new Float64Array(L.nOut);
    for (let j = 0; j < L.nOut; j++) {
      let s = L.b[j];
      for (let k = 0; k < L.nIn; k++) s += a[k] * L.W[k * L.nOut + j];
      z[j] = s;
    }
    const last = li === model.layers.length - 1;
    if (!last) {
      if (L.gamma.length) layerNormRow(z, L.gamma, L.beta);
      for (let j = 0; j < L.nOut; j++) if (z[j] < 0) z[j] = 0;
    }
    a = z;
  });
  return finish(a, model.output);
}

function layerNormRow(z: Float64Array, gamma: Float64Array, beta: Float64Array): void {
  const m = z.length;
  let mean = 0;
  for (let j = 0; j < m; j++) mean += z[j];
  mean /= m;
  let v = 0;
  for (let j = 0; j < m; j++) v += (z[j] - mean) * (z[j] - mean);
  const inv = 1 / Math.sqrt(v / m + LN_EPS);
  for (let j = 0; j < m; j++) z[j] = (z[j] - mean) * inv * gamma[j] + beta[j];
}

/** Output activation of one row's final sums. */
function finish(z: Float64Array, output: MlpOutput): Float64Array {
  if (output === 'identity') return z;
  if (output === 'sigmoid') {
    const m = z[0];
    const p = sigmoid(m);
    return Float64Array.of(1 - p, p);
  }
  let max = -Infinity;
  for (let c = 0; c < z.length; c++) max = Math.max(max, z[c]);
  let s = 0;
  const out = new Float64Array(z.length);
  for (let c = 0; c < z.length; c++) s += out[c] = Math.exp(z[c] - max);
  for (let c = 0; c < z.length; c++) out[c] /= s;
  return out;
}

export interface Cache {
  /** Per layer: its input activations (batch x nIn). */
  readonly input: Float64Array[];
  /** Per hidden layer: pre-norm sums, normalised values (before gain), inverse std, dropout mask. */
  readonly pre: Float64Array[];
  readonly normed: Float64Array[];
  readonly invStd: Float64Array[];
  readonly mask: Float64Array[];
  readonly out: Float64Array;
}

export function makeGrads(layers: readonly MlpLayer[]): Grads {
  return {
    W: layers.map((L) => new Float64Array(L.W.length)),
    b: layers.map((L) => new Float64Array(L.b.length)),
    gamma: layers.map((L) => new Float64Array(L.gamma.length)),
    beta: layers.map((L) => new Float64Array(L.beta.length)),
  };
}

export function makeCache(layers: readonly MlpLayer[], batch: number): Cache {
  return {
    input: layers.map((L) => new Float64Array(batch * L.nIn)),
    pre: layers.map((L) => new Float64Array(batch * L.nOut)),
    normed: layers.map((L) => new Float64Array(batch * L.nOut)),
    invStd: layers.map(() => new Float64Array(batch)),
    mask: layers.map((L) => new Float64Array(batch * L.nOut)),
    out: new Float64Array(batch * layers[layers.length - 1].nOut),
  };
}

/**
 * z = a W + b for a batch (rows x nIn times nIn x nOut), inner loop over outputs for contiguous
 * access. Rows go four at a time so each weight loaded serves four rows; an input that is zero
 * in all four (ReLU and one-hot inputs mostly are) is skipped.
 */
function dense(a: Float64Array, rows: number, L: MlpLayer, z: Float64Array, skipZeros = true): void {
  const { nIn, nOut, W, b } = L;
  for (let r = 0; r < rows; r++) for (let j = 0; j < nOut; j++) z[r * nOut + j] = b[j];
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const z0 = r * nOut;
    const z1 = z0 + nOut;
    const z2 = z1 + nOut;
    const z3 = z2 + nOut;
    const a0 = r * nIn;
    for (let k = 0; k < nIn; k++) {
      const v0 = a[a0 + k];
      const v1 = a[a0 + nIn + k];
      const v2 = a[a0 + 2 * nIn + k];
      const v3 = a[a0 + 3 * nIn + k];
      if (skipZeros && v0 === 0 && v1 === 0 && v2 === 0 && v3 === 0) continue;
      const wo = k * nOut;
      for (let j = 0; j < nOut; j++) {
        const w = W[wo + j];
        z[z0 + j] += v0 * w;
        z[z1 + j] += v1 * w;
        z[z2 + j] += v2 * w;
        z[z3 + j] += v3 * w;
      }
    }
  }
  for (; r < rows; r++) {
    const zo = r * nOut;
    const ao = r * nIn;
    for (let k = 0; k < nIn; k++) {
      const v = a[ao + k];
      if (skipZeros && v === 0) continue;
      const wo = k * nOut;
      for (let j = 0; j < nOut; j++) z[zo + j] += v * W[wo + j];
    }
  }
}

/**
 * Outputs for n rows of X, in blocks through `dense`. Every sum starts at the bias and adds
 * every input in index order (zeros included, so even the sign of a zero matches), exactly as
 * forwardRow and the exported code do.
 */
export function predictBatch(
  model: { layers: readonly MlpLayer[]; output: MlpOutput },
  X: Float64Array,
  n: number,
): Float64Array {
  const { layers, output } = model;
  const K = output === 'sigmoid' ? 2 : layers[layers.length - 1].nOut;
  const out = new Float64Array(n * K);
  const CHUNK = 256;
  const bufs = layers.map((L) => new Float64Array(CHUNK * L.nOut));
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const rows = Math.min(CHUNK, n - r0);
    let a = X.subarray(r0 * layers[0].nIn, (r0 + rows) * layers[0].nIn);
    layers.forEach((L, li) => {
      const z = bufs[li];
      dense(a, rows, L, z, false);
      if (li < layers.length - 1)
        for (let r = 0; r < rows; r++) {
          const row = z.subarray(r * L.nOut, (r + 1) * L.nOut);
          if (L.gamma.length) layerNormRow(row, L.gamma, L.beta);
          for (let j = 0; j < L.nOut; j++) if (row[j] < 0) row[j] = 0;
        }
      a = z;
    });
    const last = layers[layers.length - 1].nOut;
    for (let r = 0; r < rows; r++) out.set(finish(a.slice(r * last, (r + 1) * last), output), (r0 + r) * K);
  }
  return out;
}

/** gW = a' dz and gb = column sums of dz over the batch, four rows per pass over gW. */
function weightGradient(
  a: Float64Array,
  dz: Float64Array,
  rows: number,
  nIn: number,
  nOut: number,
  gW: Float64Array,
  gb: Float64Array,
): void {
  for (let r = 0; r < rows; r++) for (let j = 0; j < nOut; j++) gb[j] += dz[r * nOut + j];
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const d0 = r * nOut;
    const d1 = d0 + nOut;
    const d2 = d1 + nOut;
    const d3 = d2 + nOut;
    const a0 = r * nIn;
    for (let k = 0; k < nIn; k++) {
      const v0 = a[a0 + k];
      const v1 = a[a0 + nIn + k];
      const v2 = a[a0 + 2 * nIn + k];
      const v3 = a[a0 + 3 * nIn + k];
      if (v0 === 0 && v1 === 0 && v2 === 0 && v3 === 0) continue;
      const wo = k * nOut;
      for (let j = 0; j < nOut; j++)
        gW[wo + j] += v0 * dz[d0 + j] + v1 * dz[d1 + j] + v2 * dz[d2 + j] + v3 * dz[d3 + j];
    }
  }
  for (; r < rows; r++) {
    const d0 = r * nOut;
    const a0 = r * nIn;
    for (let k = 0; k < nIn; k++) {
      const v = a[a0 + k];
      if (v === 0) continue;
      const wo = k * nOut;
      for (let j = 0; j < nOut; j++) gW[wo + j] += v * dz[d0 + j];
    }
  }
}

export interface Grads {
  readonly W: Float64Array[];
  readonly b: Float64Array[];
  readonly gamma: Float64Array[];
  readonly beta: Float64Array[];
}

/**
 * Forward and backward pass of the batch rows[start..start+count): fills `grads` (weights and
 * biases overwritten, layer-norm parameters added to) with the gradient of the batch's weighted
 * mean loss plus the L2 term, and returns the batch's summed loss and weight.
 */
export function batchGradient(
  layers: readonly MlpLayer[],
  output: MlpOutput,
  X: Float64Array,
  p: number,
  y: Float64Array,
  w: Float64Array | undefined,
  fitRows: Int32Array,
  start: number,
  rows: number,
  params: { readonly dropout: number; readonly alpha: number },
  rng: Rng,
  cache: Cache,
  grads: Grads,
  deltaA: Float64Array[],
): { loss: number; weight: number } {
  let loss = 0;
  let weight = 0;
  // Gather the batch.
  const x0 = cache.input[0];
  for (let r = 0; r < rows; r++) x0.set(X.subarray(fitRows[start + r] * p, fitRows[start + r] * p + p), r * p);
  // Forward.
  for (let l = 0; l < layers.length; l++) {
    const L = layers[l];
    const last = l === layers.length - 1;
    const z = last ? cache.out : cache.pre[l];
    dense(cache.input[l], rows, L, z);
    if (last) break;
    const next = cache.input[l + 1];
    const normed = cache.normed[l];
    for (let r = 0; r < rows; r++) {
      const o = r * L.nOut;
      if (L.gamma.length) {
        let mean = 0;
        for (let j = 0; j < L.nOut; j++) mean += z[o + j];
        mean /= L.nOut;
        let v = 0;
        for (let j = 0; j < L.nOut; j++) v += (z[o + j] - mean) ** 2;
        const inv = 1 / Math.sqrt(v / L.nOut + LN_EPS);
        cache.invStd[l][r] = inv;
        for (let j = 0; j < L.nOut; j++) normed[o + j] = (z[o + j] - mean) * inv;
      }
      for (let j = 0; j < L.nOut; j++) {
        const s = L.gamma.length ? normed[o + j] * L.gamma[j] + L.beta[j] : z[o + j];
        let a = s > 0 ? s : 0;
        let keep = 1;
        if (params.dropout > 0) keep = rng.next() < params.dropout ? 0 : 1 / (1 - params.dropout);
        cache.mask[l][o + j] = s > 0 ? keep : 0;
        a *= keep;
        next[o + j] = a;
      }
    }
  }
  // Output gradient dLoss/dz for the batch (mean over the batch's weight).
  const K = layers[layers.length - 1].nOut;
  const dOut = deltaA[layers.length - 1];
  let bw = 0;
  for (let r = 0; r < rows; r++) bw += w ? w[fitRows[start + r]] : 1;
  for (let r = 0; r < rows; r++) {
    const i = fitRows[start + r];
    const wi = (w ? w[i] : 1) / bw;
    const o = r * K;
    if (output === 'identity') {
      const d = cache.out[o] - y[i];
      loss += (w ? w[i] : 1) * 0.5 * d * d;
      dOut[o] = wi * d;
    } else if (output === 'sigmoid') {
      const m = cache.out[o];
      const q = sigmoid(m);
      loss += (w ? w[i] : 1) * -Math.log(Math.max(y[i] === 1 ? q : 1 - q, 1e-15));
      dOut[o] = wi * (q - y[i]);
    } else {
      let max = -Infinity;
      for (let c = 0; c < K; c++) max = Math.max(max, cache.out[o + c]);
      let s = 0;
      for (let c = 0; c < K; c++) s += Math.exp(cache.out[o + c] - max);
      for (let c = 0; c < K; c++) {
        const q = Math.exp(cache.out[o + c] - max) / s;
        dOut[o + c] = wi * (q - +(y[i] === c));
      }
      loss += (w ? w[i] : 1) * (max + Math.log(s) - cache.out[o + y[i]]);
    }
    weight += w ? w[i] : 1;
  }
  // Backward.
  for (let l = layers.length - 1; l >= 0; l--) {
    const L = layers[l];
    const dz = deltaA[l];
    const a = cache.input[l];
    const gW = grads.W[l];
    const gb = grads.b[l];
    gW.fill(0);
    gb.fill(0);
    weightGradient(a, dz, rows, L.nIn, L.nOut, gW, gb);
    // L2 on weights: (alpha / 2) |W|^2 per batch, over the batch size, as scikit-learn adds it.
    const reg = params.alpha / rows;
    for (let t = 0; t < gW.length; t++) gW[t] += reg * L.W[t];
    if (l === 0) break;
    // Into the previous layer: through the weights, then its dropout and ReLU, then its layer norm.
    const P = layers[l - 1];
    const dPrev = deltaA[l - 1];
    for (let r = 0; r < rows; r++) {
      const zo = r * L.nOut;
      const po = r * P.nOut;
      for (let k = 0; k < L.nIn; k++) {
        let s = 0;
        const wo = k * L.nOut;
        for (let j = 0; j < L.nOut; j++) s += dz[zo + j] * L.W[wo + j];
        dPrev[po + k] = s * cache.mask[l - 1][po + k];
      }
      if (P.gamma.length) {
        // d/dz of gamma * (z - mean) * inv + beta over the row.
        const normed = cache.normed[l - 1];
        const inv = cache.invStd[l - 1][r];
        const m = P.nOut;
        let sumG = 0;
        let sumGN = 0;
        for (let j = 0; j < m; j++) {
          const g = dPrev[po + j];
          grads.gamma[l - 1][j] += g * normed[po + j];
          grads.beta[l - 1][j] += g;
          const gn = g * P.gamma[j];
          sumG += gn;
          sumGN += gn * normed[po + j];
        }
        for (let j = 0; j < m; j++) {
          const gn = dPrev[po + j] * P.gamma[j];
          dPrev[po + j] = (inv / m) * (m * gn - sumG - normed[po + j] * sumGN);
        }
      }
    }
  }
  return { loss, weight };
}

export function fitMlp(
  X: Float64Array,
  n: number,
  p: number,
  /** Class index (softmax, sigmoid) or value (identity). */
  y: Float64Array,
  outputs: number,
  output: MlpOutput,
  w: Float64Array | undefined,
  params: MlpParams,
  /** Rows to train on and rows held out for early stopping (patience, best epoch kept). */
  holdout?: { readonly fit: Int32Array; readonly valid: Int32Array },
): MlpModel {
  const rng = new Rng(params.seed);
  const sizes = [p, ...params.hidden, output === 'sigmoid' ? 1 : outputs];
  const layers: MlpLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l];
    const nOut = sizes[l + 1];
    // Glorot uniform, as scikit-learn (factor 6 for ReLU layers, 2 for a sigmoid output).
    const factor = l + 2 === sizes.length && output === 'sigmoid' ? 2 : 6;
    const bound = Math.sqrt(factor / (nIn + nOut));
    const W = Float64Array.from({ length: nIn * nOut }, () => (2 * rng.next() - 1) * bound);
    const b = Float64Array.from({ length: nOut }, () => (2 * rng.next() - 1) * bound);
    const hiddenNorm = params.layerNorm && l + 2 < sizes.length;
    layers.push({
      nIn,
      nOut,
      W,
      b,
      gamma: hiddenNorm ? new Float64Array(nOut).fill(1) : new Float64Array(0),
      beta: new Float64Array(hiddenNorm ? nOut : 0),
    });
  }
  // Early stopping watches the held-out rows the caller chose; without them every row trains.
  const fitRows = holdout ? holdout.fit.slice() : Int32Array.from({ length: n }, (_, i) => i);
  const validRows = holdout ? holdout.valid : new Int32Array(0);
  // The held-out rows gathered once, for one batched pass per epoch.
  const Xv = new Float64Array(validRows.length * p);
  validRows.forEach((i, t) => Xv.set(X.subarray(i * p, i * p + p), t * p));
  const batch = Math.max(1, Math.min(params.batchSize, fitRows.length));
  const cache = makeCache(layers, batch);
  const grads = makeGrads(layers);
  const all = (g: Grads): Float64Array[] => [...g.W, ...g.b, ...g.gamma, ...g.beta];
  const paramsOf = (): Float64Array[] => [
    ...layers.map((L) => L.W),
    ...layers.map((L) => L.b),
    ...layers.map((L) => L.gamma),
    ...layers.map((L) => L.beta),
  ];
  const m1 = all(grads).map((a) => new Float64Array(a.length));
  const m2 = all(grads).map((a) => new Float64Array(a.length));
  let step = 0;
  const deltaA = layers.map(() => new Float64Array(batch * Math.max(...sizes)));
  const history = { train: [] as number[], valid: [] as number[] };
  let best = Infinity;
  let bestEpoch = 0;
  let since = 0;
  let bestWeights = paramsOf().map((a) => a.slice());
  let lr = params.learningRate;
  const nFit = fitRows.length;
  let epochs = 0;
  for (let epoch = 0; epoch < params.maxEpochs; epoch++) {
    epochs = epoch + 1;
    rng.shuffle(fitRows);
    let lossSum = 0;
    let weightSum = 0;
    for (let start = 0; start < nFit; start += batch) {
      const rows = Math.min(batch, nFit - start);
      const g = batchGradient(layers, output, X, p, y, w, fitRows, start, rows, params, rng, cache, grads, deltaA);
      lossSum += g.loss;
      weightSum += g.weight;
      // Adam.
      step++;
      const b1 = 0.9;
      const b2 = 0.999;
      const c1 = 1 - b1 ** step;
      const c2 = 1 - b2 ** step;
      const ps = paramsOf();
      const gs = all(grads);
      for (let t = 0; t < ps.length; t++) {
        const P = ps[t];
        const G = gs[t];
        const M = m1[t];
        const V = m2[t];
        for (let u = 0; u < P.length; u++) {
          const g = G[u];
          M[u] = b1 * M[u] + (1 - b1) * g;
          V[u] = b2 * V[u] + (1 - b2) * g * g;
          P[u] -= (lr * (M[u] / c1)) / (Math.sqrt(V[u] / c2) + 1e-8);
        }
      }
      for (const g of grads.gamma) g.fill(0);
      for (const g of grads.beta) g.fill(0);
    }
    history.train.push(lossSum / Math.max(weightSum, 1e-300));
    lr *= params.lrDecay;
    if (validRows.length > 0) {
      const vl = meanLoss({ layers, output }, Xv, y, w, validRows);
      history.valid.push(vl);
      if (best === Infinity || vl < best - params.tol) {
        best = vl;
        bestEpoch = epoch + 1;
        since = 0;
        bestWeights = paramsOf().map((a) => a.slice());
      } else if (++since >= params.patience) break;
    }
  }
  if (validRows.length > 0) {
    // Keep the weights of the best validation epoch.
    paramsOf().forEach((a, t) => a.set(bestWeights[t]));
    epochs = bestEpoch;
  }
  return { layers, output, epochs, history };
}

/** Mean loss of rows under the model (prediction order), for early stopping. */
function meanLoss(
  model: { layers: readonly MlpLayer[]; output: MlpOutput },
  Xv: Float64Array,
  y: Float64Array,
  w: Float64Array | undefined,
  rows: Int32Array,
): number {
  const out = predictBatch(model, Xv, rows.length);
  const K = out.length / Math.max(1, rows.length);
  let s = 0;
  let sw = 0;
  rows.forEach((i, t) => {
    const wi = w ? w[i] : 1;
    if (model.output === 'identity') s += wi * 0.5 * (out[t] - y[i]) ** 2;
    else s += wi * -Math.log(Math.max(out[t * K + y[i]], 1e-15));
    sw += wi;
  });
  return s / Math.max(sw, 1e-300);
}
