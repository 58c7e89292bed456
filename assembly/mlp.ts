// AssemblyScript: compiled to WebAssembly by scripts/build-wasm.mjs. The MLP's training and
// prediction on arrays the caller placed in this module's memory (arguments are byte offsets).
// Every sum adds its terms in the same order as the JavaScript in src/engine/mlp.ts (two outputs
// per 128-bit lane, never two terms of one sum), so a fit gives the same weights bit for bit
// either way; the tests check that.

import { nextF64 } from './shared/random';
import { exp, log } from './shared/fdlibm';
export { setRng, getRng } from './shared/random';

/** out[oo + j] = init[j] (or 0 when init is 0) + sum over t in [t0, t1) of val[t] * M[off[t] + j]. */
function gatherSum(t0: i32, t1: i32, val: usize, off: usize, M: usize, width: i32, init: usize, out: usize): void {
  let j: i32 = 0;
  for (; j + 8 <= width; j += 8) {
    const jo = (<usize>j) << 3;
    let s0 = init ? v128.load(init + jo) : f64x2.splat(0);
    let s1 = init ? v128.load(init + jo + 16) : f64x2.splat(0);
    let s2 = init ? v128.load(init + jo + 32) : f64x2.splat(0);
    let s3 = init ? v128.load(init + jo + 48) : f64x2.splat(0);
    for (let t = t0; t < t1; t++) {
      const v = f64x2.splat(load<f64>(val + ((<usize>t) << 3)));
      const o = M + ((<usize>load<i32>(off + ((<usize>t) << 2))) << 3) + jo;
      s0 = f64x2.add(s0, f64x2.mul(v, v128.load(o)));
      s1 = f64x2.add(s1, f64x2.mul(v, v128.load(o + 16)));
      s2 = f64x2.add(s2, f64x2.mul(v, v128.load(o + 32)));
      s3 = f64x2.add(s3, f64x2.mul(v, v128.load(o + 48)));
    }
    v128.store(out + jo, s0);
    v128.store(out + jo + 16, s1);
    v128.store(out + jo + 32, s2);
    v128.store(out + jo + 48, s3);
  }
  for (; j < width; j++) {
    const jo = (<usize>j) << 3;
    let s: f64 = init ? load<f64>(init + jo) : 0;
    for (let t = t0; t < t1; t++)
      s += load<f64>(val + ((<usize>t) << 3)) * load<f64>(M + ((<usize>(load<i32>(off + ((<usize>t) << 2)) + j)) << 3));
    store<f64>(out + jo, s);
  }
}

/** z = b + x W for the batch rows[start..start+count) of sparse rows (ptr, val, off). */
function sparseForward(
  rows: usize,
  start: i32,
  count: i32,
  ptr: usize,
  val: usize,
  off: usize,
  W: usize,
  b: usize,
  nOut: i32,
  z: usize,
): void {
  for (let r: i32 = 0; r < count; r++) {
    const i = load<i32>(rows + ((<usize>(start + r)) << 2));
    const t0 = load<i32>(ptr + ((<usize>i) << 2));
    const t1 = load<i32>(ptr + ((<usize>(i + 1)) << 2));
    gatherSum(t0, t1, val, off, W, nOut, b, z + ((<usize>(r * nOut)) << 3));
  }
}

/**
 * gW = x' dz (overwritten) and gb = column sums of dz, for the batch's sparse rows, through the
 * batch's nonzeros regrouped by input (cp, cur: nIn + 1 and nIn i32; crow i32, cval f64).
 */
