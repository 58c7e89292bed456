import type { ColumnInference } from '../data/column-builder.js';
import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import { defaultMetric, metricSpec, type MetricSpec } from '../evaluate/metrics.js';
import { trainingReference } from '../evaluate/drift.js';
import {
  chooseValidation,
  groupKFoldAssignment,
  holdoutSplit,
  kFoldAssignment,
  timeSeriesFolds,
  type ValidationPlan,
} from '../evaluate/split.js';
import { buildSchema, createBundle, type Bundle } from '../export/bundle.js';
import { Study } from '../search/study.js';
import { RandomSampler, TpeSampler } from '../search/sampler.js';
import type { Params } from '../search/space.js';
import type { FittedJSON, JsonValue, Prediction, Task } from '../techniques/contract.js';
import { ensembleFromPipelines } from '../techniques/ensemble.js';
import { describeModel } from '../techniques/explain.js';
import { FittedPipeline, type PipelineSpec } from '../techniques/pipeline.js';
import { ensembleSelection } from './ensemble.js';
import { estimateFitBytes } from './memory.js';
import { portfolio } from './portfolio.js';
import { prepareTarget } from './prepare.js';
import { TrialCut, type TrialRunner } from './runner.js';
import { buildSpace, describeConfig, pipelineFor } from './space.js';
import { predictionWidth, scoreRows, scoreValues, type Fold, type TrialData, type TrialResult } from './trial.js';

export interface AutomlOptions {
  readonly target: string;
  readonly task?: Task;
  /** Metric name (see listMetrics); default: AUC, log loss or RMSE by task. */
  readonly metric?: string;
  /** Seconds for the whole run: search, ensemble, refit. Default 60. */
  readonly timeBudget?: number;
  readonly seed?: number;
  readonly drop?: readonly string[];
  /** Rows sharing a value of this column stay on one side of every split. */
  readonly groupColumn?: string;
  /** Validate forward in time by this column (train on the past, score the future). */
  readonly timeColumn?: string;
  /** Only these model techniques. */
  readonly models?: readonly string[];
  /**
   * Run exactly this many search trials, ignoring the clock (timing never decides anything),
   * so the result is the same for any worker count and seed.
   */
  readonly deterministicTrials?: number;
  /** How configurations are proposed after the portfolio: 'tpe' (default) or 'random'. */
  readonly sampler?: 'tpe' | 'random';
  /** Most members the ensemble may pick (with repeats). Default 25; 1 = no ensemble. */
  readonly ensembleSize?: number;
  readonly source?: string;
  readonly inferences?: readonly ColumnInference[];
  /** Finished trials of an earlier run of the same data, config and seed: not run again. */
  readonly resume?: readonly FinishedTrial[];
  /** Called as soon as a trial ends (to save it at once) and for progress. */
  readonly onTrial?: (trial: FinishedTrial) => void;
  readonly onEvent?: (event: AutomlEvent) => void;
  /** Most memory one trial's fit may need (estimated before it starts), MB. Default 2048. */
  readonly memoryLimitMB?: number;
  /**
   * Also fit the chosen models on the search rows alone, beside the final refit, so a report can
   * explain the very model the holdout measured (`AutomlResult.holdout`). The reserve left for
   * refitting grows to match.
   */
  readonly measure?: boolean;
  /** Milliseconds clock; injectable for tests. */
  readonly now?: () => number;
  /** When the budget started on that clock (default: now), e.g. at process start so reading the data counts. */
  readonly startedAt?: number;
}

export type TrialState = 'complete' | 'pruned' | 'failed' | 'cut';

/** One leaderboard row: a trial as run, with its predictions kept for ensembling while they matter. */
export interface TrialLog {
  readonly id: number;
  readonly name: string;
  readonly config: Readonly<Params>;
  readonly pipeline: PipelineSpec;
  readonly state: TrialState;
  readonly foldScores: readonly number[];
  /** Mean over folds (NaN when failed or cut). */
  readonly score: number;
  readonly std: number;
  readonly fitSeconds: number;
  /** Seconds since the run started, when the trial ended. */
  readonly endedAt: number;
  readonly error?: string;
  /** The baseline every model must beat, outside the search. */
  readonly baseline?: boolean;
}

export interface FinishedTrial extends TrialLog {
  readonly oof?: Float64Array;
  readonly holdout?: Float64Array;
}

