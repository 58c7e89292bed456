/**
 * npm run bench:automl — issue 5's benchmark: `glassbox automl` beside the classic "search everything
 * with Optuna" design (peer.py --mode optuna: TPE over preprocessing, model family and
 * hyperparameters, 3-fold CV, refit) and the default HistGradientBoosting and XGBoost peers, with
 * the same time budget, on the shared 80/20 splits (6 binary datasets scored by test AUC, 2
 * regression datasets by test RMSE).
 *
 * Glassbox runs as its CLI in a fresh process (`glassbox automl` timed by the wall clock of the whole
 * process, then `glassbox predict` on the test split); each peer runs in its own process. One
 * process at a time, so timings do not disturb each other.
 *
 * Δ > 0 means Glassbox is better: the AUC difference (Glassbox − peer), or the RMSE reduction in %
 * of the peer's RMSE ((peer − Glassbox) / peer).
 *
 * Options: --only NAME, --budget S (default 60), --workers N (Glassbox --workers and the peers'
 * n_jobs, default 2), --skip-peers (Glassbox only). Full results go to .bench/automl-results.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auc, rmse } from '../src/evaluate/metrics.js';
import { readCsv } from '../src/data/read-csv.js';
import { cellString, type Frame } from '../src/data/frame.js';
import { fileSource } from '../src/node/source.js';
import { CLASSIFICATION_CASES, countRows, REGRESSION_CASES, prepareCase, type PreparedCase } from './cases.js';
import { PEER, PYTHON, requirePeers, table } from './peers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GLASSBOX = join(ROOT, 'bin', 'glassbox');
const RESULTS = join(ROOT, '.bench', 'automl-results.json');
const RUNS = join(ROOT, '.bench', 'automl-runs');

/** The issue's goals. */
const GOALS = { beatShare: 0.8, hgbAucSlack: 0.002, wallRatio: 1.05 };

interface GlassboxResult {
  ok: boolean;
  /** Test AUC (binary) or RMSE (regression). */
  metric?: number;
  /** Wall clock of the whole `glassbox automl` process, seconds. */
  wall_s?: number;
  /** Wall clock of `glassbox predict` on the test split, seconds. */
  predict_s?: number;
  trials?: number;
  exitCode?: number | null;
  /** Last line of stderr of the failing step, or what went wrong. */
  error?: string;
  runDir: string;
}

interface PeerResult {
  ok: boolean;
  metric?: number;
  fit_s?: number;
  n_trials?: number;
  over_budget_s?: number;
  raw?: Record<string, unknown>;
  error?: string;
}

interface CaseResult {
  dataset: string;
  task: 'binary' | 'regression';
  metric: 'AUC' | 'RMSE';
  n_train: number;
  n_test: number;
  glassbox: GlassboxResult;
  optuna?: PeerResult;
  hgb?: PeerResult;
  xgb?: PeerResult;
  /** Δ (Glassbox better > 0): AUC difference or relative RMSE reduction (a fraction, not %). */
  delta_optuna?: number;
  delta_hgb?: number;
  delta_xgb?: number;
  /** Glassbox wall time / budget. */
  wall_ratio?: number;
}

