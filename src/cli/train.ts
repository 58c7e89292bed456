import { join } from 'node:path';
import { Command } from 'commander';
import { GlassboxError } from '../data/errors.js';
import type { ParamValue, Params, Task } from '../techniques/contract.js';
import { parseParamText } from '../techniques/params.js';
import type { PipelineSpec } from '../techniques/pipeline.js';
import { technique } from '../techniques/registry.js';
import { freshDir, readJsonFile } from '../node/files.js';
import { executeTrain } from '../node/train-run.js';
import { addReadOptions, readOptionsFrom, type ReadFlags } from './read-options.js';
import { formatMetrics, parseProfit, stem } from './format.js';

interface TrainFlags extends ReadFlags {
  target: string;
  task?: string;
  model: string;
  set: string[];
  pipeline?: string;
  out?: string;
  seed: string;
  holdout: string;
  json?: boolean;
  drop?: string;
  profit?: string;
  pdf?: boolean;
}

const TASKS = ['binary', 'multiclass', 'regression'];

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--set key=value` texts, typed by the model's parameter schema. */
export function parseSets(modelId: string, sets: readonly string[]): Params {
  const t = technique(modelId);
  const out: Record<string, ParamValue> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new GlassboxError(`--set expects key=value, got "${s}"`);
    const key = s.slice(0, eq).trim();
    out[key] = parseParamText(t.id, t.params, key, s.slice(eq + 1).trim());
  }
  return out;
}

function parsePipeline(path: string): PipelineSpec {
  const json = readJsonFile(path, 'pipeline');
  const steps = (json as { steps?: unknown }).steps;
  if (!Array.isArray(steps) || steps.length === 0)
    throw new GlassboxError(`${path}: a pipeline file needs {"steps": [{"technique": ..., "params": {...}}, ...]}`);
  return {
    steps: steps.map((s, i) => {
      const o = s as { technique?: unknown; params?: unknown };
      if (typeof o.technique !== 'string') throw new GlassboxError(`${path}: step ${i + 1} has no "technique"`);
      technique(o.technique);
      if (o.params !== undefined && (typeof o.params !== 'object' || o.params === null || Array.isArray(o.params)))
        throw new GlassboxError(`${path}: step ${i + 1} "params" must be an object`);
      return { technique: o.technique, params: (o.params ?? {}) as Params };
    }),
  };
}

export function trainCommand(): Command {
  const cmd = new Command('train')
    .description('fit the default preprocessing plus one model (or a pipeline file) and write a bundle and a journal')
    .argument('<data>', 'training data: CSV, Excel .xlsx, JSON lines or Parquet')
    .requiredOption('--target <column>', 'the column to predict')
    .option('--task <task>', 'binary, multiclass or regression (default: from the target column)')
    .option('--model <id>', 'model technique id', 'linear')
    .option('--set <key=value>', 'a model parameter, by its schema name (repeatable), e.g. --set l2=0.1', collect, [])
    .option('--pipeline <file.json>', 'a pipeline as JSON: {"steps": [{"technique": "impute", "params": {...}}, ...]}')
    .option('--drop <columns>', 'comma-separated columns to leave out (e.g. leakage the profile flagged)')
    .option('--out <dir>', 'output folder (default: runs/<data>-<target>, never overwriting)')
    .option('--seed <n>', 'random seed', '1')
    .option('--holdout <share>', 'share of rows held out to measure the model before the final refit', '0.2')
    .option(
      '--profit <values>',
      "what acting on a row is worth, for the report's threshold: tp=VALUE,fp=VALUE[,fn=VALUE][,tn=VALUE] (costs negative), e.g. tp=190,fp=-10",
    )
    .option('--pdf', 'also print the report to report.pdf with headless Chromium')
    .option('--json', 'print the journal as JSON instead of a summary');
  addReadOptions(cmd);
  cmd.action(async (data: string, flags: TrainFlags) => {
    const profit = flags.profit !== undefined ? parseProfit(flags.profit) : undefined;
    if (flags.task !== undefined && !TASKS.includes(flags.task))
      throw new GlassboxError(`--task must be one of ${TASKS.join(', ')}, got "${flags.task}"`);
    const seed = Number(flags.seed);
    if (!Number.isInteger(seed)) throw new GlassboxError(`--seed must be a whole number, got "${flags.seed}"`);
    const holdout = Number(flags.holdout);
    if (!(holdout >= 0 && holdout < 1))
      throw new GlassboxError(`--holdout must be a share in [0, 1), got "${flags.holdout}"`);
    let pipeline = flags.pipeline ? parsePipeline(flags.pipeline) : undefined;
    let params: Params = {};
    if (pipeline) {
      const last = pipeline.steps[pipeline.steps.length - 1];
      if (flags.set.length) {
        const steps = pipeline.steps.slice();
        steps[steps.length - 1] = { ...last, params: { ...last.params, ...parseSets(last.technique, flags.set) } };
        pipeline = { steps };
      }
    } else params = parseSets(flags.model, flags.set);

    const out = flags.out ?? freshDir(join('runs', `${stem(data)}-${flags.target}`));
    const { result, written } = await executeTrain({
      data,
      read: readOptionsFrom(flags),
      out,
      target: flags.target,
      task: flags.task as Task | undefined,
      model: flags.model,
      params,
      pipeline,
      seed,
      holdout,
      drop: flags.drop
        ? flags.drop
            .split(',')
            .map((c) => c.trim())
            .filter((c) => c !== '')
        : undefined,
      ...(profit ? { profit } : {}),
      pdf: flags.pdf,
      warn: (w) => process.stderr.write(`warning: ${w}\n`),
    });
    if (flags.json) {
      process.stdout.write(JSON.stringify(result.journal, null, 2) + '\n');
      return;
    }
    const j = result.journal;
    const lines = [
      `task: ${j.task} (${j.taskReason})${j.classes.length ? `, classes: ${j.classes.join(', ')}` : ''}`,
      `rows: ${j.dataset.rows}${j.rowsWithoutTarget ? ` (${j.rowsWithoutTarget} without a target, left out)` : ''}, columns: ${j.dataset.columns}`,
      ...(j.dropped.length ? [`left out by you: ${j.dropped.join(', ')}`] : []),
      `pipeline: ${j.steps.map((s) => s.technique).join(' -> ')}`,
    ];
    if (j.validation)
      lines.push(`${j.validation.method} (${j.validation.testRows} rows): ${formatMetrics(j.validation.metrics)}`);
    for (const w of j.warnings) lines.push(`warning: ${w}`);
    lines.push(`wrote ${written.join(', ')} to ${out} in ${j.seconds.toFixed(1)} s`);
    process.stdout.write(lines.join('\n') + '\n');
  });
  return cmd;
}
