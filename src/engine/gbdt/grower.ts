import type { Rng } from '../random.js';
import { MISSING_BIN, type FeatureBins } from './binning.js';
import {
  buildHistogram,
  buildHistogramPacked,
  histogramSize,
  packingUnit,
  subtractHistogram,
  unpackHistogram,
  type Packing,
} from './histogram.js';
import { PARALLEL_MIN_UPDATES, sharedInt32, type HistogramPool } from './parallel.js';
import { findBestSplit, leafValue, SplitCandidate, type SplitParams } from './split.js';
import { TreeBuilder, type Tree } from './tree.js';

export interface GrowParams extends SplitParams {
  readonly maxLeaves: number;
  /** 0 = unlimited. */
  readonly maxDepth: number;
  readonly learningRate: number;
  /** Share of the tree's features tried at each node (1 = all). */
  readonly colsampleByNode: number;
}

/** Reusable buffers for growing many trees over the same data: no allocation per tree. */
export class GrowWorkspace {
  readonly idx: Int32Array;
  readonly tmp: Int32Array;
  readonly scratch: Float64Array;
  private readonly hists: Float64Array[] = [];
  readonly histSize: number;
  readonly order = new Int32Array(256);
  readonly ratio = new Float64Array(256);
  readonly nodeFeatures: Int32Array;

  readonly pool: HistogramPool | undefined;
  private readonly p: number;

  constructor(n: number, p: number, pool?: HistogramPool) {
    this.pool = pool && pool.threads > 1 ? pool : undefined;
    this.p = p;
    this.idx = sharedInt32(n, this.pool !== undefined);
    this.tmp = new Int32Array(n);
    this.scratch = new Float64Array(2 * n);
    this.histSize = histogramSize(p);
    this.nodeFeatures = new Int32Array(p);
  }

  takeHistogram(): Float64Array {
    const h = this.hists.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(this.histSize);
  }

  release(h: Float64Array): void {
    this.hists.push(h);
  }

  /**
   * Histogram of idx[start..end), on several threads when the node is large enough to pay for it.
   * With a packing (constant hessians), slots are built packed and unpacked once at the end.
   */
  build(
    bins: Uint8Array,
    grad: Float64Array,
    hess: Float64Array,
    start: number,
    end: number,
    hist: Float64Array,
    pk: Packing | undefined,
  ): void {
    if (this.pool && (end - start) * this.p >= PARALLEL_MIN_UPDATES)
      this.pool.build(start, end, grad, hess, hist, this.scratch, pk);
    else if (pk === undefined) buildHistogram(bins, this.p, this.idx, start, end, grad, hess, hist, this.scratch);
    else {
      buildHistogramPacked(bins, this.p, this.idx, start, end, grad, packingUnit(pk), hist, this.scratch);
      unpackHistogram(hist, this.histSize, pk);
    }
  }
}

/** A grown tree and where its training rows ended: leaf `leafNode[k]` holds idx[leafStart[k]..leafEnd[k]). */
export interface Grown {
  readonly tree: Tree;
  readonly leafNode: Int32Array;
  readonly leafStart: Int32Array;
  readonly leafEnd: Int32Array;
  /** Row indices partitioned by leaf (a view of the workspace; valid until the next tree). */
  readonly idx: Int32Array;
}

interface OpenLeaf {
  node: number;
  start: number;
  end: number;
  g: number;
  h: number;
  depth: number;
  hist: Float64Array;
  split: SplitCandidate;
}

/**
 * Grows one tree leaf-wise (best first): the open leaf whose best split gains most is split next,
 * until `maxLeaves`. Rows of a leaf stay contiguous in `idx`; only the smaller child's histogram
 * is built from its rows, the larger one is the parent's minus it. `pk`: every hessian is the
 * same and gradients are quantized for packed histograms.
 */
