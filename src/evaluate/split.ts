import { GlassboxError, locate } from '../data/errors.js';
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

/**
 * Seeded group k-fold assignment: fold index per row, every row of a group in the same fold, so
 * the score measures new groups (customers, stores, patients) rather than ones seen in training.
 * Groups are balanced by row count greedily, as scikit-learn's GroupKFold does: largest group first,
 * each to the fold with the fewest rows so far (the lowest such fold on a tie). The seed orders
 * groups of equal size, so different seeds give different splits. Every distinct value is one group,
 * a missing code (-1 or NaN) included; recode missing rows first if each stands alone. The result
 * depends on the groups, their sizes and the seed, not on the order of the rows.
 */
export function groupKFoldAssignment(groups: ArrayLike<number>, k: number, seed: number): Int32Array {
  checkFolds(k, 2);
  const n = groups.length;
  const idOf = new Map<number, number>();
  const keys: number[] = [];
  const sizes: number[] = [];
  const groupOfRow = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let g = idOf.get(groups[i]);
    if (g === undefined) {
      g = keys.length;
      idOf.set(groups[i], g);
      keys.push(groups[i]);
      sizes.push(0);
    }
    groupOfRow[i] = g;
    sizes[g]++;
  }
  const m = keys.length;
  if (m < k)
    throw new GlassboxError(`group k-fold with ${k} folds needs at least ${k} groups, but there are only ${m}`);
  const order = new Int32Array(m);
  for (let g = 0; g < m; g++) order[g] = g;
  // Sorting by value first makes the shuffle, and so the folds, independent of row order.
  order.sort((a, b) => compareNumbers(keys[a], keys[b]));
  new Rng(seed).shuffle(order);
  const shuffledRank = new Int32Array(m);
  for (let t = 0; t < m; t++) shuffledRank[order[t]] = t;
  order.sort((a, b) => sizes[b] - sizes[a] || shuffledRank[a] - shuffledRank[b]);
  const foldRows = new Float64Array(k);
  const foldOfGroup = new Int32Array(m);
  for (let t = 0; t < m; t++) {
    let lightest = 0;
    for (let f = 1; f < k; f++) if (foldRows[f] < foldRows[lightest]) lightest = f;
    foldOfGroup[order[t]] = lightest;
    foldRows[lightest] += sizes[order[t]];
  }
  const fold = new Int32Array(n);
  for (let i = 0; i < n; i++) fold[i] = foldOfGroup[groupOfRow[i]];
  return fold;
}

/**
 * Expanding-window splits in time order, as scikit-learn's TimeSeriesSplit: rows sorted by time
 * (row order breaks ties), the last k blocks of floor(n / (k + 1)) rows are the test sets, and
 * each trains on everything before its block, less `gap` rows, so no fold trains on the future.
 * Rows with the same time are never split between train and test: a block edge that falls inside
 * a run of equal times moves to the nearer end of the run (the earlier on a tie), so blocks are
 * only roughly equal, and the train end moves back to the start of its run, so the gap drops at
 * least `gap` rows. Indices inside train and test ascend by row. Throws on a NaN time, naming the
 * row, and when there are too few rows or distinct times for k folds.
 */
export function timeSeriesFolds(
  times: ArrayLike<number>,
  k: number,
  options: { gap?: number } = {},
): { train: Int32Array; test: Int32Array }[] {
  checkFolds(k, 1);
  const gap = options.gap ?? 0;
  if (!Number.isInteger(gap) || gap < 0)
    throw new GlassboxError(`the gap must be a whole number of rows >= 0, got ${gap}`);
  const n = times.length;
  for (let i = 0; i < n; i++)
    if (Number.isNaN(times[i]))
      throw new GlassboxError(
        locate({ row: i + 1 }, 'the time is missing; time-ordered validation needs a time on every row'),
        { row: i + 1 },
      );
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => times[a] - times[b] || a - b);
  const testSize = Math.floor(n / (k + 1));
  if (testSize < 1)
    throw new GlassboxError(`time-ordered validation with ${k} folds needs at least ${k + 1} rows, got ${n}`);
  // A sorted position p is a clean edge when the times on either side of it differ.
  const isEdge = (p: number): boolean => p <= 0 || p >= n || times[order[p - 1]] !== times[order[p]];
  const starts = new Int32Array(k + 1);
  starts[k] = n;
  for (let j = 0; j < k; j++) {
    const p = n - (k - j) * testSize;
    let before = p;
    while (!isEdge(before)) before--;
    let after = p;
    while (!isEdge(after)) after++;
    starts[j] = p - before <= after - p ? before : after;
  }
  const folds: { train: Int32Array; test: Int32Array }[] = [];
  for (let j = 0; j < k; j++) {
    let trainEnd = starts[j] - gap;
    while (trainEnd > 0 && !isEdge(trainEnd)) trainEnd--;
    if (starts[j] >= starts[j + 1] || trainEnd <= 0)
      throw new GlassboxError(
        `time-ordered validation cannot make ${k} folds${gap ? ` with a gap of ${gap} rows` : ''} from ${n} rows ` +
          `and ${distinctCount(times, order)} distinct times; use fewer folds`,
      );
    folds.push({ train: order.slice(0, trainEnd).sort(), test: order.slice(starts[j], starts[j + 1]).sort() });
  }
  return folds;
}

