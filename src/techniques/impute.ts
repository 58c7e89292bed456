import { medianPresent, sortedPresent } from '../engine/sorted.js';
import { fillMissing, meanOf, missingFlags, numberFacts } from '../wasm/clean.js';
import { GlassboxError } from '../data/errors.js';
import { categoricalColumn, numericColumn, type CategoricalColumn, type Column, type Frame } from '../data/frame.js';
import type { FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { boolParam, colsParam, numParam, resolveParams, strParam } from './params.js';
import { register } from './registry.js';
import { asObject, freshName, num, pickColumns, str } from './util.js';

interface Fill {
  readonly column: string;
  readonly kind: 'numeric' | 'datetime' | 'categorical';
  readonly value: number | string;
}

const IS_MISSING = `function isMissing(v: number | string | null | undefined): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}`;

/** Median as numpy computes it: the mean of the two middle values for an even count. */
export function median(values: Float64Array): number {
  return medianPresent(values);
}

export function mean(values: Float64Array): number {
  return meanOf(values);
}

/** Most frequent value; ties go to the smallest, as scikit-learn's SimpleImputer does. */
export function mostFrequentNumber(values: Float64Array): number {
  const v = sortedPresent(values);
  let best = NaN;
  let bestCount = 0;
  for (let i = 0; i < v.length;) {
    let j = i;
    while (j < v.length && v[j] === v[i]) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      best = v[i];
    }
    i = j;
  }
  return best;
}

export function mostFrequentCategory(c: CategoricalColumn): string | undefined {
  const counts = new Int32Array(c.categories.length);
  for (let i = 0; i < c.codes.length; i++) if (c.codes[i] >= 0) counts[c.codes[i]]++;
  let best: string | undefined;
  let bestCount = 0;
  for (let k = 0; k < counts.length; k++) {
    const cat = c.categories[k];
    if (counts[k] > bestCount || (counts[k] === bestCount && counts[k] > 0 && best !== undefined && cat < best)) {
      bestCount = counts[k];
      best = cat;
    }
  }
  return best;
}

function hasMissing(c: Column): boolean {
  if (c.kind === 'categorical') return c.codes.includes(-1);
  if (c.kind === 'text') return c.values.includes(null);
  return numberFacts(c.values).missing > 0;
}

class FittedImpute implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'impute';
  readonly params: Params;
  readonly fills: readonly Fill[];
  /** Indicator column name per source column with missing values in training. */
  readonly indicators: readonly { readonly column: string; readonly name: string }[];

  constructor(params: Params, fills: readonly Fill[], indicators: readonly { column: string; name: string }[]) {
    this.params = params;
    this.fills = fills;
    this.indicators = indicators;
  }

  get inputs(): string[] {
    return this.fills.map((f) => f.column);
  }

  transform(frame: Frame): Frame {
    let out = frame;
    for (const ind of this.indicators) {
      const c = frame.get(ind.column);
      let flag: Float64Array;
      if (c.kind === 'numeric' || c.kind === 'datetime') flag = missingFlags(c.values);
      else {
        flag = new Float64Array(frame.nRows);
        for (let i = 0; i < frame.nRows; i++) flag[i] = isMissingAt(c, i) ? 1 : 0;
      }
      out = out.with(numericColumn(ind.name, flag));
    }
    for (const f of this.fills) {
      const c = out.get(f.column);
      out = out.with(fillColumn(c, f));
    }
    return out;
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        fills: this.fills.map((f) => ({
          column: f.column,
          kind: f.kind,
          value: typeof f.value === 'number' && !Number.isFinite(f.value) ? String(f.value) : f.value,
        })),
        indicators: this.indicators.map((i) => ({ ...i })),
      },
    };
  }

  emit(name: string) {
    const lines: string[] = [];
    for (const ind of this.indicators)
      lines.push(`  row[${str(ind.name)}] = isMissing(row[${str(ind.column)}]) ? 1 : 0;`);
    for (const f of this.fills) {
      const value = typeof f.value === 'number' ? num(f.value) : str(f.value);
      lines.push(`  if (isMissing(row[${str(f.column)}])) row[${str(f.column)}] = ${value};`);
    }
    return {
      name,
      code: `function ${name}(row: Row): void {\n${lines.join('\n')}\n}`,
      helpers: { isMissing: IS_MISSING },
    };
  }
}

function isMissingAt(c: Column, i: number): boolean {
  if (c.kind === 'categorical') return c.codes[i] < 0;
  if (c.kind === 'text') return c.values[i] === null;
  return Number.isNaN(c.values[i]);
}

