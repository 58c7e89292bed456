import type { AutomlResult } from '../automl/automl.js';
import { scoreOn } from '../automl/champion.js';
import type { TrainResult } from '../automl/train.js';
import { categoricalColumn, numericColumn, type Frame } from '../data/frame.js';
import { profile } from '../data/profile.js';
import { Rng } from '../engine/random.js';
import { medianPresent } from '../engine/sorted.js';
import {
  bootstrapInterval,
  calibrationCurve,
  pairedBootstrap,
  errorByQuantile,
  confusionAt,
  gainsTable,
  pickThreshold,
  prCurve,
  rocCurve,
  type Interval,
} from '../evaluate/curves.js';
import { permutationImportance } from '../evaluate/importance.js';
import { partialDependence } from '../evaluate/partial-dependence.js';
import { aucSorted, metricSpec, scoreOrder, type MetricSpec } from '../evaluate/metrics.js';
import { worstSlices } from '../evaluate/slices.js';
import type { Prediction, Task } from '../techniques/contract.js';
import type { FittedPipeline, JournalStep, PipelineSpec } from '../techniques/pipeline.js';
import { technique } from '../techniques/registry.js';
import {
  calibrationChart,
  dependenceChart,
  errorChart,
  gainsChart,
  importanceChart,
  liftChart,
  prChart,
  residualChart,
  rocChart,
  shapChart,
  type ShapPoint,
  type VegaLiteSpec,
} from './charts.js';
import { renderSvg } from './svg.js';

/** What a report is made from: a model measured on rows it never saw, and how it was built. */
export interface ReportInput {
  readonly target: string;
  readonly task: Task;
  readonly classes: readonly string[];
  readonly source?: string;
  /** Rows the final model was fitted on. */
  readonly rows: number;
  /** Held-out rows (raw input columns), their target (class indices or values) and the predictions. */
  readonly holdout: { readonly frame: Frame; readonly y: Float64Array; readonly prediction: Prediction };
  /** The pipeline that made the holdout predictions (fitted without those rows). */
  readonly measured: FittedPipeline;
  /** The pipeline in the bundle (fitted on every row): its steps and code. */
  readonly final: FittedPipeline;
  readonly steps: readonly JournalStep[];
  readonly warnings: readonly string[];
  readonly seed: number;
  /** Held-out rows the importance, dependence and slices re-predict at most (default 20,000). */
  readonly explainRows?: number;
  /**
   * Milliseconds the report may take, counted from its start: RENDER_MS is kept for the charts;
   * the rows re-predicted for importance and dependence shrink (to no fewer than 100) so that
   * their predictions fit in half of the rest, then the SHAP rows in half of what is left (fewer
   * than 20 and the section says it was left out); under 4 s the bootstrap takes 200 resamples.
   */
  readonly budgetMs?: number;
  /** What each outcome is worth (binary): the threshold section adds the most profitable threshold. */
  readonly profit?: Profit;
  /** How the model was chosen (AutoML): the summary's "what was done" sentence and a section of its own. */
  readonly process?: {
    readonly summary: string;
    readonly paragraphs: readonly string[];
    readonly table?: { readonly head: readonly string[]; readonly rows: readonly (readonly string[])[] };
  };
}

/** What acting on a row is worth when it is (or is not) positive; a cost is negative. */
export interface Profit {
  readonly truePositive: number;
  readonly falsePositive: number;
  readonly falseNegative: number;
  readonly trueNegative: number;
}

interface Section {
  readonly heading: string;
  readonly paragraphs: readonly string[];
  readonly charts?: readonly VegaLiteSpec[];
  readonly table?: { readonly head: readonly string[]; readonly rows: readonly (readonly string[])[] };
  readonly code?: string;
}

/** "Area under the ROC curve" inside a sentence. */
const lower = (s: string): string => s[0].toLowerCase() + s.slice(1);
const pct = (v: number, digits = 0): string => `${(100 * v).toFixed(digits)}%`;
const fmt = (v: number): string => (Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(4)).toString());

/**
 * The metric of a bootstrap resample. AUC sorts the scores once and counts each row as often as it
 * was drawn (the resample's own AUC, in one pass instead of a sort per resample).
 */
function resampledScore(metric: MetricSpec, y: Float64Array, pred: Prediction): (rows: Int32Array) => number {
  if (metric.name !== 'auc' || !pred.proba) return (rows) => scoreOn(metric, y, pred, rows);
  const scores = Float64Array.from({ length: y.length }, (_, i) => (pred.proba as Float64Array)[2 * i + 1]);
  if (scores.some((s) => Number.isNaN(s))) return () => NaN;
  const order = scoreOrder(scores);
  const counts = new Float64Array(y.length);
  return (rows) => {
    counts.fill(0);
    for (const r of rows) counts[r]++;
    return aucSorted(order, y, scores, 1, counts);
  };
}

/** Each held-out row's loss: log loss for classes, absolute error for numbers. */
function rowLoss(y: Float64Array, pred: Prediction): Float64Array {
  const n = y.length;
  const out = new Float64Array(n);
  if (pred.proba) {
    const k = pred.classes.length;
    for (let i = 0; i < n; i++) out[i] = -Math.log(Math.max(1e-15, pred.proba[i * k + y[i]]));
  } else for (let i = 0; i < n; i++) out[i] = Math.abs(y[i] - (pred.values as Float64Array)[i]);
  return out;
}

/**
 * The model against a baseline that gives every row the average (the held-out rows' own class
 * rates or mean, which flatters the baseline), by a paired bootstrap of the per-row loss: log loss
 * for classes, squared error for numbers. A model worse than that baseline in log loss is
 * overconfident, and the text says what to do.
 */
