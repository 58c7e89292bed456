import { Rng } from '../random.js';
import {
  binColumns,
  binningSample,
  fitFeatureBins,
  MAX_BINS,
  type FeatureBins,
  type FeatureInput,
} from '../gbdt/binning.js';
import { leafOfRaw, type RawFeature } from '../gbdt/tree.js';
import {
  binMeans,
  ForestWorkspace,
  growForestTree,
  leafOfColumns,
  type ForestData,
  type ForestTree,
  type ForestTreeParams,
} from './grow.js';

export interface ForestParams extends ForestTreeParams {
  readonly nTrees: number;
  /** Draw each tree's rows with replacement (random forest) or use every row (extra trees). */
  readonly bootstrap: boolean;
  /** Rows drawn per tree, as a share of n, when bootstrapping. */
  readonly maxSamples: number;
  /** Compute out-of-bag predictions (bootstrap only; one more pass of every tree over its unseen rows). */
  readonly oob: boolean;
  readonly maxBins: number;
  readonly seed: number;
}

export interface ForestTarget {
  /** Classification: class index per row (0..outputs-1). */
  readonly cls?: Int32Array;
  /** Regression: the target. */
  readonly y?: Float64Array;
  readonly outputs: number;
}

export interface Forest {
  readonly trees: readonly ForestTree[];
  readonly featureBins: readonly FeatureBins[];
  readonly outputs: number;
  /**
   * Out-of-bag predictions (n x outputs; NaN for a row that was in every tree's sample), the
   * mean over the trees that did not see the row. Absent without bootstrapping.
   */
  readonly oob?: Float64Array;
}

/** What growing a share of a forest's trees needs: plain data and typed arrays, so it can cross to a worker thread. */
export interface ForestJob {
  readonly data: ForestData;
  readonly params: ForestParams;
  readonly sampleWeights: Float64Array | undefined;
  /** One seed per tree. */
  readonly seeds: readonly number[];
}

/** Grows the trees of a job; the Node layer supplies one that spreads them over worker threads. */
export type ForestRunner = (job: ForestJob) => ForestTree[];

/** The rows a tree trains on and their weights (bootstrap counts times sample weights); returns the row count. */
function treeSample(
  seed: number,
  n: number,
  params: ForestParams,
  sampleWeights: Float64Array | undefined,
  w: Float64Array,
  rows: Int32Array,
): number {
  let m = 0;
  if (params.bootstrap) {
    const rng = new Rng(seed);
    const draws = Math.max(1, Math.round(params.maxSamples * n));
    w.fill(0);
    for (let k = 0; k < draws; k++) w[rng.int(n)]++;
    for (let r = 0; r < n; r++) if (w[r] > 0) rows[m++] = r;
  } else {
    w.fill(1);
    for (let r = 0; r < n; r++) rows[m++] = r;
  }
  if (sampleWeights) for (let r = 0; r < n; r++) w[r] *= sampleWeights[r];
  return m;
}

/** Grows one tree per seed, in order; the same seeds give the same trees on any thread. */
export function growTrees(job: ForestJob): ForestTree[] {
  let next = 0;
  return growClaimed(job, () => next++).trees;
}

/**
 * Grows the trees whose indices (into job.seeds) `claim` hands out, until it hands out one past
 * the last, and returns them with their indices. Threads claiming from one shared counter split
 * a forest by how fast each grows trees, not into fixed shares: a thread that is still compiling
 * its code, or shares its core, takes fewer.
 */
export function growClaimed(job: ForestJob, claim: () => number): { indices: number[]; trees: ForestTree[] } {
  const { data, params, sampleWeights, seeds } = job;
  const n = data.n;
  const ws = new ForestWorkspace(
    n,
    data.p,
    data.outputs,
    data.featureBins.some((fb) => fb.kind === 'categorical'),
  );
  const w = new Float64Array(n);
  const rows = new Int32Array(n);
  const indices: number[] = [];
  const trees: ForestTree[] = [];
  for (let i = claim(); i < seeds.length; i = claim()) {
    const m = treeSample(seeds[i], n, params, sampleWeights, w, rows);
    indices.push(i);
    // The split draws use a stream independent of the bootstrap draws.
    trees.push(growForestTree(data, rows, m, w, params, ws, new Rng(seeds[i] ^ 0x5bd1e995)));
  }
  return { indices, trees };
}

