import type { CalibrationBin, ErrorBin, GainsRow } from '../evaluate/curves.js';
import type { ColumnImportance } from '../evaluate/importance.js';
import type { PartialDependence } from '../evaluate/partial-dependence.js';

/**
 * The report's charts as Vega-Lite specifications: plain data, rendered to inline SVG for the
 * report (svg.ts) and usable as they are by the web app. Data are inlined, so a chart needs
 * nothing beyond its spec.
 */
export type VegaLiteSpec = Record<string, unknown>;

const BASE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 320,
  height: 240,
  config: { font: 'sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, view: { stroke: null } },
};

const round = (v: number): number => Math.round(v * 1e6) / 1e6;

/** The dashed line from (0, 0) to (1, 1): a model that knows nothing, or perfect calibration. */
function diagonal(x: string, y: string): VegaLiteSpec {
  return {
    data: {
      values: [
        { [x]: 0, [y]: 0 },
        { [x]: 1, [y]: 1 },
      ],
    },
    mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
    encoding: { x: { field: x, type: 'quantitative' }, y: { field: y, type: 'quantitative' } },
  };
}

/** ROC curve with the diagonal of a model that knows nothing. */
export function rocChart(roc: { fpr: readonly number[]; tpr: readonly number[]; area: number }): VegaLiteSpec {
  const values = roc.fpr.map((x, i) => ({ fpr: round(x), tpr: round(roc.tpr[i]) }));
  return {
    ...BASE,
    title: `ROC curve (area ${roc.area.toFixed(3)})`,
    layer: [
      diagonal('fpr', 'tpr'),
      {
        data: { values },
        mark: { type: 'line', color: '#1f6feb' },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'False positive rate' },
          y: { field: 'tpr', type: 'quantitative', title: 'True positive rate' },
        },
      },
    ],
  };
}

/** Precision against recall, with the rule of the base rate (what flagging rows at random gives). */
export function prChart(
  pr: { precision: readonly number[]; recall: readonly number[]; averagePrecision: number },
  baseRate: number,
): VegaLiteSpec {
  const values = pr.recall.map((r, i) => ({ recall: round(r), precision: round(pr.precision[i]) }));
  return {
    ...BASE,
    title: `Precision and recall (average precision ${pr.averagePrecision.toFixed(3)})`,
    layer: [
      {
        data: { values: [{ rate: round(baseRate) }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#999' },
        encoding: { y: { field: 'rate', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'line', color: '#1f6feb' },
        encoding: {
          x: {
            field: 'recall',
            type: 'quantitative',
            title: 'Recall (share of positives found)',
            scale: { domain: [0, 1] },
          },
          y: {
            field: 'precision',
            type: 'quantitative',
            title: 'Precision (share of flagged that are positive)',
            scale: { domain: [0, 1] },
          },
        },
      },
    ],
  };
}

/** Cumulative gains: share of positives captured against share of rows contacted, best scores first. */
export function gainsChart(rows: readonly GainsRow[], positive: string): VegaLiteSpec {
  const values = [{ to: 0, capture: 0 }, ...rows.map((r) => ({ to: round(r.to), capture: round(r.capture) }))];
  return {
    ...BASE,
    title: `Cumulative gains: share of "${positive}" found`,
    layer: [
      diagonal('to', 'capture'),
      {
        data: { values },
        mark: { type: 'line', point: true, color: '#1f6feb' },
        encoding: {
          x: { field: 'to', type: 'quantitative', title: 'Share of rows, highest scores first', axis: { format: '%' } },
          y: { field: 'capture', type: 'quantitative', title: `Share of all "${positive}"`, axis: { format: '%' } },
        },
      },
    ],
  };
}

/** Lift by decile as bars. */
export function liftChart(rows: readonly GainsRow[]): VegaLiteSpec {
  return {
    ...BASE,
    title: 'Lift by decile',
    data: { values: rows.map((r, i) => ({ decile: i + 1, lift: round(r.lift) })) },
    mark: { type: 'bar', color: '#1f6feb' },
    encoding: {
      x: { field: 'decile', type: 'ordinal', title: 'Decile (1 = highest scores)' },
      y: { field: 'lift', type: 'quantitative', title: 'Lift (× the average rate)' },
    },
  };
}

/** Reliability diagram: observed rate against mean predicted probability per bin. */
export function calibrationChart(bins: readonly CalibrationBin[]): VegaLiteSpec {
  return {
    ...BASE,
    title: 'Calibration: predicted against observed',
    layer: [
      diagonal('p', 'o'),
      {
        data: { values: bins.map((b) => ({ p: round(b.meanPredicted), o: round(b.observedRate), rows: b.rows })) },
        mark: { type: 'line', point: true, color: '#1f6feb' },
        encoding: {
          x: { field: 'p', type: 'quantitative', title: 'Mean predicted probability' },
          y: { field: 'o', type: 'quantitative', title: 'Observed rate' },
        },
      },
    ],
  };
}

/** Permutation importance as horizontal bars with one standard deviation. */
export function importanceChart(columns: readonly ColumnImportance[], metric: string, top = 12): VegaLiteSpec {
  const values = columns.slice(0, top).map((c) => ({
    column: c.column,
    importance: round(c.importance),
    low: round(c.importance - c.std),
    high: round(c.importance + c.std),
  }));
  const y = { field: 'column', type: 'nominal', sort: values.map((v) => v.column), title: null };
  return {
    ...BASE,
    height: Math.max(120, 22 * values.length),
    title: `What drives the model: ${metric} lost when a column is shuffled`,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: '#1f6feb' },
        encoding: { y, x: { field: 'importance', type: 'quantitative', title: `Fall of ${metric}` } },
      },
      {
        mark: { type: 'rule', color: '#333' },
        encoding: { y, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
      },
    ],
  };
}

/** Regression: mean predicted and mean actual per prediction decile. */
export function errorChart(bins: readonly ErrorBin[]): VegaLiteSpec {
  const values = bins.flatMap((b, i) => [
    { decile: i + 1, kind: 'predicted', value: round(b.meanPredicted) },
    { decile: i + 1, kind: 'actual', value: round(b.meanActual) },
  ]);
  return {
    ...BASE,
    title: 'Predicted against actual, by prediction decile',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'decile', type: 'ordinal', title: 'Decile of the prediction' },
      y: { field: 'value', type: 'quantitative', title: 'Mean' },
      color: { field: 'kind', type: 'nominal', title: null },
    },
  };
}

