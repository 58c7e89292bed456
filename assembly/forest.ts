// AssemblyScript: compiled to WebAssembly by scripts/build-wasm.mjs. Growing a forest tree with
// one or two outputs (growTree), and the loops the JavaScript grower of more outputs shares, on
// arrays the caller placed in this module's memory (arguments are byte offsets). V8 runs these
// loops about 2.5 times faster as WebAssembly than as JavaScript on typed arrays (no bounds or
// type checks per element), and a tree needs no JavaScript optimised before it runs fast. Each
// has a JavaScript twin in src/engine/forest/grow.ts that the tests compare it with.

import { nextF64, nextInt } from './shared/random';
export { setRng, getRng } from './shared/random';

const MISSING_BIN: i32 = 255;

let missingCount: i32 = 0;
let leftWeight: f64 = 0;
let leftSum: f64 = 0;

/** Missing rows counted by the last gatherRange. */
export function lastMissing(): i32 {
  return missingCount;
}

/** Weight of the rows the last leftSums sent left. */
export function lastLeftWeight(): f64 {
  return leftWeight;
}

/** Target sum of the rows the last leftSums sent left. */
export function lastLeftSum(): f64 {
  return leftSum;
}

/**
 * Copies the bins of positions start..end (rows idx[k] of the column at col + base) to gb[k];
 * returns the smallest present bin | (largest present bin + 1) << 9 (256 | 0 when none).
 */
