/**
 * npm run bench:models — each Glassbox model family beside its scikit-learn peer
 * (peer.py --mode rf|et|knn|nb|...) on the shared 80/20 splits, with matched hyperparameters:
 * test AUC / RMSE difference, train and predict time ratios (Glassbox / peer, both on 2 threads
 * where the family uses threads). Each fit runs in a fresh process; fits under a second are timed again in the same process (warm).
 *
 * Options: --only DATASET, --family NAME (technique id or table label), --threads N (default 2),
 * --repeat N (fits per side, the fastest kept; default 3).
 *
 * On the small datasets (under SMALL_ROWS training rows, test sets of 150-270 rows) one seed's
 * test AUC moves by 0.01-0.02 with the seed on either side, more than the 0.005 the families must
 * match, so both sides are scored over SMALL_SEEDS seeds and the metrics averaged; the table gives
 * the standard error of each averaged Δ beside it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CLASSIFICATION_CASES,
  countRows,
  REGRESSION_CASES,
  prepareCase,
  type BenchTask,
  type PreparedCase,
} from './cases.js';
import { requirePeers, runPeerOn, table } from './peers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Family {
  /** Glassbox technique id. */
  readonly id: string;
  /** A name for the table when one technique appears with different settings. */
  readonly label?: string;
  /** peer.py --mode. */
  readonly peer: string;
  /** Glassbox parameters for a task and training-row count. */
  readonly params: (task: BenchTask, n: number) => Record<string, unknown>;
  readonly peerParams: (task: BenchTask) => Record<string, unknown>;
  readonly tasks: readonly BenchTask[];
  /**
   * Regression: both sides learn the target standardised by its training mean and deviation, and
   * their RMSE is reported in the target's units. scikit-learn's MLPRegressor fits the raw target,
   * which a network with default settings cannot (insurance: RMSE 18,154 against 4,556, stopped
   * after a few epochs), so its fit time there compared nothing; users standardise the target
   * first (TransformedTargetRegressor), and Glassbox does it inside.
   */
  readonly scaleTarget?: boolean;
  /**
   * Seeds to average over, both sides, on every dataset: for families whose fit time is a matter
   * of luck (early stopping), whose time is then averaged over the seeds too.
   */
  readonly seeds?: number;
}

const none = (): Record<string, unknown> => ({});

/** Datasets with fewer training rows than this are scored over SMALL_SEEDS seeds. */
const SMALL_ROWS = 2000;
// 30, not 10: a random forest's AUC on German credit has a standard deviation of 0.008-0.009 over
// seeds on each side, so a difference of two 10-seed means has a standard error of 0.004, nearly
// the 0.005 tolerance itself (this was raised from 10 after a cell at -0.0051 could not be told
// from the tolerance); over 30 seeds it is 0.0022.
const SMALL_SEEDS = 30;

/** The families whose fits run on the worker-thread pool (setForestRunner). */
const FOREST_IDS = new Set(['random-forest', 'extra-trees']);

/** Elastic net strength on both sides: scikit-learn's C / alpha with l1_ratio 0.5. */
const ENET = { C: 1, alpha: 0.01, l1Ratio: 0.5 };

