import type { RawFeature, Tree } from './tree.js';

/**
 * Exact TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2): per-row feature contributions that
 * sum, with the tree's expected value, to the tree's output, in O(leaves x depth²) per row
 * instead of the exponential subset enumeration. "Expected" means weighted by the training rows
 * that reached each node (cover), as in the paper's path-dependent variant.
 */

/** Which child row i goes to at node j (the "hot" child). */
function hotChild(t: Tree, features: readonly RawFeature[], j: number, i: number): number {
  const f = features[t.feature[j]];
  let goLeft: boolean;
  if (f.kind === 'numeric') {
    const x = f.values[i];
    goLeft = x !== x ? t.defaultLeft[j] === 1 : x <= t.threshold[j];
  } else {
    const b = f.bins[i];
    goLeft =
      b === -1
        ? t.defaultLeft[j] === 1
        : b < 0
          ? false
          : (t.catBits[t.catOffset[j] + (b >>> 5)] & (1 << (b & 31))) !== 0;
  }
  return goLeft ? t.left[j] : t.right[j];
}

/** Cover-weighted mean of the leaf values: the tree's output with no feature known. */
export function expectedValue(t: Tree): number {
  const walk = (j: number): number => {
    if (t.feature[j] < 0) return t.value[j];
    const l = t.left[j];
    const r = t.right[j];
    return (t.count[l] * walk(l) + t.count[r] * walk(r)) / (t.count[l] + t.count[r]);
  };
  return walk(0);
}

/** Path element arrays for one recursion depth. */
interface Path {
  d: Int32Array;
  z: Float64Array;
  o: Float64Array;
  w: Float64Array;
}

function maxDepth(t: Tree, j = 0): number {
  return t.feature[j] < 0 ? 0 : 1 + Math.max(maxDepth(t, t.left[j]), maxDepth(t, t.right[j]));
}

/** Reusable buffers for explaining many rows with one tree. */
export class ShapWorkspace {
  readonly paths: Path[];
  constructor(depth: number) {
    const size = depth + 2;
    this.paths = Array.from({ length: depth + 2 }, () => ({
      d: new Int32Array(size),
      z: new Float64Array(size),
      o: new Float64Array(size),
      w: new Float64Array(size),
    }));
  }
}

export function shapWorkspace(trees: readonly Tree[]): ShapWorkspace {
  let depth = 0;
  for (const t of trees) depth = Math.max(depth, maxDepth(t));
  return new ShapWorkspace(depth);
}

function extend(m: Path, len: number, pz: number, po: number, pi: number): void {
  m.d[len] = pi;
  m.z[len] = pz;
  m.o[len] = po;
  m.w[len] = len === 0 ? 1 : 0;
  for (let i = len - 1; i >= 0; i--) {
    m.w[i + 1] += (po * m.w[i] * (i + 1)) / (len + 1);
    m.w[i] = (pz * m.w[i] * (len - i)) / (len + 1);
  }
}

/** Removes element `i` from a path of length len+1 (so `len` is its last index). */
function unwind(m: Path, len: number, i: number): void {
  const o = m.o[i];
  const z = m.z[i];
  let n = m.w[len];
  for (let j = len - 1; j >= 0; j--) {
    if (o !== 0) {
      const t = m.w[j];
      m.w[j] = (n * (len + 1)) / ((j + 1) * o);
      n = t - (m.w[j] * z * (len - j)) / (len + 1);
    } else m.w[j] = (m.w[j] * (len + 1)) / (z * (len - j));
  }
  for (let j = i; j < len; j++) {
    m.d[j] = m.d[j + 1];
    m.z[j] = m.z[j + 1];
    m.o[j] = m.o[j + 1];
  }
}

/** Total weight of the path with element `i` unwound, without changing the path. */
function unwoundSum(m: Path, len: number, i: number): number {
  const o = m.o[i];
  const z = m.z[i];
  let total = 0;
  if (o !== 0) {
    let n = m.w[len];
    for (let j = len - 1; j >= 0; j--) {
      const t = n / ((j + 1) * o);
      total += t;
      n = m.w[j] - t * z * (len - j);
    }
  } else for (let j = len - 1; j >= 0; j--) total += m.w[j] / (z * (len - j));
  return total * (len + 1);
}

/**
 * Adds row i's contributions of one tree into phi[offset + f] for each feature f (length p).
 * The expected value is not included; add `expectedValue(t)` once per tree to the bias.
 */
export function treeShap(
  t: Tree,
  features: readonly RawFeature[],
  i: number,
  phi: Float64Array,
  offset: number,
  ws: ShapWorkspace,
): void {
  const recurse = (j: number, depth: number, len: number, pz: number, po: number, pi: number): void => {
    const m = ws.paths[depth];
    if (depth > 0) {
      const prev = ws.paths[depth - 1];
      m.d.set(prev.d.subarray(0, len));
      m.z.set(prev.z.subarray(0, len));
      m.o.set(prev.o.subarray(0, len));
      m.w.set(prev.w.subarray(0, len));
    }
    extend(m, len, pz, po, pi);
    len++;
    if (t.feature[j] < 0) {
      for (let k = 1; k < len; k++) {
        const w = unwoundSum(m, len - 1, k);
        phi[offset + m.d[k]] += w * (m.o[k] - m.z[k]) * t.value[j];
      }
      return;
    }
    const hot = hotChild(t, features, j, i);
    const cold = hot === t.left[j] ? t.right[j] : t.left[j];
    const f = t.feature[j];
    let iz = 1;
    let io = 1;
    let k = 1;
    for (; k < len; k++) if (m.d[k] === f) break;
    if (k < len) {
      iz = m.z[k];
      io = m.o[k];
      unwind(m, len - 1, k);
      len--;
    }
    const cover = t.count[j];
    recurse(hot, depth + 1, len, (iz * t.count[hot]) / cover, io, f);
    recurse(cold, depth + 1, len, (iz * t.count[cold]) / cover, 0, f);
  };
  recurse(0, 0, 0, 1, 1, -1);
}

/**
 * The definition, by brute force: Shapley values over all feature subsets, with the value of a
 * subset S the cover-weighted expectation of the tree when only S is known. Exponential in the
 * number of features; the oracle for `treeShap` on small trees.
 */
export function treeShapBrute(t: Tree, features: readonly RawFeature[], i: number, p: number): Float64Array {
  const value = (mask: number): number => {
    const walk = (j: number): number => {
      if (t.feature[j] < 0) return t.value[j];
      const f = t.feature[j];
      if (mask & (1 << f)) return walk(hotChild(t, features, j, i));
      const l = t.left[j];
      const r = t.right[j];
      return (t.count[l] * walk(l) + t.count[r] * walk(r)) / t.count[j];
    };
    return walk(0);
  };
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Float64Array(p);
  for (let f = 0; f < p; f++) {
    for (let mask = 0; mask < 1 << p; mask++) {
      if (mask & (1 << f)) continue;
      let size = 0;
      for (let b = 0; b < p; b++) if (mask & (1 << b)) size++;
      const weight = (fact(size) * fact(p - size - 1)) / fact(p);
      phi[f] += weight * (value(mask | (1 << f)) - value(mask));
    }
  }
  return phi;
}