function sparseWeightGradient(
  rows: usize,
  start: i32,
  count: i32,
  ptr: usize,
  idx: usize,
  val: usize,
  dz: usize,
  nIn: i32,
  nOut: i32,
  gW: usize,
  gb: usize,
  cp: usize,
  cur: usize,
  crow: usize,
  cval: usize,
): void {
  memory.fill(cp, 0, (<usize>(nIn + 1)) << 2);
  for (let r: i32 = 0; r < count; r++) {
    const i = load<i32>(rows + ((<usize>(start + r)) << 2));
    const t1 = load<i32>(ptr + ((<usize>(i + 1)) << 2));
    for (let t = load<i32>(ptr + ((<usize>i) << 2)); t < t1; t++) {
      const a = cp + ((<usize>(load<i32>(idx + ((<usize>t) << 2)) + 1)) << 2);
      store<i32>(a, load<i32>(a) + 1);
    }
  }
  for (let k: i32 = 0; k < nIn; k++) {
    const a = cp + ((<usize>(k + 1)) << 2);
    const v = load<i32>(a) + load<i32>(cp + ((<usize>k) << 2));
    store<i32>(a, v);
    store<i32>(cur + ((<usize>k) << 2), load<i32>(cp + ((<usize>k) << 2)));
  }
  for (let r: i32 = 0; r < count; r++) {
    const i = load<i32>(rows + ((<usize>(start + r)) << 2));
    const t1 = load<i32>(ptr + ((<usize>(i + 1)) << 2));
    for (let t = load<i32>(ptr + ((<usize>i) << 2)); t < t1; t++) {
      const a = cur + ((<usize>load<i32>(idx + ((<usize>t) << 2))) << 2);
      const c = load<i32>(a);
      store<i32>(a, c + 1);
      store<i32>(crow + ((<usize>c) << 2), r * nOut);
      store<f64>(cval + ((<usize>c) << 3), load<f64>(val + ((<usize>t) << 3)));
    }
  }
  for (let k: i32 = 0; k < nIn; k++)
    gatherSum(
      load<i32>(cp + ((<usize>k) << 2)),
      load<i32>(cp + ((<usize>(k + 1)) << 2)),
      cval,
      crow,
      dz,
      nOut,
      0,
      gW + ((<usize>(k * nOut)) << 3),
    );
  memory.fill(gb, 0, (<usize>nOut) << 3);
  for (let r: i32 = 0; r < count; r++)
    for (let j: i32 = 0; j < nOut; j++) {
      const a = gb + ((<usize>j) << 3);
      store<f64>(a, load<f64>(a) + load<f64>(dz + ((<usize>(r * nOut + j)) << 3)));
    }
}

/** z[j] += v * W[j] for j < nOut (one row of z, one row of W). */
function axpy(v: f64, W: usize, z: usize, nOut: i32): void {
  const vv = f64x2.splat(v);
  let j: i32 = 0;
  for (; j + 2 <= nOut; j += 2) {
    const o = (<usize>j) << 3;
    v128.store(z + o, f64x2.add(v128.load(z + o), f64x2.mul(vv, v128.load(W + o))));
  }
  if (j < nOut) {
    const o = (<usize>j) << 3;
    store<f64>(z + o, load<f64>(z + o) + v * load<f64>(W + o));
  }
}

/**
 * z = a W + b for a batch (rows x nIn times nIn x nOut, nOut > 1), row by row. With skipZeros a
 * zero input is skipped: adding its v * w = ±0 changes no sum but a zero's sign, so training may
 * skip them; prediction (0) adds every term, as forwardRow does.
 */
function dense(a: usize, rows: i32, nIn: i32, nOut: i32, W: usize, b: usize, z: usize, skipZeros: i32): void {
  for (let r: i32 = 0; r < rows; r++) {
    const zo = z + ((<usize>(r * nOut)) << 3);
    memory.copy(zo, b, (<usize>nOut) << 3);
    const ao = a + ((<usize>(r * nIn)) << 3);
    for (let k: i32 = 0; k < nIn; k++) {
      const v = load<f64>(ao + ((<usize>k) << 3));
      if (skipZeros && v == 0) continue;
      axpy(v, W + ((<usize>(k * nOut)) << 3), zo, nOut);
    }
  }
}