export function gatherRange(col: usize, base: i32, idx: usize, gb: usize, start: i32, end: i32): i32 {
  let lo: i32 = 256;
  let hi: i32 = -1;
  let cm: i32 = 0;
  for (let k = start; k < end; k++) {
    const r = load<i32>(idx + ((<usize>k) << 2));
    const b = <i32>load<u8>(col + <usize>(base + r));
    store<u8>(gb + <usize>k, <u8>b);
    if (b == MISSING_BIN) cm++;
    else {
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
  }
  missingCount = cm;
  return lo | ((hi + 1) << 9);
}

/**
 * Rows of positions start..end going left (gathered bin <= thr, a missing bin when ml is 1):
 * returns their count; their weight and target sum are read back with lastLeftWeight/lastLeftSum.
 */
export function leftSums(gb: usize, wa: usize, ya: usize, start: i32, end: i32, thr: i32, ml: i32, unit: i32): i32 {
  let cl: i32 = 0;
  let wl: f64 = 0;
  let s: f64 = 0;
  if (unit) {
    for (let k = start; k < end; k++) {
      const b = <i32>load<u8>(gb + <usize>k);
      const left = (<i32>(b <= thr)) | ((<i32>(b == MISSING_BIN)) & ml);
      cl += left;
      s += load<f64>(ya + ((<usize>k) << 3)) * <f64>left;
    }
    wl = <f64>cl;
  } else
    for (let k = start; k < end; k++) {
      const b = <i32>load<u8>(gb + <usize>k);
      const left = (<i32>(b <= thr)) | ((<i32>(b == MISSING_BIN)) & ml);
      const f = <f64>left;
      cl += left;
      wl += load<f64>(wa + ((<usize>k) << 3)) * f;
      s += load<f64>(ya + ((<usize>k) << 3)) * f;
    }
  leftWeight = wl;
  leftSum = s;
  return cl;
}

/**
 * Stable partition of positions start..end by a split (numeric: bin <= thr; categorical: the
 * bin's bit in the 256-bit set at cat; missing bins go left when dl is 1), moving idx and the
 * position-aligned weights (unless unit), classes (cls) and targets (withY) together. Returns the
 * first right position.
 */
export function partition(
  col: usize,
  base: i32,
  idx: usize,
  tmp: usize,
  wa: usize,
  tw: usize,
  ya: usize,
  ty: usize,
  ca: usize,
  tc: usize,
  start: i32,
  end: i32,
  thr: i32,
  dl: i32,
  cat: usize,
  categorical: i32,
  unit: i32,
  cls: i32,
  withY: i32,
): i32 {
  let l = start;
  let r: i32 = 0;
  for (let k = start; k < end; k++) {
    const k4 = (<usize>k) << 2;
    const k8 = (<usize>k) << 3;
    const l4 = (<usize>l) << 2;
    const l8 = (<usize>l) << 3;
    const r4 = (<usize>r) << 2;
    const r8 = (<usize>r) << 3;
    const row = load<i32>(idx + k4);
    const b = <i32>load<u8>(col + <usize>(base + row));
    let left: i32;
    if (b == MISSING_BIN) left = dl;
    else if (categorical) left = (load<i32>(cat + ((<usize>(b >>> 5)) << 2)) >>> (b & 31)) & 1;
    else left = <i32>(b <= thr);
    // Written to both sides, one of them kept: position l <= k was already read.
    store<i32>(idx + l4, row);
    store<i32>(tmp + r4, row);
    if (!unit) {
      const w = load<f64>(wa + k8);
      store<f64>(wa + l8, w);
      store<f64>(tw + r8, w);
    }
    if (cls) {
      const c = load<i32>(ca + k4);
      store<i32>(ca + l4, c);
      store<i32>(tc + r4, c);
    }
    if (withY) {
      const y = load<f64>(ya + k8);
      store<f64>(ya + l8, y);
      store<f64>(ty + r8, y);
    }
    l += left;
    r += 1 - left;
  }
  memory.copy(idx + ((<usize>l) << 2), tmp, (<usize>r) << 2);
  if (!unit) memory.copy(wa + ((<usize>l) << 3), tw, (<usize>r) << 3);
  if (cls) memory.copy(ca + ((<usize>l) << 2), tc, (<usize>r) << 2);
  if (withY) memory.copy(ya + ((<usize>l) << 3), ty, (<usize>r) << 3);
  return l;
}

/**
 * Per-bin weight (hw, f64), row count (hc, i32) and output sums (hs, f64: D per bin for classes,
 * one for regression) of the rows at positions start..end, on the feature whose bins start at
 * col + base; each bin met for the first time is listed in touched (i32). Returns how many were.
 * For classes hs is filled and hw left to the caller (a bin's weight is the sum of its classes').
 */
export function accumulate(
  col: usize,
  base: i32,
  idx: usize,
  wa: usize,
  ya: usize,
  ca: usize,
  start: i32,
  end: i32,
  D: i32,
  cls: i32,
  hw: usize,
  hc: usize,
  hs: usize,
  touched: usize,
): i32 {
  let nt: i32 = 0;
  for (let k = start; k < end; k++) {
    const k8 = (<usize>k) << 3;
    const b = <i32>load<u8>(col + <usize>(base + load<i32>(idx + ((<usize>k) << 2))));
    const at = hc + ((<usize>b) << 2);
    const c = load<i32>(at);
    store<i32>(at, c + 1);
    if (c == 0) {
      store<i32>(touched + ((<usize>nt) << 2), b);
      nt++;
    }
    if (cls) {
      const h = hs + ((<usize>(b * D + load<i32>(ca + ((<usize>k) << 2)))) << 3);
      store<f64>(h, load<f64>(h) + load<f64>(wa + k8));
    } else {
      const w = hw + ((<usize>b) << 3);
      store<f64>(w, load<f64>(w) + load<f64>(wa + k8));
      const h = hs + ((<usize>b) << 3);
      store<f64>(h, load<f64>(h) + load<f64>(ya + k8));
    }
  }
  return nt;
}

// ---- Extra trees: the whole split search of a node ----------------------------------------
// The same draws, in the same order, and the same arithmetic as findSplit / randomSplit /
// randomCategorySplit / offer in src/engine/forest/grow.ts, so a tree is the same either way.

// The node and the best split so far.
// The node being split: its arrays (see extraTreesSplit), positions and limits.
let nCols: usize = 0;
let nIdx: usize = 0;
let nGb: usize = 0;
let nWa: usize = 0;
let nYa: usize = 0;
let nStart: i32 = 0;
let nEnd: i32 = 0;
let nUnit: i32 = 0;
let nMinLeaf: i32 = 0;
let nodeW: f64 = 0;
// The node's output sums: the regression sum, or the two classes' weights.
let nodeS0: f64 = 0;
let nodeS1: f64 = 0;
let binaryTarget: bool = false;
let bestGain: f64 = -Infinity;
let bestFeature: i32 = -1;
let bestBin: i32 = 0;
let bestDefaultLeft: i32 = 0;
let bestCategorical: i32 = 0;
let bestLeftW: f64 = 0;
let bestLeftCount: i32 = 0;

/** Σ_d s_d² / w of the node. */
function parentProxy(): f64 {
  let t: f64 = 0;
  t += nodeS0 * nodeS0;
  if (binaryTarget) t += nodeS1 * nodeS1;
  return t / nodeW;
}

/**
 * Extra trees' offer: a left side of weight wl and target sum sl (the second class's weight for
 * two classes, the first's being wl - sl, as the JavaScript twin derives it).
 */
function offerLeft(count: i32, f: i32, sl: f64, wl: f64, cl: i32, bin: i32, defaultLeft: i32, categorical: i32): bool {
  return binaryTarget
    ? offerSums(count, parentProxy(), f, wl - sl, sl, wl, cl, nMinLeaf, bin, defaultLeft, categorical)
    : offerSums(count, parentProxy(), f, sl, 0, wl, cl, nMinLeaf, bin, defaultLeft, categorical);
}

/** Left sums over a categorical split's bitset (weights always read, as the JavaScript does). */
function leftSumsCat(gb: usize, wa: usize, ya: usize, start: i32, end: i32, cat: usize): i32 {
  let cl: i32 = 0;
  let wl: f64 = 0;
  let s: f64 = 0;
  for (let k = start; k < end; k++) {
    const b = <i32>load<u8>(gb + <usize>k);
    const left = (load<i32>(cat + ((<usize>(b >>> 5)) << 2)) >>> (b & 31)) & 1;
    const f = <f64>left;
    wl += load<f64>(wa + ((<usize>k) << 3)) * f;
    cl += left;
    s += load<f64>(ya + ((<usize>k) << 3)) * f;
  }
  leftWeight = wl;
  leftSum = s;
  return cl;
}

function randomNumeric(f: i32, base: i32, rep: usize): bool {
  const idx = nIdx;
  const gb = nGb;
  const start = nStart;
  const end = nEnd;
  const packed = gatherRange(nCols, base, idx, gb, start, end);
  const lo = packed & 511;
  const hi = (packed >>> 9) - 1;
  const cM = missingCount;
  if (hi < 0 || (lo == hi && cM == 0)) return false;
  let thr = lo;
  let missingLeft: i32 = 0;
  if (lo < hi) {
    const a = load<f64>(rep + ((<usize>lo) << 3));
    const u = a + nextF64() * (load<f64>(rep + ((<usize>hi) << 3)) - a);
    let a2 = lo;
    let b2 = hi - 1;
    while (a2 < b2) {
      const m = (a2 + b2 + 1) >>> 1;
      if (load<f64>(rep + ((<usize>m) << 3)) <= u) a2 = m;
      else b2 = m - 1;
    }
    thr = a2;
    if (cM > 0) missingLeft = nextF64() < 0.5 ? 1 : 0;
  }
  const cl = leftSums(gb, nWa, nYa, start, end, thr, missingLeft, nUnit);
  const count = end - start;
  if (offerLeft(count, f, leftSum, leftWeight, cl, thr, missingLeft, 0) && cM == 0)
    bestDefaultLeft = cl >= count - cl ? 1 : 0;
  return true;
}

function randomCategory(f: i32, base: i32, seen: usize, order: usize, cat: usize, bestCat: usize): bool {
  const start = nStart;
  const end = nEnd;
  let m: i32 = 0;
  let hasMissing = false;
  for (let k = start; k < end; k++) {
    const b = <i32>load<u8>(nCols + <usize>(base + load<i32>(nIdx + ((<usize>k) << 2))));
    store<u8>(nGb + <usize>k, <u8>b);
    const bit = 1 << (b & 31);
    const sw = seen + ((<usize>(b >>> 5)) << 2);
    const word = load<i32>(sw);
    if (word & bit) continue;
    store<i32>(sw, word | bit);
    if (b == MISSING_BIN) hasMissing = true;
    else {
      store<i32>(order + ((<usize>m) << 2), b);
      m++;
    }
  }
  for (let t: i32 = 0; t < m; t++) store<i32>(seen + ((<usize>(load<i32>(order + ((<usize>t) << 2)) >>> 5)) << 2), 0);
  store<i32>(seen + ((<usize>(MISSING_BIN >>> 5)) << 2), 0);
  // Insertion sort: categories in bin order (m is at most 255).
  for (let i: i32 = 1; i < m; i++) {
    const v = load<i32>(order + ((<usize>i) << 2));
    let j = i - 1;
    while (j >= 0 && load<i32>(order + ((<usize>j) << 2)) > v) {
      store<i32>(order + ((<usize>(j + 1)) << 2), load<i32>(order + ((<usize>j) << 2)));
      j--;
    }
    store<i32>(order + ((<usize>(j + 1)) << 2), v);
  }
  if (m + (hasMissing ? 1 : 0) < 2) return false;
  memory.fill(cat, 0, 32);
  if (m >= 2) {
    let nLeft: i32 = 0;
    for (let t: i32 = 0; t < m; t++)
      if (nextF64() < 0.5) {
        const b = load<i32>(order + ((<usize>t) << 2));
        const w = cat + ((<usize>(b >>> 5)) << 2);
        store<i32>(w, load<i32>(w) | (1 << (b & 31)));
        nLeft++;
      }
    if (nLeft == 0 || nLeft == m) {
      const b = load<i32>(order + ((<usize>nextInt(m)) << 2));
      const w = cat + ((<usize>(b >>> 5)) << 2);
      store<i32>(w, load<i32>(w) ^ (1 << (b & 31)));
    }
  } else {
    const b = load<i32>(order);
    const w = cat + ((<usize>(b >>> 5)) << 2);
    store<i32>(w, load<i32>(w) | (1 << (b & 31)));
  }
  const missingLeft = hasMissing && m >= 2 ? nextF64() < 0.5 : false;
  const mw = cat + ((<usize>(MISSING_BIN >>> 5)) << 2);
  if (missingLeft) store<i32>(mw, load<i32>(mw) | (1 << (MISSING_BIN & 31)));
  const cl = leftSumsCat(nGb, nWa, nYa, start, end, cat);
  if (missingLeft) store<i32>(mw, load<i32>(mw) & ~(1 << (MISSING_BIN & 31)));
  const count = end - start;
  if (offerLeft(count, f, leftSum, leftWeight, cl, 0, missingLeft ? 1 : 0, 1)) {
    if (!hasMissing) bestDefaultLeft = cl >= count - cl ? 1 : 0;
    memory.copy(bestCat, cat, 32);
  }
  return true;
}

/**
 * The node both split searches start from: its positions, output sums and weight, no best split
 * yet, and perm = the nKnown features known to be constant, already at its front (see growTree),
 * then the others ascending (tMark: p zero bytes, left zero).
 */
function beginNode(start: i32, end: i32, w: f64, s0: f64, s1: f64, nKnown: i32): void {
  nStart = start;
  nEnd = end;
  nodeW = w;
  nodeS0 = s0;
  nodeS1 = s1;
  bestGain = -Infinity;
  bestFeature = -1;
  bestCategorical = 0;
  const perm = tPerm;
  const mark = tMark;
  for (let t: i32 = 0; t < nKnown; t++) store<u8>(mark + <usize>load<i32>(perm + ((<usize>t) << 2)), 1);
  for (let f: i32 = 0, k = nKnown; f < tP; f++)
    if (load<u8>(mark + <usize>f)) store<u8>(mark + <usize>f, 0);
    else {
      store<i32>(perm + ((<usize>k) << 2), f);
      k++;
    }
}

/**
 * Extra trees' split search of one node (positions start..end; weight w; output sums s0, and
 * s1 when binary: the regression sum, or the two classes' weights) under the arrays bindSearch
 * bound: features in random order until maxFeatures non-constant ones were tried. perm starts
 * with the nKnown features known to be constant here; returns the count of constant features
 * now at the front of perm. The best split is left in bestGain, bestFeature, ..., its category
 * set at bestCat.
 */
function extraTreesNode(start: i32, end: i32, w: f64, s0: f64, s1: f64, nKnown: i32): i32 {
  beginNode(start, end, w, s0, s1, nKnown);
  const p = tP;
  const perm = tPerm;
  let nConst = nKnown;
  let tried: i32 = 0;
  for (let i = nConst; i < p && tried < tMaxFeatures; i++) {
    const j = i + nextInt(p - i);
    const pj = perm + ((<usize>j) << 2);
    const pi = perm + ((<usize>i) << 2);
    const f = load<i32>(pj);
    store<i32>(pj, load<i32>(pi));
    store<i32>(pi, f);
    const varied = load<u8>(tKinds + <usize>f)
      ? randomCategory(f, f * nN, tSeen, tOrder, tCat, tBestCat)
      : randomNumeric(f, f * nN, tMeans + ((<usize>f) << 11));
    if (varied) tried++;
    else {
      store<i32>(pi, load<i32>(perm + ((<usize>nConst) << 2)));
      store<i32>(perm + ((<usize>nConst) << 2), f);
      nConst++;
    }
  }
  return nConst;
}

// ---- Random forests: the whole split search of a node ----------------------------------------
// The same draws and arithmetic as findSplit / bestSplit / offer in src/engine/forest/grow.ts for
// one output (regression) or two (two classes), left sums kept per output as the JavaScript does.

let bestLeftS0: f64 = 0;
let bestLeftS1: f64 = 0;

/** offer for random forests: the left side's output sums sl0 (and sl1 with two outputs) as they were summed. */
function offerSums(
  count: i32,
  parent: f64,
  f: i32,
  sl0: f64,
  sl1: f64,
  wl: f64,
  cl: i32,
  minLeaf: i32,
  bin: i32,
  defaultLeft: i32,
  categorical: i32,
): bool {
  const cr = count - cl;
  const wr = nodeW - wl;
  if (cl < minLeaf || cr < minLeaf || wl <= 0 || wr <= 0) return false;
  let tl: f64 = 0;
  tl += sl0 * sl0;
  if (binaryTarget) tl += sl1 * sl1;
  let tr: f64 = 0;
  const r0 = nodeS0 - sl0;
  tr += r0 * r0;
  if (binaryTarget) {
    const r1 = nodeS1 - sl1;
    tr += r1 * r1;
  }
  const gain = tl / wl + tr / wr - parent;
  if (!(gain > bestGain)) return false;
  bestGain = gain;
  bestFeature = f;
  bestBin = bin;
  bestDefaultLeft = defaultLeft;
  bestCategorical = categorical;
  bestLeftW = wl;
  bestLeftS0 = sl0;
  bestLeftS1 = sl1;
  bestLeftCount = cl;
  return true;
}

// The random-forest node's histogram arrays (see randomForestSplit).
let hW: usize = 0;
let hC: usize = 0;
let hS: usize = 0;
let hTouched: usize = 0;
let hCa: usize = 0;
let hKey: usize = 0;

function clearBins(nt: i32, D: i32): void {
  for (let t: i32 = 0; t < nt; t++) {
    const b = load<i32>(hTouched + ((<usize>t) << 2));
    store<f64>(hW + ((<usize>b) << 3), 0);
    store<i32>(hC + ((<usize>b) << 2), 0);
    memory.fill(hS + ((<usize>(b * D)) << 3), 0, (<usize>D) << 3);
  }
}

/** Random forest: the best threshold (numeric) or target-ordered category prefix of feature f (bestSplit). */
function bestSplitOf(f: i32, categorical: bool, order: usize, bestCat: usize): bool {
  const D: i32 = binaryTarget ? 2 : 1;
  const nt = accumulate(
    nCols,
    f * nN,
    nIdx,
    nWa,
    nYa,
    hCa,
    nStart,
    nEnd,
    D,
    binaryTarget ? 1 : 0,
    hW,
    hC,
    hS,
    hTouched,
  );
  if (binaryTarget)
    for (let t: i32 = 0; t < nt; t++) {
      const b = load<i32>(hTouched + ((<usize>t) << 2));
      let s: f64 = 0;
      s += load<f64>(hS + ((<usize>(2 * b)) << 3));
      s += load<f64>(hS + ((<usize>(2 * b + 1)) << 3));
      store<f64>(hW + ((<usize>b) << 3), s);
    }
  let m: i32 = 0;
  for (let t: i32 = 0; t < nt; t++) {
    const b = load<i32>(hTouched + ((<usize>t) << 2));
    if (b != MISSING_BIN) {
      store<i32>(order + ((<usize>m) << 2), b);
      m++;
    }
  }
  const cM = load<i32>(hC + ((<usize>MISSING_BIN) << 2));
  if (m + (cM > 0 ? 1 : 0) < 2) {
    clearBins(nt, D);
    return false;
  }
  if (categorical) {
    // In the order the tree fixed at its root (categoryKeys); ties by bin (sortBy).
    const keys = hKey + ((<usize>(f * 256)) << 3);
    for (let i: i32 = 1; i < m; i++) {
      const v = load<i32>(order + ((<usize>i) << 2));
      const kv = load<f64>(keys + ((<usize>v) << 3));
      let j = i - 1;
      while (j >= 0) {
        const aj = load<i32>(order + ((<usize>j) << 2));
        const ka = load<f64>(keys + ((<usize>aj) << 3));
        if (!(ka > kv || (ka == kv && aj > v))) break;
        store<i32>(order + ((<usize>(j + 1)) << 2), aj);
        j--;
      }
      store<i32>(order + ((<usize>(j + 1)) << 2), v);
    }
  } else if (m > 16) {
    // Ascending bins: the present ones read off the counts, in order.
    let k: i32 = 0;
    for (let b: i32 = 0; b < MISSING_BIN; b++)
      if (load<i32>(hC + ((<usize>b) << 2)) > 0) {
        store<i32>(order + ((<usize>k) << 2), b);
        k++;
      }
  } else
    for (let i: i32 = 1; i < m; i++) {
      const v = load<i32>(order + ((<usize>i) << 2));
      let j = i - 1;
      while (j >= 0 && load<i32>(order + ((<usize>j) << 2)) > v) {
        store<i32>(order + ((<usize>(j + 1)) << 2), load<i32>(order + ((<usize>j) << 2)));
        j--;
      }
      store<i32>(order + ((<usize>(j + 1)) << 2), v);
    }
  const parent = parentProxy();
  const count = nEnd - nStart;
  const minLeaf = nMinLeaf;
  const wM = load<f64>(hW + ((<usize>MISSING_BIN) << 3));
  const mS0 = load<f64>(hS + ((<usize>(MISSING_BIN * D)) << 3));
  const mS1 = binaryTarget ? load<f64>(hS + ((<usize>(MISSING_BIN * D + 1)) << 3)) : 0;
  let sl0: f64 = 0;
  let sl1: f64 = 0;
  let wl: f64 = 0;
  let cl: i32 = 0;
  let bestK: i32 = -1;
  let bestMissingLeft = false;
  const cat = categorical ? 1 : 0;
  for (let k: i32 = 0; k < m; k++) {
    const b = load<i32>(order + ((<usize>k) << 2));
    sl0 += load<f64>(hS + ((<usize>(b * D)) << 3));
    if (binaryTarget) sl1 += load<f64>(hS + ((<usize>(b * D + 1)) << 3));
    wl += load<f64>(hW + ((<usize>b) << 3));
    cl += load<i32>(hC + ((<usize>b) << 2));
    if (k == m - 1) {
      if (cM > 0 && offerSums(count, parent, f, sl0, sl1, wl, cl, minLeaf, b, 0, cat)) {
        bestK = k;
        bestMissingLeft = false;
      }
      break;
    }
    if (offerSums(count, parent, f, sl0, sl1, wl, cl, minLeaf, b, 0, cat)) {
      bestK = k;
      bestMissingLeft = false;
    }
    if (cM > 0 && offerSums(count, parent, f, sl0 + mS0, sl1 + mS1, wl + wM, cl + cM, minLeaf, b, 1, cat)) {
      bestK = k;
      bestMissingLeft = true;
    }
  }
  if (bestK >= 0 && bestFeature == f) {
    if (!cM) bestDefaultLeft = bestLeftCount >= count - bestLeftCount ? 1 : 0;
    else bestDefaultLeft = bestMissingLeft ? 1 : 0;
    if (categorical) {
      memory.fill(bestCat, 0, 32);
      for (let k: i32 = 0; k <= bestK; k++) {
        const b = load<i32>(order + ((<usize>k) << 2));
        const w = bestCat + ((<usize>(b >>> 5)) << 2);
        store<i32>(w, load<i32>(w) | (1 << (b & 31)));
      }
    }
  }
  clearBins(nt, D);
  return true;
}

/**
 * Random forests' split search of one node (findSplit) under the arrays bindSearch bound:
 * maxFeatures features drawn among all of them, a known constant counting as drawn, drawing on
 * while every feature drawn was constant. Arguments and result as extraTreesNode's.
 */
function randomForestNode(start: i32, end: i32, w: f64, s0: f64, s1: f64, nKnown: i32): i32 {
  beginNode(start, end, w, s0, s1, nKnown);
  const p = tP;
  const perm = tPerm;
  let nConst = nKnown;
  let undrawnKnown = nConst;
  let drawn: i32 = 0;
  let tried: i32 = 0;
  let i = nConst;
  while (i < p && (drawn < tMaxFeatures || tried == 0)) {
    drawn++;
    let j = nextInt(undrawnKnown + p - i);
    if (j < undrawnKnown) {
      undrawnKnown--;
      continue;
    }
    j += i - undrawnKnown;
    const pj = perm + ((<usize>j) << 2);
    const pi = perm + ((<usize>i) << 2);
    const f = load<i32>(pj);
    store<i32>(pj, load<i32>(pi));
    store<i32>(pi, f);
    if (bestSplitOf(f, load<u8>(tKinds + <usize>f) != 0, tOrder, tBestCat)) tried++;
    else {
      store<i32>(pi, load<i32>(perm + ((<usize>nConst) << 2)));
      store<i32>(perm + ((<usize>nConst) << 2), f);
      nConst++;
    }
    i++;
  }
  return nConst;
}

// ---- One call per tree ------------------------------------------------------------------------
// growTree grows a whole tree depth-first: each node's split search, the partition of its
// positions and the record of its children, with no call out of the module. JavaScript wrapped
// every node before (about half of a warm fit's time on telco's extra trees, and code that ran
// unoptimised for the first trees while both cores grew them and V8's compiler thread waited).
// The same order, draws and arithmetic as growForestTree's loop over findSplit, so the tree is
// the same either way (the forest tests grow both ways).

let nN: i32 = 0;
let tP: i32 = 0;
let tKinds: usize = 0;
let tMeans: usize = 0;
let tMaxFeatures: i32 = 0;
let tPerm: usize = 0;
let tMark: usize = 0;
let tSeen: usize = 0;
let tOrder: usize = 0;
let tCat: usize = 0;
let tBestCat: usize = 0;

/**
 * The arrays and settings of a tree's node searches: the bins (cols, n x p column-major), each
 * feature's kind (1 = categorical) and bin means, the positions' rows (idx), gathered bins (gb),
 * weights (wa), output sums (ya) and classes (ca); whether there are two outputs, whether every
 * weight is 1; maxFeatures and the minimum leaf; perm (p i32) and mark (p zero bytes), see
 * beginNode; extra trees' category work arrays (seen, order, cat); the best split's categories
 * (bestCat); random forests' histogram arrays (hw f64, hc i32, hs f64 per bin and output, touched
 * i32, all 256 long and zero) and key (f64 per feature and bin, the order of categories the tree
 * fixed, see categoryKeys).
 */
export function bindSearch(
  cols: usize,
  n: i32,
  p: i32,
  kinds: usize,
  means: usize,
  idx: usize,
  gb: usize,
  wa: usize,
  ya: usize,
  ca: usize,
  binary: i32,
  unit: i32,
  maxFeatures: i32,
  minLeaf: i32,
  perm: usize,
  mark: usize,
  seen: usize,
  order: usize,
  cat: usize,
  bestCat: usize,
  hw: usize,
  hc: usize,
  hs: usize,
  touched: usize,
  key: usize,
): void {
  nCols = cols;
  nN = n;
  tP = p;
  tKinds = kinds;
  tMeans = means;
  nIdx = idx;
  nGb = gb;
  nWa = wa;
  nYa = ya;
  hCa = ca;
  binaryTarget = binary != 0;
  nUnit = unit;
  tMaxFeatures = maxFeatures;
  nMinLeaf = minLeaf;
  tPerm = perm;
  tMark = mark;
  tSeen = seen;
  tOrder = order;
  tCat = cat;
  tBestCat = bestCat;
  hW = hw;
  hC = hc;
  hS = hs;
  hTouched = touched;
  hKey = key;
}

// The tree's nodes, in the order they were added: split feature (-1 for a leaf), bin threshold,
// default left (u8), gain, children, weight, output sums, row count and the offset of a
// categorical split's 8 words in gCatBits (-1 otherwise).
let gFeature: usize = 0;
let gBin: usize = 0;
let gDefaultLeft: usize = 0;
let gGain: usize = 0;
let gLeft: usize = 0;
let gRight: usize = 0;
let gW: usize = 0;
let gS0: usize = 0;
let gS1: usize = 0;
let gCount: usize = 0;
let gCatOffset: usize = 0;
let gCatBits: usize = 0;
// The stack of nodes waiting to be split: node, positions, depth, how many features are known
// constant (the front of perm), weight and output sums.
let sNode: usize = 0;
let sStart: usize = 0;
let sEnd: usize = 0;
let sDepth: usize = 0;
let sKnown: usize = 0;
let sW: usize = 0;
let sS0: usize = 0;
let sS1: usize = 0;
let sCap: i32 = 0;
// The partition's scratch arrays and what travels with idx.
let pTmp: usize = 0;
let pTw: usize = 0;
let pTy: usize = 0;
let pTc: usize = 0;
let pCls: i32 = 0;
let pWithY: i32 = 0;
let catWords: i32 = 0;

/**
 * The arrays growTree writes the tree to (node arrays: at least 2 n - 1 long; gCatBits 8 words per
 * possible categorical split) and keeps its stack in (stackCap long), and the partition's scratch
 * arrays (see partition: tmp i32, tw f64, ty f64, tc i32, and whether classes and targets travel).
 */
export function bindGrowth(
  feature: usize,
  bin: usize,
  defaultLeft: usize,
  gain: usize,
  left: usize,
  right: usize,
  w: usize,
  s0: usize,
  s1: usize,
  count: usize,
  catOffset: usize,
  catBits: usize,
  stNode: usize,
  stStart: usize,
  stEnd: usize,
  stDepth: usize,
  stKnown: usize,
  stW: usize,
  stS0: usize,
  stS1: usize,
  stackCap: i32,
  tmp: usize,
  tw: usize,
  ty: usize,
  tc: usize,
  cls: i32,
  withY: i32,
): void {
  gFeature = feature;
  gBin = bin;
  gDefaultLeft = defaultLeft;
  gGain = gain;
  gLeft = left;
  gRight = right;
  gW = w;
  gS0 = s0;
  gS1 = s1;
  gCount = count;
  gCatOffset = catOffset;
  gCatBits = catBits;
  sNode = stNode;
  sStart = stStart;
  sEnd = stEnd;
  sDepth = stDepth;
  sKnown = stKnown;
  sW = stW;
  sS0 = stS0;
  sS1 = stS1;
  sCap = stackCap;
  pTmp = tmp;
  pTw = tw;
  pTy = ty;
  pTc = tc;
  pCls = cls;
  pWithY = withY;
}

/** Words of category sets the last growTree wrote to gCatBits (8 per categorical split). */
export function lastCatWords(): i32 {
  return catWords;
}

/** Writes node `node` as a leaf (weight w, output sums s0 and s1, count rows). */
function addLeaf(node: i32, w: f64, s0: f64, s1: f64, count: i32): void {
  const n4 = (<usize>node) << 2;
  const n8 = (<usize>node) << 3;
  store<i32>(gFeature + n4, -1);
  store<i32>(gBin + n4, 0);
  store<u8>(gDefaultLeft + <usize>node, 0);
  store<f64>(gGain + n8, 0);
  store<i32>(gLeft + n4, -1);
  store<i32>(gRight + n4, -1);
  store<f64>(gW + n8, w);
  store<f64>(gS0 + n8, s0);
  store<f64>(gS1 + n8, s1);
  store<i32>(gCount + n4, count);
  store<i32>(gCatOffset + n4, -1);
}

function push(t: i32, node: i32, start: i32, end: i32, depth: i32, nKnown: i32, w: f64, s0: f64, s1: f64): void {
  const t4 = (<usize>t) << 2;
  const t8 = (<usize>t) << 3;
  store<i32>(sNode + t4, node);
  store<i32>(sStart + t4, start);
  store<i32>(sEnd + t4, end);
  store<i32>(sDepth + t4, depth);
  store<i32>(sKnown + t4, nKnown);
  store<f64>(sW + t8, w);
  store<f64>(sS0 + t8, s0);
  store<f64>(sS1 + t8, s1);
}

/**
 * Grows a tree on positions 0..nRows of the bound arrays (root weight w, output sums s0, s1) with
 * the generator setRng gave; returns its node count, or -1 if it outgrew the stack (its nodes and
 * positions then half-done). Extra trees when randomSplits is 1, random forests otherwise;
 * maxDepth 0 = unlimited; a split must gain more than minGain.
 *
 * The features known constant in a node are the front of perm: a node's search leaves its own
 * known ones in place and moves the ones it finds constant right after them, so its children's
 * list is the front of perm when it returns. Depth-first, every later search until its right
 * child's is in its left child's subtree, whose lists all extend that front, so the right child
 * finds its list still there and only a count is stacked.
 */
export function growTree(
  nRows: i32,
  w: f64,
  s0: f64,
  s1: f64,
  randomSplits: i32,
  maxDepth: i32,
  minSamplesSplit: i32,
  minGain: f64,
): i32 {
  let nodes: i32 = 1;
  catWords = 0;
  addLeaf(0, w, s0, s1, nRows);
  push(0, 0, 0, nRows, 0, 0, w, s0, s1);
  let top: i32 = 1;
  const minLeaf = nMinLeaf;
  while (top > 0) {
    top--;
    const t4 = (<usize>top) << 2;
    const t8 = (<usize>top) << 3;
    const node = load<i32>(sNode + t4);
    const start = load<i32>(sStart + t4);
    const end = load<i32>(sEnd + t4);
    const depth = load<i32>(sDepth + t4);
    const nKnown = load<i32>(sKnown + t4);
    const nw = load<f64>(sW + t8);
    const ns0 = load<f64>(sS0 + t8);
    const ns1 = load<f64>(sS1 + t8);
    const count = end - start;
    if ((maxDepth > 0 && depth >= maxDepth) || count < minSamplesSplit || count < 2 * minLeaf) continue;
    const nConst = randomSplits
      ? extraTreesNode(start, end, nw, ns0, ns1, nKnown)
      : randomForestNode(start, end, nw, ns0, ns1, nKnown);
    // Gains within rounding of zero are not splits: a pure node stays a leaf.
    if (bestFeature < 0 || bestGain <= minGain || bestGain <= 1e-12 * parentProxy()) continue;
    const f = bestFeature;
    const mid = partition(
      nCols,
      f * nN,
      nIdx,
      pTmp,
      nWa,
      pTw,
      nYa,
      pTy,
      hCa,
      pTc,
      start,
      end,
      bestBin,
      bestDefaultLeft,
      tBestCat,
      bestCategorical,
      nUnit,
      pCls,
      pWithY,
    );
    const wl = bestLeftW;
    const wr = nw - wl;
    const sl0 = bestLeftS0;
    const sl1 = binaryTarget ? bestLeftS1 : 0;
    const sr0 = ns0 - sl0;
    const sr1 = binaryTarget ? ns1 - sl1 : 0;
    const left = nodes++;
    const right = nodes++;
    addLeaf(left, wl, sl0, sl1, mid - start);
    addLeaf(right, wr, sr0, sr1, end - mid);
    const n4 = (<usize>node) << 2;
    store<i32>(gFeature + n4, f);
    store<i32>(gBin + n4, bestBin);
    store<u8>(gDefaultLeft + <usize>node, <u8>bestDefaultLeft);
    store<f64>(gGain + ((<usize>node) << 3), bestGain);
    store<i32>(gLeft + n4, left);
    store<i32>(gRight + n4, right);
    if (bestCategorical) {
      store<i32>(gCatOffset + n4, catWords);
      memory.copy(gCatBits + ((<usize>catWords) << 2), tBestCat, 32);
      catWords += 8;
    }
    // A tree deeper than the stack is left to the caller's JavaScript loop.
    if (top + 2 > sCap) return -1;
    // Right pushed first so the left child is grown next (the order does not change the tree).
    push(top, right, mid, end, depth + 1, nConst, wr, sr0, sr1);
    push(top + 1, left, start, mid, depth + 1, nConst, wl, sl0, sl1);
    top += 2;
  }
  return nodes;
}
