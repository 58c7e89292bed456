import { Rng } from '../engine/random.js';

/**
 * A seeded holdout split: `testShare` of the rows go to test. With labels, each class is split
 * in proportion (stratified), so a rare class is represented on both sides.
 */
export function holdoutSplit(
  n: number,
  testShare: number,
  seed: number,
  labels?: ArrayLike<number>,
): { train: Int32Array; test: Int32Array } {
  const rng = new Rng(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const idx of classGroups(n, labels)) {
    rng.shuffle(idx);
    const nTest = Math.round(idx.length * testShare);
    for (let t = 0; t < idx.length; t++) (t < nTest ? test : train).push(idx[t]);
  }
  // Keep row order inside each side: deterministic and cache-friendly.
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}

/**
 * Seeded k-fold assignment: fold index per row. With labels, each class is dealt round-robin
 * over the folds after a shuffle (stratified), so every fold holds each class in proportion.
 */
export function kFoldAssignment(n: number, k: number, seed: number, labels?: ArrayLike<number>): Int32Array {
  const rng = new Rng(seed);
  const fold = new Int32Array(n);
  let offset = 0;
  for (const group of classGroups(n, labels)) {
    const idx = rng.shuffle(group);
    // Continuing the deal where the last class stopped keeps fold sizes within one row.
    for (let t = 0; t < idx.length; t++) fold[idx[t]] = (offset + t) % k;
    offset = (offset + idx.length) % k;
  }
  return fold;
}

/** Row indices per label value, labels ascending (one group of every row without labels). */
function classGroups(n: number, labels?: ArrayLike<number>): Int32Array[] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = labels ? labels[i] : 0;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((key) => Int32Array.from(groups.get(key) as number[]));
}