/**
 * gW += a' dz and gb += column sums of dz over the batch (the caller zeroes them). Rows go four at
 * a time, their four terms summed before they are added to gW, as the JavaScript does.
 */
function weightGradient(a: usize, dz: usize, rows: i32, nIn: i32, nOut: i32, gW: usize, gb: usize): void {
  for (let r: i32 = 0; r < rows; r++)
    for (let j: i32 = 0; j < nOut; j++) {
      const g = gb + ((<usize>j) << 3);
      store<f64>(g, load<f64>(g) + load<f64>(dz + ((<usize>(r * nOut + j)) << 3)));
    }
  const rowBytes = (<usize>nOut) << 3;
  let r: i32 = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = a + ((<usize>(r * nIn)) << 3);
    const a1 = a0 + ((<usize>nIn) << 3);
    const a2 = a1 + ((<usize>nIn) << 3);
    const a3 = a2 + ((<usize>nIn) << 3);
    const d0 = dz + ((<usize>(r * nOut)) << 3);
    const d1 = d0 + rowBytes;
    const d2 = d1 + rowBytes;
    const d3 = d2 + rowBytes;
    for (let k: i32 = 0; k < nIn; k++) {
      const ko = (<usize>k) << 3;
      const v0 = load<f64>(a0 + ko);
      const v1 = load<f64>(a1 + ko);
      const v2 = load<f64>(a2 + ko);
      const v3 = load<f64>(a3 + ko);
      if (v0 == 0 && v1 == 0 && v2 == 0 && v3 == 0) continue;
      const g = gW + ((<usize>(k * nOut)) << 3);
      const s0 = f64x2.splat(v0);
      const s1 = f64x2.splat(v1);
      const s2 = f64x2.splat(v2);
      const s3 = f64x2.splat(v3);
      let j: i32 = 0;
      for (; j + 2 <= nOut; j += 2) {
        const o = (<usize>j) << 3;
        let t = f64x2.add(f64x2.mul(s0, v128.load(d0 + o)), f64x2.mul(s1, v128.load(d1 + o)));
        t = f64x2.add(t, f64x2.mul(s2, v128.load(d2 + o)));
        t = f64x2.add(t, f64x2.mul(s3, v128.load(d3 + o)));
        v128.store(g + o, f64x2.add(v128.load(g + o), t));
      }
      if (j < nOut) {
        const o = (<usize>j) << 3;
        const t = v0 * load<f64>(d0 + o) + v1 * load<f64>(d1 + o) + v2 * load<f64>(d2 + o) + v3 * load<f64>(d3 + o);
        store<f64>(g + o, load<f64>(g + o) + t);
      }
    }
  }
  for (; r < rows; r++) {
    const ao = a + ((<usize>(r * nIn)) << 3);
    const d = dz + ((<usize>(r * nOut)) << 3);
    for (let k: i32 = 0; k < nIn; k++) {
      const v = load<f64>(ao + ((<usize>k) << 3));
      if (v == 0) continue;
      axpy(v, d, gW + ((<usize>(k * nOut)) << 3), nOut);
    }
  }
}

/** One Adam update of n parameters P from gradient G with moments M, V. */
function adamStep(P: usize, G: usize, M: usize, V: usize, n: i32, lr: f64, c1: f64, c2: f64): void {
  const b1: f64 = 0.9;
  const b2: f64 = 0.999;
  const step = lr / c1;
  const ic2 = 1 / c2;
  for (let u: i32 = 0; u < n; u++) {
    const o = (<usize>u) << 3;
    const g = load<f64>(G + o);
    const m = b1 * load<f64>(M + o) + (1 - b1) * g;
    const v = b2 * load<f64>(V + o) + (1 - b2) * g * g;
    store<f64>(M + o, m);
    store<f64>(V + o, v);
    store<f64>(P + o, load<f64>(P + o) - (step * m) / (Math.sqrt(v * ic2) + 1e-8));
  }
}

