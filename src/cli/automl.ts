import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { automl, strip, type AutomlEvent, type FinishedTrial, type TrialLog } from '../automl/automl.js';
import { GlassboxError } from '../data/errors.js';
import { defaultMetric } from '../evaluate/metrics.js';
import { stringifyBundle } from '../export/bundle.js';
import { freshDir, readJsonFile, writeFileAtomic } from '../node/files.js';
import { readTable } from '../node/read-table.js';
import { WorkerTrialPool } from '../node/trial-pool.js';
import type { Task } from '../techniques/contract.js';
import { addReadOptions, readOptionsFrom, type ReadFlags } from './read-options.js';
import { parseProfit, stem } from './format.js';
import { htmlToPdf } from '../node/pdf.js';
import { reportForAutoml } from '../report/report.js';

interface AutomlFlags extends ReadFlags {
  target?: string;
  task?: string;
  metric?: string;
  timeBudget: string;
  seed: string;
  workers?: string;
  out?: string;
  drop?: string;
  group?: string;
  timeColumn?: string;
  models?: string;
  deterministic?: boolean;
  trials: string;
  ensembleSize: string;
  report: boolean;
  profit?: string;
  pdf?: boolean;
  sampler: string;
  resume?: string;
  json?: boolean;
}

/** What a run directory remembers so `--resume` can continue it: the data and every choice. */
interface RunFile {
  readonly format: 'glassbox-automl-run';
  readonly data: string;
  readonly read: ReadFlags;
  readonly target: string;
  readonly task?: string;
  readonly metric?: string;
  readonly seed: number;
  readonly drop?: string;
  readonly group?: string;
  readonly timeColumn?: string;
  readonly models?: string;
  readonly deterministic?: boolean;
  readonly trials?: number;
  readonly ensembleSize: number;
  readonly sampler?: 'tpe' | 'random';
}

const TASKS = ['binary', 'multiclass', 'regression'];
/** Seconds kept at the end of the budget for writing the results. */
const WRITE_RESERVE = 0.3;
/** Share of the budget kept for the report (at most REPORT_MAX seconds). */
const REPORT_SHARE = 0.06;
const REPORT_MAX = 20;
/** Seconds kept for printing the report to PDF (--pdf). */
const PDF_SECONDS = 3;

const list = (s: string | undefined): string[] | undefined =>
  s
    ?.split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');

/** Trials of an earlier run: the log lines and, for finished ones, their saved predictions. */
function loadTrials(dir: string): FinishedTrial[] {
  const path = join(dir, 'trials.jsonl');
  if (!existsSync(path)) return [];
  const out: FinishedTrial[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let t: TrialLog;
    try {
      t = JSON.parse(line, (_, v: unknown) => (v === 'NaN' ? NaN : v)) as TrialLog;
    } catch {
      // A run killed mid-write leaves at most its last line cut short.
      if (i >= lines.length - 2) return;
      throw new GlassboxError(`${path}: line ${i + 1} is not valid JSON`, { file: path, row: i + 1 });
    }
    const bin = join(dir, 'predictions', `trial-${t.id}.f64`);
    if (t.state === 'complete' && existsSync(bin)) {
      const buf = readFileSync(bin);
      const all = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8).slice();
      const meta = t as TrialLog & { oofLength?: number };
      const n = meta.oofLength ?? all.length;
      out.push({ ...t, oof: all.slice(0, n), holdout: all.slice(n) });
    } else out.push(t);
  });
  return out;
}