/** How a model will be validated, in plain data, with the reason for the report. */
export interface ValidationPlan {
  readonly kind: 'kfold' | 'holdout' | 'group-kfold' | 'time';
  /** Number of fits to validate: the fold count, 1 for a holdout. */
  readonly folds: number;
  /** Share of rows held out, for a holdout. */
  readonly testShare?: number;
  /** One plain-language sentence for the report. */
  readonly why: string;
}

/**
 * Picks the validation scheme from the data's shape: a time column means time-ordered folds (the
 * model will score the future), else a group column means group k-fold (it will score new groups),
 * else k-fold while fits are cheap and a 20 % holdout once the data is large enough for one split to
 * be stable. Folds: 5 below 20,000 rows, 3 from there on (time and group folds too), fewer when
 * there are fewer rows or groups. `groups` is the number of distinct groups, when known.
 */
export function chooseValidation(
  nRows: number,
  options: { groupColumn?: string; groups?: number; timeColumn?: string } = {},
): ValidationPlan {
  if (!(nRows >= 2)) throw new GlassboxError(`validation needs at least 2 rows, got ${nRows}`);
  const rows = `${grouped(nRows)} rows`;
  const folds = nRows < 20_000 ? 5 : 3;
  if (options.timeColumn !== undefined) {
    const k = Math.min(folds, nRows - 1);
    const ignored =
      options.groupColumn !== undefined ? ` The group column "${options.groupColumn}" does not shape these folds.` : '';
    return {
      kind: 'time',
      folds: k,
      why:
        `Rows are put in order of "${options.timeColumn}" and each of ${k} folds is tested on a later period than ` +
        `it was trained on, because the model will be used on data from the future.${ignored}`,
    };
  }
  if (options.groupColumn !== undefined) {
    const k = Math.min(folds, options.groups ?? folds, nRows);
    if (k < 2)
      throw new GlassboxError(
        `group column "${options.groupColumn}" has ${options.groups} distinct value(s); group validation needs at least 2`,
        { column: options.groupColumn },
      );
    return {
      kind: 'group-kfold',
      folds: k,
      why:
        `All rows with the same "${options.groupColumn}" stay together in one of ${k} folds, so the score shows ` +
        `how the model does on ${options.groupColumn} values it has never seen.`,
    };
  }
  if (nRows > 200_000)
    return {
      kind: 'holdout',
      folds: 1,
      testShare: 0.2,
      why:
        `With ${rows}, 20 % of them held out are enough for a stable score, ` +
        `and one fit instead of several leaves more of the time budget for the search.`,
    };
  const k = Math.min(folds, nRows);
  return {
    kind: 'kfold',
    folds: k,
    why:
      `With ${rows}, ${k}-fold cross-validation scores every row once with a model that did not see it, ` +
      `so the score does not hinge on one lucky split${nRows < 20_000 ? '' : ' (3 folds keep the fits affordable at this size)'}.`,
  };
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

function checkFolds(k: number, least: number): void {
  if (!Number.isInteger(k) || k < least)
    throw new GlassboxError(`the number of folds must be a whole number >= ${least}, got ${k}`);
}

/** Ascending, NaN last, so a sort with it is a total order. */
function compareNumbers(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

function distinctCount(times: ArrayLike<number>, order: Int32Array): number {
  let count = 0;
  for (let p = 0; p < order.length; p++) if (p === 0 || times[order[p - 1]] !== times[order[p]]) count++;
  return count;
}

/** 12345 -> "12,345", the same on every locale. */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
