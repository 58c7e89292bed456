import { placeMlp, PLAIN, type Alloc } from '../wasm/kernels.js';
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
  /**
   * What early stopping watches on the held-out rows: 'loss' (log loss or squared error), or
   * 'score' (accuracy for classes, R² for regression, as scikit-learn's MLP does). Loss keeps
   * improving after accuracy has levelled off, so it trains longer and calibrates better.
   */
  readonly stopOn?: 'loss' | 'score';
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

/** Layer norm's variance floor (exported models use the same). */
export const MLP_LN_EPS = 1e-5;
const LN_EPS = MLP_LN_EPS;

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
  const out = new Float64Array(output === 'sigmoid' ? 2 : z.length);
  finishInto(z, 0, z.length, output, out, 0);
  return out;
}

/** The output activation of sums z[zo..zo+m) written to out[oo..]: one code path for rows and batches. */
function finishInto(z: Float64Array, zo: number, m: number, output: MlpOutput, out: Float64Array, oo: number): void {
  if (output === 'identity') {
    for (let c = 0; c < m; c++) out[oo + c] = z[zo + c];
    return;
  }
  if (output === 'sigmoid') {
    const p = sigmoid(z[zo]);
    out[oo] = 1 - p;
    out[oo + 1] = p;
    return;
  }
  let max = -Infinity;
  for (let c = 0; c < m; c++) max = Math.max(max, z[zo + c]);
  let s = 0;
  for (let c = 0; c < m; c++) s += out[oo + c] = Math.exp(z[zo + c] - max);
  for (let c = 0; c < m; c++) out[oo + c] /= s;
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
  /** The first layer's batch regrouped by input, for its weight gradient. */
  readonly columns: ColumnScratch;
}

export function makeGrads(layers: readonly MlpLayer[], alloc: Alloc = PLAIN): Grads {
  return {
    W: layers.map((L) => alloc.f64(L.W.length)),
    b: layers.map((L) => alloc.f64(L.b.length)),
    gamma: layers.map((L) => alloc.f64(L.gamma.length)),
    beta: layers.map((L) => alloc.f64(L.beta.length)),
  };
}

export function makeCache(layers: readonly MlpLayer[], batch: number, alloc: Alloc = PLAIN): Cache {
  return {
    // The first layer reads sparse rows instead.
    input: layers.map((L, l) => alloc.f64(l === 0 ? 0 : batch * L.nIn)),
    pre: layers.map((L) => alloc.f64(batch * L.nOut)),
    normed: layers.map((L) => alloc.f64(batch * L.nOut)),
    invStd: layers.map(() => alloc.f64(batch)),
    mask: layers.map((L) => alloc.f64(batch * L.nOut)),
    out: alloc.f64(batch * layers[layers.length - 1].nOut),
    columns: columnScratch(layers[0].nIn, batch, alloc),
  };
}

/**
 * z = a W + b for a batch (rows x nIn times nIn x nOut), inner loop over outputs for contiguous
 * access. Rows go four at a time so each weight loaded serves four rows; an input that is zero
 * in all four (ReLU and one-hot inputs mostly are) is skipped.
 */
function dense(a: Float64Array, rows: number, L: MlpLayer, z: Float64Array, skipZeros = true): void {
  const { nIn, nOut, W, b } = L;
  if (nOut === 1) {
    // One output (sigmoid or regression): a dot product per row, four rows sharing each weight.
    const w0 = b[0];
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const a0 = r * nIn;
      let s0 = w0;
      let s1 = w0;
      let s2 = w0;
      let s3 = w0;
      for (let k = 0; k < nIn; k++) {
        const w = W[k];
        s0 += a[a0 + k] * w;
        s1 += a[a0 + nIn + k] * w;
        s2 += a[a0 + 2 * nIn + k] * w;
        s3 += a[a0 + 3 * nIn + k] * w;
      }
      z[r] = s0;
      z[r + 1] = s1;
      z[r + 2] = s2;
      z[r + 3] = s3;
    }
    for (; r < rows; r++) {
      let s = w0;
      for (let k = 0; k < nIn; k++) s += a[r * nIn + k] * W[k];
      z[r] = s;
    }
    return;
  }
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
 * Outputs for n rows of X on the WebAssembly kernels: the weights and rows are copied into a
 * kernel arena for the call. The same numbers as predictBatchPlain (the tests compare them).
 */
