import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { AutomlEvent, FinishedTrial } from '../automl/automl.js';
import { GlassboxError } from '../data/errors.js';
import { defaultMetric } from '../evaluate/metrics.js';
import { createRunDir, executeRun, leaderboardTable, nanSafe, resumeRunDir, type RunFile } from '../node/automl-run.js';
import { freshDir } from '../node/files.js';
import type { Task } from '../techniques/contract.js';
import { addReadOptions, type ReadFlags } from './read-options.js';
import { parseProfit, stem } from './format.js';

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

const TASKS = ['binary', 'multiclass', 'regression'];

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
      ({ run, previous } = resumeRunDir(out));
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
    if (!flags.resume) createRunDir(out, run);
    const tty = process.stderr.isTTY === true;
    let lastDraw = 0;
    const task = run.task as Task | undefined;
    const metricName = run.metric ?? (task ? defaultMetric(task).name : 'score');
    {
      const { result, written } = await executeRun({
        out,
        run,
        previous,
        budget,
        workers,
        report: flags.report,
        ...(profit ? { profit } : {}),
        pdf: flags.pdf,
        warn: (w) => process.stderr.write(`warning: ${w}\n`),
        onEvent: (e) => {
          if (!tty) return;
          const t = performance.now();
          if (e.type === 'trial' && t - lastDraw < 250) return;
          lastDraw = t;
          process.stderr.write(`\r${bar(e, metricName).padEnd(110).slice(0, 110)}`);
        },
      });
      if (tty) process.stderr.write('\n');
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
    }
  });
  return cmd;
}