export type AutomlEvent =
  | {
      readonly type: 'trial';
      readonly trial: TrialLog;
      readonly trials: number;
      readonly best?: { readonly id: number; readonly name: string; readonly score: number };
      readonly elapsed: number;
      readonly budget: number;
    }
  | { readonly type: 'phase'; readonly phase: string; readonly elapsed: number; readonly budget: number };

export interface Leaderboard {
  readonly metric: string;
  readonly higherIsBetter: boolean;
  readonly validation: string;
  /** Best first; failed and cut trials last. */
  readonly trials: readonly TrialLog[];
}

export interface AutomlJournal {
  readonly dataset: { readonly source?: string; readonly rows: number; readonly columns: number };
  readonly target: string;
  readonly task: Task;
  readonly taskReason: string;
  readonly classes: readonly string[];
  readonly metric: { readonly name: string; readonly title: string; readonly why: string };
  readonly validation: {
    readonly plan: ValidationPlan;
    readonly searchRows: number;
    readonly holdoutRows: number;
    readonly why: string;
  };
  readonly search: {
    readonly models: readonly string[];
    readonly skipped: readonly { readonly model: string; readonly why: string }[];
    readonly dimensions: number;
    readonly trials: number;
    readonly complete: number;
    readonly pruned: number;
    readonly failed: number;
    readonly cut: number;
    readonly resumed: number;
    readonly sampler: string;
  };
  readonly ensemble: {
    readonly members: readonly { readonly trial: number; readonly name: string; readonly weight: number }[];
    readonly cvScore: number;
    readonly bestSingle: { readonly trial: number; readonly name: string; readonly cvScore: number };
    readonly why: string;
  };
  /** The honest measurement: the chosen model(s) on rows the search never used. */
  readonly holdout: {
    readonly rows: number;
    readonly score: number;
    readonly baselineScore: number;
    readonly bestSingleScore: number;
    readonly note: string;
  } | null;
  readonly model: JsonValue;
  readonly timings: { readonly [phase: string]: number };
  readonly warnings: readonly string[];
  readonly seconds: number;
  readonly budget: number;
}

export interface AutomlResult {
  readonly bundle: Bundle;
  readonly pipeline: FittedPipeline;
  readonly leaderboard: Leaderboard;
  readonly journal: AutomlJournal;
  /**
   * With `measure` and a holdout: the held-out rows (input columns), their target, the predictions
   * the journal's holdout score comes from, and the chosen models fitted on the search rows alone.
   */
  readonly holdout?: {
    readonly frame: Frame;
    readonly y: Float64Array;
    readonly prediction: Prediction;
    readonly pipeline: FittedPipeline;
    /** True when no time was left to fit without the held-out rows: `pipeline` is the final one. */
    readonly explainedByFinal?: boolean;
  };
}

/** Trials proposed together in a deterministic run, before any of them is told. */
const BATCH = 4;
/** Candidates kept for the ensemble: the best trials overall... */
const KEEP_FOR_ENSEMBLE = 20;
/**
 * ...and each model family's best, so the ensemble can still mix families once the sampler has
 * filled the top of the leaderboard with one of them (averaging unlike models is what pays).
 */
const KEEP_PER_FAMILY = 2;
/** Rows below which no separate holdout is cut off: too few rows to spare. */
const MIN_HOLDOUT_ROWS = 300;

/**
 * The AutoML run: profile the target, plan validation, search preprocessing + model +
 * hyperparameters (baseline and portfolio first, then TPE, pruning weak trials after their
 * first folds), select a greedy ensemble on out-of-fold predictions, measure it on holdout
 * rows the search never saw, refit on every row, and describe every step. The clock covers all
 * of it: the search stops early enough to leave time for ensembling and the refit, which are
 * estimated from the trials' own fit times.
 */
