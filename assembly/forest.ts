// AssemblyScript: compiled to WebAssembly by scripts/build-wasm.mjs. The hot loops of growing a
// forest tree, on arrays the caller placed in this module's memory (arguments are byte offsets).
// V8 runs these loops about 2.5 times faster as WebAssembly than as JavaScript on typed arrays
// (no bounds or type checks per element). Each has a JavaScript twin in src/engine/forest/grow.ts
// that the tests compare it with.

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

// xoshiro128** (src/engine/random.ts), its state handed over by setRng and read back after.
let ra: u32 = 0;
let rb: u32 = 0;
let rc: u32 = 0;
let rd: u32 = 0;

/** Loads the generator's state (four u32 at state). */
export function setRng(state: usize): void {
  ra = load<u32>(state);
  rb = load<u32>(state + 4);
  rc = load<u32>(state + 8);
  rd = load<u32>(state + 12);
}

/** Stores the generator's state (four u32 at state). */
export function getRng(state: usize): void {
  store<u32>(state, ra);
  store<u32>(state + 4, rb);
  store<u32>(state + 8, rc);
  store<u32>(state + 12, rd);
}

function nextU32(): u32 {
  const result = rotl<u32>(rb * 5, 7) * 9;
  const t = rb << 9;
  rc ^= ra;
  rd ^= rb;
  rb ^= rc;
  ra ^= rd;
  rc ^= t;
  rd = rotl<u32>(rd, 11);
  return result;
}

function nextF64(): f64 {
  const hi = <f64>(nextU32() >>> 5);
  const lo = <f64>(nextU32() >>> 6);
  return (hi * 67108864 + lo) / 9007199254740992;
}

function nextInt(n: i32): i32 {
  return <i32>Math.floor(nextF64() * <f64>n);
}

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
let bestLeftS: f64 = 0;
let bestLeftCount: i32 = 0;

/** Σ_d s_d² / w of the node. */
function parentProxy(): f64 {
  let t: f64 = 0;
  t += nodeS0 * nodeS0;
  if (binaryTarget) t += nodeS1 * nodeS1;
  return t / nodeW;
}

/** Σ_d s_d² / w of a left side: sums (wl - sl, sl) for two classes, sl for a regression. */
function leftProxy(wl: f64, sl: f64): f64 {
  let t: f64 = 0;
  if (binaryTarget) {
    const s0 = wl - sl;
    t += s0 * s0;
    t += sl * sl;
  } else t += sl * sl;
  return t / wl;
}

/** Σ_d s_d² / w of the node minus the left side (weight wr), term by term. */
function restProxy(wl: f64, sl: f64, wr: f64): f64 {
  let t: f64 = 0;
  if (binaryTarget) {
    const r0 = nodeS0 - (wl - sl);
    const r1 = nodeS1 - sl;
    t += r0 * r0;
    t += r1 * r1;
  } else {
    const r = nodeS0 - sl;
    t += r * r;
  }
  return t / wr;
}

function offer(
  count: i32,
  parent: f64,
  f: i32,
  sl: f64,
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
  const gain = leftProxy(wl, sl) + restProxy(wl, sl, wr) - parent;
  if (!(gain > bestGain)) return false;
  bestGain = gain;
  bestFeature = f;
  bestBin = bin;
  bestDefaultLeft = defaultLeft;
  bestCategorical = categorical;
  bestLeftW = wl;
  bestLeftS = sl;
  bestLeftCount = cl;
  return true;
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
  if (offer(count, parentProxy(), f, leftSum, leftWeight, cl, nMinLeaf, thr, missingLeft, 0) && cM == 0)
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
  if (offer(count, parentProxy(), f, leftSum, leftWeight, cl, nMinLeaf, 0, missingLeft ? 1 : 0, 1)) {
    if (!hasMissing) bestDefaultLeft = cl >= count - cl ? 1 : 0;
    memory.copy(bestCat, cat, 32);
  }
  return true;
}

/**
 * Extra trees' split search of one node (positions start..end; weight w; output sums s0, and
 * s1 when binary: the regression sum, or the two classes' weights): features in random order until
 * maxFeatures non-constant ones were tried. perm (p i32) starts with the nKnown features known
 * to be constant here (known); returns the count of constant features now at the front of perm.
 * The best split is stored at res (f64: gain, feature, bin, default left, categorical, left
 * weight, left sum, left count), its category set at bestCat.
 */
export function extraTreesSplit(
  cols: usize,
  n: i32,
  p: i32,
  kinds: usize,
  means: usize,
  idx: usize,
  gb: usize,
  wa: usize,
  ya: usize,
  start: i32,
  end: i32,
  w: f64,
  s0: f64,
  s1: f64,
  binary: i32,
  unit: i32,
  maxFeatures: i32,
  minLeaf: i32,
  perm: usize,
  mark: usize,
  known: usize,
  nKnown: i32,
  seen: usize,
  order: usize,
  cat: usize,
  bestCat: usize,
  res: usize,
): i32 {
  nCols = cols;
  nIdx = idx;
  nGb = gb;
  nWa = wa;
  nYa = ya;
  nStart = start;
  nEnd = end;
  nUnit = unit;
  nMinLeaf = minLeaf;
  nodeW = w;
  nodeS0 = s0;
  nodeS1 = s1;
  binaryTarget = binary != 0;
  bestGain = -Infinity;
  bestFeature = -1;
  bestCategorical = 0;
  let nConst = nKnown;
  for (let t: i32 = 0; t < nKnown; t++) {
    const f = load<i32>(known + ((<usize>t) << 2));
    store<i32>(perm + ((<usize>t) << 2), f);
    store<u8>(mark + <usize>f, 1);
  }
  for (let f: i32 = 0, k = nKnown; f < p; f++)
    if (load<u8>(mark + <usize>f)) store<u8>(mark + <usize>f, 0);
    else {
      store<i32>(perm + ((<usize>k) << 2), f);
      k++;
    }
  let tried: i32 = 0;
  for (let i = nConst; i < p && tried < maxFeatures; i++) {
    const j = i + nextInt(p - i);
    const pj = perm + ((<usize>j) << 2);
    const pi = perm + ((<usize>i) << 2);
    const f = load<i32>(pj);
    store<i32>(pj, load<i32>(pi));
    store<i32>(pi, f);
    const varied = load<u8>(kinds + <usize>f)
      ? randomCategory(f, f * n, seen, order, cat, bestCat)
      : randomNumeric(f, f * n, means + ((<usize>f) << 11));
    if (varied) tried++;
    else {
      store<i32>(pi, load<i32>(perm + ((<usize>nConst) << 2)));
      store<i32>(perm + ((<usize>nConst) << 2), f);
      nConst++;
    }
  }
  store<f64>(res, bestGain);
  store<f64>(res + 8, <f64>bestFeature);
  store<f64>(res + 16, <f64>bestBin);
  store<f64>(res + 24, <f64>bestDefaultLeft);
  store<f64>(res + 32, <f64>bestCategorical);
  store<f64>(res + 40, bestLeftW);
  store<f64>(res + 48, bestLeftS);
  store<f64>(res + 56, <f64>bestLeftCount);
  return nConst;
}