/**
 * A random forest (bootstrap rows, best split among a random subset of features per node) or
 * extra trees (all rows, a random threshold per feature). Each tree has its own seed drawn from
 * `seed` up front, so the forest does not depend on how its trees are shared among threads.
 */
export function fitForest(
  features: readonly FeatureInput[],
  n: number,
  target: ForestTarget,
  sampleWeights: Float64Array | undefined,
  params: ForestParams,
  runner: ForestRunner = growTrees,
): Forest {
  const rng = new Rng(params.seed);
  const p = features.length;
  const sample = binningSample(n, rng);
  const maxBins = Math.min(params.maxBins, MAX_BINS);
  const featureBins = features.map((f) => fitFeatureBins(f, maxBins, sample));
  const colBins = binColumns(features, featureBins, n);
  const data: ForestData = {
    colBins,
    n,
    p,
    featureBins,
    outputs: target.outputs,
    cls: target.cls,
    y: target.y,
    binMeans: params.randomSplits
      ? binMeans(
          features.map((f) => (f.kind === 'numeric' ? f.values : null)),
          colBins,
          n,
        )
      : [],
  };
  const seeds = Array.from({ length: params.nTrees }, () => rng.nextU32());
  const trees = runner({ data, params, sampleWeights, seeds });
  const D = target.outputs;
  let oob: Float64Array | undefined;
  if (params.bootstrap && params.oob) {
    // Out-of-bag rows of each tree, from its seed: the draws are replayed, not stored.
    oob = new Float64Array(n * D);
    const oobTrees = new Int32Array(n);
    const w = new Float64Array(n);
    const rows = new Int32Array(n);
    const drawn = new Uint8Array(n);
    trees.forEach((grown, t) => {
      const m = treeSample(seeds[t], n, params, undefined, w, rows);
      drawn.fill(0);
      for (let k = 0; k < m; k++) drawn[rows[k]] = 1;
      for (let r = 0; r < n; r++) {
        if (drawn[r]) continue;
        const leaf = leafOfColumns(grown.tree, colBins, n, r);
        for (let d = 0; d < D; d++) (oob as Float64Array)[r * D + d] += grown.values[leaf * D + d];
        oobTrees[r]++;
      }
    });
    for (let r = 0; r < n; r++)
      for (let d = 0; d < D; d++) oob[r * D + d] = oobTrees[r] > 0 ? oob[r * D + d] / oobTrees[r] : NaN;
  }
  return { trees, featureBins, outputs: D, oob };
}

/** Mean of the trees' leaf outputs for each row: class shares or the predicted value, n x outputs. */
export function predictForest(
  trees: readonly ForestTree[],
  outputs: number,
  features: readonly RawFeature[],
  n: number,
): Float64Array {
  const out = new Float64Array(n * outputs);
  const D = outputs;
  for (const { tree, values } of trees)
    for (let i = 0; i < n; i++) {
      const leaf = leafOfRaw(tree, features, i);
      for (let d = 0; d < D; d++) out[i * D + d] += values[leaf * D + d];
    }
  const inv = 1 / Math.max(1, trees.length);
  for (let i = 0; i < out.length; i++) out[i] *= inv;
  return out;
}

/** Impurity decrease per feature, summed over trees and normalised to sum 1 (scikit-learn's feature_importances_). */
export function forestImportance(trees: readonly ForestTree[], p: number): Float64Array {
  const imp = new Float64Array(p);
  for (const { tree } of trees) {
    const perTree = new Float64Array(p);
    let total = 0;
    for (let i = 0; i < tree.nNodes; i++)
      if (tree.feature[i] >= 0) {
        perTree[tree.feature[i]] += tree.gain[i];
        total += tree.gain[i];
      }
    if (total > 0) for (let f = 0; f < p; f++) imp[f] += perTree[f] / total;
  }
  let s = 0;
  for (let f = 0; f < p; f++) s += imp[f];
  if (s > 0) for (let f = 0; f < p; f++) imp[f] /= s;
  return imp;
}