function baselineComparison(input: ReportInput, reps: number): string {
  const { holdout, task } = input;
  const y = holdout.y;
  const n = y.length;
  const model = new Float64Array(n);
  const base = new Float64Array(n);
  if (task === 'regression') {
    const values = holdout.prediction.values as Float64Array;
    const mean = y.reduce((a, b) => a + b, 0) / n;
    for (let i = 0; i < n; i++) {
      model[i] = (y[i] - values[i]) ** 2;
      base[i] = (y[i] - mean) ** 2;
    }
  } else {
    model.set(rowLoss(y, holdout.prediction));
    const k = input.classes.length;
    const rate = new Float64Array(k);
    for (const c of y) rate[c] += 1 / n;
    for (let i = 0; i < n; i++) base[i] = -Math.log(Math.max(1e-15, rate[y[i]]));
  }
  const meanOf = (v: Float64Array, rows: Int32Array): number => {
    let s = 0;
    for (const r of rows) s += v[r];
    return s / rows.length;
  };
  // Regression compares RMSE, the square root of the mean squared error.
  const score = (v: Float64Array, rows: Int32Array): number =>
    task === 'regression' ? Math.sqrt(meanOf(v, rows)) : meanOf(v, rows);
  const d = pairedBootstrap(n, (rows) => score(base, rows) - score(model, rows), { reps, seed: input.seed });
  const what = task === 'regression' ? 'RMSE' : 'log loss';
  const p = d.pValue < 0.001 ? 'p < 0.001' : `p = ${d.pValue.toFixed(3)}`;
  // The interval of the difference in the direction the sentence states it.
  const range =
    d.estimate > 0
      ? `95% interval ${fmt(d.low)} to ${fmt(d.high)}; paired bootstrap, ${p}`
      : `95% interval ${fmt(-d.high)} to ${fmt(-d.low)}; paired bootstrap, ${p}`;
  const lead = `Against a baseline that gives every row the average (the held-out rows' own ${task === 'regression' ? 'mean' : 'class rates'}), `;
  if (d.estimate > 0)
    return `${lead}the model's ${what} is lower by ${fmt(d.estimate)} (${range})${d.low > 0 ? '.' : ', so the data cannot rule out no gain.'}`;
  const clear = d.high < 0;
  return (
    `${lead}the model's ${what} is ${clear ? '' : 'no better: '}higher by ${fmt(-d.estimate)} (${range})` +
    (task === 'regression'
      ? ': it predicts no better than the average.'
      : `: its probabilities are ${clear ? '' : 'probably '}too confident. It can still rank rows, but trust its probabilities only after calibration (\`--model calibrated\`) or with stronger regularisation.`)
  );
}

/** The most profitable threshold on the held-out rows, against acting on every row or on none. */
function profitParagraph(
  profit: Profit,
  y: Float64Array,
  scores: Float64Array,
  positive: string,
): { text: string; confusion: ReturnType<typeof confusionAt> } {
  const best = pickThreshold(y, scores, { kind: 'profit', ...profit });
  const n = y.length;
  const positives = y.reduce((a, b) => a + b, 0);
  const all = positives * profit.truePositive + (n - positives) * profit.falsePositive;
  const none = positives * profit.falseNegative + (n - positives) * profit.trueNegative;
  const flagged = best.confusion.truePositives + best.confusion.falsePositives;
  const worth =
    `With a correctly flagged "${positive}" row worth ${fmt(profit.truePositive)}, a wrongly flagged row ${fmt(profit.falsePositive)}` +
    (profit.falseNegative || profit.trueNegative
      ? `, a missed one ${fmt(profit.falseNegative)} and a correctly passed one ${fmt(profit.trueNegative)}`
      : '');
  const text =
    Number.isFinite(best.threshold) && flagged > 0
      ? `${worth}, acting on rows whose probability is at least ${best.threshold.toFixed(3)} earns the most: ` +
        `${fmt(best.value)} on these ${n} held-out rows (${fmt(best.value / n)} a row; ${flagged} rows acted on), ` +
        `against ${fmt(all)} for acting on every row and ${fmt(none)} for acting on none.`
      : `${worth}, acting on no row earns the most (${fmt(none)} on these ${n} rows): no threshold pays for its mistakes.`;
  return { text, confusion: best.confusion };
}

/** Predictions the importance (3 shuffles per column) and dependence (3 columns x 20 values) sections make. */
function explainCalls(columns: number): number {
  return 3 * columns + 1 + 3 * 20;
}

/**
 * Milliseconds kept for drawing the charts to SVG once the sections are written: the first chart
 * loads and compiles Vega (measured at 200-400 ms), each one after it takes 20-60 ms.
 */
const RENDER_MS = 800;

/** Rows importance and dependence re-predict at least: fewer say too little to be worth a chart. */
const MIN_EXPLAIN_ROWS = 100;

/** Milliseconds left of the report's budget, counted from now; Infinity when it has none. */
function reportClock(input: ReportInput): () => number {
  if (input.budgetMs === undefined) return () => Infinity;
  const end = performance.now() + input.budgetMs;
  return () => end - performance.now();
}

/**
 * Rows to re-predict for importance and dependence: the cap, or fewer when two timed predictions
 * (20 rows, then up to 1,000) say the calls would overrun half of what is left once the charts
 * are drawn. The small one prices each call's fixed cost, which a small sample still pays 121
 * times, so the rows are not overestimated.
 */