function fillColumn(c: Column, f: Fill): Column {
  if (c.kind === 'categorical') {
    const value = String(f.value);
    let code = c.categories.indexOf(value);
    let categories = c.categories;
    if (code < 0) {
      categories = [...c.categories, value];
      code = categories.length - 1;
    }
    const codes = c.codes.slice();
    for (let i = 0; i < codes.length; i++) if (codes[i] < 0) codes[i] = code;
    return categoricalColumn(c.name, codes, categories, c.role);
  }
  if (c.kind === 'numeric' || c.kind === 'datetime') {
    const values = fillMissing(c.values, Number(f.value));
    if (values === c.values) return c;
    return c.kind === 'numeric' ? numericColumn(c.name, values, c.role) : { ...c, values };
  }
  throw new GlassboxError(`impute: column "${c.name}" is text and cannot be imputed`, { column: c.name });
}

export const impute: Technique = {
  id: 'impute',
  stage: 'clean',
  title: 'Fill missing values',
  description:
    'Fills missing numbers with the mean, median, most frequent value or a constant, and missing categories with the most frequent one or a "missing" category; optionally adds a 0/1 column saying the value was missing.',
  params: {
    numeric: {
      type: 'choice',
      values: ['mean', 'median', 'most_frequent', 'constant'],
      default: 'median',
      description: 'How to fill numbers and dates.',
      search: { type: 'choice', values: ['mean', 'median'] },
    },
    categorical: {
      type: 'choice',
      values: ['most_frequent', 'constant'],
      default: 'constant',
      description: 'How to fill categories: the most frequent one, or a category of their own.',
      search: { type: 'choice', values: ['most_frequent', 'constant'] },
    },
    fillValue: { type: 'number', default: 0, description: 'The number used by the constant strategy.' },
    fillCategory: { type: 'string', default: 'missing', description: 'The category used by the constant strategy.' },
    indicators: {
      type: 'boolean',
      default: true,
      description: 'Add a 0/1 column per column that had missing values, so models can learn from missingness itself.',
      search: { type: 'choice', values: [true, false] },
    },
    columns: {
      type: 'columns',
      default: null,
      description: 'Columns to fill (default: every numeric, date and categorical feature).',
    },
  },
  fit(frame, given) {
    const params = resolveParams(this.id, this.params, given);
    const cols = pickColumns(this.id, frame, colsParam(params, 'columns'), ['numeric', 'datetime', 'categorical']);
    const fills: Fill[] = [];
    const indicators: { column: string; name: string }[] = [];
    const taken = new Set(frame.names);
    const numStrategy = strParam(params, 'numeric');
    for (const c of cols) {
      if (boolParam(params, 'indicators') && hasMissing(c)) {
        const name = freshName(taken, `${c.name}_missing`);
        taken.add(name);
        indicators.push({ column: c.name, name });
      }
      if (c.kind === 'categorical') {
        const value =
          strParam(params, 'categorical') === 'most_frequent'
            ? (mostFrequentCategory(c) ?? strParam(params, 'fillCategory'))
            : strParam(params, 'fillCategory');
        fills.push({ column: c.name, kind: 'categorical', value });
      } else if (c.kind === 'numeric' || c.kind === 'datetime') {
        let value =
          numStrategy === 'mean'
            ? mean(c.values)
            : numStrategy === 'median'
              ? median(c.values)
              : numStrategy === 'most_frequent'
                ? mostFrequentNumber(c.values)
                : numParam(params, 'fillValue');
        // An entirely missing column has no statistic; the constant keeps the output defined.
        if (Number.isNaN(value)) value = numParam(params, 'fillValue');
        fills.push({ column: c.name, kind: c.kind, value });
      }
    }
    return new FittedImpute(params, fills, indicators);
  },
  fromJSON(json) {
    const state = asObject(json.state, 'impute state');
    const fills = (state.fills as unknown[]).map((f) => {
      const o = asObject(f, 'fill');
      const kind = o.kind as Fill['kind'];
      return { column: String(o.column), kind, value: kind === 'categorical' ? String(o.value) : Number(o.value) };
    });
    const indicators = (state.indicators as unknown[]).map((i) => {
      const o = asObject(i, 'indicator');
      return { column: String(o.column), name: String(o.name) };
    });
    return new FittedImpute(json.params, fills, indicators);
  },
};

register(impute);
