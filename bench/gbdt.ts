/**
 * npm run bench:gbdt — Glassbox's gradient boosting beside scikit-learn's HistGradientBoosting
 * and XGBoost `hist`, with identical hyperparameters, on the shared 80/20 splits and a synthetic
 * 1,000,000 x 50 regression. Each model trains in a fresh process; prints time ratios
 * (Glassbox / peer), metric differences and peak memory.
 *
 * Options: --quick (skip the 1M synthetic), --only NAME, --threads N (Glassbox threads, default 2).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLASSIFICATION_CASES, prepareCase, type PreparedCase } from './cases.js';
import { PEER, PYTHON, requirePeers, table } from './peers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RSS = join(ROOT, 'bench', 'py', 'rss.py');
const PARAMS = {
  numRounds: 200,
  maxLeaves: 31,
  learningRate: 0.1,
  maxBins: 255,
  minSamplesLeaf: 20,
  l2: 0,
  earlyStopping: 'off',
};
const HGB = {
  max_iter: 200,
  max_leaf_nodes: 31,
  learning_rate: 0.1,
  max_bins: 255,
  min_samples_leaf: 20,
  l2_regularization: 0,
  early_stopping: false,
};
const XGB = {
  n_estimators: 200,
  max_leaves: 31,
  grow_policy: 'lossguide',
  max_depth: 0,
  learning_rate: 0.1,
  max_bin: 256,
  reg_lambda: 0,
  min_child_weight: 1e-3,
};

interface Result {
  fit_s: number;
  predict_s: number;
  metric: number;
  peak_mb: number;
}

/** Child mode: fit and predict with Glassbox in this fresh process. */
async function child(
  train: string,
  test: string,
  target: string,
  task: 'binary' | 'regression',
  threads: number,
): Promise<void> {
  const { readCsv } = await import('../src/data/read-csv.js');
  const { fileSource } = await import('../src/node/source.js');
  const { fitPipeline } = await import('../src/techniques/pipeline.js');
  const { setGbdtPool } = await import('../src/techniques/index.js');
  const { WorkerHistogramPool } = await import('../src/node/histogram-pool.js');
  const { targetInfo } = await import('../src/techniques/target.js');
  const { auc, rmse } = await import('../src/evaluate/metrics.js');
  const pool = threads > 1 ? new WorkerHistogramPool(threads) : undefined;
  setGbdtPool(pool);
  const tr = (await readCsv(fileSource(train))).frame;
  const te = (await readCsv(fileSource(test))).frame;
  const t0 = performance.now();
  const { pipeline } = fitPipeline(tr, { steps: [{ technique: 'gbdt', params: PARAMS }] }, { target, task, seed: 1 });
  const t1 = performance.now();
  const pred = pipeline.predict(te);
  const t2 = performance.now();
  const y = targetInfo(te.withRole(target, 'target'), target, task, task === 'binary' ? pipeline.classes : undefined).y;
  const metric =
    task === 'binary'
      ? auc(
          y,
          Float64Array.from({ length: te.nRows }, (_, i) => (pred.proba as Float64Array)[2 * i + 1]),
        )
      : rmse(y, pred.values as Float64Array);
  const out: Result = {
    fit_s: (t1 - t0) / 1000,
    predict_s: (t2 - t1) / 1000,
    metric,
    peak_mb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  await pool?.close();
}

/** A peer in its own process, with its peak memory from bench/py/rss.py. */
function peer(mode: string, train: string, test: string, target: string, task: string, params: object): Result {
  const r = spawnSync(
    PYTHON,
    [
      RSS,
      PEER,
      '--train',
      train,
      '--test',
      test,
      '--target',
      target,
      '--task',
      task,
      '--mode',
      mode,
      '--params',
      JSON.stringify(params),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (r.status !== 0) throw new Error(`peer ${mode} failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
  const rss = /RSS_MB=([\d.]+)/.exec(r.stderr);
  return {
    fit_s: j.fit_s,
    predict_s: j.predict_s,
    metric: task === 'binary' ? j.auc : j.rmse,
    peak_mb: rss ? Number(rss[1]) : NaN,
  };
}

function ours(train: string, test: string, target: string, task: string, threads: number): Result {
  const out = execFileSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', train, test, target, task, String(threads)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Result;
}

/** The synthetic regression: y = a smooth nonlinear function of 10 informative features + noise; 40 noise features. */
function synthetic(dir: string, rows: number, testRows: number, p: number): { train: string; test: string } {
  const train = join(dir, `synthetic-${rows}x${p}-train.csv`);
  const test = join(dir, `synthetic-${rows}x${p}-test.csv`);
  if (existsSync(train) && existsSync(test)) return { train, test };
  mkdirSync(dir, { recursive: true });
  let s = 12345;
  const rnd = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const gauss = (): number => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const write = (path: string, n: number): void => {
    let buf = Array.from({ length: p }, (_, j) => `x${j}`).join(',') + ',y\n';
    const chunks: string[] = [];
    const x = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) x[j] = gauss();
      const y =
        Math.sin(x[0]) * 2 +
        x[1] * x[2] +
        Math.abs(x[3]) +
        (x[4] > 0.5 ? 1.5 : 0) +
        0.5 * x[5] ** 2 +
        x[6] -
        x[7] * 0.5 +
        Math.tanh(x[8] * x[9]) +
        gauss() * 0.5;
      let line = '';
      for (let j = 0; j < p; j++) line += (j ? ',' : '') + x[j].toPrecision(6);
      buf += line + ',' + y.toPrecision(8) + '\n';
      if (buf.length > 1 << 22) {
        chunks.push(buf);
        buf = '';
      }
    }
    chunks.push(buf);
    writeFileSync(path, chunks.join(''));
  };
  write(train, rows);
  write(test, testRows);
  return { train, test };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1], args[2], args[3], args[4] as 'binary' | 'regression', Number(args[5]));
    return;
  }
  requirePeers();
  const quick = args.includes('--quick');
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const threads = args.includes('--threads') ? Number(args[args.indexOf('--threads') + 1]) : 2;
  const benchDir = join(ROOT, '.bench');
  const rows: string[][] = [
    [
      'dataset',
      'metric',
      'glassbox',
      'hgb',
      'xgb',
      'Δ vs hgb',
      'fit s (gb)',
      'fit ratio hgb',
      'fit ratio xgb',
      'predict ratio hgb',
      'MB gb',
      'MB hgb',
    ],
  ];
  const cases: PreparedCase[] = CLASSIFICATION_CASES.filter((c) => !only || c.name === only).map((c) =>
    prepareCase(c, ROOT),
  );
  if (!quick && (!only || only === 'synthetic-1m'))
    cases.push({
      name: 'synthetic-1m',
      ...synthetic(join(benchDir, 'synthetic'), 1_000_000, 100_000, 50),
      target: 'y',
      task: 'regression',
    });
  for (const c of cases) {
    const g = ours(c.train, c.test, c.target, c.task, threads);
    const h = peer('hgb', c.train, c.test, c.target, c.task, HGB);
    const x = peer('xgb', c.train, c.test, c.target, c.task, XGB);
    const metricName = c.task === 'binary' ? 'AUC' : 'RMSE';
    const delta = c.task === 'binary' ? g.metric - h.metric : (g.metric - h.metric) / h.metric;
    rows.push([
      c.name,
      metricName,
      g.metric.toFixed(4),
      h.metric.toFixed(4),
      x.metric.toFixed(4),
      c.task === 'binary'
        ? (delta >= 0 ? '+' : '') + delta.toFixed(4)
        : (delta >= 0 ? '+' : '') + (delta * 100).toFixed(2) + '%',
      g.fit_s.toFixed(2),
      (g.fit_s / h.fit_s).toFixed(2),
      (g.fit_s / x.fit_s).toFixed(2),
      (g.predict_s / h.predict_s).toFixed(2),
      g.peak_mb.toFixed(0),
      h.peak_mb.toFixed(0),
    ]);
    process.stderr.write(`${c.name} done\n`);
  }
  process.stdout.write(table(rows) + '\n');
  process.stdout.write(`Glassbox threads: ${threads}; ratios are Glassbox / peer (below 1 = Glassbox faster).\n`);
}

await main();
