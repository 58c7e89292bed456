/**
 * npm run bench:linear — Glassbox's linear pipeline (impute, scale, one-hot, logistic or ridge
 * regression with l2 = 1) beside scikit-learn's (peer.py --mode linear: median impute, scale,
 * one-hot, LogisticRegression C = 1 or Ridge alpha = 1) on the shared 80/20 splits: test metric
 * difference and fit time ratio. Then the optimum check: scikit-learn fitted on exactly Glassbox's
 * encoded training matrix must reproduce Glassbox's test predictions (max |Δ| ≤ 1e-4).
 *
 * Options: --only NAME.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLASSIFICATION_CASES, REGRESSION_CASES, prepareCase, type BenchTask } from './cases.js';
import { PYTHON, requirePeers, runPeerOn, table } from './peers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXACT = join(ROOT, 'bench', 'py', 'linear_exact.py');
const L2 = 1;

interface Ours {
  fit_s: number;
  predict_s: number;
  metric: number;
  matrix: string;
  testMatrix: string;
  preds: string;
  cols: number;
  iterations: number;
}

/** Fits Glassbox's default linear pipeline in this fresh process and writes the encoded training matrix. */
async function child(train: string, test: string, target: string, task: BenchTask, dir: string): Promise<void> {
  const { readCsv } = await import('../src/data/read-csv.js');
  const { fileSource } = await import('../src/node/source.js');
  const { fitPipeline } = await import('../src/techniques/pipeline.js');
  await import('../src/techniques/index.js');
  const { defaultPipeline } = await import('../src/techniques/defaults.js');
  const { designMatrix } = await import('../src/techniques/matrix.js');
  const { targetInfo } = await import('../src/techniques/target.js');
  const { auc, rmse } = await import('../src/evaluate/metrics.js');
  const tr = (await readCsv(fileSource(train))).frame;
  const te = (await readCsv(fileSource(test))).frame;
  const spec = defaultPipeline('linear', { l2: L2 });
  const t0 = performance.now();
  const { pipeline } = fitPipeline(tr, spec, { target, task, seed: 1 });
  const t1 = performance.now();
  const pred = pipeline.predict(te);
  const t2 = performance.now();
  const yOf = (f: typeof te) =>
    targetInfo(f.withRole(target, 'target'), target, task, task === 'binary' ? pipeline.classes : undefined).y;
  const positive = (p: Float64Array) => Float64Array.from({ length: p.length / 2 }, (_, i) => p[2 * i + 1]);
  const metric =
    task === 'binary' ? auc(yOf(te), positive(pred.proba as Float64Array)) : rmse(yOf(te), pred.values as Float64Array);

  // The model's own inputs: the training rows as the transformers kept them (drop-duplicates may
  // have removed some), and the test rows as scoring sees them.
  const model = pipeline.model as unknown as { inputs: readonly string[]; iterations: number };
  let f = tr.withRole(target, 'target');
  for (const t of pipeline.transformers) f = t.transform(f, { training: true });
  const g = pipeline.transform(te.withRole(target, 'target'));
  mkdirSync(dir, { recursive: true });
  const p = model.inputs.length;
  const writeMatrix = (frame: typeof f, file: string): string => {
    const X = designMatrix(frame, model.inputs, 'bench');
    const y = targetInfo(frame, target, task, task === 'binary' ? pipeline.classes : undefined).y;
    const lines = [model.inputs.map((_, j) => `x${j}`).join(',') + ',y'];
    for (let i = 0; i < frame.nRows; i++) {
      let line = '';
      for (let j = 0; j < p; j++) line += String(X[i * p + j]) + ',';
      lines.push(line + String(y[i]));
    }
    const path = join(dir, file);
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  };
  const matrix = writeMatrix(f, 'train-matrix.csv');
  const testMatrix = writeMatrix(g, 'test-matrix.csv');
  const values = task === 'binary' ? positive(pred.proba as Float64Array) : (pred.values as Float64Array);
  const preds = join(dir, 'glassbox-test.csv');
  writeFileSync(preds, 'p\n' + Array.from(values, String).join('\n') + '\n');
  const out: Ours = {
    fit_s: (t1 - t0) / 1000,
    predict_s: (t2 - t1) / 1000,
    metric,
    matrix,
    testMatrix,
    preds,
    cols: p,
    iterations: model.iterations,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function ours(train: string, test: string, target: string, task: BenchTask, dir: string): Ours {
  const out = execFileSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', train, test, target, task, dir],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Ours;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1], args[2], args[3], args[4] as BenchTask, args[5]);
    return;
  }
  requirePeers();
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const rows: string[][] = [
    ['dataset', 'metric', 'glassbox', 'sklearn', 'Δ', 'fit s (gb)', 'fit ratio', 'inputs', 'optimum max |Δ|'],
  ];
  let worst = 0;
  for (const c of [...CLASSIFICATION_CASES, ...REGRESSION_CASES]) {
    if (only && c.name !== only) continue;
    const pc = prepareCase(c, ROOT);
    const g = ours(pc.train, pc.test, pc.target, pc.task, join(ROOT, '.bench', 'linear', c.name));
    const s = runPeerOn(pc, 'linear', [
      '--params',
      pc.task === 'regression' ? '{}' : '{"C": 1}', // {} = Ridge(alpha=1); a non-empty dict would mean ElasticNet
    ]);
    const exact = JSON.parse(
      execFileSync(PYTHON, [EXACT, g.matrix, g.testMatrix, g.preds, pc.task, String(L2)], { encoding: 'utf8' }).trim(),
    ) as { max_abs_diff: number };
    worst = Math.max(worst, exact.max_abs_diff);
    const peerMetric = (pc.task === 'binary' ? s.auc : s.rmse) as number;
    const delta = pc.task === 'binary' ? g.metric - peerMetric : (g.metric - peerMetric) / peerMetric;
    rows.push([
      c.name,
      pc.task === 'binary' ? 'AUC' : 'RMSE',
      g.metric.toFixed(4),
      peerMetric.toFixed(4),
      pc.task === 'binary'
        ? (delta >= 0 ? '+' : '') + delta.toFixed(4)
        : (delta >= 0 ? '+' : '') + (delta * 100).toFixed(2) + '%',
      g.fit_s.toFixed(3),
      (g.fit_s / (s.fit_s as number)).toFixed(2),
      String(g.cols),
      exact.max_abs_diff.toExponential(1),
    ]);
    process.stderr.write(`${c.name} done\n`);
  }
  process.stdout.write(table(rows) + '\n');
  process.stdout.write(
    'fit ratio = Glassbox / scikit-learn pipeline fit (below 1 = Glassbox faster). optimum: scikit-learn (newton-cg, tol 1e-12;\n' +
      "Ridge cholesky) on Glassbox's own encoded training matrix; max |Δ| of test predictions.\n",
  );
  process.stdout.write(
    `worst optimum difference: ${worst.toExponential(2)} (goal ≤ 1e-4): ${worst <= 1e-4 ? 'PASS' : 'FAIL'}\n`,
  );
  if (worst > 1e-4) process.exitCode = 1;
}

await main();