// ---- Whole epochs and whole predictions ------------------------------------------------------
// A fit on a few hundred rows is over before V8 has compiled the JavaScript between the kernels
// above, so the epoch loop itself runs here: every batch's forward pass, output gradient,
// backward pass and Adam update in one call per epoch. Each step does the operations of its
// twin in src/engine/mlp.ts (batchGradient, adamStep, predictBatchPlain) in the same order, with
// V8's exp and log (shared/fdlibm.ts) and JavaScript's own pow, imported (once per batch), so a
// fit gives the same weights bit for bit.

declare function jsPow(x: f64, y: f64): f64;

// The network's plan: i32 words the caller writes (src/engine/mlp.ts, writePlan), byte offsets
// of every array, a header then one block per layer.
const P_LAYERS = 0;
const P_OUTPUT = 1; // 0 identity, 1 sigmoid, 2 softmax
const P_ROWS = 2;
const P_PTR = 3;
const P_IDX = 4;
const P_VAL = 5;
const P_OFF = 6;
const P_Y = 7;
const P_W = 8; // 0 when rows are unweighted
const P_CP = 9;
const P_CUR = 10;
const P_CROW = 11;
const P_CVAL = 12;
const P_OUT = 13;
const P_HEADER = 16;
const P_LAYER = 32;
const L_NIN = 0;
const L_NOUT = 1;
const L_W = 2;
const L_B = 3;
const L_GAMMA = 4;
const L_BETA = 5;
const L_NORM = 6; // 1 when the layer is normalised (gamma and beta have nOut entries)
const L_INPUT = 7;
const L_PRE = 8;
const L_NORMED = 9;
const L_INV = 10;
const L_MASK = 11;
const L_GW = 12;
const L_GB = 13;
const L_GGAMMA = 14;
const L_GBETA = 15;
const L_DELTA = 16;
const L_PBUF = 17;
const L_MW = 18;
const L_VW = 19;
const L_MB = 20;
const L_VB = 21;
const L_MG = 22;
const L_VG = 23;
const L_MBETA = 24;
const L_VBETA = 25;

/** Rows the prediction pass pushes through the layers at a time (predictBatchPlain's CHUNK). */
const CHUNK: i32 = 256;

function hw(plan: usize, field: i32): i32 {
  return load<i32>(plan + ((<usize>field) << 2));
}

function lw(plan: usize, l: i32, field: i32): i32 {
  return load<i32>(plan + ((<usize>(P_HEADER + l * P_LAYER + field)) << 2));
}

function at(p: i32, i: i32): usize {
  return <usize>p + ((<usize>i) << 3);
}

function f(p: i32, i: i32): f64 {
  return load<f64>(at(p, i));
}

function setf(p: i32, i: i32, x: f64): void {
  store<f64>(at(p, i), x);
}

function row(rows: i32, t: i32): i32 {
  return load<i32>(<usize>rows + ((<usize>t) << 2));
}

function sigmoid(m: f64): f64 {
  return m >= 0 ? 1 / (1 + exp(-m)) : exp(m) / (1 + exp(m));
}

/** z[r] = b + a[r] . W for one output: every term added in input order (two rows per lane pair). */
function dot1(a: i32, rows: i32, nIn: i32, W: i32, b: i32, z: i32): void {
  const w0 = f(b, 0);
  let r: i32 = 0;
  for (; r + 2 <= rows; r += 2) {
    const a0 = at(a, r * nIn);
    const a1 = a0 + ((<usize>nIn) << 3);
    let s = f64x2.splat(w0);
    for (let k: i32 = 0; k < nIn; k++) {
      const ko = (<usize>k) << 3;
      const x = f64x2.replace_lane(f64x2.splat(load<f64>(a0 + ko)), 1, load<f64>(a1 + ko));
      s = f64x2.add(s, f64x2.mul(x, f64x2.splat(f(W, k))));
    }
    v128.store(at(z, r), s);
  }
  for (; r < rows; r++) {
    let s = w0;
    const ao = at(a, r * nIn);
    for (let k: i32 = 0; k < nIn; k++) s += load<f64>(ao + ((<usize>k) << 3)) * f(W, k);
    setf(z, r, s);
  }
}