/** scikit-learn's defaults on both sides unless stated. */
export const FAMILIES: readonly Family[] = [
  {
    id: 'linear',
    label: 'elastic-net',
    peer: 'linear',
    // Glassbox sums losses (l1, l2 absolute); scikit-learn's ElasticNet averages them (alpha per row).
    params: (task, n) =>
      task === 'regression'
        ? { l1: n * ENET.alpha * ENET.l1Ratio, l2: n * ENET.alpha * (1 - ENET.l1Ratio) }
        : { l1: ENET.l1Ratio / ENET.C, l2: (1 - ENET.l1Ratio) / ENET.C },
    peerParams: (task) =>
      task === 'regression'
        ? { alpha: ENET.alpha, l1_ratio: ENET.l1Ratio, max_iter: 10000 }
        : { penalty: 'elasticnet', solver: 'saga', C: ENET.C, l1_ratio: ENET.l1Ratio, max_iter: 5000 },
    tasks: ['binary', 'regression'],
  },
  {
    id: 'random-forest',
    peer: 'rf',
    params: () => ({ nTrees: 100 }),
    peerParams: none,
    tasks: ['binary', 'regression'],
  },
  { id: 'extra-trees', peer: 'et', params: () => ({ nTrees: 100 }), peerParams: none, tasks: ['binary', 'regression'] },
  { id: 'knn', peer: 'knn', params: () => ({ k: 5 }), peerParams: none, tasks: ['binary', 'regression'] },
  { id: 'naive-bayes', peer: 'nb', params: none, peerParams: none, tasks: ['binary'] },
  {
    id: 'mlp',
    peer: 'mlp',
    // Each side's own early stopping: Glassbox watches the held-out loss (its default), scikit-learn
    // can only watch held-out accuracy / R². On a few hundred held-out rows accuracy moves in steps
    // of one row and stops on a plateau (credit, 10 seeds: stopOn 'score' 0.781 AUC, 'loss' 0.817,
    // scikit-learn 0.819).
    params: () => ({ units: 100, maxEpochs: 300 }),
    peerParams: none,
    tasks: ['binary', 'regression'],
    scaleTarget: true,
    // Epochs until early stopping vary 2-3x with the seed on both sides (e.g. 19-50 for scikit-learn on online shoppers).
    seeds: 5,
  },
  {
    id: 'mlp',
    label: 'mlp-30-epochs',
    peer: 'mlp',
    // The same work on both sides (30 epochs over every row, no early stopping): the engines' speed
    // without the luck of when each side's stopping rule fires.
    params: () => ({ units: 100, maxEpochs: 30, earlyStopping: false }),
    peerParams: () => ({ early_stopping: false, max_iter: 30 }),
    tasks: ['binary', 'regression'],
    scaleTarget: true,
  },
];

interface Result {
  fit_s: number;
  /** The fastest of up to three more fits in the same process (the first when that took a second or more). */
  warm_fit_s: number;
  predict_s: number;
  metric: number;
}

/** The fields of one CSV line (double-quoted fields may hold the separator and doubled quotes), as written. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

/**
 * Copies of a regression split with the target standardised by the training rows' mean and
 * deviation (see Family.scaleTarget), made once beside the split; returns their paths and the
 * deviation that turns an RMSE back into the target's units.
 */