function explainBudget(input: ReportInput, columns: number, cap: number, left: () => number): number {
  const n = input.holdout.y.length;
  if (input.budgetMs === undefined) return cap;
  const small = Math.min(n, 20);
  const probe = Math.min(n, 1000);
  const t0 = performance.now();
  input.measured.predict(input.holdout.frame.slice(0, small));
  const t1 = performance.now();
  input.measured.predict(input.holdout.frame.slice(0, probe));
  const t2 = performance.now();
  const perRow = probe > small ? Math.max(t2 - t1 - (t1 - t0), 0) / (probe - small) : (t2 - t1) / probe;
  const perCall = Math.max(0, t1 - t0 - small * perRow);
  const share = (0.5 * Math.max(0, left() - RENDER_MS)) / explainCalls(columns);
  const affordable = Math.floor((share - perCall) / Math.max(1e-6, perRow));
  return Math.max(Math.min(n, MIN_EXPLAIN_ROWS), Math.min(cap, affordable));
}

/** Lines of a step's code shown in the report; a tree ensemble's code runs to thousands. */
const CODE_LINES = 60;

function excerpt(code: string): string {
  const lines = code.split('\n');
  if (lines.length <= CODE_LINES && lines.every((l) => l.length <= 200)) return code;
  return [
    ...lines.slice(0, CODE_LINES).map((l) => (l.length > 200 ? l.slice(0, 200) + ' ...' : l)),
    `// (excerpt of ${lines.length} lines: \`glassbox export bundle.json --format ts\` writes the whole module)`,
  ].join('\n');
}