export function predictBatch(
  model: { layers: readonly MlpLayer[]; output: MlpOutput },
  X: Float64Array,
  n: number,
): Float64Array {
  const { layers, output } = model;
  const p = layers[0].nIn;
  const K = outputWidth(model);
  // Rows are copied in blocks, so scoring a large file never doubles its memory.
  const block = Math.max(1, Math.min(n, 16384));
  const { kernels, arrays } = placeMlp((a) => {
    const copies = layers.map((L) => allocLayer(a, L.nIn, L.nOut, L.gamma.length > 0));
    return {
      layers: copies,
      bufs: predictBuffers(copies, a),
      plan: a.i32(planWords(layers.length)),
      X: a.f64(block * p),
      out: a.f64(block * K),
    };
  });
  arrays.layers.forEach((L, l) => copyLayer(layers[l], L));
  writePlan(arrays.plan, arrays.layers, output, { bufs: arrays.bufs });
  const out = new Float64Array(n * K);
  for (let r0 = 0; r0 < n; r0 += block) {
    const rows = Math.min(block, n - r0);
    arrays.X.set(X.subarray(r0 * p, (r0 + rows) * p));
    kernels.predict(arrays.plan.byteOffset, arrays.X.byteOffset, rows, arrays.out.byteOffset, K);
    out.set(arrays.out.subarray(0, rows * K), r0 * K);
  }
  return out;
}

/** Numbers per row the model outputs: one per class (two for a sigmoid), or one value. */
function outputWidth(model: { layers: readonly MlpLayer[]; output: MlpOutput }): number {
  return model.output === 'sigmoid' ? 2 : model.layers[model.layers.length - 1].nOut;
}

/** Room for a layer's parameters (layer norm's gain and shift when `norm`). */
function allocLayer(a: Alloc, nIn: number, nOut: number, norm: boolean): MlpLayer {
  const k = norm ? nOut : 0;
  return { nIn, nOut, W: a.f64(nIn * nOut), b: a.f64(nOut), gamma: a.f64(k), beta: a.f64(k) };
}

function copyLayer(from: MlpLayer, to: MlpLayer): void {
  to.W.set(from.W);
  to.b.set(from.b);
  to.gamma.set(from.gamma);
  to.beta.set(from.beta);
}

/**
 * Outputs for n rows of X, in blocks through `dense`: the JavaScript twin of the kernels'
 * predict. Every sum starts at the bias and adds every input in index order (zeros included, so
 * even the sign of a zero matches), exactly as forwardRow and the exported code do.
 */
export function predictBatchPlain(
  model: { layers: readonly MlpLayer[]; output: MlpOutput },
  X: Float64Array,
  n: number,
): Float64Array {
  const { layers, output } = model;
  const K = outputWidth(model);
  const out = new Float64Array(n * K);
  const bufs = predictBuffers(layers, PLAIN);
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
    for (let r = 0; r < rows; r++) finishInto(a, r * last, last, output, out, (r0 + r) * K);
  }
  return out;
}

/** Rows predictBatchPlain pushes through the layers at a time. */
const CHUNK = 256;

/** predictBatchPlain's per-layer outputs for one chunk of rows. */
function predictBuffers(layers: readonly MlpLayer[], alloc: Alloc): Float64Array[] {
  return layers.map((L) => alloc.f64(CHUNK * L.nOut));
}

/** Rows of X with their nonzero inputs only (compressed sparse rows, inputs ascending). */
export interface SparseRows {
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
  readonly val: Float64Array;
  /** idx * the first layer's width: where each nonzero's weight row starts. */
  readonly off: Int32Array;
}

/**
 * The first layer's inputs as sparse rows: one-hot columns are mostly zeros, so a row of a
 * typical table has a third or less of its design columns nonzero, and training skips the rest.
 */
export function sparseRows(X: Float64Array, n: number, p: number, stride: number, alloc: Alloc = PLAIN): SparseRows {
  const sp = sparseArrays(alloc, n, nonzeros(X, n * p));
  fillSparseRows(X, n, p, stride, sp);
  return sp;
}

/** Room for n sparse rows with nnz nonzeros in all. */
function sparseArrays(a: Alloc, n: number, nnz: number): SparseRows {
  return { ptr: a.i32(n + 1), idx: a.i32(nnz), val: a.f64(nnz), off: a.i32(nnz) };
}