export async function automl(input: Frame, options: AutomlOptions, runner: TrialRunner): Promise<AutomlResult> {
  const now = options.now ?? (() => performance.now());
  const started = options.startedAt ?? now();
  const budget = options.timeBudget ?? 60;
  if (!(budget > 0)) throw new GlassboxError(`--time-budget must be a positive number of seconds, got ${budget}`);
  const deadline = started + budget * 1000;
  const elapsed = (): number => (now() - started) / 1000;
  const seed = options.seed ?? 1;
  const timings: Record<string, number> = {};
  const phase = (name: string): void => {
    timings[name] = Math.round(elapsed() * 1000) / 1000;
    options.onEvent?.({ type: 'phase', phase: name, elapsed: elapsed(), budget });
  };

  const prep = prepareTarget(input, options);
  const { frame, task, classes, y } = prep;
  const warnings = [...prep.warnings];
  const metric: MetricSpec = options.metric ? metricSpec(options.metric, task) : defaultMetric(task);
  const sign: 1 | -1 = metric.higherIsBetter ? -1 : 1;
  const better = (a: number, b: number): boolean => sign * a < sign * b;

  // Validation: a holdout the search never sees, folds on the rest.
  const { holdout, search, holdoutWhy, plan, folds } = planValidation(frame, y, task, seed, options);
  // A group column says which rows belong together; it is not a feature to learn from.
  const roled = frame.withRole(options.target, 'target');
  const data: TrialData = {
    frame: options.groupColumn ? roled.withRole(options.groupColumn, 'group') : roled,
    target: options.target,
    task,
    classes,
    y,
    folds,
    holdout,
    metric: metric.name,
    seed,
  };
  const width = predictionWidth(task, classes);
  phase('plan');
  await runner.init(data);

  // The search.
  const searchPlan = buildSpace({ task, nRows: frame.nRows, nCols: frame.nCols, models: options.models });
  const study = new Study({
    space: searchPlan.space,
    sampler: options.sampler === 'random' ? new RandomSampler() : new TpeSampler(),
    direction: metric.higherIsBetter ? 'maximize' : 'minimize',
    seed,
  });
  const fixed: Params[] = portfolio(searchPlan.space, { task, features: data.frame.features().length });
  const logs: FinishedTrial[] = [];
  const kept: FinishedTrial[] = [];
  let best: FinishedTrial | undefined;
  const record = (t: FinishedTrial, replayed = false): void => {
    logs.push(t);
    if (t.state === 'complete' && !t.baseline && t.oof) {
      kept.push(t);
      kept.sort((a, b) => sign * (a.score - b.score) || a.id - b.id);
      const seen = new Map<string, number>();
      const keep = kept.filter((k, i) => {
        const family = String(k.config.model);
        const rank = seen.get(family) ?? 0;
        seen.set(family, rank + 1);
        return i < KEEP_FOR_ENSEMBLE || rank < KEEP_PER_FAMILY;
      });
      kept.splice(0, kept.length, ...keep);
      if (!best || better(t.score, best.score)) best = t;
    }
    if (!replayed) options.onTrial?.(t);
    options.onEvent?.({
      type: 'trial',
      trial: strip(t),
      trials: logs.length,
      ...(best ? { best: { id: best.id, name: best.name, score: best.score } } : {}),
      elapsed: elapsed(),
      budget,
    });
  };

  // A resumed run replays its finished trials into the study first.
  let nextId = 0;
  let resumed = 0;
  const done = new Set<string>();
  for (const t of resumable(options.resume ?? [], options.deterministicTrials !== undefined)) {
    nextId = Math.max(nextId, t.id + 1);
    resumed++;
    done.add(JSON.stringify(t.config));
    if (!t.baseline && (t.state === 'complete' || t.state === 'pruned')) {
      const { number } = study.ask(t.config as Params);
      if (t.state === 'complete') study.tell(number, { value: t.score });
      else study.tell(number, { state: 'pruned' });
    }
    record(t, true);
  }

  /** Running means after each fold, lower is better, of every finished trial: what the pruner compares with. */
  const peers = (): number[][] =>
    logs
      .filter((t) => !t.baseline && (t.state === 'complete' || t.state === 'pruned'))
      .map((t) =>
        t.foldScores.map((_, f) => (sign * t.foldScores.slice(0, f + 1).reduce((a, b) => a + b, 0)) / (f + 1)),
      );

  const deterministic = options.deterministicTrials !== undefined;
  const maxTrials = options.deterministicTrials ?? Infinity;
  /** Seconds kept for ensembling, the refit and writing: grows with what the best trials cost to fit. */
  const reserve = (): number => {
    const k = plan.folds;
    const top = kept.slice(0, 5);
    const perFit = top.reduce((a, t) => a + t.fitSeconds / Math.max(1, t.foldScores.length), 0);
    // A refit sees k/(k-1) times the rows of a fold fit; the likely members refit side by side.
    // Measuring adds the same fits on the search rows; they share the slots with the full refits,
    // which rarely fill them all, so the wall time grows by about half their share (measured on
    // bank-full). Past the deadline they are dropped, so this need not be a bound.
    const measuring = options.measure ? 1 + (0.5 * search.length) / Math.max(1, frame.nRows) : 1;
    const refit = ((perFit * (k > 1 ? k / (k - 1) : 1.25) * measuring) / runner.slots) * 1.3;
    const ensemble = kept.length > 1 ? Math.min(2, budget * 0.03) : 0;
    return Math.min(budget * 0.5, 0.5 + budget * 0.01 + refit + ensemble);
  };
  const searchOver = (): boolean => !deterministic && now() >= deadline - reserve() * 1000;

  interface Running {
    readonly id: number;
    readonly studyNumber: number | null;
    readonly config: Params;
    readonly pipeline: PipelineSpec;
    readonly baseline: boolean;
    readonly promise: Promise<{ id: number; result?: TrialResult; error?: unknown }>;
  }
  const memoryLimit = options.memoryLimitMB ?? 2048;
  const running = new Map<number, Running>();
  // --trials counts the whole run, resumed trials included.
  let searchTrials = logs.filter((t) => !t.baseline).length;
  const pending: { config: Params; baseline: boolean }[] = [];
  if (!done.has(JSON.stringify({ model: 'constant' }))) pending.push({ config: { model: 'constant' }, baseline: true });
  for (const c of fixed) if (!done.has(JSON.stringify(c))) pending.push({ config: c, baseline: false });

  const launch = (): Running => {
    const next = pending.shift();
    let config: Params;
    let studyNumber: number | null = null;
    let baseline = false;
    if (next) {
      config = next.config;
      baseline = next.baseline;
      if (!baseline) {
        const asked = study.ask(config);
        studyNumber = asked.number;
      }
    } else {
      const asked = study.ask();
      studyNumber = asked.number;
      config = asked.params;
    }
    if (!baseline) searchTrials++;
    const pipeline = baseline ? { steps: [{ technique: 'constant' }] } : pipelineFor(config);
    const id = nextId++;
    const need = estimateFitBytes(frame, pipeline, folds[0]?.train.length ?? frame.nRows) / 2 ** 20;
    const promise =
      need > memoryLimit
        ? Promise.resolve({
            id,
            error: new Error(
              `skipped: this pipeline would need about ${Math.round(need)} MB per fit (limit ${Math.round(memoryLimit)} MB)`,
            ),
          })
        : runner.run({ id, spec: pipeline, peers: baseline ? [] : peers(), prune: !baseline }).then(
            (result) => ({ id, result }),
            (error: unknown) => ({ id, error }),
          );
    const r: Running = { id, studyNumber, config, pipeline, baseline, promise };
    running.set(id, r);
    return r;
  };

  const finish = (r: Running, outcome: { result?: TrialResult; error?: unknown }, state?: TrialState): void => {
    running.delete(r.id);
    const res = outcome.result;
    const name = r.baseline ? 'constant (baseline)' : describeConfig(r.config);
    const base = { id: r.id, name, config: r.config, pipeline: r.pipeline, endedAt: elapsed(), baseline: r.baseline };
    let log: FinishedTrial;
    if (res && !state) {
      const mean = res.score;
      const std = Math.sqrt(res.foldScores.reduce((a, s) => a + (s - mean) ** 2, 0) / res.foldScores.length);
      const ok = Number.isFinite(mean);
      log = {
        ...base,
        state: res.pruned ? 'pruned' : ok ? 'complete' : 'failed',
        foldScores: res.foldScores,
        score: mean,
        std,
        fitSeconds: res.fitSeconds,
        ...(ok ? {} : { error: `the ${metric.name} could not be computed` }),
        ...(res.oof && ok ? { oof: res.oof } : {}),
        ...(res.holdout && ok ? { holdout: res.holdout } : {}),
      };
    } else {
      const cut = state === 'cut' || outcome.error instanceof TrialCut;
      const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error ?? '');
      log = {
        ...base,
        state: cut ? 'cut' : 'failed',
        foldScores: [],
        score: NaN,
        std: NaN,
        fitSeconds: 0,
        ...(cut ? { error: 'cut: the time budget ran out' } : { error: firstLine(message) }),
      };
    }
    if (r.studyNumber !== null) {
      if (log.state === 'complete') study.tell(r.studyNumber, { value: log.score });
      else if (log.state === 'pruned') {
        log.foldScores.forEach((s, f) => {
          study.report(r.studyNumber as number, f + 1, s);
        });
        study.tell(r.studyNumber, { state: 'pruned' });
      } else if (log.state === 'failed') {
        // A pipeline that fails is worth no more than the baseline: told as such, the sampler
        // moves away from it instead of proposing its neighbours again and again.
        const floor = logs.find((t) => t.baseline && Number.isFinite(t.score))?.score;
        if (floor !== undefined) study.tell(r.studyNumber, { value: floor });
        else study.tell(r.studyNumber, { state: 'failed', error: log.error });
      } else study.tell(r.studyNumber, { state: 'failed', error: log.error });
    }
    record(log);
  };

  const slots = Math.max(1, runner.slots);
  for (;;) {
    if (deterministic) {
      // Fixed batches, told in trial order: timing and worker count decide nothing.
      const group: Running[] = [];
      while (group.length < BATCH && (pending[0]?.baseline || searchTrials < maxTrials)) {
        group.push(launch());
      }
      if (!group.length) break;
      const outcomes = await Promise.all(group.map((g) => g.promise));
      group.forEach((g, i) => finish(g, outcomes[i]));
      continue;
    }
    while (running.size < slots && !searchOver() && searchTrials < maxTrials) launch();
    if (running.size === 0) break;
    const wait = Math.max(0, deadline - reserve() * 1000 - now());
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), Math.min(wait + 5, 2 ** 31 - 1));
    });
    const first = await Promise.race([...[...running.values()].map((r) => r.promise), timeout]);
    clearTimeout(timer);
    if (first) {
      const r = running.get(first.id);
      if (r) finish(r, first);
    }
    if (searchOver() && running.size) {
      // Trials still running at the end of the search are cut, not waited for.
      const left = [...running.values()];
      for (const r of left) runner.cancel(r.id);
      const outs = await Promise.all(left.map((r) => r.promise));
      left.forEach((r, i) => finish(r, outs[i], outs[i].result ? undefined : 'cut'));
      break;
    }
  }
  phase('search');

  // Ensemble selection over the kept candidates' out-of-fold predictions.
  const candidates = kept.filter((t) => t.oof);
  if (!candidates.length) {
    const why = logs.find((t) => t.error)?.error;
    throw new GlassboxError(
      `no trial finished within the ${budget} s budget${why ? ` (last error: ${why})` : ''}: raise --time-budget`,
    );
  }
  const scored = rowsWithOof(candidates[0].oof as Float64Array, frame.nRows, width);
  const yScored = Float64Array.from(scored, (i) => y[i]);
  const view = (oof: Float64Array): Float64Array => {
    const out = new Float64Array(scored.length * width);
    for (let t = 0; t < scored.length; t++)
      for (let c = 0; c < width; c++) out[t * width + c] = oof[scored[t] * width + c];
    return out;
  };
  const lossOf = (pred: Float64Array): number => sign * scoreValues(data, yScored, pred);
  const size = Math.max(1, options.ensembleSize ?? 25);
  const ensembleDeadline = deadline - Math.max(0.5, reserve() - 1) * 1000;
  const sel =
    candidates.length > 1 && size > 1
      ? ensembleSelection(
          candidates.map((c) => view(c.oof as Float64Array)),
          yScored,
          lossOf,
          {
            size,
            k: width,
            ...(deterministic ? {} : { shouldStop: () => now() >= ensembleDeadline }),
          },
        )
      : { weights: Float64Array.of(1, ...new Array<number>(candidates.length - 1).fill(0)), members: [0], loss: 0 };
  const members = candidates
    .map((c, i) => ({ trial: c, weight: sel.weights[i] }))
    .filter((m) => m.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.trial.id - b.trial.id);
  const ensembleCv = sign * sel.loss;
  const single = candidates[0];
  const ensembleWhy =
    members.length > 1
      ? `greedy selection (Caruana) over the out-of-fold predictions of ${candidates.length} trials (the ${KEEP_FOR_ENSEMBLE} best, and each model family's best ${KEEP_PER_FAMILY}): ${members.length} models averaged score ${fmt(ensembleCv)} against ${fmt(single.score)} for the best single model`
      : `the best single trial; averaging others in did not improve the out-of-fold ${metric.name}`;
  phase('ensemble');

  // The honest measurement: the chosen models' fold-model average on the holdout rows.
  let holdoutReport: AutomlJournal['holdout'] = null;
  let holdoutMix: Float64Array | undefined;
  if (holdout.length) {
    const mix = new Float64Array(holdout.length * width);
    holdoutMix = mix;
    for (const m of members) {
      const h = m.trial.holdout as Float64Array;
      for (let t = 0; t < mix.length; t++) mix[t] += m.weight * h[t];
    }
    const baseTrial = logs.find((t) => t.baseline && t.holdout);
    holdoutReport = {
      rows: holdout.length,
      score: scoreRows(data, holdout, mix),
      baselineScore: baseTrial ? scoreRows(data, holdout, baseTrial.holdout as Float64Array) : NaN,
      bestSingleScore: scoreRows(data, holdout, single.holdout as Float64Array),
      note: `measured on ${holdout.length} rows set aside before the search (${holdoutWhy}); the models were chosen without them`,
    };
  } else
    warnings.push(
      `only ${frame.nRows} rows: no rows could be set aside, so the cross-validated score of the chosen model is slightly optimistic`,
    );

  // Refit the members on every row and, to measure, on the search rows alone: queued after the
  // full refits, which come first, and dropped when they would overrun the budget.
  const measuring = options.measure === true && holdout.length > 0;
  const fullJobs = members.map((m) => runner.refit(m.trial.pipeline));
  const measureJobs = Promise.all(measuring ? members.map((m) => runner.refit(m.trial.pipeline, search)) : []);
  // A measuring fit left behind is cut when the runner closes; its rejection means nothing.
  measureJobs.catch(() => undefined);
  const fitted = await Promise.all(fullJobs);
  let measuredFits: FittedJSON[][] | undefined;
  if (measuring) {
    if (deterministic) measuredFits = await measureJobs;
    else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - now()));
      });
      measuredFits = await Promise.race([measureJobs, late]);
      clearTimeout(timer);
      if (!measuredFits)
        warnings.push(
          'no time was left to fit the chosen models without the held-out rows: the report explains the final models, which saw those rows',
        );
    }
  }
  const assemble = (fits: FittedJSON[][], rows: Frame): FittedPipeline => {
    const pipelines = fits.map((steps) => FittedPipeline.fromJSON(steps, options.target, task, classes));
    if (members.length === 1) return pipelines[0];
    const model = ensembleFromPipelines(
      members.map((m, i) => ({ weight: m.weight, pipeline: pipelines[i], spec: m.trial.pipeline })),
      task,
      classes,
      rows,
    );
    return new FittedPipeline([model], options.target, task, classes);
  };
  const pipeline = assemble(fitted, frame);
  let spec: PipelineSpec;
  if (members.length === 1) spec = members[0].trial.pipeline;
  else {
    spec = {
      steps: [
        {
          technique: 'ensemble',
          params: pipeline.model.params,
          why: ensembleWhy,
        },
      ],
    };
  }
  phase('refit');

  const schema = buildSchema(frame, pipeline, options.inferences);
  const cvRecord = { metric: metric.name, score: ensembleCv, folds: folds.length, rows: search.length };
  const bundle = createBundle({
    pipeline,
    spec,
    schema,
    metrics: {
      cv: cvRecord,
      ...(holdoutReport ? { holdout: { [metric.name]: holdoutReport.score }, holdoutRows: holdoutReport.rows } : {}),
    },
    training: { rows: frame.nRows, seed, ...(options.source ? { source: options.source } : {}) },
    reference: trainingReference(
      frame,
      schema.map((c) => c.name),
      (f) => pipeline.predict(f),
    ) as unknown as JsonValue,
  });
  const sorted = [...logs].sort((a, b) => rank(a) - rank(b) || sign * (a.score - b.score) || a.id - b.id);
  const leaderboard: Leaderboard = {
    metric: metric.name,
    higherIsBetter: metric.higherIsBetter,
    validation: plan.why,
    trials: sorted.map(strip),
  };
  const count = (s: TrialState): number => logs.filter((t) => t.state === s && !t.baseline).length;
  phase('done');
  const journal: AutomlJournal = {
    dataset: { source: options.source, rows: input.nRows, columns: input.nCols },
    target: options.target,
    task,
    taskReason: prep.taskReason,
    classes,
    metric: {
      name: metric.name,
      title: metric.title,
      why: options.metric ? 'chosen by you (--metric)' : `the usual measure for ${task} targets`,
    },
    validation: {
      plan:
        folds.length > plan.folds && plan.kind === 'kfold'
          ? {
              ...plan,
              why: `${plan.why} With so few rows one split is noisy, so the ${plan.folds} folds are drawn ${folds.length / plan.folds} times and every score averages all ${folds.length} fits.`,
            }
          : plan,
      searchRows: search.length,
      holdoutRows: holdout.length,
      why: holdoutWhy,
    },
    search: {
      models: searchPlan.models,
      skipped: searchPlan.skipped,
      dimensions: searchPlan.space.length,
      trials: logs.filter((t) => !t.baseline).length,
      complete: count('complete'),
      pruned: count('pruned'),
      failed: count('failed'),
      cut: count('cut'),
      resumed,
      sampler: `portfolio of known-good configurations first, then ${options.sampler === 'random' ? 'random search' : 'TPE (constant liar for parallel trials)'}; weak trials pruned after their first folds (successive halving)`,
    },
    ensemble: {
      members: members.map((m) => ({ trial: m.trial.id, name: m.trial.name, weight: m.weight })),
      cvScore: ensembleCv,
      bestSingle: { trial: single.id, name: single.name, cvScore: single.score },
      why: ensembleWhy,
    },
    holdout: holdoutReport,
    model: describeModel(pipeline),
    timings,
    warnings: [
      ...warnings,
      ...searchPlan.skipped.map((s) => `${s.model} left out of the search: ${s.why}`),
      ...memorySkips(logs),
    ],
    seconds: Math.round(elapsed() * 1000) / 1000,
    budget,
  };
  let measured: AutomlResult['holdout'];
  if (measuring && holdoutMix) {
    const held = frame.take(holdout);
    measured = {
      frame: held.drop([options.target]),
      y: Float64Array.from(holdout, (i) => y[i]),
      prediction:
        task === 'regression'
          ? { n: holdout.length, task, values: holdoutMix, classes: [] }
          : { n: holdout.length, task, proba: holdoutMix, classes },
      pipeline: measuredFits ? assemble(measuredFits, frame.take(search)) : pipeline,
      explainedByFinal: !measuredFits,
    };
  }
  return { bundle, pipeline, leaderboard, journal, ...(measured ? { holdout: measured } : {}) };
}

