import { categoricalColumn, cellString, Frame, numericColumn, textColumn, type Column } from '../data/frame.js';
import { GlassboxError } from '../data/errors.js';
import { sampledShapley, topReasons } from '../evaluate/shapley.js';
import { conformInput, type Bundle } from '../export/bundle.js';
import type { Prediction } from '../techniques/contract.js';
import type { FittedPipeline } from '../techniques/pipeline.js';

export interface Scored {
  readonly prediction: Prediction;
  /** `prediction` plus, for classification, one `proba_<class>` column per class, rows in input order. */
  readonly frame: Frame;
  readonly warnings: readonly string[];
  /** The input as the pipeline saw it (schema columns, conformed). */
  readonly input: Frame;
}

/** Scores new rows: checks them against the bundle's schema, then predicts. */
export function score(
  bundle: Bundle,
  pipeline: FittedPipeline,
  input: Frame,
  options: { strict?: boolean; file?: string } = {},
): Scored {
  const { frame, warnings, rowWarnings } = conformInput(input, bundle, options);
  const prediction = pipeline.predict(frame);
  // Rows scored with a caveat say so in a column of their own (a missing column concerns every row and is only in the summary).
  const out = predictionFrame(prediction);
  return {
    prediction,
    frame: rowWarnings.some((w) => w !== null) ? out.with(textColumn('warnings', rowWarnings)) : out,
    warnings,
    input: frame,
  };
}

/**
 * Input columns carried into the output as read (an id to join the predictions back on), before
 * the prediction columns; names of output columns are refused.
 */
export function keptColumns(frame: Frame, names: readonly string[], file: string): Column[] {
  return names.map((n) => {
    if (!frame.has(n)) throw new GlassboxError(`${file}: no column "${n}" to keep`, { file, column: n });
    if (n === 'prediction' || n === 'warnings' || n.startsWith('proba_') || n.startsWith('reason_'))
      throw new GlassboxError(`"${n}" cannot be kept: it is the name of an output column`, { code: 'bad-option' });
    return frame.get(n);
  });
}

export interface ExplainOptions {
  /** Reasons per row (default 3). */
  readonly top?: number;
  /** Orderings sampled per row (default 16): more is steadier and slower. */
  readonly permutations?: number;
  readonly seed?: number;
}

/** Rows explained per batch: bounds the synthetic rows held at once (rows x orderings x columns). */
const EXPLAIN_BATCH = 256;

/**
 * Per-row reasons for scored rows: `reason_1`..`reason_<top>` columns reading "column = value
 * (+0.123)", the columns that moved the row's prediction most from the typical row of the same
 * file (sampled Shapley values through the whole pipeline; up to 100 rows of the file, evenly
 * spread, are the background). What is explained is the probability of the positive class
 * (binary), of the predicted class (multiclass) or the predicted value.
 */
export function explainRows(
  bundle: Bundle,
  pipeline: FittedPipeline,
  scored: Scored,
  options: ExplainOptions = {},
): Column[] {
  const data = scored.input;
  const n = data.nRows;
  const columns = bundle.schema.columns.map((c) => c.name).filter((name) => data.has(name));
  const top = Math.min(options.top ?? 3, columns.length);
  const reasons = Array.from({ length: top }, () => new Array<string | null>(n).fill(null));
  if (n === 0 || columns.length === 0) return reasons.map((r, j) => textColumn(`reason_${j + 1}`, r));
  const step = Math.max(1, Math.floor(n / 100));
  const background = Array.from({ length: Math.min(100, n) }, (_, t) => t * step);
  const p = scored.prediction;
  const k = p.task === 'regression' ? 1 : p.classes.length;
  // Multiclass: the predicted class, as the prediction column already holds it.
  const label = scored.frame.get('prediction');
  const pick =
    p.task === 'multiclass' && label.kind === 'categorical'
      ? label.codes
      : new Int32Array(n).fill(p.task === 'binary' ? 1 : 0);
  const inputs = columns.map((name) => data.get(name));
  const predict = (f: Frame): Float64Array => {
    const out = pipeline.predict(f);
    return (out.proba ?? out.values) as Float64Array;
  };
  for (let start = 0; start < n; start += EXPLAIN_BATCH) {
    const rows = Array.from({ length: Math.min(EXPLAIN_BATCH, n - start) }, (_, t) => start + t);
    const c = sampledShapley(predict, data, rows, background, columns, {
      permutations: options.permutations,
      seed: (options.seed ?? 1) + start,
      outputs: { k, pick: rows.map((r) => pick[r]) },
    });
    rows.forEach((r, t) => {
      const cells = inputs.map((c) => cellString(c, r) || 'missing');
      topReasons(c, t, cells, top).forEach((text, j) => (reasons[j][r] = text));
    });
  }
  return reasons.map((r, j) => textColumn(`reason_${j + 1}`, r));
}

export function predictionFrame(p: Prediction): Frame {
  if (p.task === 'regression') return new Frame([numericColumn('prediction', p.values ?? new Float64Array(p.n))]);
  const k = p.classes.length;
  const proba = p.proba ?? new Float64Array(p.n * k);
  const codes = new Int32Array(p.n);
  const cols: Column[] = [];
  for (let i = 0; i < p.n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (proba[i * k + j] > proba[i * k + best]) best = j;
    codes[i] = best;
  }
  cols.push(categoricalColumn('prediction', codes, p.classes));
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(p.n);
    for (let i = 0; i < p.n; i++) v[i] = proba[i * k + j];
    cols.push(numericColumn(`proba_${p.classes[j]}`, v));
  }
  return new Frame(cols);
}