/** Fills sparse rows (sized by sparseArrays for X's nonzeros) from X, n x p. */
function fillSparseRows(X: Float64Array, n: number, p: number, stride: number, sp: SparseRows): void {
  const { ptr, idx, val, off } = sp;
  let c = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < p; k++) {
      const v = X[i * p + k];
      if (v !== 0) {
        idx[c] = k;
        val[c++] = v;
      }
    }
    ptr[i + 1] = c;
  }
  for (let t = 0; t < c; t++) off[t] = idx[t] * stride;
}

function nonzeros(X: Float64Array, len: number): number {
  let nnz = 0;
  for (let t = 0; t < len; t++) if (X[t] !== 0) nnz++;
  return nnz;
}

/**
 * z = b + x W for the batch rows[start..start+count) of sparse rows. Eight sums stay in
 * registers across a row's nonzeros, so each is stored once and each weight loaded once per row.
 */
export function sparseForward(
  rows: Int32Array,
  start: number,
  count: number,
  sp: SparseRows,
  W: Float64Array,
  b: Float64Array,
  nOut: number,
  z: Float64Array,
): void {
  const { ptr, idx, val, off } = sp;
  // Offsets of each nonzero's weight row, for this layer's width (the rows are built for it).
  if (off.length && off[0] !== idx[0] * nOut) throw new Error('sparse rows built for another layer width');
  for (let r = 0; r < count; r++) {
    const i = rows[start + r];
    gatherSum(ptr[i], ptr[i + 1], val, off, W, nOut, b, z, r * nOut);
  }
}

/**
 * out[oo + j] = init[j] (or 0) + sum over t in [t0, t1) of val[t] * M[off[t] + j], for j < width.
 * Eight sums stay in registers across the entries, so each is stored once.
 */
function gatherSum(
  t0: number,
  t1: number,
  val: Float64Array,
  off: Int32Array,
  M: Float64Array,
  width: number,
  init: Float64Array | null,
  out: Float64Array,
  oo: number,
): void {
  let j = 0;
  for (; j + 8 <= width; j += 8) {
    let s0 = init ? init[j] : 0;
    let s1 = init ? init[j + 1] : 0;
    let s2 = init ? init[j + 2] : 0;
    let s3 = init ? init[j + 3] : 0;
    let s4 = init ? init[j + 4] : 0;
    let s5 = init ? init[j + 5] : 0;
    let s6 = init ? init[j + 6] : 0;
    let s7 = init ? init[j + 7] : 0;
    for (let t = t0; t < t1; t++) {
      const v = val[t];
      const o = off[t] + j;
      s0 += v * M[o];
      s1 += v * M[o + 1];
      s2 += v * M[o + 2];
      s3 += v * M[o + 3];
      s4 += v * M[o + 4];
      s5 += v * M[o + 5];
      s6 += v * M[o + 6];
      s7 += v * M[o + 7];
    }
    out[oo + j] = s0;
    out[oo + j + 1] = s1;
    out[oo + j + 2] = s2;
    out[oo + j + 3] = s3;
    out[oo + j + 4] = s4;
    out[oo + j + 5] = s5;
    out[oo + j + 6] = s6;
    out[oo + j + 7] = s7;
  }
  for (; j < width; j++) {
    let s = init ? init[j] : 0;
    for (let t = t0; t < t1; t++) s += val[t] * M[off[t] + j];
    out[oo + j] = s;
  }
}

/** Scratch for sparseWeightGradient: the batch's nonzeros regrouped by input (compressed columns). */
export interface ColumnScratch {
  readonly ptr: Int32Array;
  readonly cursor: Int32Array;
  readonly row: Int32Array;
  readonly val: Float64Array;
}

export function columnScratch(nIn: number, batch: number, alloc: Alloc = PLAIN): ColumnScratch {
  return {
    ptr: alloc.i32(nIn + 1),
    cursor: alloc.i32(nIn),
    row: alloc.i32(batch * nIn),
    val: alloc.f64(batch * nIn),
  };
}

/**
 * gW = x' dz (overwritten) and gb = column sums of dz, for the batch's sparse rows. The batch's
 * nonzeros are first regrouped by input so each gradient entry is a register sum over the rows
 * where that input is nonzero, eight outputs at a time, stored once.
 */