/**
 * The earlier trials a resumed run keeps. A deterministic run keeps only whole batches: a trial
 * of a batch cut short was proposed and pruned against the batch's start, which a replay could
 * not reproduce, so those run again and the result equals an uninterrupted run.
 */
function resumable(trials: readonly FinishedTrial[], deterministic: boolean): FinishedTrial[] {
  const sorted = [...trials].sort((a, b) => a.id - b.id);
  if (!deterministic) return sorted;
  let run = 0;
  while (run < sorted.length && sorted[run].id === run) run++;
  return sorted.slice(0, run - (run % BATCH));
}

/** One journal line for the trials skipped on their memory estimate. */
function memorySkips(logs: readonly TrialLog[]): string[] {
  const skipped = logs.filter((t) => t.error?.startsWith('skipped:'));
  if (!skipped.length) return [];
  return [
    `${skipped.length} trial(s) skipped before fitting because of their memory estimate, e.g. ${skipped[0].name}: ${skipped[0].error}`,
  ];
}

function rank(t: TrialLog): number {
  return t.state === 'complete' ? 0 : t.state === 'pruned' ? 1 : 2;
}

/** A trial without its predictions: what the leaderboard and trials.jsonl hold. */
export function strip(t: FinishedTrial): TrialLog {
  const { oof, holdout, ...rest } = t;
  void oof;
  void holdout;
  return rest;
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 500);
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}

