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

/**
 * Every tree of a model in two arrays, for prediction. Scoring one row walks a few nodes of each
 * of hundreds of trees: with each tree's arrays apart in the heap that is several cache misses
 * per node, here a node is 4 adjacent int32 (16 bytes) and one double:
 *   links: [info, left child, right child, bitset offset]      split: threshold or leaf value
 * info is -1 for a leaf, else feature * 4 + 2 (categorical split) + 1 (missing values go left).
 * Child indices are absolute node numbers.
 */
export interface FlatForest {
  readonly trees: number;
  /** First node of each tree. */
  readonly roots: Int32Array;
  readonly links: Int32Array;
  readonly split: Float64Array;
  readonly catBits: Uint32Array;
}

const flatCache = new WeakMap<readonly Tree[], FlatForest>();

export function flatForest(trees: readonly Tree[]): FlatForest {
  const hit = flatCache.get(trees);
  // A list that grew since (boosting appends) is laid out again.
  if (hit && hit.trees === trees.length) return hit;
  let count = 0;
  let bits = 0;
  for (const t of trees) {
    count += t.nNodes;
    bits += t.catBits.length;
  }
  const roots = new Int32Array(trees.length);
  const links = new Int32Array(4 * count);
  const split = new Float64Array(count);
  const catBits = new Uint32Array(bits);
  let base = 0;
  let bitBase = 0;
  trees.forEach((t, r) => {
    roots[r] = base;
    for (let j = 0; j < t.nNodes; j++) {
      const at = base + j;
      if (t.feature[j] < 0) {
        links[4 * at] = -1;
        split[at] = t.value[j];
        continue;
      }
      const cat = t.catOffset[j] >= 0;
      links[4 * at] = t.feature[j] * 4 + (cat ? 2 : 0) + (t.defaultLeft[j] === 1 ? 1 : 0);
      links[4 * at + 1] = base + t.left[j];
      links[4 * at + 2] = base + t.right[j];
      links[4 * at + 3] = cat ? bitBase + t.catOffset[j] : 0;
      split[at] = t.threshold[j];
    }
    catBits.set(t.catBits, bitBase);
    base += t.nNodes;
    bitBase += t.catBits.length;
  });
  const flat = { trees: trees.length, roots, links, split, catBits };
  flatCache.set(trees, flat);
  return flat;
}

/**
 * Raw feature columns as one row-major n x p matrix: numbers (NaN missing), and for categorical
 * features the training bin (-1 missing, -2 never seen in training). The walk then reads one
 * array, whatever the kind of the feature.
 */
export function featureMatrix(features: readonly RawFeature[], n: number): Float64Array {
  const p = features.length;
  const X = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    const f = features[j];
    if (f.kind === 'numeric') for (let i = 0; i < n; i++) X[i * p + j] = f.values[i];
    else for (let i = 0; i < n; i++) X[i * p + j] = f.bins[i];
  }
  return X;
}

/** Adds every tree's leaf values for the n rows of X (n x p) into out, tree r into output r % K. */
export function addForest(
  forest: FlatForest,
  X: Float64Array,
  n: number,
  p: number,
  K: number,
  out: Float64Array,
): void {
  const { roots, links, split, catBits } = forest;
  for (let r = 0; r < forest.trees; r++) {
    const offset = (r % K) * n;
    const root = roots[r];
    for (let i = 0; i < n; i++) {
      const row = i * p;
      let node = root;
      let info = links[4 * node];
      while (info >= 0) {
        const x = X[row + (info >> 2)];
        let goLeft: boolean;
        if ((info & 2) === 0) goLeft = x !== x ? (info & 1) === 1 : x <= split[node];
        else if (x === -1) goLeft = (info & 1) === 1;
        else if (x < 0) goLeft = false;
        else {
          const b = x | 0;
          goLeft = (catBits[links[4 * node + 3] + (b >>> 5)] & (1 << (b & 31))) !== 0;
        }
        node = links[4 * node + (goLeft ? 1 : 2)];
        info = links[4 * node];
      }
      out[offset + i] += split[node];
    }
  }
}

/** Raw scores, output-major (n per output), for rows of raw feature columns. */
export function predictRaw(model: BoostedModel, features: readonly RawFeature[], n: number): Float64Array {
  const K = model.k;
  const out = new Float64Array(n * K);
  for (let c = 0; c < K; c++) out.fill(model.baseline[c], c * n, (c + 1) * n);
  addForest(flatForest(model.trees), featureMatrix(features, n), n, features.length, K, out);
  return out;
}

/** predictRaw tree by tree over the trees' own arrays: the naive twin the tests compare with. */
export function predictRawNaive(model: BoostedModel, features: readonly RawFeature[], n: number): Float64Array {
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
