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
