import { Rng } from '../random.js';
import {
  binColumns,
  binningSample,
  binMatrix,
  fitFeatureBins,
  MAX_BINS,
  rowMajor,
  type FeatureBins,
  type FeatureInput,
} from './binning.js';
import { growTree, GrowWorkspace, type GrowParams } from './grower.js';
import { objective, weightedMedian, type Objective, type ObjectiveName } from './loss.js';
import { sharedFloat64, type HistogramPool } from './parallel.js';
import { quantizeExact } from './quantize.js';
import { packedQuantizeCount, packing, type Packing } from './histogram.js';
import { leafOfBinned, type Tree } from './tree.js';

export interface BoostParams extends GrowParams {
  readonly numRounds: number;
  readonly maxBins: number;
  readonly objective: ObjectiveName;
  readonly huberDelta: number;
  /** Share of rows drawn (without replacement) for each round. */
  readonly subsample: number;
  readonly colsampleByTree: number;
  /** Stop when the validation loss has not improved for `patience` rounds. */
  readonly earlyStopping: boolean;
  readonly patience: number;
  /** Share of training rows held out for early stopping when no validation set is given. */
  readonly validationFraction: number;
  readonly seed: number;
}

export interface BoostData {
  readonly features: readonly FeatureInput[];
  readonly n: number;
  /** Class index (classification) or value (regression). */
  readonly y: Float64Array;
  readonly weights?: Float64Array;
}

export interface BoostedModel {
  readonly objective: ObjectiveName;
  /** Outputs per row (classes for multiclass, else 1). */
  readonly k: number;
  readonly baseline: Float64Array;
  /** Round-major: the tree of round r for output c is trees[r * k + c]. */
  readonly trees: readonly Tree[];
  readonly featureBins: readonly FeatureBins[];
  readonly rounds: number;
  readonly bestRound: number;
  readonly history: { readonly train: number[]; readonly valid: number[] };
}

/** Rows of a feature subset, so validation rows can be held out before binning. */
function takeFeatures(features: readonly FeatureInput[], rows: Int32Array): FeatureInput[] {
  return features.map((f) =>
    f.kind === 'numeric'
      ? { kind: 'numeric', values: Float64Array.from(rows, (r) => f.values[r]) }
      : { kind: 'categorical', codes: Int32Array.from(rows, (r) => f.codes[r]), nCategories: f.nCategories },
  );
}

function takeRows(a: Float64Array | undefined, rows: Int32Array): Float64Array | undefined {
  return a ? Float64Array.from(rows, (r) => a[r]) : undefined;
}

/** Stratified (by class) or plain seeded split of 0..n-1 into fit and validation rows. */
function holdout(
  n: number,
  share: number,
  y: Float64Array,
  classify: boolean,
  rng: Rng,
): { fit: Int32Array; valid: Int32Array } {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = classify ? y[i] : 0;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  const fit: number[] = [];
  const valid: number[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const idx = Int32Array.from(groups.get(key) as number[]);
    rng.shuffle(idx);
    const m = Math.round(idx.length * share);
    for (let t = 0; t < idx.length; t++) (t < m ? valid : fit).push(idx[t]);
  }
  return { fit: Int32Array.from(fit).sort(), valid: Int32Array.from(valid).sort() };
}

/** What every round needs, prepared once: binned data, baselines and buffers. */
interface Prepared {
  readonly obj: Objective;
  readonly train: BoostData;
  readonly valid: BoostData | undefined;
  readonly featureBins: FeatureBins[];
  readonly bins: Uint8Array;
  readonly colBins: Uint8Array;
  readonly vBins: Uint8Array | undefined;
  readonly baseline: Float64Array;
  readonly rng: Rng;
}