function lastLine(text: string | null | undefined): string {
  const lines = (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines[lines.length - 1] ?? '';
}

function describeFailure(
  step: string,
  r: { status: number | null; signal: NodeJS.Signals | null; error?: Error; stderr: string },
): string {
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return `${step}: killed after timeout`;
  if (r.error) return `${step}: ${r.error.message}`;
  const why = r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
  const line = lastLine(r.stderr);
  return `${step} ${why}${line ? ': ' + line : ''}`;
}

async function readFrame(path: string): Promise<Frame> {
  return (await readCsv(fileSource(path))).frame;
}

/** Class labels in the peers' order: peer.py label-encodes them as strings, sorted; index 1 is positive. */
function peerClasses(labels: readonly string[]): string[] {
  return [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Test AUC or RMSE of Glassbox's predictions CSV against the test split's target. */
async function scorePredictions(pc: PreparedCase, predPath: string): Promise<number> {
  const test = await readFrame(pc.test);
  const pred = await readFrame(predPath);
  if (pred.nRows !== test.nRows) throw new Error(`predictions have ${pred.nRows} rows, test has ${test.nRows}`);
  const target = test.get(pc.target);
  const n = test.nRows;
  if (pc.task === 'regression') {
    const p = pred.get('prediction');
    if (p.kind !== 'numeric') throw new Error(`prediction column is ${p.kind}, not numeric`);
    if (target.kind !== 'numeric') throw new Error(`target ${pc.target} is ${target.kind}, not numeric`);
    return rmse(target.values, p.values);
  }
  // Glassbox trims cells and may read "1.0" as the number 1; compare labels as trimmed text.
  const labels = Array.from({ length: n }, (_, i) => cellString(target, i).trim());
  const classes = peerClasses(labels);
  if (classes.length !== 2) throw new Error(`target ${pc.target} has ${classes.length} classes in the test split`);
  const positive = classes[1];
  const col = pred.tryGet(`proba_${positive}`);
  if (!col || col.kind !== 'numeric') {
    const have = pred.names.filter((s) => s.startsWith('proba_')).join(', ');
    throw new Error(`no numeric proba_${positive} column in the predictions (have: ${have || 'none'})`);
  }
  const y = Float64Array.from(labels, (l) => (l === positive ? 1 : 0));
  return auc(y, col.values);
}

function trialsOf(runDir: string): number | undefined {
  try {
    const lb = JSON.parse(readFileSync(join(runDir, 'leaderboard.json'), 'utf8')) as { trials?: unknown };
    return Array.isArray(lb.trials) ? lb.trials.length : undefined;
  } catch {
    return undefined;
  }
}

async function runGlassbox(pc: PreparedCase, budget: number, workers: number): Promise<GlassboxResult> {
  const runDir = join(RUNS, pc.name);
  // The run directory is left for automl to create (a fresh one each time); its log sits beside it.
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(RUNS, { recursive: true });
  const args = [
    GLASSBOX,
    'automl',
    pc.train,
    '--target',
    pc.target,
    '--task',
    pc.task,
    '--time-budget',
    String(budget),
    '--seed',
    '1',
    '--workers',
    String(workers),
    '--out',
    runDir,
  ];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    // A hung run must not hold the bench forever; a run this late has failed its budget anyway.
    timeout: (budget * 3 + 120) * 1000,
    killSignal: 'SIGKILL',
  });
  const wall_s = (performance.now() - t0) / 1000;
  writeFileSync(join(RUNS, `${pc.name}.automl.stderr.log`), r.stderr ?? '');
  const trials = trialsOf(runDir);
  if (r.status !== 0)
    return { ok: false, wall_s, trials, exitCode: r.status, error: describeFailure('automl', r), runDir };
  const bundle = join(runDir, 'bundle.json');
  if (!existsSync(bundle))
    return { ok: false, wall_s, trials, exitCode: 0, error: 'automl wrote no bundle.json', runDir };
  const predPath = join(runDir, 'pred.csv');
  const t1 = performance.now();
  const p = spawnSync(process.execPath, [GLASSBOX, 'predict', bundle, pc.test, '--out', predPath], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 600_000,
    killSignal: 'SIGKILL',
  });
  const predict_s = (performance.now() - t1) / 1000;
  if (p.status !== 0)
    return { ok: false, wall_s, predict_s, trials, exitCode: p.status, error: describeFailure('predict', p), runDir };
  try {
    const metric = await scorePredictions(pc, predPath);
    return { ok: true, metric, wall_s, predict_s, trials, exitCode: 0, runDir };
  } catch (e) {
    return { ok: false, wall_s, predict_s, trials, exitCode: 0, error: `scoring: ${(e as Error).message}`, runDir };
  }
}

function runPeerMode(pc: PreparedCase, mode: string, budget: number, workers: number): PeerResult {
  const args = [PEER, '--train', pc.train, '--test', pc.test, '--target', pc.target, '--task', pc.task];
  args.push('--mode', mode, '--n-jobs', String(workers), '--seed', '1');
  if (mode === 'optuna') args.push('--budget', String(budget));
  const r = spawnSync(PYTHON, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    // HistGradientBoosting's threads are OpenMP's: held to the same count as everyone else's n_jobs.
    env: { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? String(workers) },
    timeout: (budget * 5 + 600) * 1000,
    killSignal: 'SIGKILL',
  });
  if (r.status !== 0) return { ok: false, error: describeFailure(mode, r) };
  try {
    const j = JSON.parse(lastLine(r.stdout)) as Record<string, unknown>;
    const metric = (pc.task === 'binary' ? j.auc : j.rmse) as number;
    return {
      ok: typeof metric === 'number',
      metric,
      fit_s: j.fit_s as number,
      n_trials: j.n_trials as number | undefined,
      over_budget_s: j.over_budget_s as number | undefined,
      raw: j,
    };
  } catch (e) {
    return { ok: false, error: `${mode}: unreadable output (${(e as Error).message})` };
  }
}

