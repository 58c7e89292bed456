import { sortedPresent } from '../engine/sorted.js';
import { GlassboxError } from '../data/errors.js';
import { numericColumn, type Frame, type NumericColumn } from '../data/frame.js';
import type { Emitted, FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { colsParam, numParam, resolveParams, strParam } from './params.js';
import { register } from './registry.js';
import { asObject, numArray, pickColumns, str } from './util.js';

type Method = 'log1p' | 'quantile';

interface Mapping {
  readonly column: string;
  /** quantile: the fitted quantiles, at probabilities k / (m - 1). */
  readonly quantiles: Float64Array;
}

/** sign(x) · log(1 + |x|): log1p for counts and amounts, defined for negative values too. */
function signedLog1p(x: number): number {
  return x < 0 ? -Math.log1p(-x) : Math.log1p(x);
}

/**
 * The share of training values below x, read off the fitted quantiles: linear between quantiles,
 * the middle of a run of equal quantiles (a value many rows share), 0 and 1 beyond the ends.
 */
function quantileOf(q: Float64Array, x: number): number {
  const m = q.length;
  if (x !== x) return NaN;
  if (m < 2) return 0.5;
  if (x < q[0]) return 0;
  if (x > q[m - 1]) return 1;
  let a = 0;
  let hi = m;
  while (a < hi) {
    const mid = (a + hi) >> 1;
    if (q[mid] < x) a = mid + 1;
    else hi = mid;
  }
  let b = a;
  while (b + 1 < m && q[b + 1] === x) b++;
  if (q[a] === x) return (a + b) / 2 / (m - 1);
  const lo = a - 1;
  return (lo + (x - q[lo]) / (q[a] - q[lo])) / (m - 1);
}

const QUANTILE_SOURCE = `function quantileOf(q: number[], x: number): number {
  const m = q.length;
  if (x !== x) return NaN;
  if (m < 2) return 0.5;
  if (x < q[0]) return 0;
  if (x > q[m - 1]) return 1;
  let a = 0;
  let hi = m;
  while (a < hi) {
    const mid = (a + hi) >> 1;
    if (q[mid] < x) a = mid + 1;
    else hi = mid;
  }
  let b = a;
  while (b + 1 < m && q[b + 1] === x) b++;
  if (q[a] === x) return (a + b) / 2 / (m - 1);
  const lo = a - 1;
  return (lo + (x - q[lo]) / (q[a] - q[lo])) / (m - 1);
}`;

const LOG_SOURCE = `function signedLog1p(x: number): number {
  return x < 0 ? -Math.log1p(-x) : Math.log1p(x);
}`;

class FittedNumericTransform implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'numeric-transform';
  readonly params: Params;
  readonly mappings: readonly Mapping[];

  constructor(params: Params, mappings: readonly Mapping[]) {
    this.params = params;
    this.mappings = mappings;
  }

  get method(): Method {
    return strParam(this.params, 'method') as Method;
  }

  get inputs(): string[] {
    return this.mappings.map((m) => m.column);
  }

  transform(frame: Frame): Frame {
    let out = frame;
    for (const m of this.mappings) {
      const c = frame.get(m.column);
      if (c.kind !== 'numeric')
        throw new GlassboxError(`numeric-transform: column "${m.column}" must be numeric (it is ${c.kind})`, {
          column: m.column,
        });
      const values = new Float64Array(frame.nRows);
      for (let i = 0; i < values.length; i++)
        values[i] = this.method === 'log1p' ? signedLog1p(c.values[i]) : quantileOf(m.quantiles, c.values[i]);
      out = out.with(numericColumn(m.column, values, c.role));
    }
    return out;
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: { mappings: this.mappings.map((m) => ({ column: m.column, quantiles: Array.from(m.quantiles) })) },
    };
  }

  emit(name: string): Emitted {
    const lines = this.mappings.map((m) =>
      this.method === 'log1p'
        ? `  row[${str(m.column)}] = signedLog1p(row[${str(m.column)}] as number);`
        : `  row[${str(m.column)}] = quantileOf(${numArray(m.quantiles)}, row[${str(m.column)}] as number);`,
    );
    const helpers: Record<string, string> =
      this.method === 'log1p' ? { signedLog1p: LOG_SOURCE } : { quantileOf: QUANTILE_SOURCE };
    return { name, code: `function ${name}(row: Row): void {\n${lines.join('\n')}\n}`, helpers };
  }
}

export const numericTransform: Technique = {
  id: 'numeric-transform',
  stage: 'features',
  title: 'Transform numbers',
  description:
    'Tames skewed numbers: log1p compresses large amounts and counts; quantile replaces each value by its rank among training values (0 to 1), which no outlier can stretch.',
  params: {
    method: {
      type: 'choice',
      values: ['log1p', 'quantile'],
      default: 'log1p',
      description: 'log1p: sign(x)·log(1 + |x|); quantile: share of training values below x.',
      search: { type: 'choice', values: ['log1p', 'quantile'] },
    },
    nQuantiles: {
      type: 'integer',
      default: 1000,
      min: 2,
      max: 100000,
      description: 'Quantiles stored per column (quantile method).',
    },
    columns: { type: 'columns', default: null, description: 'Columns to transform (default: every numeric feature).' },
  },
  fit(frame, given) {
    const params = resolveParams(this.id, this.params, given);
    const cols = pickColumns(this.id, frame, colsParam(params, 'columns'), ['numeric']) as NumericColumn[];
    const quantile = strParam(params, 'method') === 'quantile';
    const mappings = cols.map((c): Mapping => {
      if (!quantile) return { column: c.name, quantiles: new Float64Array(0) };
      const v = sortedPresent(c.values);
      const m = Math.min(numParam(params, 'nQuantiles'), v.length);
      // numpy's linear percentile at probabilities k / (m - 1).
      const quantiles = Float64Array.from({ length: m }, (_, k) => {
        if (m === 1) return v[0];
        const pos = (k / (m - 1)) * (v.length - 1);
        const lo = Math.floor(pos);
        const hi = Math.min(v.length - 1, lo + 1);
        return v[lo] + (pos - lo) * (v[hi] - v[lo]);
      });
      return { column: c.name, quantiles };
    });
    return new FittedNumericTransform(params, mappings);
  },
  fromJSON(json) {
    const state = asObject(json.state, 'numeric-transform state');
    const mappings = (state.mappings as unknown[]).map((x): Mapping => {
      const o = asObject(x, 'mapping');
      return { column: String(o.column), quantiles: Float64Array.from(o.quantiles as number[]) };
    });
    return new FittedNumericTransform(json.params, mappings);
  },
};

register(numericTransform);