export function sparseWeightGradient(
  rows: Int32Array,
  start: number,
  count: number,
  sp: SparseRows,
  dz: Float64Array,
  nIn: number,
  nOut: number,
  gW: Float64Array,
  gb: Float64Array,
  cs: ColumnScratch,
): void {
  const { ptr, idx, val } = sp;
  const cp = cs.ptr;
  const cur = cs.cursor;
  const crow = cs.row;
  const cval = cs.val;
  cp.fill(0);
  for (let r = 0; r < count; r++) {
    const i = rows[start + r];
    for (let t = ptr[i]; t < ptr[i + 1]; t++) cp[idx[t] + 1]++;
  }
  for (let k = 0; k < nIn; k++) {
    cp[k + 1] += cp[k];
    cur[k] = cp[k];
  }
  for (let r = 0; r < count; r++) {
    const i = rows[start + r];
    for (let t = ptr[i]; t < ptr[i + 1]; t++) {
      const c = cur[idx[t]]++;
      crow[c] = r * nOut;
      cval[c] = val[t];
    }
  }
  for (let k = 0; k < nIn; k++) gatherSum(cp[k], cp[k + 1], cval, crow, dz, nOut, null, gW, k * nOut);
  gb.fill(0);
  for (let r = 0; r < count; r++) for (let j = 0; j < nOut; j++) gb[j] += dz[r * nOut + j];
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
  if (nOut === 1) {
    for (let r = 0; r < rows; r++) {
      const d = dz[r];
      const a0 = r * nIn;
      for (let k = 0; k < nIn; k++) gW[k] += a[a0 + k] * d;
    }
    return;
  }
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
 * A hidden layer's sums z to its output activations: layer norm (keeping the normalised values
 * and inverse deviations for the backward pass), ReLU, inverted dropout. `mask` records each
 * unit's derivative factor (0, or the dropout scale).
 */
function activate(
  z: Float64Array,
  rows: number,
  L: MlpLayer,
  normed: Float64Array,
  invStd: Float64Array,
  mask: Float64Array,
  next: Float64Array,
  dropout: number,
  rng: Rng,
): void {
  const m = L.nOut;
  const { gamma, beta } = L;
  const norm = gamma.length > 0;
  const scale = 1 / (1 - dropout);
  for (let r = 0; r < rows; r++) {
    const o = r * m;
    if (norm) {
      let mean = 0;
      for (let j = 0; j < m; j++) mean += z[o + j];
      mean /= m;
      let v = 0;
      for (let j = 0; j < m; j++) {
        const d = z[o + j] - mean;
        v += d * d;
      }
      const inv = 1 / Math.sqrt(v / m + LN_EPS);
      invStd[r] = inv;
      for (let j = 0; j < m; j++) {
        const u = (z[o + j] - mean) * inv;
        normed[o + j] = u;
        z[o + j] = u * gamma[j] + beta[j];
      }
    }
    if (dropout > 0)
      for (let j = 0; j < m; j++) {
        const keep = rng.next() < dropout ? 0 : scale;
        const s = z[o + j];
        const f = +(s > 0) * keep;
        mask[o + j] = f;
        next[o + j] = s * f;
      }
    else
      for (let j = 0; j < m; j++) {
        // Arithmetic instead of a branch: the sign of a sum is a coin toss the predictor loses.
        const s = z[o + j];
        const f = +(s > 0);
        mask[o + j] = f;
        next[o + j] = s * f;
      }
  }
}

