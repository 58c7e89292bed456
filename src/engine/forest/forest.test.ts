import { describe, expect, it } from 'vitest';
import { Rng } from '../random.js';
import { binColumns, fitFeatureBins, MISSING_BIN, type FeatureInput } from '../gbdt/binning.js';
import { leafOfRaw } from '../gbdt/tree.js';
import { fitForest, growTrees, predictForest, type ForestParams } from './forest.js';
import { binMeans, ForestWorkspace, growForestTree, leafOfColumns, useWasmTrees, type ForestData } from './grow.js';
import { WorkerForestPool } from '../../node/forest-pool.js';

const base: ForestParams = {
  nTrees: 1,
  bootstrap: false,
  maxSamples: 1,
  oob: true,
  maxBins: 255,
  maxDepth: 0,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  maxFeatures: 3,
  minImpurityDecrease: 0,
  randomSplits: false,
  seed: 1,
};

/** Three features: continuous with missing values, a 5-category feature, and noise. */
function data(n: number, seed: number, classes: number) {
  const rng = new Rng(seed);
  const a = Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? NaN : rng.normal()));
  const c = Int32Array.from({ length: n }, () => (rng.next() < 0.05 ? -1 : rng.int(5)));
  const z = Float64Array.from({ length: n }, () => rng.next());
  const score = (i: number) =>
    (Number.isNaN(a[i]) ? 1.5 : a[i]) + (c[i] === 2 || c[i] === 4 ? 1 : 0) + 0.5 * z[i] + 0.3 * rng.normal();
  const yReg = Float64Array.from({ length: n }, (_, i) => score(i));
  const cls = Int32Array.from(yReg, (v) => Math.min(classes - 1, Math.max(0, Math.floor(v + 1))));
  const features: FeatureInput[] = [
    { kind: 'numeric', values: a },
    { kind: 'categorical', codes: c, nCategories: 5 },
    { kind: 'numeric', values: z },
  ];
  return { features, yReg, cls };
}

/**
 * The oracle: scikit-learn's CART criterion written out from rows. For every feature, every
 * threshold between present bins with missing values sent either way, and every subset of
 * categories, the weighted impurity decrease N·imp - N_L·imp_L - N_R·imp_R with Gini impurity
 * (1 - Σ p²) for classes or variance for numbers.
 */
function bruteBestGain(
  colBins: Uint8Array,
  n: number,
  p: number,
  kinds: string[],
  rows: number[],
  target: (r: number) => number,
  classes: number,
): number {
  const impurity = (rs: number[]): number => {
    if (rs.length === 0) return 0;
    if (classes > 0) {
      const counts = new Array<number>(classes).fill(0);
      for (const r of rs) counts[target(r)]++;
      return 1 - counts.reduce((s, c) => s + (c / rs.length) ** 2, 0);
    }
    const mean = rs.reduce((s, r) => s + target(r), 0) / rs.length;
    return rs.reduce((s, r) => s + (target(r) - mean) ** 2, 0) / rs.length;
  };
  const parent = rows.length * impurity(rows);
  let best = -Infinity;
  for (let f = 0; f < p; f++) {
    const bin = (r: number) => colBins[f * n + r];
    const present = [...new Set(rows.map(bin).filter((b) => b !== MISSING_BIN))].sort((x, y) => x - y);
    const sides: ((b: number) => boolean)[] = [];
    if (kinds[f] === 'numeric') for (const t of present) sides.push((b) => b <= t);
    else
      for (let mask = 1; mask < 2 ** present.length; mask++) {
        const set = new Set(present.filter((_, k) => (mask >> k) & 1));
        sides.push((b) => set.has(b));
      }
    for (const goesLeft of sides)
      for (const missingLeft of [false, true]) {
        const left = rows.filter((r) => (bin(r) === MISSING_BIN ? missingLeft : goesLeft(bin(r))));
        const right = rows.filter((r) => !(bin(r) === MISSING_BIN ? missingLeft : goesLeft(bin(r))));
        if (left.length === 0 || right.length === 0) continue;
        const gain = parent - left.length * impurity(left) - right.length * impurity(right);
        if (gain > best) best = gain;
      }
  }
  return best;
}