/**
 * A hidden layer's sums to its activations (activate in src/engine/mlp.ts): layer norm, ReLU,
 * inverted dropout, each unit's derivative factor kept in the mask.
 */
function activate(plan: usize, l: i32, z: i32, rows: i32, next: i32, dropout: f64): void {
  const m = lw(plan, l, L_NOUT);
  const norm = lw(plan, l, L_NORM);
  const gamma = lw(plan, l, L_GAMMA);
  const beta = lw(plan, l, L_BETA);
  const normed = lw(plan, l, L_NORMED);
  const invStd = lw(plan, l, L_INV);
  const mask = lw(plan, l, L_MASK);
  const scale = 1 / (1 - dropout);
  for (let r: i32 = 0; r < rows; r++) {
    const o = r * m;
    if (norm) {
      let mean: f64 = 0;
      for (let j: i32 = 0; j < m; j++) mean += f(z, o + j);
      mean /= <f64>m;
      let v: f64 = 0;
      for (let j: i32 = 0; j < m; j++) {
        const d = f(z, o + j) - mean;
        v += d * d;
      }
      const inv = 1 / Math.sqrt(v / <f64>m + 1e-5);
      setf(invStd, r, inv);
      for (let j: i32 = 0; j < m; j++) {
        const u = (f(z, o + j) - mean) * inv;
        setf(normed, o + j, u);
        setf(z, o + j, u * f(gamma, j) + f(beta, j));
      }
    }
    if (dropout > 0)
      for (let j: i32 = 0; j < m; j++) {
        const keep: f64 = nextF64() < dropout ? 0 : scale;
        const s = f(z, o + j);
        const g = select<f64>(1, 0, s > 0) * keep;
        setf(mask, o + j, g);
        setf(next, o + j, s * g);
      }
    else
      for (let j: i32 = 0; j < m; j++) {
        const s = f(z, o + j);
        const g = select<f64>(1, 0, s > 0);
        setf(mask, o + j, g);
        setf(next, o + j, s * g);
      }
  }
}

/** The batch's output gradient into delta (mean over the batch's weight); returns its summed loss, its weight in bWeight. */
let bWeight: f64 = 0;
function outputGradient(plan: usize, start: i32, rows: i32, K: i32, out: i32, dOut: i32): f64 {
  const fitRows = hw(plan, P_ROWS);
  const y = hw(plan, P_Y);
  const w = hw(plan, P_W);
  const kind = hw(plan, P_OUTPUT);
  let loss: f64 = 0;
  let weight: f64 = 0;
  let bw: f64 = 0;
  for (let r: i32 = 0; r < rows; r++) bw += w ? f(w, row(fitRows, start + r)) : 1;
  for (let r: i32 = 0; r < rows; r++) {
    const i = row(fitRows, start + r);
    const wr: f64 = w ? f(w, i) : 1;
    const wi = wr / bw;
    const o = r * K;
    const yi = f(y, i);
    if (kind == 0) {
      const d = f(out, o) - yi;
      loss += wr * 0.5 * d * d;
      setf(dOut, o, wi * d);
    } else if (kind == 1) {
      const q = sigmoid(f(out, o));
      loss += wr * -log(Math.max(yi == 1 ? q : 1 - q, 1e-15));
      setf(dOut, o, wi * (q - yi));
    } else {
      let max = -Infinity;
      for (let c: i32 = 0; c < K; c++) max = Math.max(max, f(out, o + c));
      let s: f64 = 0;
      for (let c: i32 = 0; c < K; c++) s += exp(f(out, o + c) - max);
      for (let c: i32 = 0; c < K; c++)
        setf(dOut, o + c, wi * (exp(f(out, o + c) - max) / s - select<f64>(1, 0, yi == <f64>c)));
      loss += wr * (max + log(s) - f(out, o + <i32>yi));
    }
    weight += wr;
  }
  bWeight = weight;
  return loss;
}