/** Residuals (actual - predicted) against the prediction, one point per held-out row (a sample of them). */
export function residualChart(points: readonly { predicted: number; residual: number }[]): VegaLiteSpec {
  return {
    ...BASE,
    title: 'Residuals against the prediction',
    layer: [
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', color: '#999' },
        encoding: { y: { field: 'zero', type: 'quantitative' } },
      },
      {
        data: { values: points.map((p) => ({ predicted: round(p.predicted), residual: round(p.residual) })) },
        mark: { type: 'circle', size: 10, opacity: 0.35, color: '#1f6feb' },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', title: 'Predicted', scale: { zero: false } },
          y: { field: 'residual', type: 'quantitative', title: 'Actual - predicted' },
        },
      },
    ],
  };
}

/** Partial dependence: the average prediction as one column takes each value. */
export function dependenceChart(pd: PartialDependence, output: string): VegaLiteSpec {
  const values = pd.grid.map((v, i) => ({
    value: typeof v === 'number' ? round(v) : v,
    average: round(pd.average[i]),
  }));
  const numeric = pd.kind === 'numeric';
  return {
    ...BASE,
    width: 240,
    height: 180,
    title: `${output} as ${pd.column} varies`,
    data: { values },
    mark: numeric ? { type: 'line', point: true, color: '#1f6feb' } : { type: 'bar', color: '#1f6feb' },
    encoding: {
      x: {
        field: 'value',
        type: numeric ? 'quantitative' : 'nominal',
        title: pd.column,
        scale: numeric ? { zero: false } : undefined,
      },
      y: { field: 'average', type: 'quantitative', title: `Average ${output}`, scale: { zero: false } },
    },
  };
}

/** One point of a SHAP summary: a row's contribution of one feature, and where its value ranks. */
export interface ShapPoint {
  readonly feature: string;
  readonly shap: number;
  /** The row's value of the feature as a rank in [0, 1] among the rows (NaN when missing or a category). */
  readonly rank: number;
  /** Vertical jitter in [-1, 1], drawn from a seeded generator so the report is reproducible. */
  readonly jitter: number;
}

/** SHAP summary (beeswarm): each row's contribution per feature, coloured by the feature's value. */
export function shapChart(points: readonly ShapPoint[], order: readonly string[], units: string): VegaLiteSpec {
  return {
    ...BASE,
    width: 420,
    height: Math.max(120, 30 * order.length),
    title: `Each row's contribution by feature (TreeSHAP, ${units})`,
    data: {
      values: points.map((p) => ({
        feature: p.feature,
        shap: round(p.shap),
        value: Number.isNaN(p.rank) ? null : round(p.rank),
        jitter: round(p.jitter),
      })),
    },
    mark: { type: 'circle', size: 12, opacity: 0.7 },
    encoding: {
      y: { field: 'feature', type: 'nominal', sort: [...order], title: null },
      yOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [-1.5, 1.5] } },
      x: { field: 'shap', type: 'quantitative', title: `Contribution (${units})` },
      color: {
        field: 'value',
        type: 'quantitative',
        title: 'Feature value (rank)',
        scale: { scheme: 'blueorange', domain: [0, 1] },
      },
    },
  };
}