/** Rows that have an out-of-fold prediction (all search rows for k-fold; the scored blocks for time folds). */
function rowsWithOof(oof: Float64Array, n: number, width: number): Int32Array {
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(oof[i * width])) rows.push(i);
  return Int32Array.from(rows);
}

/** Column values as numbers (codes for categories) for grouping and ordering. */
function columnNumbers(frame: Frame, name: string): Float64Array {
  const c = frame.get(name);
  if (c.kind === 'categorical') return Float64Array.from(c.codes);
  if (c.kind === 'text') {
    const ids = new Map<string | null, number>();
    return Float64Array.from(c.values, (v) => {
      let id = ids.get(v);
      if (id === undefined) ids.set(v, (id = ids.size));
      return id;
    });
  }
  return c.values;
}

/**
 * The whole validation design: the holdout rows the search never sees, then folds on the rest
 * (k-fold, repeated on small data; group k-fold; forward in time), as frame row indices.
 */
export function planValidation(
  frame: Frame,
  y: Float64Array,
  task: Task,
  seed: number,
  options: Pick<AutomlOptions, 'groupColumn' | 'timeColumn'>,
): { holdout: Int32Array; search: Int32Array; holdoutWhy: string; plan: ValidationPlan; folds: Fold[] } {
  const { holdout, search, holdoutWhy } = splitHoldout(frame, y, task, seed, options);
  const plan = chooseValidation(search.length, {
    ...(options.groupColumn ? { groupColumn: options.groupColumn } : {}),
    ...(options.timeColumn ? { timeColumn: options.timeColumn } : {}),
  });
  return { holdout, search, holdoutWhy, plan, folds: makeFolds(frame, y, task, search, plan, seed, options) };
}