/** Δ with Glassbox better > 0: AUC difference, or relative RMSE reduction. */
function delta(task: 'binary' | 'regression', g: GlassboxResult, p: PeerResult | undefined): number | undefined {
  if (!g.ok || !p?.ok || g.metric === undefined || p.metric === undefined) return undefined;
  return task === 'binary' ? g.metric - p.metric : (p.metric - g.metric) / p.metric;
}

const sign = (x: number): string => (x >= 0 ? '+' : '');
const fmtMetric = (task: 'binary' | 'regression', v: number | undefined): string =>
  v === undefined ? '-' : task === 'binary' ? v.toFixed(4) : v.toFixed(2);
const fmtDelta = (task: 'binary' | 'regression', d: number | undefined): string =>
  d === undefined ? '-' : task === 'binary' ? sign(d) + d.toFixed(4) : sign(d) + (d * 100).toFixed(2) + '%';
const peerCell = (task: 'binary' | 'regression', p: PeerResult | undefined): string =>
  p === undefined ? '-' : p.ok ? fmtMetric(task, p.metric) : 'FAIL';
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function peerVersions(): Record<string, string> {
  try {
    const out = execFileSync(
      PYTHON,
      [
        '-c',
        'import json, sklearn, xgboost, optuna, pandas; print(json.dumps({"sklearn": sklearn.__version__, "xgboost": xgboost.__version__, "optuna": optuna.__version__, "pandas": pandas.__version__}))',
      ],
      { encoding: 'utf8' },
    );
    return JSON.parse(out.trim()) as Record<string, string>;
  } catch {
    return {};
  }
}

interface Summary {
  datasets: number;
  glassboxFailures: string[];
  meanDeltaOptunaAuc?: number;
  meanDeltaOptunaRmse?: number;
  beatsOptuna?: number;
  beatsOptunaShare?: number;
  worstDeltaHgbAuc?: { dataset: string; delta: number };
  maxWallRatio?: { dataset: string; ratio: number };
  goals: Record<string, boolean | null>;
}

function summarize(results: readonly CaseResult[], skipPeers: boolean): Summary {
  const failures = results.filter((r) => !r.glassbox.ok).map((r) => r.dataset);
  const s: Summary = { datasets: results.length, glassboxFailures: failures, goals: {} };
  const walls = results.filter((r) => r.wall_ratio !== undefined);
  if (walls.length) {
    const w = walls.reduce((a, b) => ((b.wall_ratio as number) > (a.wall_ratio as number) ? b : a));
    s.maxWallRatio = { dataset: w.dataset, ratio: w.wall_ratio as number };
  }
  // A run that failed, or was killed, has not kept its promise either.
  s.goals.wallWithinBudget =
    results.length === 0
      ? null
      : failures.length === 0 && walls.every((r) => (r.wall_ratio as number) <= GOALS.wallRatio);
  if (skipPeers) {
    s.goals.betterThanOptunaOnAverage = null;
    s.goals.betterThanOptunaOn80Percent = null;
    s.goals.neverWorseThanHgb = null;
    return s;
  }
  const auc = results.filter((r) => r.task === 'binary');
  const reg = results.filter((r) => r.task === 'regression');
  const dAuc = auc.map((r) => r.delta_optuna).filter((d): d is number => d !== undefined);
  const dReg = reg.map((r) => r.delta_optuna).filter((d): d is number => d !== undefined);
  if (dAuc.length) s.meanDeltaOptunaAuc = mean(dAuc);
  if (dReg.length) s.meanDeltaOptunaRmse = mean(dReg);
  // Failures on either side count as "not beaten".
  s.beatsOptuna = results.filter((r) => r.delta_optuna !== undefined && r.delta_optuna > 0).length;
  s.beatsOptunaShare = results.length ? s.beatsOptuna / results.length : undefined;
  const hgb = auc.filter((r) => r.delta_hgb !== undefined);
  if (hgb.length) {
    const w = hgb.reduce((a, b) => ((b.delta_hgb as number) < (a.delta_hgb as number) ? b : a));
    s.worstDeltaHgbAuc = { dataset: w.dataset, delta: w.delta_hgb as number };
  }
  const complete = (rs: readonly CaseResult[], key: 'delta_optuna' | 'delta_hgb'): boolean =>
    rs.every((r) => r[key] !== undefined);
  // "On average": the mean Δ is positive for each metric that was measured (AUC and RMSE are not averaged together).
  s.goals.betterThanOptunaOnAverage =
    results.length === 0
      ? null
      : complete(results, 'delta_optuna') &&
        (s.meanDeltaOptunaAuc === undefined || s.meanDeltaOptunaAuc > 0) &&
        (s.meanDeltaOptunaRmse === undefined || s.meanDeltaOptunaRmse > 0);
  s.goals.betterThanOptunaOn80Percent = s.beatsOptunaShare === undefined ? null : s.beatsOptunaShare >= GOALS.beatShare;
  s.goals.neverWorseThanHgb =
    auc.length === 0
      ? null
      : complete(auc, 'delta_hgb') && auc.every((r) => (r.delta_hgb as number) >= -GOALS.hgbAucSlack);
  return s;
}

