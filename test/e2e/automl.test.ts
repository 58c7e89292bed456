import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { datasetPath } from '../datasets.js';
import { glassbox, isOneLineError, tempDir } from './cli.js';

const diabetes = datasetPath('diabetes.csv');
const FLAGS = ['--deterministic', '--trials', '4', '--workers', '1', '--models', 'linear,naive-bayes,gbdt'];

describe('glassbox automl', () => {
  const dir = tempDir();
  const out = join(dir, 'run');
  const run = glassbox(['automl', diabetes, '--target', 'Outcome', '--out', out, ...FLAGS]);

  it('searches, ensembles and writes the bundle, leaderboard, journal and every trial', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/holdout auc: 0\.\d{4}/);
    const lb = JSON.parse(readFileSync(join(out, 'leaderboard.json'), 'utf8'));
    expect(lb.metric).toBe('auc');
    expect(lb.trials).toHaveLength(5);
    for (const t of lb.trials) expect(t).toHaveProperty('pipeline.steps');
    const lines = readFileSync(join(out, 'trials.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(5);
    const journal = JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8'));
    expect(journal.search.trials).toBe(4);
    // The report: measured on the holdout the search never saw, explained by the models fitted without it.
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/It was measured on 154 rows it never saw/);
    expect(md).toContain(`AUC ${journal.holdout.score.toFixed(3)}`);
    expect(md).toMatch(/What was done: 4 pipelines over linear, naive-bayes, gbdt were tried/);
    expect(md).toContain('## How the model was chosen');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
    const pred = glassbox(['predict', join(out, 'bundle.json'), diabetes, '--out', join(dir, 'p.csv')]);
    expect(pred.code, pred.stderr).toBe(0);
    expect(readFileSync(join(dir, 'p.csv'), 'utf8').split('\n')[0]).toBe('prediction,proba_0,proba_1');
  });

  it('exports the ensemble as standalone TypeScript whose compiled CLI predicts what glassbox predict does', () => {
    const code = join(dir, 'code');
    const ex = glassbox(['export', join(out, 'bundle.json'), '--format', 'ts', '--out', code]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(readdirSync(code).sort()).toEqual(['README.md', 'cli.ts', 'model.ts', 'package.json']);
    // Compiled with the real compiler, as the README says, and run as a program in its own folder.
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const tsc = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
        ...['--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--strict'],
        ...['--types', 'node', '--typeRoots', join(root, 'node_modules', '@types')],
        join(code, 'model.ts'),
        join(code, 'cli.ts'),
      ],
      { encoding: 'utf8' },
    );
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    const run = spawnSync(process.execPath, [join(code, 'cli.js'), diabetes], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const pred = glassbox(['predict', join(out, 'bundle.json'), diabetes]);
    const ours = run.stdout.trim().split('\n');
    const theirs = pred.stdout.trim().split('\n');
    expect(ours[0]).toBe(theirs[0]);
    expect(ours).toHaveLength(769);
    for (let i = 1; i < ours.length; i++) {
      const a = ours[i].split(',');
      const b = theirs[i].split(',');
      expect(a[0]).toBe(b[0]);
      for (let j = 1; j < a.length; j++) expect(Math.abs(Number(a[j]) - Number(b[j]))).toBeLessThanOrEqual(1e-12);
    }
  });

  it("exports the ensemble as ONNX that onnxruntime runs to the bundle's predictions (--check)", () => {
    const onnx = join(dir, 'onnx');
    const ex = glassbox(['export', join(out, 'bundle.json'), '--format', 'onnx', '--out', onnx, '--check', diabetes]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(readdirSync(onnx).sort()).toEqual(['README.md', 'model.onnx']);
    const m = /checked 768 rows of .* in onnxruntime: largest difference in probabilities (\S+), 0 labels differ/.exec(
      ex.stderr,
    );
    expect(m, ex.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(1e-5);
    expect(readFileSync(join(onnx, 'README.md'), 'utf8')).toContain('| `Glucose` | double [N, 1] |');
    // A model with no ONNX conversion: a one-line error naming the step, nothing written.
    const knn = join(dir, 'knn');
    const t = glassbox(['train', diabetes, '--target', 'Outcome', '--model', 'knn', '--out', knn]);
    expect(t.code, t.stderr).toBe(0);
    const bad = glassbox(['export', join(knn, 'bundle.json'), '--format', 'onnx', '--out', join(dir, 'no')]);
    expect(isOneLineError(bad), bad.stderr).toBe(true);
    expect(bad.stderr).toMatch(/does not support knn \(step \d\)/);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });

  it('--resume after a kill keeps the finished trials and ends with the same bundle', () => {
    const bundle = JSON.parse(readFileSync(join(out, 'bundle.json'), 'utf8'));
    // A run killed while writing its fifth trial: four full lines and a torn one, no results yet.
    const lines = readFileSync(join(out, 'trials.jsonl'), 'utf8').split('\n');
    writeFileSync(join(out, 'trials.jsonl'), lines.slice(0, 4).join('\n') + '\n' + lines[4].slice(0, 20));
    for (const f of ['bundle.json', 'leaderboard.json', 'journal.json']) rmSync(join(out, f));
    const resumed = glassbox(['automl', '--resume', out, '--workers', '2']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/4 from the earlier run/);
    const again = JSON.parse(readFileSync(join(out, 'bundle.json'), 'utf8'));
    expect(again.fingerprint).toBe(bundle.fingerprint);
  });

  it('bad settings are one-line errors', () => {
    const r = glassbox([
      'automl',
      diabetes,
      '--target',
      'Outcome',
      '--metric',
      'rmse',
      ...FLAGS,
      '--out',
      join(dir, 'x'),
    ]);
    expect(isOneLineError(r), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/rmse/);
    const t = glassbox(['automl', diabetes, '--target', 'Nope', ...FLAGS, '--out', join(dir, 'y')]);
    expect(isOneLineError(t), t.stderr).toBe(true);
    expect(t.stderr).toMatch(/Nope/);
  });
});