export function growTree(
  bins: Uint8Array,
  colBins: Uint8Array,
  p: number,
  featureBins: readonly FeatureBins[],
  grad: Float64Array,
  hess: Float64Array,
  rows: Int32Array,
  nRows: number,
  treeFeatures: Int32Array,
  params: GrowParams,
  ws: GrowWorkspace,
  rng: Rng,
  pk?: Packing,
): Grown {
  const idx = ws.idx;
  idx.set(rows.subarray(0, nRows));
  let G = 0;
  let H = 0;
  for (let k = 0; k < nRows; k++) {
    G += grad[idx[k]];
    H += hess[idx[k]];
  }
  const tree = new TreeBuilder();
  const lr = params.learningRate;
  const root = tree.addLeaf(lr * leafValue(G, H, params.l2), nRows, H);
  const rootHist = ws.takeHistogram();
  ws.build(bins, grad, hess, 0, nRows, rootHist, pk);

  const open: OpenLeaf[] = [];
  const done: { node: number; start: number; end: number }[] = [];
  const evaluate = (leaf: OpenLeaf): void => {
    const count = leaf.end - leaf.start;
    if ((params.maxDepth > 0 && leaf.depth >= params.maxDepth) || count < 2 * params.minSamplesLeaf) {
      leaf.split.reset();
      return;
    }
    const nTry = pickNodeFeatures(treeFeatures, params.colsampleByNode, ws.nodeFeatures, rng);
    findBestSplit(
      leaf.hist,
      ws.nodeFeatures,
      nTry,
      featureBins,
      leaf.g,
      leaf.h,
      count,
      params,
      leaf.split,
      ws.order,
      ws.ratio,
    );
  };
  const first: OpenLeaf = {
    node: root,
    start: 0,
    end: nRows,
    g: G,
    h: H,
    depth: 0,
    hist: rootHist,
    split: new SplitCandidate(),
  };
  evaluate(first);
  open.push(first);
  let nLeaves = 1;

  while (open.length > 0) {
    // Linear scan: at most maxLeaves open leaves, cheaper than a heap at these sizes.
    let bi = 0;
    for (let k = 1; k < open.length; k++) if (open[k].split.gain > open[bi].split.gain) bi = k;
    const leaf = open[bi];
    if (nLeaves >= params.maxLeaves || leaf.split.feature < 0) break;
    open.splice(bi, 1);
    const s = leaf.split;
    const n = colBins.length / p;
    const mid = partition(
      colBins,
      s.feature * n,
      idx,
      ws.tmp,
      leaf.start,
      leaf.end,
      s,
      featureBins[s.feature].kind === 'categorical',
    );
    const gL = s.leftG;
    const hL = s.leftH;
    const gR = leaf.g - gL;
    const hR = leaf.h - hL;
    const nL = mid - leaf.start;
    const nR = leaf.end - mid;
    const left = tree.addLeaf(lr * leafValue(gL, hL, params.l2), nL, hL);
    const right = tree.addLeaf(lr * leafValue(gR, hR, params.l2), nR, hR);
    const fb = featureBins[s.feature];
    const threshold =
      fb.kind === 'numeric' ? (s.binThreshold < fb.thresholds.length ? fb.thresholds[s.binThreshold] : Infinity) : 0;
    tree.split(
      leaf.node,
      s.feature,
      threshold,
      s.binThreshold,
      s.defaultLeft,
      s.gain,
      left,
      right,
      s.categorical ? s.catLeft : undefined,
    );
    nLeaves++;

    const small = ws.takeHistogram();
    const leftSmaller = nL <= nR;
    if (leftSmaller) ws.build(bins, grad, hess, leaf.start, mid, small, pk);
    else ws.build(bins, grad, hess, mid, leaf.end, small, pk);
    const large = leaf.hist;
    subtractHistogram(large, small, ws.histSize);
    const childL: OpenLeaf = {
      node: left,
      start: leaf.start,
      end: mid,
      g: gL,
      h: hL,
      depth: leaf.depth + 1,
      hist: leftSmaller ? small : large,
      split: leaf.split,
    };
    const childR: OpenLeaf = {
      node: right,
      start: mid,
      end: leaf.end,
      g: gR,
      h: hR,
      depth: leaf.depth + 1,
      hist: leftSmaller ? large : small,
      split: new SplitCandidate(),
    };
    evaluate(childL);
    evaluate(childR);
    open.push(childL, childR);
  }
  for (const leaf of open) {
    ws.release(leaf.hist);
    done.push(leaf);
  }
  // Leaves in node order, so results do not depend on the order leaves were closed.
  done.sort((a, b) => a.node - b.node);
  return {
    tree: tree.finish(),
    leafNode: Int32Array.from(done, (d) => d.node),
    leafStart: Int32Array.from(done, (d) => d.start),
    leafEnd: Int32Array.from(done, (d) => d.end),
    idx,
  };
}

/** Stable in-place partition of idx[start..end) by the split on the feature whose bins start at colBins[base]; returns the first right row. */
export function partition(
  colBins: Uint8Array,
  base: number,
  idx: Int32Array,
  tmp: Int32Array,
  start: number,
  end: number,
  s: SplitCandidate,
  categorical: boolean,
): number {
  const thr = s.binThreshold;
  const dl = s.defaultLeft;
  const cat = s.catLeft;
  let w = start;
  let r = 0;
  // Branch-free: which side a row goes is unpredictable, so write it to both and advance one.
  const dlBit = dl ? 1 : 0;
  if (categorical) {
    for (let k = start; k < end; k++) {
      const row = idx[k];
      const b = colBins[base + row];
      const left = b === MISSING_BIN ? dlBit : (cat[b >>> 5] >>> (b & 31)) & 1;
      idx[w] = row;
      tmp[r] = row;
      w += left;
      r += 1 - left;
    }
  } else {
    for (let k = start; k < end; k++) {
      const row = idx[k];
      const b = colBins[base + row];
      const left = b === MISSING_BIN ? dlBit : +(b <= thr);
      idx[w] = row;
      tmp[r] = row;
      w += left;
      r += 1 - left;
    }
  }
  for (let k = 0; k < r; k++) idx[w + k] = tmp[k];
  return w;
}

/** The features a node may split on: all of the tree's, or a random share (colsampleByNode). */
function pickNodeFeatures(treeFeatures: Int32Array, share: number, out: Int32Array, rng: Rng): number {
  const m = treeFeatures.length;
  out.set(treeFeatures);
  if (share >= 1) return m;
  const k = Math.max(1, Math.round(share * m));
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(m - i);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return k;
}