function prepare(
  data: BoostData,
  params: BoostParams,
  validation: BoostData | undefined,
  k: number,
  shared: boolean,
): Prepared {
  const rng = new Rng(params.seed);
  const obj = objective(params.objective, k, params.huberDelta);
  let train = data;
  let valid = validation;
  if (params.earlyStopping && !valid && params.validationFraction > 0) {
    const classify = params.objective === 'binary' || params.objective === 'multiclass';
    const { fit, valid: v } = holdout(data.n, params.validationFraction, data.y, classify, rng);
    const part = (rows: Int32Array): BoostData => ({
      features: takeFeatures(data.features, rows),
      n: rows.length,
      y: takeRows(data.y, rows) as Float64Array,
      weights: takeRows(data.weights, rows),
    });
    train = part(fit);
    valid = part(v);
  }
  const n = train.n;
  const sample = binningSample(n, rng);
  const maxBins = Math.min(params.maxBins, MAX_BINS);
  const featureBins = train.features.map((f) => fitFeatureBins(f, maxBins, sample));
  const colBins = binColumns(train.features, featureBins, n);
  const bins = rowMajor(colBins, n, train.features.length, shared);
  const vBins = valid ? binMatrix(valid.features, featureBins, valid.n) : undefined;
  const baseline = obj.init(train.y, train.weights);
  return { obj, train, valid, featureBins, bins, colBins, vBins, baseline, rng };
}

/**
 * Gradient boosting: each round fits one tree per output to the loss gradients (second order,
 * as XGBoost and LightGBM) and adds it, shrunk by the learning rate, to the raw scores. With a
 * pool, histograms are built on several threads; the model is the same for any thread count.
 */
export function boost(
  data: BoostData,
  params: BoostParams,
  validation?: BoostData,
  k = 1,
  pool?: HistogramPool,
): BoostedModel {
  const shared = pool !== undefined && pool.threads > 1;
  const prep = prepare(data, params, validation, k, shared);
  const n = prep.train.n;
  const p = prep.train.features.length;
  const K = prep.obj.k;
  const grad = sharedFloat64(n * K, shared);
  const hess = sharedFloat64(n * K, shared);
  const ws = new GrowWorkspace(n, p, pool);
  if (!shared || !pool) return rounds(prep, params, ws, grad, hess);
  pool.attach(prep.bins, p, ws.idx, grad, hess, ws.histSize);
  try {
    return rounds(prep, params, ws, grad, hess);
  } finally {
    pool.detach();
  }
}

/** raw[offset + idx[q]] += value of the leaf holding q, for every leaf of a grown tree. */
function applyLeaves(
  raw: Float64Array,
  offset: number,
  idx: Int32Array,
  grown: { leafNode: Int32Array; leafStart: Int32Array; leafEnd: Int32Array },
  value: Float64Array,
): void {
  for (let l = 0; l < grown.leafNode.length; l++) {
    const v = value[grown.leafNode[l]];
    const end = grown.leafEnd[l];
    for (let q = grown.leafStart[l]; q < end; q++) raw[offset + idx[q]] += v;
  }
}

/** Adds a tree's output by traversing binned rows (rows outside the bag, validation rows). */
function applyBinned(
  raw: Float64Array,
  offset: number,
  t: Tree,
  bins: Uint8Array,
  p: number,
  n: number,
  skip: Uint8Array | undefined,
): void {
  for (let i = 0; i < n; i++) if (!skip || !skip[i]) raw[offset + i] += t.value[leafOfBinned(t, bins, p, i)];
}