/** An AutoML search: each trial's cross-validated score in the order it ran, and the best so far. */
export function trialsChart(
  trials: readonly { id: number; score: number; state: string }[],
  metric: string,
  higherIsBetter: boolean,
): VegaLiteSpec {
  const done = trials.filter((t) => Number.isFinite(t.score)).sort((a, b) => a.id - b.id);
  let best = NaN;
  const values = done.map((t) => {
    if (!(best === best) || (higherIsBetter ? t.score > best : t.score < best)) best = t.score;
    return { trial: t.id, score: round(t.score), best: round(best), state: t.state };
  });
  return {
    ...BASE,
    width: 560,
    height: 220,
    title: `Search: ${metric} of each trial, and the best so far`,
    data: { values },
    layer: [
      {
        mark: { type: 'line', color: '#1f6feb', interpolate: 'step-after' },
        encoding: {
          x: { field: 'trial', type: 'quantitative', title: 'Trial' },
          y: { field: 'best', type: 'quantitative', title: metric, scale: { zero: false } },
        },
      },
      {
        mark: { type: 'circle', size: 30, opacity: 0.7 },
        encoding: {
          x: { field: 'trial', type: 'quantitative' },
          y: { field: 'score', type: 'quantitative' },
          color: { field: 'state', type: 'nominal', title: null, scale: { scheme: 'tableau10' } },
        },
      },
    ],
  };
}

/**
 * A model's realised performance over time: each labelled batch's metric with its 95% interval,
 * against the score it had at training (a dashed rule).
 */
export function realisedChart(
  batches: readonly { at: string; estimate: number; low: number; high: number; data: string }[],
  metric: string,
  atTraining: number | null,
): VegaLiteSpec {
  const values = batches.map((b, i) => ({
    batch: i + 1,
    at: b.at.slice(0, 16).replace('T', ' '),
    estimate: round(b.estimate),
    low: round(b.low),
    high: round(b.high),
    data: b.data,
  }));
  return {
    ...BASE,
    width: 560,
    height: 200,
    title: `Realised ${metric.toUpperCase()} of each labelled batch (95% interval)${atTraining !== null ? ', and at training (dashed)' : ''}`,
    data: { values },
    layer: [
      {
        mark: { type: 'rule', color: '#1f6feb' },
        encoding: {
          x: { field: 'batch', type: 'ordinal', title: 'Labelled batch' },
          y: { field: 'low', type: 'quantitative', title: metric.toUpperCase(), scale: { zero: false } },
          y2: { field: 'high' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60, color: '#1f6feb' },
        encoding: {
          x: { field: 'batch', type: 'ordinal' },
          y: { field: 'estimate', type: 'quantitative' },
          tooltip: [
            { field: 'at', title: 'when' },
            { field: 'data', title: 'data' },
            { field: 'estimate', title: metric },
          ],
        },
      },
      ...(atTraining !== null
        ? [
            {
              mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
              data: { values: [{ training: round(atTraining) }] },
              encoding: { y: { field: 'training', type: 'quantitative' } },
            },
          ]
        : []),
    ],
  };
}

/** How many of a model's input columns drifted in each scored batch. */
export function driftHistoryChart(
  batches: readonly { at: string; drifted: number; features: number; rows: number }[],
): VegaLiteSpec {
  const values = batches.map((b, i) => ({
    batch: i + 1,
    at: b.at.slice(0, 16).replace('T', ' '),
    drifted: b.drifted,
    features: b.features,
    rows: b.rows,
    light: b.drifted === 0 ? 'none' : b.drifted * 4 < b.features ? 'some' : 'many',
  }));
  return {
    ...BASE,
    width: 560,
    height: 160,
    title: 'Drifted columns in each scored batch',
    data: { values },
    encoding: {
      x: { field: 'batch', type: 'ordinal', title: 'Scored batch' },
      y: {
        field: 'drifted',
        type: 'quantitative',
        title: 'Drifted columns',
        // Whole columns only, and room above zero so a batch without drift still shows as a dot.
        scale: { domain: [0, Math.max(1, ...values.map((v) => v.drifted))] },
        axis: { tickMinStep: 1, format: 'd' },
      },
      color: {
        field: 'light',
        type: 'nominal',
        title: null,
        scale: { domain: ['none', 'some', 'many'], range: ['#2da44e', '#d4a72c', '#cf222e'] },
      },
      tooltip: [
        { field: 'at', title: 'when' },
        { field: 'rows', title: 'rows' },
        { field: 'drifted', title: 'drifted' },
        { field: 'features', title: 'watched' },
      ],
    },
    layer: [
      { mark: { type: 'rule', strokeWidth: 3 }, encoding: { y2: { datum: 0 } } },
      { mark: { type: 'circle', size: 90, opacity: 1 } },
    ],
  };
}
