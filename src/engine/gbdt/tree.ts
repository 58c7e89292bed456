import { MISSING_BIN } from './binning.js';

/**
 * A tree as flat typed arrays: one index per node, children by index, leaves with feature -1.
 * The same arrays serve training-time traversal (bin thresholds), prediction on raw values
 * (value thresholds), JSON and code generation.
 */
export interface Tree {
  readonly nNodes: number;
  /** Split feature, or -1 for a leaf. */
  readonly feature: Int32Array;
  /** Numeric splits: x <= threshold goes left. */
  readonly threshold: Float64Array;
  /** Numeric splits: bin <= binThreshold goes left. */
  readonly binThreshold: Uint8Array;
  /** Where missing values (and, for categorical splits, categories not seen in training) go. */
  readonly defaultLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Leaf output (learning rate applied); for inner nodes the value they would have as a leaf. */
  readonly value: Float64Array;
  readonly gain: Float64Array;
  /** Training rows that reached the node (TreeSHAP's cover). */
  readonly count: Float64Array;
  readonly hessian: Float64Array;
  /** Categorical splits: offset into `catBits` of the node's 8-word bitset over bins; -1 for numeric. */
  readonly catOffset: Int32Array;
  readonly catBits: Uint32Array;
}

export class TreeBuilder {
  n = 0;
  feature = new Int32Array(64);
  threshold = new Float64Array(64);
  binThreshold = new Uint8Array(64);
  defaultLeft = new Uint8Array(64);
  left = new Int32Array(64);
  right = new Int32Array(64);
  value = new Float64Array(64);
  gain = new Float64Array(64);
  count = new Float64Array(64);
  hessian = new Float64Array(64);
  catOffset = new Int32Array(64);
  cat: number[] = [];

  /** Adds a leaf and returns its index. */
  addLeaf(value: number, count: number, hessian: number): number {
    if (this.n === this.feature.length) this.grow();
    const i = this.n++;
    this.feature[i] = -1;
    this.left[i] = -1;
    this.right[i] = -1;
    this.value[i] = value;
    this.count[i] = count;
    this.hessian[i] = hessian;
    this.catOffset[i] = -1;
    this.gain[i] = 0;
    return i;
  }

  /** Turns leaf `i` into a split node with the given children. */
  split(
    i: number,
    feature: number,
    threshold: number,
    binThreshold: number,
    defaultLeft: boolean,
    gain: number,
    left: number,
    right: number,
    catLeft?: Uint32Array,
  ): void {
    this.feature[i] = feature;
    this.threshold[i] = threshold;
    this.binThreshold[i] = binThreshold;
    this.defaultLeft[i] = defaultLeft ? 1 : 0;
    this.gain[i] = gain;
    this.left[i] = left;
    this.right[i] = right;
    if (catLeft) {
      this.catOffset[i] = this.cat.length;
      for (let w = 0; w < 8; w++) this.cat.push(catLeft[w]);
    }
  }

  private grow(): void {
    const cap = this.feature.length * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.feature = g(this.feature, (k) => new Int32Array(k));
    this.threshold = g(this.threshold, (k) => new Float64Array(k));
    this.binThreshold = g(this.binThreshold, (k) => new Uint8Array(k));
    this.defaultLeft = g(this.defaultLeft, (k) => new Uint8Array(k));
    this.left = g(this.left, (k) => new Int32Array(k));
    this.right = g(this.right, (k) => new Int32Array(k));
    this.value = g(this.value, (k) => new Float64Array(k));
    this.gain = g(this.gain, (k) => new Float64Array(k));
    this.count = g(this.count, (k) => new Float64Array(k));
    this.hessian = g(this.hessian, (k) => new Float64Array(k));
    this.catOffset = g(this.catOffset, (k) => new Int32Array(k));
  }

  finish(): Tree {
    const n = this.n;
    return {
      nNodes: n,
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      binThreshold: this.binThreshold.slice(0, n),
      defaultLeft: this.defaultLeft.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      value: this.value.slice(0, n),
      gain: this.gain.slice(0, n),
      count: this.count.slice(0, n),
      hessian: this.hessian.slice(0, n),
      catOffset: this.catOffset.slice(0, n),
      catBits: Uint32Array.from(this.cat),
    };
  }
}

/** Leaf reached by row `r` of a row-major binned matrix. */
export function leafOfBinned(t: Tree, bins: Uint8Array, p: number, r: number): number {
  return leafOfBins(t, bins, r * p, 1);
}

/** Leaf reached by the row whose bin of feature f is bins[offset + f * featureStride] (either layout). */
export function leafOfBins(t: Tree, bins: Uint8Array, offset: number, featureStride: number): number {
  let node = 0;
  while (t.feature[node] >= 0) {
    const b = bins[offset + t.feature[node] * featureStride];
    let goLeft: boolean;
    if (b === MISSING_BIN) goLeft = t.defaultLeft[node] === 1;
    else if (t.catOffset[node] >= 0) goLeft = (t.catBits[t.catOffset[node] + (b >>> 5)] & (1 << (b & 31))) !== 0;
    else goLeft = b <= t.binThreshold[node];
    node = goLeft ? t.left[node] : t.right[node];
  }
  return node;
}

/** Inputs for prediction on raw values: numeric columns, or categorical columns already mapped to training bins (-1 missing, -2 unseen). */
export type RawFeature =
  { readonly kind: 'numeric'; readonly values: Float64Array } | { readonly kind: 'binned'; readonly bins: Int32Array };

/** Leaf reached by row i on raw feature columns. */
export function leafOfRaw(t: Tree, features: readonly RawFeature[], i: number): number {
  let node = 0;
  while (t.feature[node] >= 0) {
    const f = features[t.feature[node]];
    let goLeft: boolean;
    if (f.kind === 'numeric') {
      const x = f.values[i];
      goLeft = x !== x ? t.defaultLeft[node] === 1 : x <= t.threshold[node];
    } else {
      const b = f.bins[i];
      if (b === -1) goLeft = t.defaultLeft[node] === 1;
      else if (b < 0)
        goLeft = false; // a category never seen in training goes right, as in LightGBM
      else goLeft = (t.catBits[t.catOffset[node] + (b >>> 5)] & (1 << (b & 31))) !== 0;
    }
    node = goLeft ? t.left[node] : t.right[node];
  }
  return node;
}