function rounds(
  prep: Prepared,
  params: BoostParams,
  ws: GrowWorkspace,
  grad: Float64Array,
  hess: Float64Array,
): BoostedModel {
  const { obj, train, valid, featureBins, bins, colBins, vBins, baseline, rng } = prep;
  const n = train.n;
  const p = train.features.length;
  const K = obj.k;
  const raw = new Float64Array(n * K);
  for (let c = 0; c < K; c++) raw.fill(baseline[c], c * n, (c + 1) * n);
  const vn = valid ? valid.n : 0;
  const vRaw = new Float64Array(vn * K);
  for (let c = 0; c < K; c++) vRaw.fill(baseline[c], c * vn, (c + 1) * vn);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const perm = all.slice();
  const inBag = new Uint8Array(n);
  const nBag = params.subsample < 1 ? Math.max(1, Math.round(params.subsample * n)) : n;
  const allFeatures = Int32Array.from({ length: p }, (_, f) => f);
  const nTreeFeatures = params.colsampleByTree < 1 ? Math.max(1, Math.round(params.colsampleByTree * p)) : p;
  const residual = obj.medianLeaves ? new Float64Array(n) : undefined;
  const packings: (Packing | undefined)[] = new Array<Packing | undefined>(K);

  const trees: Tree[] = [];
  const history = { train: [] as number[], valid: [] as number[] };
  let best = Infinity;
  let bestRound = 0;
  let sinceBest = 0;
  for (let round = 0; round < params.numRounds; round++) {
    obj.gradients(train.y, raw, train.weights, grad, hess);
    for (let c = 0; c < K; c++) {
      quantizeExact(hess, c * n, (c + 1) * n, n);
      const constant = isConstant(hess, c * n, (c + 1) * n);
      const q = quantizeExact(grad, c * n, (c + 1) * n, constant ? packedQuantizeCount(n) : n);
      packings[c] = constant && q > 0 ? packing(n, q, hess[c * n]) : undefined;
    }
    let rows = all;
    if (nBag < n) {
      // Partial Fisher-Yates: the first nBag entries are a uniform sample without replacement.
      for (let i = 0; i < nBag; i++) {
        const j = i + rng.int(n - i);
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      rows = perm.slice(0, nBag).sort();
      inBag.fill(0);
      for (let t = 0; t < nBag; t++) inBag[rows[t]] = 1;
    }
    let treeFeatures = allFeatures;
    if (nTreeFeatures < p) {
      const f = allFeatures.slice();
      for (let i = 0; i < nTreeFeatures; i++) {
        const j = i + rng.int(p - i);
        const t = f[i];
        f[i] = f[j];
        f[j] = t;
      }
      treeFeatures = f.slice(0, nTreeFeatures).sort();
    }
    for (let c = 0; c < K; c++) {
      const g = K === 1 ? grad : grad.subarray(c * n, (c + 1) * n);
      const h = K === 1 ? hess : hess.subarray(c * n, (c + 1) * n);
      const grown = growTree(
        bins,
        colBins,
        p,
        featureBins,
        g,
        h,
        rows,
        rows.length,
        treeFeatures,
        params,
        ws,
        rng,
        packings[c],
      );
      const t = grown.tree;
      if (residual) medianLeaves(t, grown, train, raw, residual, params.learningRate);
      applyLeaves(raw, c * n, grown.idx, grown, t.value);
      if (nBag < n) applyBinned(raw, c * n, t, bins, p, n, inBag);
      if (vBins) applyBinned(vRaw, c * vn, t, vBins, p, vn, undefined);
      trees.push(t);
    }
    if (valid) {
      const vl = obj.loss(valid.y, vRaw, valid.weights);
      history.valid.push(vl);
      if (params.earlyStopping) {
        // Improvement must beat floating-point noise, or a flat tail would never stop.
        if (best === Infinity || vl < best - 1e-7 * Math.abs(best)) {
          best = vl;
          bestRound = round + 1;
          sinceBest = 0;
        } else if (++sinceBest >= params.patience) break;
      }
    }
  }
  const total = trees.length / K;
  const keep = params.earlyStopping && valid ? Math.max(1, bestRound) : total;
  return {
    objective: params.objective,
    k: K,
    baseline,
    trees: trees.slice(0, keep * K),
    featureBins,
    rounds: keep,
    bestRound: keep,
    history,
  };
}

/** True when a[start..end) holds one value (hessians of L2 loss without weights). */
function isConstant(a: Float64Array, start: number, end: number): boolean {
  const v = a[start];
  for (let i = start + 1; i < end; i++) if (a[i] !== v) return false;
  return true;
}

/** L1: a leaf's best constant is the (weighted) median residual of its rows, not a Newton step. */
function medianLeaves(
  t: Tree,
  grown: { idx: Int32Array; leafNode: Int32Array; leafStart: Int32Array; leafEnd: Int32Array },
  train: BoostData,
  raw: Float64Array,
  residual: Float64Array,
  lr: number,
): void {
  for (let i = 0; i < train.n; i++) residual[i] = train.y[i] - raw[i];
  for (let l = 0; l < grown.leafNode.length; l++) {
    const rowsOfLeaf = grown.idx.subarray(grown.leafStart[l], grown.leafEnd[l]);
    const vals = Float64Array.from(rowsOfLeaf, (r) => residual[r]);
    const w = train.weights;
    const ws = w ? Float64Array.from(rowsOfLeaf, (r) => w[r]) : undefined;
    (t.value as Float64Array)[grown.leafNode[l]] = lr * (vals.length ? weightedMedian(vals, ws) : 0);
  }
}
