import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import {
  automl,
  strip,
  type AutomlEvent,
  type AutomlResult,
  type FinishedTrial,
  type TrialLog,
} from '../automl/automl.js';
import { GlassboxError } from '../data/errors.js';
import { stringifyBundle } from '../export/bundle.js';
import { exportTypeScript } from '../export/typescript.js';
import { reportForAutoml, type Profit } from '../report/report.js';
import type { Task } from '../techniques/contract.js';
import { readJsonFile, writeCode, writeFileAtomic } from './files.js';
import { writeReport } from './pdf.js';
import { forced, readOptionsFrom, type ColumnChoice, type ReadFlags } from './read-flags.js';
import { readTable } from './read-table.js';
import { WorkerTrialPool } from './trial-pool.js';

/**
 * An AutoML run in a folder, the way `glassbox automl` and the server's jobs run it: run.json holds
 * the data and every choice, trials.jsonl (and predictions/) every finished trial at once, then the
 * bundle, leaderboard, journal, code/ and the report.
 */

/** What a run directory remembers so `--resume` can continue it: the data and every choice. */
export interface RunFile {
  readonly format: 'glassbox-automl-run';
  readonly data: string;
  readonly read: ReadFlags;
  /** Column types set by the user instead of inferred (numbers, categories or text). */
  readonly types?: Readonly<Record<string, ColumnChoice>>;
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
export function loadTrials(dir: string): FinishedTrial[] {
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

/** A trial as one line of trials.jsonl (its predictions live in predictions/trial-ID.f64). */
export function trialLine(t: FinishedTrial): string {
  return JSON.stringify({ ...strip(t), ...(t.oof ? { oofLength: t.oof.length } : {}) }, (_, v: unknown) =>
    typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v,
  );
}

export function nanSafe(_: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

/** Starts a run folder: run.json and an empty trials.jsonl. */
export function createRunDir(out: string, run: RunFile): void {
  mkdirSync(join(out, 'predictions'), { recursive: true });
  writeFileAtomic(join(out, 'run.json'), JSON.stringify(run, null, 1) + '\n');
  writeFileSync(join(out, 'trials.jsonl'), '');
}

/** Opens a run folder to continue it: its settings and finished trials (a torn last line dropped). */
export function resumeRunDir(out: string): { run: RunFile; previous: FinishedTrial[] } {
  const saved = readJsonFile(join(out, 'run.json'), 'run') as RunFile;
  if (saved.format !== 'glassbox-automl-run')
    throw new GlassboxError(`${join(out, 'run.json')}: not a Glassbox AutoML run file`, {
      file: join(out, 'run.json'),
    });
  const previous = loadTrials(out);
  // A torn last line from a killed run goes now, before new trials are appended after it.
  writeFileAtomic(join(out, 'trials.jsonl'), previous.map((t) => trialLine(t) + '\n').join(''));
  mkdirSync(join(out, 'predictions'), { recursive: true });
  return { run: saved, previous };
}

export interface ExecuteOptions {
  readonly out: string;
  readonly run: RunFile;
  readonly previous: readonly FinishedTrial[];
  /** Seconds, counted from `startedAt` on the performance clock (default 0: the process start). */
  readonly budget: number;
  readonly startedAt?: number;
  readonly workers: number;
  readonly report: boolean;
  readonly profit?: Profit;
  readonly pdf?: boolean;
  readonly onEvent?: (e: AutomlEvent) => void;
  readonly onTrial?: (t: FinishedTrial) => void;
  readonly warn?: (message: string) => void;
}

/** Reads the data, searches within the budget and writes every result into the folder. */
export async function executeRun(o: ExecuteOptions): Promise<{ result: AutomlResult; written: string[] }> {
  const { out, run, budget } = o;
  const startedAt = o.startedAt ?? 0;
  const read = await readTable(run.data, { ...readOptionsFrom(run.read), ...forced(run.types) });
  for (const w of read.warnings) o.warn?.(w);
  const task = run.task as Task | undefined;
  const pool = new WorkerTrialPool(o.workers);
  // Printing a PDF starts a browser: a few seconds more.
  const reportReserve = o.report ? Math.min(REPORT_MAX, budget * REPORT_SHARE) + (o.pdf ? PDF_SECONDS : 0) : 0;
  try {
    const result = await automl(
      read.frame,
      {
        target: run.target,
        task,
        metric: run.metric,
        // Reading the data counted: the clock started with the process.
        timeBudget: Math.max(0.5, budget - WRITE_RESERVE - reportReserve),
        measure: o.report,
        startedAt,
        seed: run.seed,
        drop: list(run.drop),
        groupColumn: run.group,
        timeColumn: run.timeColumn,
        models: list(run.models),
        ...(run.deterministic ? { deterministicTrials: run.trials } : {}),
        ensembleSize: run.ensembleSize,
        ...(run.sampler ? { sampler: run.sampler } : {}),
        // Half the machine's memory, shared by the trials running side by side.
        memoryLimitMB: totalmem() / 2 ** 21 / o.workers,
        source: run.data,
        inferences: read.columns,
        resume: o.previous,
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
          o.onTrial?.(t);
        },
        ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      },
      pool,
    );
    writeFileAtomic(join(out, 'bundle.json'), stringifyBundle(result.bundle) + '\n');
    writeFileAtomic(join(out, 'leaderboard.json'), JSON.stringify(result.leaderboard, nanSafe, 1) + '\n');
    writeFileAtomic(join(out, 'journal.json'), JSON.stringify(result.journal, nanSafe, 1) + '\n');
    writeCode(out, exportTypeScript(result.bundle, result.pipeline));
    const written = ['leaderboard.json', 'journal.json', 'code/'];
    if (o.report) {
      // Whatever the search left of the budget, less the final writes. Deterministic runs ignore
      // the clock: the report re-predicts its full sample whatever the time.
      const budgetMs = run.deterministic
        ? undefined
        : Math.max(500, (budget - WRITE_RESERVE - (o.pdf ? PDF_SECONDS : 0)) * 1000 - (performance.now() - startedAt));
      const report = await reportForAutoml(result, {
        source: run.data,
        ...(budgetMs ? { budgetMs } : {}),
        ...(o.profit ? { profit: o.profit } : {}),
      });
      if (report) written.push(...writeReport(out, report, o.pdf));
    }
    return { result, written };
  } finally {
    await pool.close();
  }
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