/** The report's content: business summary first, then the details and the code. */
function sections(input: ReportInput): Section[] {
  const { task, holdout, target } = input;
  const n = holdout.y.length;
  const pred = holdout.prediction;
  const metric = metricSpec(task === 'binary' ? 'auc' : task === 'multiclass' ? 'accuracy' : 'rmse', task);
  const left = reportClock(input);
  const interval: Interval = bootstrapInterval(n, resampledScore(metric, holdout.y, pred), {
    reps: bootstrapReps(input),
    seed: input.seed,
  });
  const out: Section[] = [];
  const summary: string[] = [];
  const charts: VegaLiteSpec[] = [];
  const positive = input.classes[1] ?? '';
  // Binary: the positive class's probability, which every chart and the threshold table read.
  const scores =
    task === 'binary' ? Float64Array.from({ length: n }, (_, i) => (pred.proba as Float64Array)[2 * i + 1]) : undefined;
  if (scores) {
    const gains = gainsTable(holdout.y, scores, 10);
    const rate = holdout.y.reduce((a, b) => a + b, 0) / n;
    summary.push(
      `The model estimates, for each row, the probability that **${target}** is **${positive}**. ` +
        `It was measured on ${n} rows it never saw while learning.`,
      `It ranks a random "${positive}" row above a random other row ${pct(interval.estimate, 1)} of the time ` +
        `(AUC ${interval.estimate.toFixed(3)}; 95% interval ${interval.low.toFixed(3)} to ${interval.high.toFixed(3)}). ` +
        `Guessing scores 50%, a perfect model 100%.`,
      `The 10% of rows it scores highest hold ${pct(gains[0].capture)} of all "${positive}" rows: ` +
        `${gains[0].cumulativeLift.toFixed(1)} times the average rate of ${pct(rate, 1)}.`,
    );
    charts.push(gainsChart(gains, positive), liftChart(gains), rocChart(rocCurve(holdout.y, scores)));
    charts.push(prChart(prCurve(holdout.y, scores), rate));
    charts.push(calibrationChart(calibrationCurve(holdout.y, scores, 10, 'quantile')));
  } else if (task === 'multiclass') {
    summary.push(
      `The model predicts which of ${input.classes.length} classes **${target}** takes. ` +
        `On ${n} rows it never saw, it is right ${pct(interval.estimate, 1)} of the time ` +
        `(95% interval ${pct(interval.low, 1)} to ${pct(interval.high, 1)}).`,
    );
  } else {
    const values = pred.values as Float64Array;
    const mean = holdout.y.reduce((a, b) => a + b, 0) / n;
    let sa = 0;
    for (let i = 0; i < n; i++) sa += Math.abs(holdout.y[i] - values[i]);
    summary.push(
      `The model predicts **${target}**. On ${n} rows it never saw, its typical error (RMSE) is ${fmt(interval.estimate)} ` +
        `(95% interval ${fmt(interval.low)} to ${fmt(interval.high)}); the average absolute error is ${fmt(sa / n)}, ` +
        `against an average ${target} of ${fmt(mean)}.`,
    );
    charts.push(errorChart(errorByQuantile(holdout.y, values, 10)));
    // At most 2,000 points, evenly spread: a cloud of more says nothing more.
    const step = Math.max(1, Math.ceil(n / 2000));
    const points: { predicted: number; residual: number }[] = [];
    for (let i = 0; i < n; i += step) points.push({ predicted: values[i], residual: holdout.y[i] - values[i] });
    charts.push(residualChart(points));
  }
  // What drives it: permutation importance on the held-out rows, in the user's columns.
  summary.push(baselineComparison(input, bootstrapReps(input)));
  // Importance, dependence and slices re-predict the rows many times: on large holdouts they use
  // an evenly spread sample, which the text says.
  const columns = holdout.frame.features().map((c) => c.name);
  const EXPLAIN_ROWS = explainBudget(input, columns.length, input.explainRows ?? 20000, left);
  const sampled = n > EXPLAIN_ROWS;
  const sub = sampled
    ? Int32Array.from({ length: EXPLAIN_ROWS }, (_, t) => Math.floor((t * n) / EXPLAIN_ROWS))
    : Int32Array.from({ length: n }, (_, i) => i);
  const subFrame = sampled ? holdout.frame.take(sub) : holdout.frame;
  const subY = sampled ? Float64Array.from(sub, (i) => holdout.y[i]) : holdout.y;
  const importance = permutationImportance(
    (f) => {
      const p = input.measured.predict(f);
      return { proba: p.proba, values: p.values, k: p.proba ? p.classes.length : 1 };
    },
    subFrame,
    subY,
    metric,
    columns,
    { repeats: 3, seed: input.seed },
  );
  const drivers = importance.columns.filter((c) => c.importance > 0).slice(0, 3);
  if (drivers.length)
    summary.push(
      `What drives it most: ${drivers.map((d) => `**${d.column}**`).join(', ')} ` +
        `(shuffling one of these columns costs the most ${lower(metric.title)}).`,
    );
  // Where it fails: a shallow tree on each row's loss.
  const loss = rowLoss(holdout.y, pred);
  const slices = worstSlices(subFrame, sampled ? Float64Array.from(sub, (i) => loss[i]) : loss, columns, {
    depth: 2,
    minShare: 0.05,
  });
  const bad = slices.slices.filter((s) => s.ratio > 1.2).slice(0, 3);
  if (bad.length)
    summary.push(
      `Where it is weakest: ${bad[0].text} (${bad[0].rows} rows, ${pct(bad[0].share)} of them; ` +
        `errors ${bad[0].ratio.toFixed(1)} times the average).`,
    );
  summary.push(
    input.process?.summary ??
      `What was done: ${input.steps.map((s) => s.title.toLowerCase()).join(', then ')}; ` +
        `the final model learned from ${input.rows} rows.`,
  );
  out.push({ heading: 'Summary', paragraphs: summary, charts });
  if (scores) {
    const best = pickThreshold(holdout.y, scores, { kind: 'f1' }).confusion;
    const sorted = Float64Array.from(scores).sort().reverse();
    const row = (label: string, c: ReturnType<typeof confusionAt>): string[] => [
      label,
      c.threshold.toFixed(3),
      String(c.truePositives + c.falsePositives),
      pct(c.precision, 1),
      pct(c.recall, 1),
    ];
    const money = input.profit ? profitParagraph(input.profit, holdout.y, scores, positive) : undefined;
    out.push({
      heading: 'Choosing a threshold',
      paragraphs: [
        `Acting on rows whose probability is at least ${best.threshold.toFixed(3)} balances precision and recall best (highest F1): ` +
          `of the ${best.truePositives + best.falsePositives} held-out rows flagged, ${pct(best.precision)} are "${positive}", ` +
          `and they hold ${pct(best.recall)} of all "${positive}" rows. Contacting only the top rows instead:`,
        ...(money ? [money.text] : []),
      ],
      table: {
        head: ['rule', 'threshold', 'rows flagged', 'precision', 'recall'],
        rows: [
          ...(money ? [row('most profit', money.confusion)] : []),
          row('highest F1', best),
          ...[0.05, 0.1, 0.2, 0.3].map((share) =>
            row(`top ${pct(share)}`, confusionAt(holdout.y, scores, sorted[Math.max(0, Math.ceil(share * n) - 1)])),
          ),
        ],
      },
    });
    const chosen = money?.confusion ?? best;
    const other = input.classes[0] ?? '';
    out.push({
      heading: 'Confusion matrix',
      paragraphs: [
        `At the ${money ? 'most profitable' : 'highest-F1'} threshold, ${chosen.threshold.toFixed(3)}, the held-out rows fall as below: ` +
          `${pct(chosen.accuracy, 1)} are classed right.`,
      ],
      table: {
        head: ['', `predicted "${positive}"`, `predicted "${other}"`],
        rows: [
          [`actual "${positive}"`, String(chosen.truePositives), String(chosen.falseNegatives)],
          [`actual "${other}"`, String(chosen.falsePositives), String(chosen.trueNegatives)],
        ],
      },
    });
  } else if (task === 'multiclass' && input.classes.length <= 15) {
    const K = input.classes.length;
    const counts = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    const proba = pred.proba as Float64Array;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < K; c++) if (proba[i * K + c] > proba[i * K + best]) best = c;
      counts[holdout.y[i]][best]++;
    }
    out.push({
      heading: 'Confusion matrix',
      paragraphs: ['Held-out rows by their actual class (rows) and the most likely class the model gives (columns).'],
      table: {
        head: ['actual \\ predicted', ...input.classes],
        rows: counts.map((r, c) => [input.classes[c], ...r.map(String)]),
      },
    });
  }
  // How the prediction moves with each of the top drivers, everything else as in the data.
  const outputName = task === 'binary' ? `P(${positive})` : task === 'multiclass' ? `P(${input.classes[0]})` : target;
  const outputOf = (f: Frame): Float64Array => {
    const p = input.measured.predict(f);
    if (p.values) return p.values;
    const k = p.classes.length;
    const j = task === 'binary' ? 1 : 0;
    return Float64Array.from({ length: f.nRows }, (_, i) => (p.proba as Float64Array)[i * k + j]);
  };
  const dependence = importance.columns
    .filter((c) => c.importance > 0)
    .slice(0, 3)
    .map((c) => dependenceChart(partialDependence(outputOf, subFrame, c.column, 20), outputName));
  out.push({
    heading: 'What drives the predictions',
    paragraphs: [
      `Each column in turn is shuffled among the ${sampled ? `${EXPLAIN_ROWS} (an evenly spread sample of the ${n})` : n} held-out rows, breaking its link with ${target}; ` +
        `the fall of the ${lower(metric.title)} (mean of 3 shuffles, ± one standard deviation) is its importance. ` +
        `Baseline: ${fmt(importance.baseline)}.`,
    ],
    charts: [importanceChart(importance.columns, metric.name), ...dependence],
    table: {
      head: ['column', 'importance', '± sd'],
      rows: importance.columns.map((c) => [c.column, fmt(c.importance), fmt(c.std)]),
    },
  });
  const shap = treeShapSection(input, left);
  if (shap) out.push(shap);
  const members = ensembleSection(input, metric, interval.estimate);
  if (members) out.push(members);
  out.push({
    heading: 'Where the model is weakest',
    paragraphs: [
      `A shallow tree fitted on each held-out row's ${pred.proba ? 'log loss' : 'absolute error'} splits the rows ` +
        `into segments; the average over ${sampled ? `the ${EXPLAIN_ROWS} sampled` : 'all'} rows is ${fmt(slices.overall)}.`,
    ],
    table: {
      head: ['segment', 'rows', 'share', 'mean error', '× average'],
      rows: slices.slices.map((s) => [s.text, String(s.rows), pct(s.share), fmt(s.meanLoss), s.ratio.toFixed(2)]),
    },
  });
  const checks = dataChecks(input, importance, metric);
  if (checks) out.push(checks);
  if (input.process)
    out.push({
      heading: 'How the model was chosen',
      paragraphs: input.process.paragraphs,
      ...(input.process.table ? { table: input.process.table } : {}),
    });
  out.push({
    heading: 'What was done, step by step',
    paragraphs: [
      `Validation: the model was measured on ${n} held-out rows; the bundle's model was then refitted on all ${input.rows} rows.`,
      ...input.warnings.map((w) => `Warning: ${w}`),
    ],
    table: {
      head: ['#', 'step', 'why', 'columns in → out', 'ms'],
      rows: input.steps.map((s) => [
        String(s.index),
        s.technique,
        s.why,
        `${s.columnsIn} → ${s.columnsOut}`,
        Number.isFinite(s.ms) ? String(s.ms) : '',
      ]),
    },
  });
  input.final.steps.forEach((step, i) => {
    const j = input.steps[i];
    out.push({
      heading: `Step ${i + 1}: ${step.technique}`,
      paragraphs: [
        `${j?.why ?? ''} Parameters: ${JSON.stringify(step.params)}.`,
        ...(j?.notes ?? []).map((note) => `Note: ${note}`),
      ],
      code: excerpt(step.emit(`step${i + 1}`).code),
    });
  });
  return out;
}