function printSummary(s: Summary, budget: number, skipPeers: boolean): void {
  const out: string[] = [];
  const goal = (v: boolean | null | undefined): string => (v === null || v === undefined ? 'n/a' : v ? 'yes' : 'NO');
  out.push('');
  out.push(
    `Summary (budget ${budget} s; Δ > 0 = Glassbox better: AUC difference, or RMSE reduction in % of the peer's RMSE)`,
  );
  if (s.glassboxFailures.length)
    out.push(`  Glassbox failed on ${s.glassboxFailures.length}/${s.datasets}: ${s.glassboxFailures.join(', ')}`);
  if (!skipPeers) {
    const parts: string[] = [];
    if (s.meanDeltaOptunaAuc !== undefined) parts.push(`AUC ${fmtDelta('binary', s.meanDeltaOptunaAuc)}`);
    if (s.meanDeltaOptunaRmse !== undefined) parts.push(`RMSE ${fmtDelta('regression', s.meanDeltaOptunaRmse)}`);
    out.push(`  mean Δ vs Optuna: ${parts.length ? parts.join(', ') : '-'}`);
    if (s.beatsOptunaShare !== undefined)
      out.push(
        `  Glassbox beats Optuna on ${s.beatsOptuna}/${s.datasets} datasets (${(s.beatsOptunaShare * 100).toFixed(0)} %)`,
      );
    out.push(
      `  worst Δ vs HGB (AUC): ${s.worstDeltaHgbAuc ? `${fmtDelta('binary', s.worstDeltaHgbAuc.delta)} (${s.worstDeltaHgbAuc.dataset})` : '-'}`,
    );
  }
  out.push(
    `  max Glassbox wall / budget: ${s.maxWallRatio ? `${s.maxWallRatio.ratio.toFixed(3)} (${s.maxWallRatio.dataset})` : '-'}`,
  );
  const goals: [string, boolean | null | undefined][] = [
    ['better than Optuna on average (mean Δ > 0, for AUC and for RMSE)', s.goals.betterThanOptunaOnAverage],
    [`better than Optuna on ≥ ${GOALS.beatShare * 100} % of datasets`, s.goals.betterThanOptunaOn80Percent],
    [`never worse than default HGB by more than ${GOALS.hgbAucSlack} AUC`, s.goals.neverWorseThanHgb],
    [`wall time ≤ budget × ${GOALS.wallRatio} on every dataset`, s.goals.wallWithinBudget],
  ];
  const width = Math.max(...goals.map(([label]) => label.length));
  out.push('Goals (a Glassbox failure counts against every goal)');
  for (const [label, v] of goals) out.push(`  ${label.padEnd(width)}  ${goal(v)}`);
  process.stdout.write(out.join('\n') + '\n');
}

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) {
    process.stderr.write(`${name} needs a value\n`);
    process.exit(2);
  }
  return v;
}