function scaledSplit(pc: PreparedCase): { train: string; test: string; scale: number } {
  const read = (path: string): string[] =>
    readFileSync(path, 'utf8')
      .split(/\r?\n/)
      .filter((l) => l !== '');
  const train = read(pc.train);
  const col = csvFields(train[0]).findIndex((h) => h.replace(/"/g, '') === pc.target);
  if (col < 0) throw new Error(`${pc.train}: no column ${pc.target}`);
  const ys = train.slice(1).map((l) => Number(csvFields(l)[col]));
  const mean = ys.reduce((a, v) => a + v, 0) / ys.length;
  const sd = Math.sqrt(ys.reduce((a, v) => a + (v - mean) ** 2, 0) / ys.length) || 1;
  const write = (path: string, lines: string[]): string => {
    const out = path.replace(/\.csv$/, '-scaled-target.csv');
    if (!existsSync(out)) {
      const rows = lines.map((l, i) => {
        if (i === 0) return l;
        const f = csvFields(l);
        f[col] = String((Number(f[col]) - mean) / sd);
        return f.join(',');
      });
      writeFileSync(out, rows.join('\n') + '\n');
    }
    return out;
  };
  return { train: write(pc.train, train), test: write(pc.test, read(pc.test)), scale: sd };
}

/** Child mode: the family's default Glassbox pipeline, fitted and scored in this fresh process. */
async function child(
  train: string,
  test: string,
  target: string,
  task: BenchTask,
  id: string,
  params: string,
  threads: number,
  seed: number,
): Promise<void> {
  const { readCsv } = await import('../src/data/read-csv.js');
  const { fileSource } = await import('../src/node/source.js');
  const { fitPipeline } = await import('../src/techniques/pipeline.js');
  const { setForestRunner } = await import('../src/techniques/index.js');
  const { defaultPipeline } = await import('../src/techniques/defaults.js');
  const { WorkerForestPool } = await import('../src/node/forest-pool.js');
  const { targetInfo } = await import('../src/techniques/target.js');
  const { auc, rmse } = await import('../src/evaluate/metrics.js');
  // Only the forests use worker threads; for any other family a pool would be loading the library
  // on the second core during the timed fit.
  const pool = threads > 1 && FOREST_IDS.has(id) ? new WorkerForestPool(threads) : undefined;
  setForestRunner(pool?.run);
  const tr = (await readCsv(fileSource(train))).frame;
  const te = (await readCsv(fileSource(test))).frame;
  const t0 = performance.now();
  const { pipeline } = fitPipeline(tr, defaultPipeline(id, JSON.parse(params) as Record<string, never>), {
    target,
    task,
    seed,
  });
  const t1 = performance.now();
  const pred = pipeline.predict(te);
  const t2 = performance.now();
  // A second fit in the same process, as every fit after the first in a search, a server or
  // cross-validation runs: a fit under a second spends much of its first run warming up V8.
  // Up to three more fits while they take under a second in all; the fastest is kept.
  let fastest = Infinity;
  for (let r = 0, spent = t1 - t0; r < 3 && spent < 1000; r++) {
    const t3 = performance.now();
    fitPipeline(tr, defaultPipeline(id, JSON.parse(params) as Record<string, never>), { target, task, seed });
    const t = performance.now() - t3;
    spent += t;
    fastest = Math.min(fastest, t);
  }
  const warm = (Number.isFinite(fastest) ? fastest : t1 - t0) / 1000;
  const y = targetInfo(te.withRole(target, 'target'), target, task, task === 'binary' ? pipeline.classes : undefined).y;
  const metric =
    task === 'binary'
      ? auc(
          y,
          Float64Array.from({ length: te.nRows }, (_, i) => (pred.proba as Float64Array)[2 * i + 1]),
        )
      : rmse(y, pred.values as Float64Array);
  const out: Result = { fit_s: (t1 - t0) / 1000, warm_fit_s: warm, predict_s: (t2 - t1) / 1000, metric };
  process.stdout.write(JSON.stringify(out) + '\n');
  setForestRunner(undefined);
  await pool?.close();
}

function ours(
  train: string,
  test: string,
  target: string,
  task: BenchTask,
  f: Family,
  threads: number,
  seed: number,
  /** Training rows, for parameters stated per row on the scikit-learn side. */
  n: number,
): Result {
  const out = execFileSync(
    process.execPath,
    [
      fileURLToPath(import.meta.url),
      '--child',
      train,
      test,
      target,
      task,
      f.id,
      JSON.stringify(f.params(task, n)),
      String(threads),
      String(seed),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Result;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1], args[2], args[3], args[4] as BenchTask, args[5], args[6], Number(args[7]), Number(args[8]));
    return;
  }
  requirePeers();
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const family = args.includes('--family') ? args[args.indexOf('--family') + 1] : undefined;
  const threads = args.includes('--threads') ? Number(args[args.indexOf('--threads') + 1]) : 2;
  const repeat = args.includes('--repeat') ? Number(args[args.indexOf('--repeat') + 1]) : 3;
  const rows: string[][] = [
    [
      'family',
      'dataset',
      'metric',
      'glassbox',
      'sklearn',
      'Δ',
      'Δ se',
      'fit s (gb)',
      'fit ratio',
      'warm fit ratio',
      'predict ratio',
    ],
  ];
  for (const f of FAMILIES) {
    if (family && f.id !== family && f.label !== family) continue;
    for (const c of [...CLASSIFICATION_CASES, ...REGRESSION_CASES]) {
      if ((only && c.name !== only) || !f.tasks.includes(c.task)) continue;
      const prepared = prepareCase(c, ROOT);
      const scaled = f.scaleTarget && prepared.task === 'regression' ? scaledSplit(prepared) : undefined;
      const pc = scaled ? { ...prepared, train: scaled.train, test: scaled.test } : prepared;
      // An RMSE on the standardised target, back in the target's units.
      const unit = scaled?.scale ?? 1;
      const trainRows = countRows(pc.train);
      const nSeeds = Math.max(f.seeds ?? 1, trainRows < SMALL_ROWS ? SMALL_SEEDS : 1);
      const seeds = Array.from({ length: nSeeds }, (_, i) => i + 1);
      const mean = (rs: readonly Record<string, number>[], key: string): number =>
        rs.reduce((a, r) => a + r[key], 0) / rs.length;
      /** Squared standard error of the mean of key over rs (0 for one seed). */
      const se2 = (rs: readonly Record<string, number>[], key: string): number => {
        if (rs.length < 2) return 0;
        const m = mean(rs, key);
        return rs.reduce((a, r) => a + (r[key] - m) ** 2, 0) / (rs.length - 1) / rs.length;
      };
      // Fits are repeated, the two sides taking turns so both meet the same machine state, and
      // the fastest kept: this machine's timings vary by a third between runs. With several seeds
      // each seed runs once, and a fit whose work does not depend on the seed (a fixed number of
      // trees or epochs) is timed by its fastest seed; one that stops early by the mean over seeds.
      const runs = nSeeds > 1 ? 1 : repeat;
      const fastest = (rs: Record<string, number>[]): Record<string, number> => ({
        ...rs[0],
        fit_s: Math.min(...rs.map((r) => r.fit_s)),
        warm_fit_s: Math.min(...rs.map((r) => r.warm_fit_s ?? r.fit_s)),
        predict_s: Math.min(...rs.map((r) => r.predict_s)),
      });
      const gs: Record<string, number>[] = [];
      const ss: Record<string, number>[] = [];
      for (const seed of seeds) {
        const gr: Record<string, number>[] = [];
        const sr: Record<string, number>[] = [];
        for (let r = 0; r < runs; r++) {
          gr.push(
            ours(pc.train, pc.test, pc.target, pc.task, f, threads, seed, trainRows) as unknown as Record<
              string,
              number
            >,
          );
          sr.push(
            runPeerOn(pc, f.peer, [
              '--params',
              JSON.stringify(f.peerParams(pc.task)),
              '--n-jobs',
              String(threads),
              '--seed',
              String(seed),
            ]) as Record<string, number>,
          );
        }
        gs.push(fastest(gr));
        ss.push(fastest(sr));
      }
      const time = (rs: Record<string, number>[], key: string): number =>
        f.seeds ? mean(rs, key) : Math.min(...rs.map((r) => r[key] ?? r.fit_s));
      const g: Result = {
        fit_s: time(gs, 'fit_s'),
        warm_fit_s: time(gs, 'warm_fit_s'),
        predict_s: time(gs, 'predict_s'),
        metric: mean(gs, 'metric') * (pc.task === 'regression' ? unit : 1),
      };
      const s = {
        fit_s: time(ss, 'fit_s'),
        predict_s: time(ss, 'predict_s'),
        auc: mean(ss, 'auc'),
        rmse: mean(ss, 'rmse') * unit,
      };
      const peerMetric = (pc.task === 'binary' ? s.auc : s.rmse) as number;
      const delta = pc.task === 'binary' ? g.metric - peerMetric : (g.metric - peerMetric) / peerMetric;
      // The seeds on the two sides are independent draws: the variances of the two means add.
      const deltaSe =
        Math.sqrt(se2(gs, 'metric') + se2(ss, pc.task === 'binary' ? 'auc' : 'rmse')) /
        (pc.task === 'binary' ? 1 : peerMetric / unit);
      rows.push([
        f.label ?? f.id,
        c.name,
        pc.task === 'binary' ? 'AUC' : 'RMSE',
        g.metric.toFixed(4),
        peerMetric.toFixed(4),
        pc.task === 'binary'
          ? (delta >= 0 ? '+' : '') + delta.toFixed(4)
          : (delta >= 0 ? '+' : '') + (delta * 100).toFixed(2) + '%',
        nSeeds < 2 ? '' : pc.task === 'binary' ? deltaSe.toFixed(4) : (deltaSe * 100).toFixed(2) + '%',
        g.fit_s.toFixed(2),
        (g.fit_s / (s.fit_s as number)).toFixed(2),
        (g.warm_fit_s / (s.fit_s as number)).toFixed(2),
        (g.predict_s / (s.predict_s as number)).toFixed(2),
      ]);
      process.stderr.write(`${f.label ?? f.id} ${c.name} done\n`);
    }
  }
  process.stdout.write(table(rows) + '\n');
  process.stdout.write(
    `Glassbox threads: ${threads}, peers n_jobs ${threads}; each fit repeated ${repeat} times, the fastest kept; metrics averaged over ${SMALL_SEEDS} seeds on datasets under ${SMALL_ROWS} training rows, and over every dataset for the families marked in the code (their fit time averaged too); ratios are Glassbox / scikit-learn (below 1 = Glassbox faster); the fit ratio is each side's only fit in a fresh process, the warm fit ratio Glassbox's fastest of up to three more fits in its process (as in a search, a server or cross-validation; fits of a second or more are not repeated) against the same scikit-learn fit; the MLP rows' regression targets are standardised for both sides (RMSE in the target's units); Δ > 0 is a higher AUC or a higher RMSE.\n`,
  );
}

await main();