/** A member pipeline in a few words: its model and the parameters set away from their defaults, e.g. "gbdt (numRounds 800, learningRate 0.03)". */
function memberName(p: FittedPipeline): string {
  const m = p.model;
  const schema = technique(m.technique).params;
  // Only what differs from the technique's defaults says anything.
  const shown = Object.entries(m.params)
    .filter(([k, v]) => (typeof v === 'number' || typeof v === 'boolean') && schema[k]?.default !== v)
    .slice(0, 3)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(3)) : v}`);
  const encoders = p.transformers
    .map((t) => t.technique)
    .filter((t) => ['one-hot', 'target-encode', 'ordinal'].includes(t));
  return `${m.technique}${encoders.length ? ` on ${encoders.join(' + ')}` : ''}${shown.length ? ` (${shown.join(', ')})` : ''}`;
}

/**
 * An ensemble as the weighted sum it is: each member's weight and its own score on the held-out
 * rows, beside the ensemble's, so a reader sees what averaging bought.
 */
function ensembleSection(input: ReportInput, metric: MetricSpec, ensembleScore: number): Section | undefined {
  const model = input.measured.model as unknown as {
    technique: string;
    members?: readonly { weight: number; pipeline: FittedPipeline }[];
  };
  if (model.technique !== 'ensemble' || !model.members?.length) return undefined;
  const { holdout } = input;
  const all = Int32Array.from({ length: holdout.y.length }, (_, i) => i);
  const rows = model.members.map((m, j) => {
    const score = scoreOn(metric, holdout.y, m.pipeline.predict(holdout.frame), all);
    return { j: j + 1, weight: m.weight, name: memberName(m.pipeline), score };
  });
  const what = input.task === 'regression' ? 'prediction' : 'probabilities';
  const sum = rows.map((r) => `${r.weight.toFixed(2)} × member ${r.j}`).join(' + ');
  const best = [...rows].sort((a, b) => (metric.higherIsBetter ? b.score - a.score : a.score - b.score))[0];
  return {
    heading: 'The ensemble, member by member',
    paragraphs: [
      `The model is a weighted average of ${rows.length} pipelines, each with its own preparation of the data: its ${what} = ${sum}. ` +
        `Every explanation above is of that sum; by the same token each member\'s effect is its weight times its own.`,
      `On the held-out rows the ensemble scores ${metric.title.toLowerCase()} ${fmt(ensembleScore)}; its best member alone, member ${best.j}, ${fmt(best.score)}.`,
    ],
    table: {
      head: ['member', 'weight', 'pipeline', `${metric.name} alone (held out)`],
      rows: rows.map((r) => [String(r.j), r.weight.toFixed(3), r.name, fmt(r.score)]),
    },
  };
}

/** A held-out row is "confidently wrong" when the model gave its observed class less than this. */
const NOISE_P = 0.05;