function positiveNumber(args: readonly string[], name: string, fallback: number): number {
  const v = flag(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`${name} must be a positive number, got "${v}"\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = flag(args, '--only');
  const budget = positiveNumber(args, '--budget', 60);
  const workers = Math.floor(positiveNumber(args, '--workers', 2));
  const skipPeers = args.includes('--skip-peers');
  // split.py needs scikit-learn and pandas even when the peers are skipped.
  requirePeers();
  const cases = [...CLASSIFICATION_CASES, ...REGRESSION_CASES].filter((c) => !only || c.name === only);
  if (cases.length === 0) {
    const names = [...CLASSIFICATION_CASES, ...REGRESSION_CASES].map((c) => c.name).join(', ');
    process.stderr.write(`no dataset named "${only}"; choose one of: ${names}\n`);
    process.exit(2);
  }
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js')))
    process.stderr.write('warning: dist/src/cli/main.js is missing; run `npm run build` first\n');

  const meta = {
    date: new Date().toISOString(),
    budget_s: budget,
    workers,
    seed: 1,
    skipPeers,
    node: process.version,
    cpus: cpus().length,
    peers: skipPeers ? {} : peerVersions(),
    goals: GOALS,
    note: 'Δ > 0 = Glassbox better: AUC difference (Glassbox − peer), or (peer RMSE − Glassbox RMSE) / peer RMSE',
  };
  const results: CaseResult[] = [];
  const save = (summary?: Summary): void => {
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, JSON.stringify({ ...meta, results, summary }, null, 2) + '\n');
  };

  for (const c of cases) {
    const pc = prepareCase(c, ROOT);
    const r: CaseResult = {
      dataset: c.name,
      task: c.task,
      metric: c.task === 'binary' ? 'AUC' : 'RMSE',
      n_train: countRows(pc.train),
      n_test: countRows(pc.test),
      glassbox: await runGlassbox(pc, budget, workers),
    };
    if (r.glassbox.wall_s !== undefined) r.wall_ratio = r.glassbox.wall_s / budget;
    process.stderr.write(
      `${c.name}: glassbox ${r.glassbox.ok ? fmtMetric(c.task, r.glassbox.metric) : 'failed'} in ${r.glassbox.wall_s?.toFixed(1)} s` +
        (r.glassbox.ok ? '' : ` (${r.glassbox.error})`) +
        '\n',
    );
    if (!skipPeers) {
      for (const mode of ['optuna', 'hgb', 'xgb'] as const) {
        r[mode] = runPeerMode(pc, mode, budget, workers);
        const p = r[mode] as PeerResult;
        process.stderr.write(
          `${c.name}: ${mode} ${p.ok ? fmtMetric(c.task, p.metric) : 'failed (' + p.error + ')'}` +
            (p.fit_s !== undefined ? ` fit ${p.fit_s.toFixed(1)} s` : '') +
            '\n',
        );
      }
      r.delta_optuna = delta(c.task, r.glassbox, r.optuna);
      r.delta_hgb = delta(c.task, r.glassbox, r.hgb);
      r.delta_xgb = delta(c.task, r.glassbox, r.xgb);
    }
    results.push(r);
    save();
  }

  const header = [
    'dataset',
    'metric',
    'Glassbox',
    'Optuna',
    'HGB',
    'XGB',
    'Δ vs Optuna',
    'Δ vs HGB',
    'gb wall s',
    'wall/budget',
    'gb trials',
    'optuna trials',
  ];
  const rows: string[][] = [header];
  const notes: string[] = [''];
  for (const r of results) {
    const g = r.glassbox;
    rows.push([
      r.dataset,
      r.metric,
      g.ok ? fmtMetric(r.task, g.metric) : 'FAIL',
      peerCell(r.task, r.optuna),
      peerCell(r.task, r.hgb),
      peerCell(r.task, r.xgb),
      fmtDelta(r.task, r.delta_optuna),
      fmtDelta(r.task, r.delta_hgb),
      g.wall_s === undefined ? '-' : g.wall_s.toFixed(1),
      r.wall_ratio === undefined ? '-' : r.wall_ratio.toFixed(3),
      g.trials === undefined ? '?' : String(g.trials),
      r.optuna?.n_trials === undefined ? '-' : String(r.optuna.n_trials),
    ]);
    const errs = [g.error, r.optuna?.error, r.hgb?.error, r.xgb?.error].filter((e): e is string => !!e);
    notes.push(errs.map((e) => (e.length > 200 ? e.slice(0, 197) + '...' : e)).join(' | '));
  }
  const lines = table(rows).split('\n');
  process.stdout.write(
    `glassbox automl vs peers, budget ${budget} s, Glassbox --workers ${workers}, peers n_jobs ${workers}, seed 1\n` +
      `Δ > 0 = Glassbox better (AUC: Glassbox − peer; RMSE: (peer − Glassbox) / peer in %)\n`,
  );
  process.stdout.write(lines.map((l, i) => (notes[i] ? `${l}  ${notes[i]}` : l)).join('\n') + '\n');
  const summary = summarize(results, skipPeers);
  printSummary(summary, budget, skipPeers);
  save(summary);
  process.stdout.write(`\nfull results: ${RESULTS}\n`);
}

await main();