/** Sets aside the rows the search never sees: stratified at random, whole groups, or the latest rows. */
function splitHoldout(
  frame: Frame,
  y: Float64Array,
  task: Task,
  seed: number,
  options: Pick<AutomlOptions, 'groupColumn' | 'timeColumn'>,
): { holdout: Int32Array; search: Int32Array; holdoutWhy: string } {
  const n = frame.nRows;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (n < MIN_HOLDOUT_ROWS) return { holdout: new Int32Array(0), search: all, holdoutWhy: 'too few rows' };
  const share = n < 2000 ? 0.2 : 0.15;
  if (options.timeColumn) {
    const t = columnNumbers(frame, options.timeColumn);
    const order = Int32Array.from(all).sort((a, b) => t[a] - t[b] || a - b);
    const cut = Math.floor(n * (1 - share));
    return {
      holdout: order.slice(cut).sort(),
      search: order.slice(0, cut).sort(),
      holdoutWhy: `the latest ${Math.round(share * 100)}% of rows by "${options.timeColumn}"`,
    };
  }
  if (options.groupColumn) {
    const g = columnNumbers(frame, options.groupColumn);
    const fold = groupKFoldAssignment(g, Math.round(1 / share), seed);
    const holdout = all.filter((i) => fold[i] === 0);
    const search = all.filter((i) => fold[i] !== 0);
    return {
      holdout,
      search,
      holdoutWhy: `whole groups of "${options.groupColumn}", about ${Math.round(share * 100)}% of rows`,
    };
  }
  const { train, test } = holdoutSplit(n, share, seed + 7919, task === 'regression' ? undefined : y);
  return {
    holdout: test,
    search: train,
    holdoutWhy: `${Math.round(share * 100)}% of rows at random${task === 'regression' ? '' : ', in proportion to each class'}`,
  };
}

