/**
 * Exact k-nearest-neighbour search on a row-major n x p matrix: a k-d tree for few dimensions,
 * blocked brute force otherwise. Both return the same neighbours: the k smallest by
 * (distance, row index), so ties never depend on the search order.
 */

export type Metric = 'euclidean' | 'manhattan';

/**
 * Distance used for ranking: squared Euclidean (same order as Euclidean, no square root) or
 * Manhattan, summed over features in index order so every caller gets the same bits.
 */
export function rankDistance(
  X: Float64Array,
  i: number,
  Q: Float64Array,
  q: number,
  p: number,
  metric: Metric,
): number {
  let d = 0;
  const a = i * p;
  const b = q * p;
  if (metric === 'euclidean')
    for (let j = 0; j < p; j++) {
      const t = X[a + j] - Q[b + j];
      d += t * t;
    }
  else for (let j = 0; j < p; j++) d += Math.abs(X[a + j] - Q[b + j]);
  return d;
}

/** The reported distance from a ranking distance. */
export function trueDistance(rank: number, metric: Metric): number {
  return metric === 'euclidean' ? Math.sqrt(rank) : rank;
}

/** Fixed-size max-heap of (distance, row) keeping the k smallest pairs. */
class Best {
  readonly d: Float64Array;
  readonly r: Int32Array;
  size = 0;
  constructor(readonly k: number) {
    this.d = new Float64Array(k);
    this.r = new Int32Array(k);
  }
  reset(): void {
    this.size = 0;
  }
  /** Worst kept distance, or Infinity while fewer than k are kept. */
  bound(): number {
    return this.size < this.k ? Infinity : this.d[0];
  }
  private greater(i: number, j: number): boolean {
    return this.d[i] > this.d[j] || (this.d[i] === this.d[j] && this.r[i] > this.r[j]);
  }
  offer(dist: number, row: number): void {
    const { d, r } = this;
    if (this.size < this.k) {
      let i = this.size++;
      d[i] = dist;
      r[i] = row;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.greater(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    if (dist > d[0] || (dist === d[0] && row > r[0])) return;
    d[0] = dist;
    r[0] = row;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const rr = l + 1;
      let m = i;
      if (l < this.size && this.greater(l, m)) m = l;
      if (rr < this.size && this.greater(rr, m)) m = rr;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
  private swap(i: number, j: number): void {
    const td = this.d[i];
    this.d[i] = this.d[j];
    this.d[j] = td;
    const tr = this.r[i];
    this.r[i] = this.r[j];
    this.r[j] = tr;
  }
  /** Kept pairs sorted by (distance, row) into outD/outR at offset. */
  drain(outD: Float64Array, outR: Int32Array, offset: number): void {
    const m = this.size;
    const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => this.d[a] - this.d[b] || this.r[a] - this.r[b]);
    for (let t = 0; t < m; t++) {
      outD[offset + t] = this.d[order[t]];
      outR[offset + t] = this.r[order[t]];
    }
  }
}

const LEAF = 24;

/** A k-d tree over the rows of X: nodes split at the median of their widest feature. */
export interface KdTree {
  readonly perm: Int32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** -1 for a leaf. */
  readonly dim: Int32Array;
  readonly value: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
}

export function buildKdTree(X: Float64Array, n: number, p: number): KdTree {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const start: number[] = [];
  const end: number[] = [];
  const dim: number[] = [];
  const value: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const build = (s: number, e: number): number => {
    const node = start.length;
    start.push(s);
    end.push(e);
    dim.push(-1);
    value.push(0);
    left.push(-1);
    right.push(-1);
    if (e - s <= LEAF) return node;
    let best = -1;
    let spread = 0;
    for (let j = 0; j < p; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let t = s; t < e; t++) {
        const v = X[perm[t] * p + j];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi - lo > spread) {
        spread = hi - lo;
        best = j;
      }
    }
    if (best < 0) return node; // every row identical
    // Sort the node's rows by the feature (ties by row) and cut at the median.
    const rows = Array.from(perm.subarray(s, e));
    rows.sort((a, b) => X[a * p + best] - X[b * p + best] || a - b);
    perm.set(rows, s);
    const mid = s + ((e - s) >> 1);
    dim[node] = best;
    value[node] = X[perm[mid] * p + best];
    const l = build(s, mid);
    const r = build(mid, e);
    left[node] = l;
    right[node] = r;
    return node;
  };
  build(0, n);
  return {
    perm,
    start: Int32Array.from(start),
    end: Int32Array.from(end),
    dim: Int32Array.from(dim),
    value: Float64Array.from(value),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
  };
}

/**
 * The k nearest training rows of each query row: distances (true, not squared) and row indices,
 * nq x k row-major, sorted by (distance, row). `tree` = undefined searches by brute force.
 */
export function kNearest(
  X: Float64Array,
  n: number,
  p: number,
  Q: Float64Array,
  nq: number,
  k: number,
  metric: Metric,
  tree: KdTree | undefined,
): { dist: Float64Array; rows: Int32Array } {
  const kk = Math.min(k, n);
  const dist = new Float64Array(nq * kk);
  const rows = new Int32Array(nq * kk);
  if (tree) {
    const best = new Best(kk);
    const stack = new Int32Array(512);
    const planes = new Float64Array(512);
    for (let q = 0; q < nq; q++) {
      best.reset();
      searchTree(X, p, Q, q, metric, tree, best, stack, planes);
      best.drain(dist, rows, q * kk);
    }
  } else {
    bruteForce(X, n, p, Q, nq, metric, kk, dist, rows);
  }
  for (let t = 0; t < dist.length; t++) dist[t] = trueDistance(dist[t], metric);
  return { dist, rows };
}

function searchTree(
  X: Float64Array,
  p: number,
  Q: Float64Array,
  q: number,
  metric: Metric,
  tree: KdTree,
  best: Best,
  stack: Int32Array,
  planes: Float64Array,
): void {
  // Depth-first, nearer child first; a far child is visited only if the splitting plane is no
  // farther than the worst neighbour kept (ties included, so equal distances are all seen).
  let top = 0;
  stack[top] = 0;
  planes[top] = 0;
  top++;
  while (top > 0) {
    top--;
    const node = stack[top];
    if (planes[top] > best.bound()) continue;
    const dm = tree.dim[node];
    if (dm < 0) {
      for (let t = tree.start[node]; t < tree.end[node]; t++) {
        const i = tree.perm[t];
        best.offer(rankDistance(X, i, Q, q, p, metric), i);
      }
      continue;
    }
    const diff = Q[q * p + dm] - tree.value[node];
    const plane = metric === 'euclidean' ? diff * diff : Math.abs(diff);
    const near = diff < 0 ? tree.left[node] : tree.right[node];
    const far = diff < 0 ? tree.right[node] : tree.left[node];
    stack[top] = far;
    planes[top] = plane;
    top++;
    stack[top] = near;
    planes[top] = 0;
    top++;
  }
}

/**
 * Brute force in blocks of queries: each pass over the training rows serves a block, so X is
 * read from memory once per block. Partial distance search screens each pair: four interleaved
 * partial sums (one running sum would be a chain of dependent additions) are compared with the
 * current k-th neighbour's distance every 8 features, and the pair is dropped once they exceed
 * it by more than any rounding difference could explain. Pairs that survive get the exact
 * distance from rankDistance, so the neighbours are exactly the brute-force ones.
 */
function bruteForce(
  X: Float64Array,
  n: number,
  p: number,
  Q: Float64Array,
  nq: number,
  metric: Metric,
  kk: number,
  dist: Float64Array,
  rows: Int32Array,
): void {
  const BLOCK = 16;
  const heaps = Array.from({ length: BLOCK }, () => new Best(kk));
  const euclid = metric === 'euclidean';
  const limits = new Float64Array(BLOCK);
  const p4 = p - (p % 4);
  for (let q0 = 0; q0 < nq; q0 += BLOCK) {
    const m = Math.min(nq, q0 + BLOCK) - q0;
    for (let b = 0; b < m; b++) {
      heaps[b].reset();
      limits[b] = Infinity;
    }
    for (let i = 0; i < n; i++) {
      const xi = i * p;
      for (let b = 0; b < m; b++) {
        const limit = limits[b];
        const qi = (q0 + b) * p;
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        let far = false;
        for (let j = 0; j < p4; j += 4) {
          if (euclid) {
            const t0 = X[xi + j] - Q[qi + j];
            const t1 = X[xi + j + 1] - Q[qi + j + 1];
            const t2 = X[xi + j + 2] - Q[qi + j + 2];
            const t3 = X[xi + j + 3] - Q[qi + j + 3];
            d0 += t0 * t0;
            d1 += t1 * t1;
            d2 += t2 * t2;
            d3 += t3 * t3;
          } else {
            d0 += Math.abs(X[xi + j] - Q[qi + j]);
            d1 += Math.abs(X[xi + j + 1] - Q[qi + j + 1]);
            d2 += Math.abs(X[xi + j + 2] - Q[qi + j + 2]);
            d3 += Math.abs(X[xi + j + 3] - Q[qi + j + 3]);
          }
          if ((j & 4) === 4 && d0 + d1 + (d2 + d3) > limit) {
            far = true;
            break;
          }
        }
        if (far) continue;
        const exact = rankDistance(X, i, Q, q0 + b, p, metric);
        if (exact > heaps[b].bound()) continue;
        heaps[b].offer(exact, i);
        // A margin far above the rounding of p terms (about p · 2^-53 relative).
        limits[b] = heaps[b].bound() * (1 + 1e-9);
      }
    }
    for (let b = 0; b < m; b++) heaps[b].drain(dist, rows, (q0 + b) * kk);
  }
}