/**
 * Two checks on the data behind the model, each with what to do: suspected leakage (a column that
 * alone predicts the target as the profile measures it, or that carries most of the model's skill)
 * and suspected label noise (more confidently wrong held-out rows than the model's own
 * probabilities expect; for numbers, errors beyond five robust standard deviations).
 */
function dataChecks(
  input: ReportInput,
  importance: { baseline: number; columns: readonly { column: string; importance: number }[] },
  metric: MetricSpec,
): Section | undefined {
  const { holdout, task, target } = input;
  const n = holdout.y.length;
  const paragraphs: string[] = [];
  let table: Section['table'];
  // Leakage, as the profile measures it: one column alone against the target.
  const t =
    task === 'regression'
      ? numericColumn(target, holdout.y)
      : categoricalColumn(target, Int32Array.from(holdout.y), input.classes);
  const frame = holdout.frame.drop(holdout.frame.has(target) ? [target] : []).with(t);
  // Only the profile's target checks are read; the format is not.
  const p = profile({ frame, columns: [], format: { kind: 'csv' }, warnings: [] }, { target });
  for (const w of p.warnings) if (w.kind === 'leakage') paragraphs.push(`${w.message} (measured on the held-out rows)`);
  // Leakage, as the model uses it: one column carrying most of its skill above chance.
  const chance = metric.name === 'auc' ? 0.5 : undefined;
  const top = importance.columns[0];
  if (chance !== undefined && top && importance.baseline > chance) {
    const share = top.importance / (importance.baseline - chance);
    if (share >= 0.5 && !p.warnings.some((w) => w.kind === 'leakage' && w.columns.includes(top.column)))
      paragraphs.push(
        `"${top.column}" carries ${pct(share)} of the model's skill above chance (shuffling it costs ${fmt(top.importance)} of the ${fmt(importance.baseline - chance)} AUC above 0.5). ` +
          `That is fine if it is known when predictions are made; if it is only known after the outcome, it leaks the answer: leave it out with --drop ${top.column} and compare.`,
      );
  }
  const pred = holdout.prediction;
  const drivers = importance.columns.slice(0, 4).map((c) => c.column);
  const cell = (row: number, name: string): string => {
    const c = holdout.frame.get(name);
    if (c.kind === 'categorical') return c.codes[row] < 0 ? '' : c.categories[c.codes[row]];
    if (c.kind === 'text') return c.values[row] ?? '';
    return Number.isNaN(c.values[row]) ? '' : fmt(c.values[row]);
  };
  if (pred.proba) {
    const k = pred.classes.length;
    let expected = 0;
    const wrong: { row: number; p: number }[] = [];
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) if (pred.proba[i * k + c] < NOISE_P) expected += pred.proba[i * k + c];
      const own = pred.proba[i * k + holdout.y[i]];
      if (own < NOISE_P) wrong.push({ row: i, p: own });
    }
    if (wrong.length >= 5 && wrong.length > 2 * expected + 3) {
      wrong.sort((a, b) => a.p - b.p || a.row - b.row);
      paragraphs.push(
        `Suspected label noise: ${wrong.length} held-out rows (${pct(wrong.length / n, 1)}) carry a label the model gave less than ${pct(NOISE_P)}, ` +
          `where its own probabilities expect about ${fmt(expected)}. Check the labels of rows like these below: fix or drop the wrong ones; ` +
          `if they are right, the data lacks a column that explains them.`,
      );
      table = {
        head: [target, `P(${target})`, ...drivers],
        rows: wrong
          .slice(0, 8)
          .map((w) => [
            input.classes[holdout.y[w.row]],
            w.p < 0.001 ? w.p.toExponential(1) : w.p.toFixed(3),
            ...drivers.map((d) => cell(w.row, d)),
          ]),
      };
    }
  } else {
    const values = pred.values as Float64Array;
    const r = Float64Array.from(holdout.y, (v, i) => v - values[i]);
    const med = medianPresent(r);
    const sd = 1.4826 * medianPresent(r.map((v) => Math.abs(v - med)));
    const far = sd > 0 ? [...r.keys()].filter((i) => Math.abs(r[i] - med) > 5 * sd) : [];
    // A normal error passes five robust sds once in 1.7 million rows.
    if (far.length >= 3 && far.length / n > 0.002) {
      far.sort((a, b) => Math.abs(r[b]) - Math.abs(r[a]) || a - b);
      paragraphs.push(
        `Suspected outliers or label noise: ${far.length} held-out rows (${pct(far.length / n, 1)}) miss by more than five robust standard deviations (${fmt(5 * sd)}). ` +
          `Check rows like these below: a wrong value of ${target} teaches the model the wrong thing; a right one may need a column the data lacks.`,
      );
      table = {
        head: [target, 'predicted', ...drivers],
        rows: far.slice(0, 8).map((i) => [fmt(holdout.y[i]), fmt(values[i]), ...drivers.map((d) => cell(i, d))]),
      };
    }
  }
  if (!paragraphs.length) return undefined;
  return { heading: 'Checks on the data', paragraphs, ...(table ? { table } : {}) };
}

/** Rows of the SHAP summary at most: a beeswarm of more points says nothing more and weighs the page down. */
const SHAP_ROWS = 800;
/** Rows of the SHAP summary at least: fewer make no picture of the spread. */
const MIN_SHAP_ROWS = 20;
/** The SHAP section's heading, whether it holds the summary or says why it does not. */
const SHAP_HEADING = 'How each feature pushes individual predictions';

/** A budget under which the report keeps every fixed cost small: fewer resamples and SHAP rows. */
const TIGHT_MS = 4000;
const tight = (input: ReportInput): boolean => input.budgetMs !== undefined && input.budgetMs < TIGHT_MS;