/** dPrev = (dz W') * mask: the gradient into the previous layer's activations, through its ReLU and dropout. */
function backThroughWeights(
  dz: Float64Array,
  rows: number,
  L: MlpLayer,
  mask: Float64Array,
  dPrev: Float64Array,
): void {
  const { nIn, nOut, W } = L;
  if (nOut === 1) {
    for (let r = 0; r < rows; r++) {
      const d = dz[r];
      const po = r * nIn;
      for (let k = 0; k < nIn; k++) dPrev[po + k] = d * W[k] * mask[po + k];
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const zo = r * nOut;
    const po = r * nIn;
    for (let k = 0; k < nIn; k++) {
      let s = 0;
      const wo = k * nOut;
      for (let j = 0; j < nOut; j++) s += dz[zo + j] * W[wo + j];
      dPrev[po + k] = s * mask[po + k];
    }
  }
}

/** Through a layer norm: d/dz of gamma * (z - mean) * inv + beta over each row, and its gain and shift gradients. */
function backThroughNorm(
  d: Float64Array,
  rows: number,
  P: MlpLayer,
  normed: Float64Array,
  invStd: Float64Array,
  gGamma: Float64Array,
  gBeta: Float64Array,
): void {
  const m = P.nOut;
  const gamma = P.gamma;
  for (let r = 0; r < rows; r++) {
    const po = r * m;
    const inv = invStd[r];
    let sumG = 0;
    let sumGN = 0;
    for (let j = 0; j < m; j++) {
      const g = d[po + j];
      gGamma[j] += g * normed[po + j];
      gBeta[j] += g;
      const gn = g * gamma[j];
      sumG += gn;
      sumGN += gn * normed[po + j];
    }
    for (let j = 0; j < m; j++) {
      const gn = d[po + j] * gamma[j];
      d[po + j] = (inv / m) * (m * gn - sumG - normed[po + j] * sumGN);
    }
  }
}

/**
 * Forward and backward pass of the batch rows[start..start+count): fills `grads` (weights and
 * biases overwritten, layer-norm parameters added to) with the gradient of the batch's weighted
 * mean loss plus the L2 term, and returns the batch's summed loss and weight.
 */
export function batchGradient(
  layers: readonly MlpLayer[],
  output: MlpOutput,
  X: SparseRows,
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
  // Forward.
  for (let l = 0; l < layers.length; l++) {
    const L = layers[l];
    const last = l === layers.length - 1;
    const z = last ? cache.out : cache.pre[l];
    if (l === 0) sparseForward(fitRows, start, rows, X, L.W, L.b, L.nOut, z);
    else dense(cache.input[l], rows, L, z);
    if (last) break;
    activate(z, rows, L, cache.normed[l], cache.invStd[l], cache.mask[l], cache.input[l + 1], params.dropout, rng);
  }
  // Output gradient dLoss/dz for the batch (mean over the batch's weight).
  const K = layers[layers.length - 1].nOut;
  const dOut = deltaA[layers.length - 1];
  const out = cache.out;
  let bw = 0;
  for (let r = 0; r < rows; r++) bw += w ? w[fitRows[start + r]] : 1;
  for (let r = 0; r < rows; r++) {
    const i = fitRows[start + r];
    const wr = w ? w[i] : 1;
    const wi = wr / bw;
    const o = r * K;
    if (output === 'identity') {
      const d = out[o] - y[i];
      loss += wr * 0.5 * d * d;
      dOut[o] = wi * d;
    } else if (output === 'sigmoid') {
      const q = sigmoid(out[o]);
      loss += wr * -Math.log(Math.max(y[i] === 1 ? q : 1 - q, 1e-15));
      dOut[o] = wi * (q - y[i]);
    } else {
      let max = -Infinity;
      for (let c = 0; c < K; c++) max = Math.max(max, out[o + c]);
      let s = 0;
      for (let c = 0; c < K; c++) s += Math.exp(out[o + c] - max);
      for (let c = 0; c < K; c++) dOut[o + c] = wi * (Math.exp(out[o + c] - max) / s - +(y[i] === c));
      loss += wr * (max + Math.log(s) - out[o + y[i]]);
    }
    weight += wr;
  }
  // Backward.
  for (let l = layers.length - 1; l >= 0; l--) {
    const L = layers[l];
    const dz = deltaA[l];
    const gW = grads.W[l];
    const gb = grads.b[l];
    if (l === 0) sparseWeightGradient(fitRows, start, rows, X, dz, L.nIn, L.nOut, gW, gb, cache.columns);
    else {
      gW.fill(0);
      gb.fill(0);
      weightGradient(cache.input[l], dz, rows, L.nIn, L.nOut, gW, gb);
    }
    // L2 on weights: (alpha / 2) |W|^2 per batch, over the batch size, as scikit-learn adds it.
    const reg = params.alpha / rows;
    const W = L.W;
    for (let t = 0; t < gW.length; t++) gW[t] += reg * W[t];
    if (l === 0) break;
    // Into the previous layer: through the weights, then its dropout and ReLU, then its layer norm.
    const P = layers[l - 1];
    const dPrev = deltaA[l - 1];
    backThroughWeights(dz, rows, L, cache.mask[l - 1], dPrev);
    if (P.gamma.length)
      backThroughNorm(dPrev, rows, P, cache.normed[l - 1], cache.invStd[l - 1], grads.gamma[l - 1], grads.beta[l - 1]);
  }
  return { loss, weight };
}

/** Words of a network's plan for the kernels (assembly/mlp.ts: a header, then a block per layer). */
const PLAN_HEADER = 16;
const PLAN_LAYER = 32;
const planWords = (layers: number): number => PLAN_HEADER + PLAN_LAYER * layers;
const OUTPUT_KIND: Record<MlpOutput, number> = { identity: 0, sigmoid: 1, softmax: 2 };

/** What the kernels train with, beside the layers and the prediction buffers. */
interface TrainingArrays {
  readonly fitRows: Int32Array;
  readonly sparse: SparseRows;
  readonly y: Float64Array;
  readonly w: Float64Array | null;
  readonly cache: Cache;
  readonly grads: Grads;
  readonly m1: Grads;
  readonly m2: Grads;
  readonly deltaA: Float64Array[];
}

/**
 * Writes the byte offsets of a network's arrays (all in the kernels' memory) into its plan, in
 * the order assembly/mlp.ts reads them. Prediction needs only the layers and their buffers.
 */
function writePlan(
  plan: Int32Array,
  layers: readonly MlpLayer[],
  output: MlpOutput,
  parts: { readonly bufs: readonly Float64Array[]; readonly train?: TrainingArrays },
): void {
  const at = (a: { byteOffset: number } | null | undefined): number => (a ? a.byteOffset : 0);
  const t = parts.train;
  plan.fill(0);
  plan.set(
    [
      layers.length,
      OUTPUT_KIND[output],
      at(t?.fitRows),
      at(t?.sparse.ptr),
      at(t?.sparse.idx),
      at(t?.sparse.val),
      at(t?.sparse.off),
      at(t?.y),
      at(t?.w),
      at(t?.cache.columns.ptr),
      at(t?.cache.columns.cursor),
      at(t?.cache.columns.row),
      at(t?.cache.columns.val),
      at(t?.cache.out),
    ],
    0,
  );
  layers.forEach((L, l) => {
    const g = (x: Grads | undefined, part: keyof Grads): number => at(x?.[part][l]);
    const c = t?.cache;
    plan.set(
      [
        L.nIn,
        L.nOut,
        at(L.W),
        at(L.b),
        at(L.gamma),
        at(L.beta),
        L.gamma.length > 0 ? 1 : 0,
        at(c?.input[l]),
        at(c?.pre[l]),
        at(c?.normed[l]),
        at(c?.invStd[l]),
        at(c?.mask[l]),
        g(t?.grads, 'W'),
        g(t?.grads, 'b'),
        g(t?.grads, 'gamma'),
        g(t?.grads, 'beta'),
        at(t?.deltaA[l]),
        at(parts.bufs[l]),
        g(t?.m1, 'W'),
        g(t?.m2, 'W'),
        g(t?.m1, 'b'),
        g(t?.m2, 'b'),
        g(t?.m1, 'gamma'),
        g(t?.m2, 'gamma'),
        g(t?.m1, 'beta'),
        g(t?.m2, 'beta'),
      ],
      PLAN_HEADER + PLAN_LAYER * l,
    );
  });
}

export interface MlpFitOptions {
  /**
   * 'wasm' (the default) runs each epoch and each held-out pass as one call into the
   * WebAssembly kernels; 'js' runs their JavaScript twins, which give the same weights bit for bit.
   */
  readonly kernels?: 'wasm' | 'js';
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
  options: MlpFitOptions = {},
): MlpModel {
  const rng = new Rng(params.seed);
  const sizes = [p, ...params.hidden, output === 'sigmoid' ? 1 : outputs];
  const nFit = holdout ? holdout.fit.length : n;
  const validRows = holdout ? holdout.valid : new Int32Array(0);
  const batch = Math.max(1, Math.min(params.batchSize, nFit));
  const K = output === 'sigmoid' ? 2 : outputs;
  const nnz = nonzeros(X, n * p);
  // Every array the training loop touches lives in the WebAssembly kernels' memory.
  const layout = (a: Alloc) => {
    const layers = sizes
      .slice(0, -1)
      .map((nIn, l) => allocLayer(a, nIn, sizes[l + 1], params.layerNorm && l + 2 < sizes.length));
    return {
      layers,
      fitRows: a.i32(nFit),
      // The held-out rows gathered once, for one batched pass per epoch.
      Xv: a.f64(validRows.length * p),
      validBufs: predictBuffers(layers, a),
      validOut: a.f64(validRows.length * K),
      sparse: sparseArrays(a, n, nnz),
      y: a.f64(n),
      w: w ? a.f64(n) : null,
      cache: makeCache(layers, batch, a),
      grads: makeGrads(layers, a),
      m1: makeGrads(layers, a),
      m2: makeGrads(layers, a),
      deltaA: layers.map(() => a.f64(batch * Math.max(...sizes))),
      plan: a.i32(planWords(layers.length)),
      res: a.f64(2),
      rngState: a.i32(4),
    };
  };
  const placed = options.kernels === 'js' ? { kernels: undefined, arrays: layout(PLAIN) } : placeMlp(layout);
  const k = placed.kernels;
  const arrays = placed.arrays;
  const { layers, fitRows, Xv, sparse, cache, grads, deltaA } = arrays;
  layers.forEach((L) => {
    // Glorot uniform as scikit-learn draws it: its factor (6, or 2 for logistic hidden units)
    // follows the hidden activation, ReLU here, for every layer including the output.
    const bound = Math.sqrt(6 / (L.nIn + L.nOut));
    for (let t = 0; t < L.W.length; t++) L.W[t] = (2 * rng.next() - 1) * bound;
    for (let t = 0; t < L.nOut; t++) L.b[t] = (2 * rng.next() - 1) * bound;
    L.gamma.fill(1);
  });
  // Early stopping watches the held-out rows the caller chose; without them every row trains.
  if (holdout) fitRows.set(holdout.fit);
  else for (let i = 0; i < n; i++) fitRows[i] = i;
  validRows.forEach((i, t) => Xv.set(X.subarray(i * p, i * p + p), t * p));
  fillSparseRows(X, n, p, sizes[1], sparse);
  arrays.y.set(y.subarray(0, n));
  if (w && arrays.w) arrays.w.set(w.subarray(0, n));
  if (k) writePlan(arrays.plan, layers, output, { bufs: arrays.validBufs, train: arrays });
  const all = (g: Grads): Float64Array[] => [...g.W, ...g.b, ...g.gamma, ...g.beta];
  const paramsOf = (): Float64Array[] => [
    ...layers.map((L) => L.W),
    ...layers.map((L) => L.b),
    ...layers.map((L) => L.gamma),
    ...layers.map((L) => L.beta),
  ];
  const ps = paramsOf();
  const gs = all(grads);
  const m1 = all(arrays.m1);
  const m2 = all(arrays.m2);
  let step = 0;
  const history = { train: [] as number[], valid: [] as number[] };
  let best = Infinity;
  let bestEpoch = 0;
  let bestLoss = Infinity;
  let since = 0;
  const bestWeights = ps.map((a) => a.slice());
  let lr = params.learningRate;
  let epochs = 0;
  const batches = Math.ceil(nFit / batch);
  // Squared-error loss is half the mean square: half the threshold makes tol a step in the mean
  // square itself, which on a standardised target is a step in R², as scikit-learn's tol is.
  const tol = output === 'identity' && params.stopOn !== 'score' ? params.tol / 2 : params.tol;
  for (let epoch = 0; epoch < params.maxEpochs; epoch++) {
    epochs = epoch + 1;
    rng.shuffle(fitRows);
    let lossSum = 0;
    let weightSum = 0;
    if (k) {
      // The epoch's dropout draws continue the generator's sequence inside the kernels.
      rng.saveState(arrays.rngState);
      k.setRng(arrays.rngState.byteOffset);
      k.trainEpoch(arrays.plan.byteOffset, nFit, batch, lr, step, params.dropout, params.alpha, arrays.res.byteOffset);
      k.getRng(arrays.rngState.byteOffset);
      rng.loadState(arrays.rngState);
      step += batches;
      lossSum = arrays.res[0];
      weightSum = arrays.res[1];
    } else
      for (let start = 0; start < nFit; start += batch) {
        const rows = Math.min(batch, nFit - start);
        const g = batchGradient(
          layers,
          output,
          sparse,
          arrays.y,
          arrays.w ?? undefined,
          fitRows,
          start,
          rows,
          params,
          rng,
          cache,
          grads,
          deltaA,
        );
        lossSum += g.loss;
        weightSum += g.weight;
        step++;
        const c1 = 1 - Math.pow(0.9, step);
        const c2 = 1 - Math.pow(0.999, step);
        for (let t = 0; t < ps.length; t++) adamStep(ps[t], gs[t], m1[t], m2[t], lr, c1, c2);
        for (const g of grads.gamma) g.fill(0);
        for (const g of grads.beta) g.fill(0);
      }
    history.train.push(lossSum / Math.max(weightSum, 1e-300));
    lr *= params.lrDecay;
    if (validRows.length > 0) {
      // Lower is better for both: the loss, or minus the score (accuracy / R²).
      // One forward pass over the held-out rows serves the loss and the score.
      let out: Float64Array;
      if (k) {
        k.predict(arrays.plan.byteOffset, Xv.byteOffset, validRows.length, arrays.validOut.byteOffset, K);
        out = arrays.validOut;
      } else out = predictBatchPlain({ layers, output }, Xv, validRows.length);
      const loss = meanLoss(output, out, y, w, validRows);
      const vl = params.stopOn === 'score' ? -heldOutScore(output, out, y, w, validRows) : loss;
      history.valid.push(vl);
      const improved = best === Infinity || vl < best - tol;
      // A score moves in steps of one row: among epochs that tie on it, the lower loss is the better model.
      const keep = improved || (params.stopOn === 'score' && (vl < best || (vl === best && loss < bestLoss)));
      if (keep) {
        best = Math.min(best, vl);
        bestLoss = loss;
        bestEpoch = epoch + 1;
        ps.forEach((a, t) => bestWeights[t].set(a));
      }
      if (improved) since = 0;
      else if (++since >= params.patience) break;
    }
  }
  if (validRows.length > 0) {
    // Keep the weights of the best validation epoch.
    ps.forEach((a, t) => a.set(bestWeights[t]));
    epochs = bestEpoch;
  }
  // The model keeps plain copies: the arena's memory is freed with it.
  const plain = layers.map((L) => ({
    ...L,
    W: L.W.slice(),
    b: L.b.slice(),
    gamma: L.gamma.slice(),
    beta: L.beta.slice(),
  }));
  return { layers: plain, output, epochs, history };
}

/** One Adam update of parameters P from gradient G with moments M, V (bias corrections c1, c2); the twin of the WebAssembly kernel fitMlp uses. */
function adamStep(
  P: Float64Array,
  G: Float64Array,
  M: Float64Array,
  V: Float64Array,
  lr: number,
  c1: number,
  c2: number,
): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const step = lr / c1;
  const ic2 = 1 / c2;
  for (let u = 0; u < P.length; u++) {
    const g = G[u];
    const m = b1 * M[u] + (1 - b1) * g;
    const v = b2 * V[u] + (1 - b2) * g * g;
    M[u] = m;
    V[u] = v;
    P[u] -= (step * m) / (Math.sqrt(v * ic2) + 1e-8);
  }
}