function bar(e: AutomlEvent, metric: string): string {
  const width = 24;
  const f = Math.min(1, e.elapsed / e.budget);
  const filled = Math.round(f * width);
  const head = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${e.elapsed.toFixed(0)}/${e.budget} s`;
  if (e.type === 'phase') return `${head}  ${e.phase}`;
  const best = e.best ? `  best ${metric} ${e.best.score.toFixed(4)} (${e.best.name.slice(0, 40)})` : '';
  return `${head}  ${e.trials} trials${best}`;
}

export function automlCommand(): Command {
  const cmd = new Command('automl')
    .description(
      'search preprocessing, model and hyperparameters within a time budget, ensemble the best, and write the bundle, leaderboard and journal',
    )
    .argument('[data]', 'training data: CSV, Excel .xlsx, JSON lines or Parquet')
    .option('--target <column>', 'the column to predict')
    .option('--task <task>', 'binary, multiclass or regression (default: from the target column)')
    .option(
      '--metric <name>',
      'auc, logloss, accuracy, f1, balanced_accuracy, precision_at_10, lift_at_10, rmse, mae, mape, r2, poisson_deviance',
    )
    .option('--time-budget <seconds>', 'wall-clock seconds for the whole run', '60')
    .option('--seed <n>', 'random seed', '1')
    .option('--workers <n>', 'trials run side by side on worker threads (default: every core)')
    .option('--out <dir>', 'output folder (default: runs/<data>-<target>-automl, never overwriting)')
    .option('--drop <columns>', 'comma-separated columns to leave out (e.g. leakage the profile flagged)')
    .option('--group <column>', 'rows sharing a value stay together in validation (e.g. a customer id)')
    .option('--time-column <column>', 'validate forward in time: fit on the past, score the future')
    .option('--models <ids>', 'comma-separated model techniques to search (default: all that fit the task)')
    .option('--deterministic', 'count trials instead of watching the clock: same result for any --workers')
    .option('--trials <n>', 'search trials with --deterministic', '30')
    .option('--sampler <name>', 'tpe or random, after the portfolio', 'tpe')
    .option('--ensemble-size <n>', 'most picks of the greedy ensemble (1 = best single model)', '25')
    .option('--resume <dir>', 'continue the run in this folder (its data and settings), keeping its finished trials')
    .option('--no-report', 'skip report.html and report.md (and the fit on the search rows that explains them)')
    .option(
      '--profit <values>',
      "what acting on a row is worth, for the report's threshold: tp=VALUE,fp=VALUE[,fn=VALUE][,tn=VALUE] (costs negative), e.g. tp=190,fp=-10",
    )
    .option('--pdf', 'also print the report to report.pdf with headless Chromium')
    .option('--json', 'print the journal as JSON instead of a summary');
  addReadOptions(cmd);
  cmd.action(async (dataArg: string | undefined, flags: AutomlFlags) => {
    const profit = flags.profit !== undefined ? parseProfit(flags.profit) : undefined;
    const budget = Number(flags.timeBudget);
    if (!(budget > 0))
      throw new GlassboxError(`--time-budget must be a positive number of seconds, got "${flags.timeBudget}"`);
    let run: RunFile;
    let out: string;
    let previous: FinishedTrial[] = [];
    if (flags.resume) {
      out = flags.resume;
      const saved = readJsonFile(join(out, 'run.json'), 'run') as RunFile;
      if (saved.format !== 'glassbox-automl-run')
        throw new GlassboxError(`${join(out, 'run.json')}: not a Glassbox AutoML run file`, {
          file: join(out, 'run.json'),
        });
      run = saved;
      previous = loadTrials(out);
      // A torn last line from a killed run goes now, before new trials are appended after it.
      writeFileAtomic(join(out, 'trials.jsonl'), previous.map((t) => trialLine(t) + '\n').join(''));
    } else {
      if (!dataArg) throw new GlassboxError('automl needs a data file (or --resume DIR)');
      if (!flags.target) throw new GlassboxError('automl needs --target COLUMN');
      if (flags.task !== undefined && !TASKS.includes(flags.task))
        throw new GlassboxError(`--task must be one of ${TASKS.join(', ')}, got "${flags.task}"`);
      const seed = Number(flags.seed);
      if (!Number.isInteger(seed)) throw new GlassboxError(`--seed must be a whole number, got "${flags.seed}"`);
      const trials = Number(flags.trials);
      if (flags.deterministic && !(Number.isInteger(trials) && trials > 0))
        throw new GlassboxError(`--trials must be a positive whole number, got "${flags.trials}"`);
      const ensembleSize = Number(flags.ensembleSize);
      if (!(Number.isInteger(ensembleSize) && ensembleSize > 0))
        throw new GlassboxError(`--ensemble-size must be a positive whole number, got "${flags.ensembleSize}"`);
      if (flags.sampler !== 'tpe' && flags.sampler !== 'random')
        throw new GlassboxError(`--sampler must be tpe or random, got "${flags.sampler}"`);
      run = {
        format: 'glassbox-automl-run',
        sampler: flags.sampler,
        data: resolve(dataArg),
        read: {
          sep: flags.sep,
          header: flags.header,
          columns: flags.columns,
          sheet: flags.sheet,
          missing: flags.missing,
        },
        target: flags.target,
        task: flags.task,
        metric: flags.metric,
        seed,
        drop: flags.drop,
        group: flags.group,
        timeColumn: flags.timeColumn,
        models: flags.models,
        deterministic: flags.deterministic,
        ...(flags.deterministic ? { trials } : {}),
        ensembleSize,
      };
      out = flags.out ?? freshDir(join('runs', `${stem(dataArg)}-${flags.target}-automl`));
    }
    const workers = flags.workers !== undefined ? Number(flags.workers) : availableParallelism();
    if (!(Number.isInteger(workers) && workers > 0))
      throw new GlassboxError(`--workers must be a positive whole number, got "${flags.workers}"`);

    const read = await readTable(run.data, readOptionsFrom(run.read));
    for (const w of read.warnings) process.stderr.write(`warning: ${w}\n`);
    const task = run.task as Task | undefined;
    mkdirSync(join(out, 'predictions'), { recursive: true });
    if (!flags.resume) {
      writeFileAtomic(join(out, 'run.json'), JSON.stringify(run, null, 1) + '\n');
      writeFileSync(join(out, 'trials.jsonl'), '');
    }
    const pool = new WorkerTrialPool(workers);
    // Printing a PDF starts a browser: a few seconds more.
    const reportReserve = flags.report
      ? Math.min(REPORT_MAX, budget * REPORT_SHARE) + (flags.pdf ? PDF_SECONDS : 0)
      : 0;
    const tty = process.stderr.isTTY === true;
    let lastDraw = 0;
    const metricName = run.metric ?? (task ? defaultMetric(task).name : 'score');
    try {
      const result = await automl(
        read.frame,
        {
          target: run.target,
          task,
          metric: run.metric,
          // Reading the data counted: the clock started with the process.
          timeBudget: Math.max(0.5, budget - WRITE_RESERVE - reportReserve),
          measure: flags.report,
          startedAt: 0,
          seed: run.seed,
          drop: list(run.drop),
          groupColumn: run.group,
          timeColumn: run.timeColumn,
          models: list(run.models),
          ...(run.deterministic ? { deterministicTrials: run.trials } : {}),
          ensembleSize: run.ensembleSize,
          ...(run.sampler ? { sampler: run.sampler } : {}),
          // Half the machine's memory, shared by the trials running side by side.
          memoryLimitMB: totalmem() / 2 ** 21 / workers,
          source: run.data,
          inferences: read.columns,
          resume: previous,
          onTrial: (t) => {
            // Saved at once: a killed run keeps every trial that finished.
            const { oof, holdout } = t;
            if (oof && t.state === 'complete') {
              const both = new Float64Array(oof.length + (holdout?.length ?? 0));
              both.set(oof);
              if (holdout) both.set(holdout, oof.length);
              writeFileSync(join(out, 'predictions', `trial-${t.id}.f64`), new Uint8Array(both.buffer));
            }
            appendFileSync(join(out, 'trials.jsonl'), trialLine(t) + '\n');
          },
          onEvent: (e) => {
            if (!tty) return;
            const t = performance.now();
            if (e.type === 'trial' && t - lastDraw < 250) return;
            lastDraw = t;
            process.stderr.write(`\r${bar(e, metricName).padEnd(110).slice(0, 110)}`);
          },
        },
        pool,
      );
      if (tty) process.stderr.write('\n');
      writeFileAtomic(join(out, 'bundle.json'), stringifyBundle(result.bundle) + '\n');
      writeFileAtomic(join(out, 'leaderboard.json'), JSON.stringify(result.leaderboard, nanSafe, 1) + '\n');
      writeFileAtomic(join(out, 'journal.json'), JSON.stringify(result.journal, nanSafe, 1) + '\n');
      const written = ['leaderboard.json', 'journal.json'];
      if (flags.report) {
        // Whatever the search left of the budget, less the final writes.
        // Deterministic runs ignore the clock: the report re-predicts its full sample whatever the time.
        const budgetMs = run.deterministic
          ? undefined
          : Math.max(500, (budget - WRITE_RESERVE - (flags.pdf ? PDF_SECONDS : 0)) * 1000 - performance.now());
        const report = await reportForAutoml(result, {
          source: run.data,
          ...(budgetMs ? { budgetMs } : {}),
          ...(profit ? { profit } : {}),
        });
        if (report) {
          writeFileAtomic(join(out, 'report.html'), report.html);
          writeFileAtomic(join(out, 'report.md'), report.markdown + '\n');
          written.push('report.html', 'report.md');
          if (flags.pdf) {
            htmlToPdf(join(out, 'report.html'), join(out, 'report.pdf'));
            written.push('report.pdf');
          }
        }
      }
      if (flags.json) {
        process.stdout.write(JSON.stringify(result.journal, nanSafe, 2) + '\n');
        return;
      }
      const j = result.journal;
      const lb = result.leaderboard;
      const lines = [
        `task: ${j.task} (${j.taskReason}), metric: ${j.metric.name} (${j.metric.title})`,
        `validation: ${j.validation.plan.why}; ${j.validation.holdoutRows} rows set aside (${j.validation.why})`,
        `search: ${j.search.trials} trials (${j.search.complete} complete, ${j.search.pruned} pruned, ${j.search.failed} failed, ${j.search.cut} cut)${j.search.resumed ? `, ${j.search.resumed} from the earlier run` : ''}`,
        '',
        leaderboardTable(lb.trials, 10),
        '',
        `chosen: ${j.ensemble.why}`,
        ...(j.holdout
          ? [
              `holdout ${j.metric.name}: ${j.holdout.score.toFixed(4)} (best single model ${j.holdout.bestSingleScore.toFixed(4)}, baseline ${j.holdout.baselineScore.toFixed(4)}), ${j.holdout.note}`,
            ]
          : []),
        ...j.warnings.map((w) => `warning: ${w}`),
        `wrote ${join(out, 'bundle.json')}, ${written.join(', ')} in ${(performance.now() / 1000).toFixed(1)} s (budget ${budget} s)`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    } finally {
      await pool.close();
    }
  });
  return cmd;
}

/** A trial as one line of trials.jsonl (its predictions live in predictions/trial-ID.f64). */
function trialLine(t: FinishedTrial): string {
  return JSON.stringify({ ...strip(t), ...(t.oof ? { oofLength: t.oof.length } : {}) }, (_, v: unknown) =>
    typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v,
  );
}

function nanSafe(_: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

/** The leaderboard's first rows as a plain table. */
export function leaderboardTable(trials: readonly TrialLog[], rows: number): string {
  const head = ['#', 'pipeline', 'cv mean', '± std', 'fit s', 'state'];
  const body = trials
    .slice(0, rows)
    .map((t) => [
      String(t.id),
      t.name.length > 70 ? t.name.slice(0, 67) + '...' : t.name,
      Number.isFinite(t.score) ? t.score.toFixed(4) : '-',
      Number.isFinite(t.std) ? t.std.toFixed(4) : '-',
      t.fitSeconds.toFixed(1),
      t.state,
    ]);
  const all = [head, ...body];
  const w = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  return all.map((r) => r.map((cell, c) => (c === 1 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ')).join('\n');
}