/** gW += a' dz and gb += column sums of dz for one output (weightGradient's nOut = 1 case). */
function weightGradient1(a: i32, dz: i32, rows: i32, nIn: i32, gW: i32, gb: i32): void {
  for (let r: i32 = 0; r < rows; r++) setf(gb, 0, f(gb, 0) + f(dz, r));
  for (let r: i32 = 0; r < rows; r++) {
    const d = f(dz, r);
    const ao = at(a, r * nIn);
    for (let k: i32 = 0; k < nIn; k++) setf(gW, k, f(gW, k) + load<f64>(ao + ((<usize>k) << 3)) * d);
  }
}

/** dPrev = (dz W') * mask (backThroughWeights). */
function backThroughWeights(dz: i32, rows: i32, nIn: i32, nOut: i32, W: i32, mask: i32, dPrev: i32): void {
  if (nOut == 1) {
    for (let r: i32 = 0; r < rows; r++) {
      const d = f(dz, r);
      const po = r * nIn;
      for (let k: i32 = 0; k < nIn; k++) setf(dPrev, po + k, d * f(W, k) * f(mask, po + k));
    }
    return;
  }
  for (let r: i32 = 0; r < rows; r++) {
    const zo = r * nOut;
    const po = r * nIn;
    for (let k: i32 = 0; k < nIn; k++) {
      let s: f64 = 0;
      const wo = k * nOut;
      for (let j: i32 = 0; j < nOut; j++) s += f(dz, zo + j) * f(W, wo + j);
      setf(dPrev, po + k, s * f(mask, po + k));
    }
  }
}

/** Through a layer norm, with its gain and shift gradients added to (backThroughNorm). */
function backThroughNorm(plan: usize, l: i32, d: i32, rows: i32): void {
  const m = lw(plan, l, L_NOUT);
  const gamma = lw(plan, l, L_GAMMA);
  const normed = lw(plan, l, L_NORMED);
  const invStd = lw(plan, l, L_INV);
  const gGamma = lw(plan, l, L_GGAMMA);
  const gBeta = lw(plan, l, L_GBETA);
  const mf = <f64>m;
  for (let r: i32 = 0; r < rows; r++) {
    const po = r * m;
    const inv = f(invStd, r);
    let sumG: f64 = 0;
    let sumGN: f64 = 0;
    for (let j: i32 = 0; j < m; j++) {
      const g = f(d, po + j);
      setf(gGamma, j, f(gGamma, j) + g * f(normed, po + j));
      setf(gBeta, j, f(gBeta, j) + g);
      const gn = g * f(gamma, j);
      sumG += gn;
      sumGN += gn * f(normed, po + j);
    }
    for (let j: i32 = 0; j < m; j++) {
      const gn = f(d, po + j) * f(gamma, j);
      setf(d, po + j, (inv / mf) * (mf * gn - sumG - f(normed, po + j) * sumGN));
    }
  }
}