/** Mean loss of rows under the model (prediction order), for early stopping. */
function meanLoss(
  output: MlpOutput,
  out: Float64Array,
  y: Float64Array,
  w: Float64Array | undefined,
  rows: Int32Array,
): number {
  const K = out.length / Math.max(1, rows.length);
  let s = 0;
  let sw = 0;
  rows.forEach((i, t) => {
    const wi = w ? w[i] : 1;
    if (output === 'identity') s += wi * 0.5 * (out[t] - y[i]) ** 2;
    else s += wi * -Math.log(Math.max(out[t * K + y[i]], 1e-15));
    sw += wi;
  });
  return s / Math.max(sw, 1e-300);
}

/** Accuracy (classes) or R² (regression) of rows under the model: higher is better. */
function heldOutScore(
  output: MlpOutput,
  out: Float64Array,
  y: Float64Array,
  w: Float64Array | undefined,
  rows: Int32Array,
): number {
  const n = rows.length;
  const K = out.length / Math.max(1, n);
  let sw = 0;
  if (output === 'identity') {
    let mean = 0;
    for (let t = 0; t < n; t++) {
      const wi = w ? w[rows[t]] : 1;
      mean += wi * y[rows[t]];
      sw += wi;
    }
    mean /= Math.max(sw, 1e-300);
    let ss = 0;
    let st = 0;
    for (let t = 0; t < n; t++) {
      const wi = w ? w[rows[t]] : 1;
      ss += wi * (y[rows[t]] - out[t]) ** 2;
      st += wi * (y[rows[t]] - mean) ** 2;
    }
    return st > 0 ? 1 - ss / st : 0;
  }
  let hit = 0;
  for (let t = 0; t < n; t++) {
    const wi = w ? w[rows[t]] : 1;
    let best = 0;
    for (let c = 1; c < K; c++) if (out[t * K + c] > out[t * K + best]) best = c;
    hit += wi * +(best === y[rows[t]]);
    sw += wi;
  }
  return hit / Math.max(sw, 1e-300);
}
