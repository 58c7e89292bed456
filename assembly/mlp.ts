// AssemblyScript: compiled to WebAssembly by scripts/build-wasm.mjs. The MLP's training loops on
// arrays the caller placed in this module's memory (arguments are byte offsets). Every sum adds
// its terms in the same order as the JavaScript in src/engine/mlp.ts (two outputs per 128-bit
// lane, never two terms of one sum), so a fit gives the same weights bit for bit either way; the
// tests check that.

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
export function sparseForward(
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
export function sparseWeightGradient(
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
export function dense(a: usize, rows: i32, nIn: i32, nOut: i32, W: usize, b: usize, z: usize, skipZeros: i32): void {
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
export function weightGradient(a: usize, dz: usize, rows: i32, nIn: i32, nOut: i32, gW: usize, gb: usize): void {
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
export function adamStep(P: usize, G: usize, M: usize, V: usize, n: i32, lr: f64, c1: f64, c2: f64): void {
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