function prepared(n: number, seed: number, classes: number): { d: ForestData; yReg: Float64Array; cls: Int32Array } {
  const { features, yReg, cls } = data(n, seed, classes);
  const featureBins = features.map((f) => fitFeatureBins(f, 255));
  const colBins = binColumns(features, featureBins, n);
  const means = binMeans(
    features.map((f) => (f.kind === 'numeric' ? f.values : null)),
    colBins,
    n,
  );
  const d: ForestData =
    classes > 0
      ? { colBins, n, p: 3, featureBins, outputs: classes, cls, binMeans: means }
      : { colBins, n, p: 3, featureBins, outputs: 1, y: yReg, binMeans: means };
  return { d, yReg, cls };
}

describe('forest trees', () => {
  for (const classes of [0, 2, 3])
    it(`root split equals brute-force CART (${classes ? `${classes} classes, Gini` : 'regression, variance'})`, () => {
      for (let seed = 1; seed <= 6; seed++) {
        const n = 60;
        const { d, yReg, cls } = prepared(n, seed, classes);
        const rows = Int32Array.from({ length: n }, (_, i) => i);
        const w = new Float64Array(n).fill(1);
        const t = growForestTree(
          d,
          rows,
          n,
          w,
          { ...base, maxDepth: 1 },
          new ForestWorkspace(n, 3, d.outputs),
          new Rng(seed),
        );
        const brute = bruteBestGain(
          d.colBins,
          n,
          3,
          ['numeric', 'categorical', 'numeric'],
          Array.from(rows),
          (r) => (classes ? cls[r] : yReg[r]),
          classes,
        );
        // Category subsets beyond two classes are searched in one target order (a heuristic), so
        // the brute force over all subsets may find more there; never less.
        if (classes === 3) expect(t.tree.gain[0]).toBeLessThanOrEqual(brute + 1e-9);
        else expect(t.tree.gain[0]).toBeCloseTo(brute, 9);
        if (classes !== 3) expect(t.tree.feature[0]).toBeGreaterThanOrEqual(0);
      }
    });

  it('grown to purity, a tree reproduces its training targets; leaf values are class shares', () => {
    const n = 300;
    const { d, cls } = prepared(n, 4, 3);
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const t = growForestTree(d, rows, n, new Float64Array(n).fill(1), base, new ForestWorkspace(n, 3, 3), new Rng(1));
    let pure = 0;
    for (let r = 0; r < n; r++) {
      const leaf = leafOfColumns(t.tree, d.colBins, n, r);
      const v = Array.from(t.values.subarray(leaf * 3, leaf * 3 + 3));
      expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      if (v[cls[r]] === 1) pure++;
    }
    // Rows with identical features and different classes cannot be separated; all others are.
    expect(pure).toBeGreaterThan(0.97 * n);
  });

  for (const classes of [0, 2])
    it(`random forest: a categorical split sends left a prefix of its node's categories in the order of the root's means (${classes ? 'two classes' : 'regression'})`, () => {
      const n = 600;
      const { d, yReg, cls } = prepared(n, 3, classes);
      const rows = Int32Array.from({ length: n }, (_, i) => i);
      const t = growForestTree(
        d,
        rows,
        n,
        new Float64Array(n).fill(1),
        { ...base, maxFeatures: 3 },
        new ForestWorkspace(n, 3, d.outputs),
        new Rng(2),
      ).tree;
      const target = (r: number): number => (classes ? +(cls[r] === 1) : yReg[r]);
      const bin = (r: number): number => d.colBins[n + r];
      // The root's mean of the target per category (feature 1), from every row (no bootstrap).
      const sum = new Map<number, number>();
      const count = new Map<number, number>();
      for (let r = 0; r < n; r++) {
        sum.set(bin(r), (sum.get(bin(r)) ?? 0) + target(r));
        count.set(bin(r), (count.get(bin(r)) ?? 0) + 1);
      }
      const key = (b: number): number => (sum.get(b) ?? 0) / (count.get(b) ?? 1);
      // Walk the tree with every row, collecting the rows of each node.
      const members: number[][] = Array.from({ length: t.nNodes }, () => []);
      for (let r = 0; r < n; r++)
        for (let node = 0; ;) {
          members[node].push(r);
          if (t.feature[node] < 0) break;
          const b = d.colBins[t.feature[node] * n + r];
          const goLeft =
            b === MISSING_BIN
              ? t.defaultLeft[node] === 1
              : t.catOffset[node] >= 0
                ? (t.catBits[t.catOffset[node] + (b >>> 5)] & (1 << (b & 31))) !== 0
                : b <= t.binThreshold[node];
          node = goLeft ? t.left[node] : t.right[node];
        }
      let checked = 0;
      for (let node = 0; node < t.nNodes; node++) {
        if (t.feature[node] !== 1 || t.catOffset[node] < 0) continue;
        const present = [...new Set(members[node].map(bin).filter((b) => b !== MISSING_BIN))].sort(
          (x, y) => key(x) - key(y) || x - y,
        );
        const left = present.map((b) => (t.catBits[t.catOffset[node] + (b >>> 5)] & (1 << (b & 31))) !== 0);
        const k = left.indexOf(false);
        // Every present category left, missing values right, is the last split the scan offers.
        if (k < 0) expect(members[node].some((r) => bin(r) === MISSING_BIN)).toBe(true);
        else {
          expect(k).toBeGreaterThan(0);
          expect(left.slice(k).every((l) => !l)).toBe(true);
        }
        checked++;
      }
      expect(checked).toBeGreaterThan(3);
    });

  it('extra trees: every split is a valid partition of its node, and the same seed gives the same tree', () => {
    const n = 400;
    const { d } = prepared(n, 7, 2);
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const grow = () =>
      growForestTree(
        d,
        rows,
        n,
        new Float64Array(n).fill(1),
        { ...base, randomSplits: true },
        new ForestWorkspace(n, 3, 2),
        new Rng(5),
      );
    const t = grow();
    expect(JSON.stringify(Array.from(grow().tree.threshold))).toBe(JSON.stringify(Array.from(t.tree.threshold)));
    for (let i = 0; i < t.tree.nNodes; i++)
      if (t.tree.feature[i] >= 0) {
        expect(t.tree.count[t.tree.left[i]]).toBeGreaterThan(0);
        expect(t.tree.count[t.tree.right[i]]).toBeGreaterThan(0);
        expect(t.tree.count[t.tree.left[i]] + t.tree.count[t.tree.right[i]]).toBe(t.tree.count[i]);
      }
  });

  for (const randomSplits of [true, false])
    for (const classes of [0, 2])
      it(`${randomSplits ? 'extra trees' : 'random forest'}: the tree grown in WebAssembly is the JavaScript twin's (${classes ? 'two classes' : 'regression'})`, () => {
        const n = 700;
        const { d } = prepared(n, 4, classes);
        const rows = Int32Array.from({ length: n }, (_, i) => i);
        const grow = (wasm: boolean, w: Float64Array, limits: Partial<ForestParams>) => {
          useWasmTrees(wasm);
          try {
            // Three trees on one workspace and generator: the arrays and the generator's state carry over.
            const ws = new ForestWorkspace(n, 3, d.outputs);
            const rng = new Rng(8);
            return [0, 1, 2].map(() =>
              growForestTree(d, rows, n, w, { ...base, randomSplits, maxFeatures: 2, ...limits }, ws, rng),
            );
          } finally {
            useWasmTrees(true);
          }
        };
        // Unit weights, and uneven ones (a class weight or a bootstrap count takes the other loops);
        // no limits, and every limit that stops a node.
        for (const w of [new Float64Array(n).fill(1), Float64Array.from({ length: n }, (_, i) => 0.5 + (i % 3) * 0.7)])
          for (const limits of [
            {},
            { maxDepth: 5, minSamplesSplit: 9, minSamplesLeaf: 3, minImpurityDecrease: 1e-3 },
          ]) {
            const a = grow(true, w, limits);
            const b = grow(false, w, limits);
            for (let t = 0; t < 3; t++) {
              expect(a[t].tree.nNodes).toBeGreaterThan('maxDepth' in limits ? 10 : 50);
              expect(a[t].tree.nNodes).toBe(b[t].tree.nNodes);
              for (const key of [
                'feature',
                'threshold',
                'binThreshold',
                'defaultLeft',
                'left',
                'right',
                'value',
                'gain',
                'count',
                'hessian',
                'catOffset',
                'catBits',
              ] as const)
                expect(Array.from(a[t].tree[key]), key).toEqual(Array.from(b[t].tree[key]));
              expect(Array.from(a[t].values)).toEqual(Array.from(b[t].values));
            }
          }
      });

  it('a tree deeper than the WebAssembly stack is grown by the JavaScript loop, the same tree', () => {
    const n = 700;
    const { d } = prepared(n, 5, 2);
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const w = new Float64Array(n).fill(1);
    for (const maxDepth of [0, 2]) {
      const params = { ...base, randomSplits: true, maxFeatures: 2, maxDepth };
      // A stack of 4 entries holds trees of 3 levels: the full trees outgrow it, the shallow ones do not.
      const ws = new ForestWorkspace(n, 3, 2, true, 4);
      const results: number[] = [];
      const k = ws.k;
      Object.assign(ws, {
        k: { ...k, growTree: (...a: Parameters<typeof k.growTree>) => results[results.push(k.growTree(...a)) - 1] },
      });
      const a = growForestTree(d, rows, n, w, params, ws, new Rng(4));
      useWasmTrees(false);
      try {
        const b = growForestTree(d, rows, n, w, params, new ForestWorkspace(n, 3, 2), new Rng(4));
        expect(results).toEqual([maxDepth === 0 ? -1 : a.tree.nNodes]);
        expect(a.tree.nNodes).toBeGreaterThan(maxDepth === 0 ? 50 : 4);
        for (const key of ['feature', 'binThreshold', 'left', 'gain', 'count', 'catBits'] as const)
          expect(Array.from(a.tree[key]), key).toEqual(Array.from(b.tree[key]));
        expect(Array.from(a.values)).toEqual(Array.from(b.values));
      } finally {
        useWasmTrees(true);
      }
    }
  });

  it('traversal on raw values reaches the same leaf as on bins', () => {
    const n = 500;
    const { features } = data(n, 3, 2);
    const { d } = prepared(n, 3, 2);
    const [t] = growTrees({ data: d, params: { ...base, maxDepth: 6 }, sampleWeights: undefined, seeds: [9] });
    const raw = features.map((f) =>
      f.kind === 'numeric'
        ? { kind: 'numeric' as const, values: f.values }
        : {
            kind: 'binned' as const,
            bins: Int32Array.from(f.codes, (c) =>
              c < 0 ? -1 : (d.featureBins[1] as { binOfCode: Int32Array }).binOfCode[c],
            ),
          },
    );
    for (let r = 0; r < n; r++) expect(leafOfRaw(t.tree, raw, r)).toBe(leafOfColumns(t.tree, d.colBins, n, r));
  });

  it('out-of-bag predictions estimate the holdout accuracy', () => {
    const n = 4000;
    const { features, cls } = data(n, 11, 2);
    const trainRows = 3000;
    const take = (lo: number, hi: number): FeatureInput[] =>
      features.map((f) =>
        f.kind === 'numeric'
          ? { kind: 'numeric', values: f.values.slice(lo, hi) }
          : { kind: 'categorical', codes: f.codes.slice(lo, hi), nCategories: 5 },
      );
    const forest = fitForest(take(0, trainRows), trainRows, { cls: cls.slice(0, trainRows), outputs: 2 }, undefined, {
      ...base,
      nTrees: 60,
      bootstrap: true,
      maxFeatures: 2,
      minSamplesLeaf: 5,
    });
    const accuracy = (proba: Float64Array, y: Int32Array) => {
      let right = 0;
      let m = 0;
      for (let i = 0; i < y.length; i++) {
        if (Number.isNaN(proba[2 * i])) continue;
        right += +((proba[2 * i + 1] > proba[2 * i] ? 1 : 0) === y[i]);
        m++;
      }
      return right / m;
    };
    const test = take(trainRows, n).map((f) =>
      f.kind === 'numeric'
        ? { kind: 'numeric' as const, values: f.values }
        : {
            kind: 'binned' as const,
            bins: Int32Array.from(f.codes, (c) =>
              c < 0 ? -1 : (forest.featureBins[1] as { binOfCode: Int32Array }).binOfCode[c],
            ),
          },
    );
    const holdout = accuracy(predictForest(forest.trees, 2, test, n - trainRows), cls.slice(trainRows));
    const oob = accuracy(forest.oob as Float64Array, cls.slice(0, trainRows));
    expect(holdout).toBeGreaterThan(0.75);
    expect(Math.abs(oob - holdout)).toBeLessThan(0.03);
  });

  it('gives the same forest on 1, 2 and 3 threads', async () => {
    const n = 3000;
    const { features, yReg } = data(n, 5, 0);
    const params = { ...base, nTrees: 7, bootstrap: true, maxFeatures: 2 };
    const serial = fitForest(features, n, { y: yReg, outputs: 1 }, undefined, params);
    // Threads claim trees from a shared counter, so which thread grows which tree varies by run.
    for (const threads of [2, 3]) {
      const pool = new WorkerForestPool(threads);
      try {
        const parallel = fitForest(features, n, { y: yReg, outputs: 1 }, undefined, params, pool.run);
        expect(parallel.trees.length).toBe(7);
        parallel.trees.forEach((t, i) => {
          expect(Array.from(t.tree.threshold)).toEqual(Array.from(serial.trees[i].tree.threshold));
          expect(Array.from(t.values)).toEqual(Array.from(serial.trees[i].values));
        });
        expect(Array.from(parallel.oob as Float64Array)).toEqual(Array.from(serial.oob as Float64Array));
      } finally {
        await pool.close();
      }
    }
  });
});