/** How many times k-fold cross-validation is repeated on `rows` search rows. */
export function repeatsFor(rows: number): number {
  return rows < 2000 ? 3 : 1;
}

/** The validation folds on the search rows, as frame row indices. */
function makeFolds(
  frame: Frame,
  y: Float64Array,
  task: Task,
  search: Int32Array,
  plan: ValidationPlan,
  seed: number,
  options: Pick<AutomlOptions, 'groupColumn' | 'timeColumn'>,
): Fold[] {
  const m = search.length;
  const back = (local: ArrayLike<number>): Int32Array => Int32Array.from(local, (i) => search[i]);
  const labels = task === 'regression' ? undefined : Float64Array.from(search, (i) => y[i]);
  if (plan.kind === 'time' && options.timeColumn) {
    const t = columnNumbers(frame, options.timeColumn);
    return timeSeriesFolds(
      Float64Array.from(search, (i) => t[i]),
      plan.folds,
    ).map((f) => ({ train: back(f.train), test: back(f.test) }));
  }
  if (plan.kind === 'holdout') {
    const { train, test } = holdoutSplit(m, plan.testShare ?? 0.2, seed, labels);
    return [{ train: back(train), test: back(test) }];
  }
  let fold: Int32Array;
  if (plan.kind === 'group-kfold' && options.groupColumn) {
    const g = columnNumbers(frame, options.groupColumn);
    fold = groupKFoldAssignment(
      Float64Array.from(search, (i) => g[i]),
      plan.folds,
      seed,
    );
  } else fold = kFoldAssignment(m, plan.folds, seed, labels);
  const out: Fold[] = [];
  // Few rows make one k-fold's scores noisy enough that the search chases noise: small data
  // is cut into folds several times over (fits are cheap there), and scores average over all.
  const repeats = plan.kind === 'kfold' ? repeatsFor(m) : 1;
  for (let r = 0; r < repeats; r++) {
    const assign = r === 0 ? fold : kFoldAssignment(m, plan.folds, seed + 1009 * r, labels);
    for (let f = 0; f < plan.folds; f++) {
      const train: number[] = [];
      const test: number[] = [];
      for (let t = 0; t < m; t++) (assign[t] === f ? test : train).push(search[t]);
      out.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
    }
  }
  return out;
}
