import type { BoostedModel } from './boost.js';
import { sigmoid } from './loss.js';
import type { RawFeature, Tree } from './tree.js';

/** Adds one tree's leaf values for rows 0..n-1 into out[offset + i]. The traversal is inlined: it is the prediction hot loop. */
export function addTree(t: Tree, features: readonly RawFeature[], n: number, out: Float64Array, offset: number): void {
  const feature = t.feature;
  const threshold = t.threshold;
  const defaultLeft = t.defaultLeft;
  const left = t.left;
  const right = t.right;
  const catOffset = t.catOffset;
  const catBits = t.catBits;
  for (let i = 0; i < n; i++) {
    let node = 0;
    let f = feature[0];
    while (f >= 0) {
      const col = features[f];
      let goLeft: boolean;
      if (col.kind === 'numeric') {
        const x = col.values[i];
        goLeft = x !== x ? defaultLeft[node] === 1 : x <= threshold[node];
      } else {
        const b = col.bins[i];
        goLeft =
          b === -1
            ? defaultLeft[node] === 1
            : b < 0
              ? false
              : (catBits[catOffset[node] + (b >>> 5)] & (1 << (b & 31))) !== 0;
      }
      node = goLeft ? left[node] : right[node];
      f = feature[node];
    }
    out[offset + i] += t.value[node];
  }
}

/** Raw scores, output-major (n per output), for rows of raw feature columns. */
export function predictRaw(model: BoostedModel, features: readonly RawFeature[], n: number): Float64Array {
  const K = model.k;
  const out = new Float64Array(n * K);
  for (let c = 0; c < K; c++) out.fill(model.baseline[c], c * n, (c + 1) * n);
  for (let r = 0; r < model.trees.length; r++) addTree(model.trees[r], features, n, out, (r % K) * n);
  return out;
}

/** Probabilities n x K row-major (binary: [1 - p, p]) from output-major raw scores. */
export function probabilities(raw: Float64Array, n: number, k: number, binary: boolean): Float64Array {
  if (binary) {
    const out = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(raw[i]);
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, raw[c * n + i]);
    let z = 0;
    for (let c = 0; c < k; c++) z += out[i * k + c] = Math.exp(raw[c * n + i] - max);
    for (let c = 0; c < k; c++) out[i * k + c] /= z;
  }
  return out;
}