function bootstrapReps(input: ReportInput): number {
  return input.holdout.y.length > 50000 || tight(input) ? 200 : 500;
}

/**
 * Gradient boosting's exact TreeSHAP contributions on the held-out rows (their model input): the
 * mean |SHAP| per feature and the beeswarm of the top ten, in the model's raw units (log-odds for
 * classes). Other models have no exact per-tree attribution and get none.
 */
function treeShapSection(input: ReportInput, left: () => number): Section | undefined {
  const model = input.measured.model as {
    technique: string;
    contributions?: (f: Frame) => { values: Float64Array; features: string[]; outputs: number };
  };
  if (model.technique !== 'gbdt' || !model.contributions || input.task === 'multiclass') return undefined;
  // Only the rows explained go through the pipeline's steps: their outputs are row by row.
  const frame = input.holdout.frame;
  const n = frame.nRows;
  let cap = tight(input) ? SHAP_ROWS / 4 : SHAP_ROWS;
  if (input.budgetMs !== undefined) {
    // TreeSHAP costs leaves x depth² per tree and row: a deep, long model takes milliseconds a row.
    // Two rows timed say how many fit in half of what is left once the charts are drawn.
    const probe = input.measured.transform(frame.slice(0, Math.min(2, n)));
    const t0 = performance.now();
    model.contributions(probe);
    const perRow = (performance.now() - t0) / Math.max(1, probe.nRows);
    const affordable = Math.floor((0.5 * Math.max(0, left() - RENDER_MS)) / Math.max(1e-6, perRow));
    if (affordable < MIN_SHAP_ROWS)
      return {
        heading: SHAP_HEADING,
        paragraphs: [
          `Exact TreeSHAP contributions are left out of this report: at ${fmt(perRow)} ms a row, even ${MIN_SHAP_ROWS} rows ` +
            `would overrun its time budget. \`glassbox predict bundle.json rows.csv --explain\` gives each row's main reasons.`,
        ],
      };
    cap = Math.min(cap, affordable);
  }
  const step = Math.max(1, Math.ceil(n / cap));
  const rows = Array.from({ length: Math.ceil(n / step) }, (_, t) => t * step);
  const sample = input.measured.transform(frame.take(rows));
  const c = model.contributions(sample);
  const p = c.features.length;
  const stride = p + 1;
  const meanAbs = c.features.map((_, j) => {
    let s = 0;
    for (let i = 0; i < rows.length; i++) s += Math.abs(c.values[i * stride + j]);
    return s / rows.length;
  });
  const order = c.features
    .map((f, j) => ({ f, j, m: meanAbs[j] }))
    .sort((a, b) => b.m - a.m)
    .slice(0, 10);
  const rng = new Rng(input.seed);
  const points: ShapPoint[] = [];
  for (const { f, j } of order) {
    const col = sample.get(f);
    const ranks = new Float64Array(rows.length).fill(NaN);
    if (col.kind === 'numeric') {
      const idx = Array.from(rows.keys()).filter((i) => col.values[i] === col.values[i]);
      idx.sort((a, b) => col.values[a] - col.values[b]);
      idx.forEach((i, r) => (ranks[i] = idx.length > 1 ? r / (idx.length - 1) : 0.5));
    }
    for (let i = 0; i < rows.length; i++)
      points.push({ feature: f, shap: c.values[i * stride + j], rank: ranks[i], jitter: 2 * rng.next() - 1 });
  }
  const units = input.task === 'regression' ? input.target : 'log-odds';
  return {
    heading: SHAP_HEADING,
    paragraphs: [
      `Exact TreeSHAP contributions for ${rows.length} held-out rows: each point is one row, placed by how much ` +
        `that feature moved its prediction (${units}); orange points have high values of the feature, blue low ` +
        `(grey: a category or missing). With the model's expected output, a row's contributions add up to its prediction.`,
    ],
    charts: [
      shapChart(
        points,
        order.map((o) => o.f),
        units,
      ),
    ],
    table: {
      head: ['feature', `mean |SHAP| (${units})`],
      rows: order.map((o) => [o.f, fmt(o.m)]),
    },
  };
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** **bold** in the plain-language text, after escaping. */
const inline = (s: string): string => escapeHtml(s).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}figure{display:inline-block;margin:.5em}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}
pre{background:#f6f8fa;padding:.8em;overflow:auto;font-size:.8em}`;

/**
 * report.md and a self-contained report.html (inline SVG charts rendered from Vega-Lite specs,
 * inline CSS, a CSP that forbids every request): the plain-language summary first, then every
 * step in detail with its code.
 */
export async function buildReport(input: ReportInput): Promise<{ markdown: string; html: string; charts: number }> {
  const secs = sections(input);
  const title = `${input.target}: ${input.task} model report`;
  const md: string[] = [`# ${title}`, ''];
  if (input.source) md.push(`Data: ${input.source}`, '');
  const html: string[] = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style></head><body><h1>${escapeHtml(title)}</h1>`,
  ];
  if (input.source) html.push(`<p>Data: ${escapeHtml(input.source)}</p>`);
  let charts = 0;
  for (const s of secs) {
    md.push(`## ${s.heading}`, '');
    html.push(`<section><h2>${escapeHtml(s.heading)}</h2>`);
    for (const p of s.paragraphs) {
      md.push(p, '');
      html.push(`<p>${inline(p)}</p>`);
    }
    for (const spec of s.charts ?? []) {
      const svg = await renderSvg(spec);
      charts++;
      html.push(`<figure role="img" aria-label="${escapeHtml(String(spec.title ?? 'chart'))}">${svg}</figure>`);
      md.push(`*Chart: ${String(spec.title ?? '')} (in report.html)*`, '');
    }
    if (s.table) {
      const cell = (v: string): string => v.replace(/\|/g, '\\|');
      md.push(`| ${s.table.head.map(cell).join(' | ')} |`, `|${s.table.head.map(() => '---').join('|')}|`);
      for (const r of s.table.rows) md.push(`| ${r.map(cell).join(' | ')} |`);
      md.push('');
      html.push(
        `<table><thead><tr>${s.table.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
          s.table.rows.map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`).join('') +
          '</tbody></table>',
      );
    }
    if (s.code) {
      md.push('```ts', s.code, '```', '');
      html.push(`<pre><code>${escapeHtml(s.code)}</code></pre>`);
    }
    html.push('</section>');
  }
  html.push('</body></html>');
  return { markdown: md.join('\n'), html: html.join('\n') + '\n', charts };
}