describe('extra-trees thresholds', () => {
  it('cut between present values in proportion to the gaps, as scikit-learn draws them', () => {
    // Values 1, 2, 4: scikit-learn's uniform draw in (1, 4) cuts {1}|{2,4} with chance 1/3, {1,2}|{4} with 2/3.
    const n = 3;
    const features: FeatureInput[] = [{ kind: 'numeric', values: Float64Array.of(1, 2, 4) }];
    const featureBins = features.map((f) => fitFeatureBins(f, 255));
    const colBins = binColumns(features, featureBins, n);
    const d: ForestData = {
      colBins,
      n,
      p: 1,
      featureBins,
      outputs: 1,
      y: Float64Array.of(0, 1, 2),
      binMeans: binMeans([Float64Array.of(1, 2, 4)], colBins, n),
    };
    const rows = Int32Array.of(0, 1, 2);
    const ws = new ForestWorkspace(n, 1, 1);
    let first = 0;
    const trials = 4000;
    for (let t = 0; t < trials; t++) {
      const tree = growForestTree(
        d,
        rows,
        n,
        new Float64Array(n).fill(1),
        { ...base, maxDepth: 1, maxFeatures: 1, randomSplits: true },
        ws,
        new Rng(t),
      ).tree;
      if (tree.binThreshold[0] === 0) first++;
    }
    expect(first / trials).toBeGreaterThan(0.3);
    expect(first / trials).toBeLessThan(0.37);
  });
});