/** Forward and backward pass of the batch fitRows[start..start+rows) (batchGradient); returns its summed loss. */
function batchGradient(plan: usize, start: i32, rows: i32, dropout: f64, alpha: f64): f64 {
  const nLayers = hw(plan, P_LAYERS);
  const fitRows = hw(plan, P_ROWS);
  const out = hw(plan, P_OUT);
  for (let l: i32 = 0; l < nLayers; l++) {
    const nIn = lw(plan, l, L_NIN);
    const nOut = lw(plan, l, L_NOUT);
    const W = lw(plan, l, L_W);
    const b = lw(plan, l, L_B);
    const last = l == nLayers - 1;
    const z = last ? out : lw(plan, l, L_PRE);
    if (l == 0) sparseForward(fitRows, start, rows, hw(plan, P_PTR), hw(plan, P_VAL), hw(plan, P_OFF), W, b, nOut, z);
    else if (nOut > 1) dense(lw(plan, l, L_INPUT), rows, nIn, nOut, W, b, z, 1);
    else dot1(lw(plan, l, L_INPUT), rows, nIn, W, b, z);
    if (last) break;
    activate(plan, l, z, rows, lw(plan, l + 1, L_INPUT), dropout);
  }
  const top = nLayers - 1;
  const loss = outputGradient(plan, start, rows, lw(plan, top, L_NOUT), out, lw(plan, top, L_DELTA));
  for (let l = top; l >= 0; l--) {
    const nIn = lw(plan, l, L_NIN);
    const nOut = lw(plan, l, L_NOUT);
    const W = lw(plan, l, L_W);
    const dz = lw(plan, l, L_DELTA);
    const gW = lw(plan, l, L_GW);
    const gb = lw(plan, l, L_GB);
    if (l == 0)
      sparseWeightGradient(
        fitRows,
        start,
        rows,
        hw(plan, P_PTR),
        hw(plan, P_IDX),
        hw(plan, P_VAL),
        dz,
        nIn,
        nOut,
        gW,
        gb,
        hw(plan, P_CP),
        hw(plan, P_CUR),
        hw(plan, P_CROW),
        hw(plan, P_CVAL),
      );
    else {
      memory.fill(gW, 0, (<usize>(nIn * nOut)) << 3);
      memory.fill(gb, 0, (<usize>nOut) << 3);
      if (nOut > 1) weightGradient(lw(plan, l, L_INPUT), dz, rows, nIn, nOut, gW, gb);
      else weightGradient1(lw(plan, l, L_INPUT), dz, rows, nIn, gW, gb);
    }
    const reg = alpha / <f64>rows;
    const len = nIn * nOut;
    for (let t: i32 = 0; t < len; t++) setf(gW, t, f(gW, t) + reg * f(W, t));
    if (l == 0) break;
    const dPrev = lw(plan, l - 1, L_DELTA);
    backThroughWeights(dz, rows, nIn, nOut, W, lw(plan, l - 1, L_MASK), dPrev);
    if (lw(plan, l - 1, L_NORM)) backThroughNorm(plan, l - 1, dPrev, rows);
  }
  return loss;
}

/**
 * One epoch over the (already shuffled) rows: a gradient and an Adam update per batch, from Adam
 * step `step` + 1 on. Writes the epoch's summed loss and weight to res[0], res[1].
 */
export function trainEpoch(
  plan: usize,
  nFit: i32,
  batch: i32,
  lr: f64,
  step: i32,
  dropout: f64,
  alpha: f64,
  res: usize,
): void {
  const nLayers = hw(plan, P_LAYERS);
  let lossSum: f64 = 0;
  let weightSum: f64 = 0;
  for (let start: i32 = 0; start < nFit; start += batch) {
    const rows = min(batch, nFit - start);
    lossSum += batchGradient(plan, start, rows, dropout, alpha);
    weightSum += bWeight;
    step++;
    const c1 = 1 - jsPow(0.9, <f64>step);
    const c2 = 1 - jsPow(0.999, <f64>step);
    for (let l: i32 = 0; l < nLayers; l++) {
      const nOut = lw(plan, l, L_NOUT);
      const k = lw(plan, l, L_NORM) ? nOut : 0;
      adamStep(
        lw(plan, l, L_W),
        lw(plan, l, L_GW),
        lw(plan, l, L_MW),
        lw(plan, l, L_VW),
        lw(plan, l, L_NIN) * nOut,
        lr,
        c1,
        c2,
      );
      adamStep(lw(plan, l, L_B), lw(plan, l, L_GB), lw(plan, l, L_MB), lw(plan, l, L_VB), nOut, lr, c1, c2);
      adamStep(lw(plan, l, L_GAMMA), lw(plan, l, L_GGAMMA), lw(plan, l, L_MG), lw(plan, l, L_VG), k, lr, c1, c2);
      adamStep(lw(plan, l, L_BETA), lw(plan, l, L_GBETA), lw(plan, l, L_MBETA), lw(plan, l, L_VBETA), k, lr, c1, c2);
      memory.fill(lw(plan, l, L_GGAMMA), 0, (<usize>k) << 3);
      memory.fill(lw(plan, l, L_GBETA), 0, (<usize>k) << 3);
    }
  }
  store<f64>(res, lossSum);
  store<f64>(res + 8, weightSum);
}