/** The report of a `train` run (undefined when it had too few rows for a holdout). */
export async function reportForTrain(
  result: TrainResult,
  source?: string,
  options: { profit?: Profit } = {},
): Promise<{ markdown: string; html: string; charts: number } | undefined> {
  const h = result.holdout;
  if (!h) return undefined;
  return buildReport({
    target: result.journal.target,
    task: result.journal.task,
    classes: result.journal.classes,
    source,
    rows: result.bundle.training.rows,
    holdout: h,
    measured: h.pipeline,
    final: result.pipeline,
    steps: result.journal.steps,
    warnings: result.journal.warnings,
    seed: result.bundle.training.seed,
    ...(options.profit ? { profit: options.profit } : {}),
  });
}

/**
 * The report of an AutoML run: measured on the holdout the search never saw, explained through
 * the chosen models refitted on the search rows (`measure`), and how the search chose them.
 */
export async function reportForAutoml(
  result: AutomlResult,
  options: { source?: string; budgetMs?: number; profit?: Profit } = {},
): Promise<{ markdown: string; html: string; charts: number } | undefined> {
  const h = result.holdout;
  if (!h) return undefined;
  const j = result.journal;
  const members = j.ensemble.members;
  const metric = j.metric.name;
  const made =
    members.length > 1
      ? `an average of ${members.length} of them (${members.map((m) => `${m.name.split('(')[0]} ${pct(m.weight)}`).join(', ')})`
      : `the best of them, ${members[0]?.name.split('(')[0] ?? 'one model'}`;
  const top = result.leaderboard.trials.slice(0, 10);
  return buildReport({
    target: j.target,
    task: j.task,
    classes: j.classes,
    source: options.source,
    rows: result.bundle.training.rows,
    holdout: h,
    measured: h.pipeline,
    final: result.pipeline,
    steps: stepRecords(result.pipeline, result.bundle.pipeline, h.frame),
    warnings: j.warnings,
    seed: result.bundle.training.seed,
    ...(options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {}),
    ...(options.profit ? { profit: options.profit } : {}),
    process: {
      summary:
        `What was done: ${j.search.trials} pipelines over ${j.search.models.join(', ')} were tried and compared by cross-validation; ` +
        `the model is ${made}, refitted on all ${result.bundle.training.rows} rows.`,
      paragraphs: [
        `Validation: ${j.validation.plan.why} ${j.validation.holdoutRows} rows (${j.validation.why}) were set aside first; the search never saw them, and every figure above comes from them.`,
        `Search: ${j.search.sampler}. ${j.search.complete} trials completed, ${j.search.pruned} were pruned, ${j.search.failed} failed and ${j.search.cut} were cut at the end of the budget.`,
        `Chosen: ${j.ensemble.why}.`,
        h.explainedByFinal
          ? 'The charts and importances explain the final models: no time was left to fit them without the held-out rows, which they saw, so importances may flatter columns the models memorised.'
          : `The charts and importances explain the chosen models fitted on the ${j.validation.searchRows} search rows, the very models the held-out rows measure; the bundle holds the same models refitted on every row.`,
      ],
      table: {
        head: ['trial', 'pipeline', `${metric} (cross-validated)`, '± sd', 'fit s', 'state'],
        rows: top.map((t) => [
          String(t.id),
          t.name,
          Number.isFinite(t.score) ? fmt(t.score) : '',
          Number.isFinite(t.std) ? fmt(t.std) : '',
          t.fitSeconds.toFixed(2),
          t.state,
        ]),
      },
    },
  });
}

/**
 * Journal-like records of a fitted pipeline's steps (AutoML fits them in workers): title, why,
 * and the columns in and out on a few held-out rows; no fit time.
 */
function stepRecords(pipeline: FittedPipeline, spec: PipelineSpec, rows: Frame): JournalStep[] {
  let f = rows.slice(0, Math.min(rows.nRows, 50));
  return pipeline.steps.map((step, i) => {
    const before = f.features().length;
    const names = new Set(f.names);
    if (step.kind === 'transformer') f = step.transform(f, { training: false });
    const after = step.kind === 'transformer' ? f.features().length : before;
    return {
      index: i + 1,
      technique: step.technique,
      title: technique(step.technique).title,
      stage: technique(step.technique).stage,
      params: step.params,
      why: spec.steps[i]?.why ?? '',
      rowsIn: rows.nRows,
      rowsOut: rows.nRows,
      columnsIn: before,
      columnsOut: after,
      added: f.names.filter((n) => !names.has(n)),
      removed: [...names].filter((n) => !f.has(n)),
      ms: NaN,
      notes: [],
    };
  });
}