/**
 * Outputs for n rows of X (row-major, the first layer's width) into out, K per row
 * (predictBatchPlain): every input added in order, zeros too, as forwardRow does.
 */
export function predict(plan: usize, X: usize, n: i32, out: usize, K: i32): void {
  const nLayers = hw(plan, P_LAYERS);
  const kind = hw(plan, P_OUTPUT);
  const last = lw(plan, nLayers - 1, L_NOUT);
  for (let r0: i32 = 0; r0 < n; r0 += CHUNK) {
    const rows = min(CHUNK, n - r0);
    let a = <i32>(X + ((<usize>(r0 * lw(plan, 0, L_NIN))) << 3));
    for (let l: i32 = 0; l < nLayers; l++) {
      const nIn = lw(plan, l, L_NIN);
      const nOut = lw(plan, l, L_NOUT);
      const z = lw(plan, l, L_PBUF);
      if (nOut > 1) dense(a, rows, nIn, nOut, lw(plan, l, L_W), lw(plan, l, L_B), z, 0);
      else dot1(a, rows, nIn, lw(plan, l, L_W), lw(plan, l, L_B), z);
      if (l < nLayers - 1) {
        const norm = lw(plan, l, L_NORM);
        const gamma = lw(plan, l, L_GAMMA);
        const beta = lw(plan, l, L_BETA);
        const mf = <f64>nOut;
        for (let r: i32 = 0; r < rows; r++) {
          const o = r * nOut;
          if (norm) {
            let mean: f64 = 0;
            for (let j: i32 = 0; j < nOut; j++) mean += f(z, o + j);
            mean /= mf;
            let v: f64 = 0;
            for (let j: i32 = 0; j < nOut; j++) v += (f(z, o + j) - mean) * (f(z, o + j) - mean);
            const inv = 1 / Math.sqrt(v / mf + 1e-5);
            for (let j: i32 = 0; j < nOut; j++) setf(z, o + j, (f(z, o + j) - mean) * inv * f(gamma, j) + f(beta, j));
          }
          for (let j: i32 = 0; j < nOut; j++) if (f(z, o + j) < 0) setf(z, o + j, 0);
        }
      }
      a = z;
    }
    for (let r: i32 = 0; r < rows; r++) {
      const zo = r * last;
      const oo = <i32>out + (r0 + r) * K * 8;
      if (kind == 0) for (let c: i32 = 0; c < last; c++) setf(oo, c, f(a, zo + c));
      else if (kind == 1) {
        const p = sigmoid(f(a, zo));
        setf(oo, 0, 1 - p);
        setf(oo, 1, p);
      } else {
        let max = -Infinity;
        for (let c: i32 = 0; c < last; c++) max = Math.max(max, f(a, zo + c));
        let s: f64 = 0;
        for (let c: i32 = 0; c < last; c++) {
          const e = exp(f(a, zo + c) - max);
          setf(oo, c, e);
          s += e;
        }
        for (let c: i32 = 0; c < last; c++) setf(oo, c, f(oo, c) / s);
      }
    }
  }
}
