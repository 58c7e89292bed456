import { numericColumn, type CategoricalColumn, type Frame } from '../data/frame.js';
import type { FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { colsParam, resolveParams, strParam } from './params.js';
import { register } from './registry.js';
import { asObject, asStrings, pickColumns, str } from './util.js';

interface Mapping {
  readonly column: string;
  /** Category at each code 0..k-1. */
  readonly categories: readonly string[];
}

class FittedOrdinal implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'ordinal';
  readonly params: Params;
  readonly mappings: readonly Mapping[];

  constructor(params: Params, mappings: readonly Mapping[]) {
    this.params = params;
    this.mappings = mappings;
  }

  get inputs(): string[] {
    return this.mappings.map((m) => m.column);
  }

  /** Missing and never-seen categories become NaN, which tree models route as missing. */
  transform(frame: Frame): Frame {
    let out = frame;
    for (const m of this.mappings) {
      const c = frame.get(m.column) as CategoricalColumn;
      const fitted = new Map(m.categories.map((cat, j) => [cat, j]));
      const lookup = Float64Array.from(c.categories, (cat) => fitted.get(cat) ?? NaN);
      const values = new Float64Array(frame.nRows);
      for (let i = 0; i < values.length; i++) values[i] = c.codes[i] < 0 ? NaN : lookup[c.codes[i]];
      out = out.with(numericColumn(m.column, values, c.role));
    }
    return out;
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: { mappings: this.mappings.map((m) => ({ column: m.column, categories: [...m.categories] })) },
    };
  }

  emit(name: string) {
    const lines: string[] = [];
    this.mappings.forEach((m, idx) => {
      const table = `{ ${m.categories.map((c, j) => `${str(c)}: ${j}`).join(', ')} }`;
      lines.push(`  const codes${idx}: Record<string, number> = ${table};`);
      lines.push(`  const v${idx} = row[${str(m.column)}];`);
      lines.push(
        `  row[${str(m.column)}] = typeof v${idx} === 'string' && Object.prototype.hasOwnProperty.call(codes${idx}, v${idx}) ? codes${idx}[v${idx}] : NaN;`,
      );
    });
    return { name, code: `function ${name}(row: Row): void {\n${lines.join('\n')}\n}` };
  }
}

export const ordinal: Technique = {
  id: 'ordinal',
  stage: 'features',
  title: 'Ordinal encode categories',
  description:
    'Replaces each category by a number (its rank in alphabetical or frequency order); suits tree models, which split on ranges.',
  params: {
    order: {
      type: 'choice',
      values: ['lexical', 'frequency'],
      default: 'lexical',
      description: 'Number categories alphabetically, or from most to least frequent.',
    },
    columns: { type: 'columns', default: null, description: 'Columns to encode (default: every categorical feature).' },
  },
  fit(frame, given) {
    const params = resolveParams(this.id, this.params, given);
    const cols = pickColumns(this.id, frame, colsParam(params, 'columns'), ['categorical']) as CategoricalColumn[];
    const mappings = cols.map((c) => {
      const counts = new Int32Array(c.categories.length);
      for (let i = 0; i < c.codes.length; i++) if (c.codes[i] >= 0) counts[c.codes[i]]++;
      const present = c.categories.map((cat, k) => ({ cat, count: counts[k] })).filter((x) => x.count > 0);
      if (strParam(params, 'order') === 'frequency')
        present.sort((a, b) => b.count - a.count || (a.cat < b.cat ? -1 : 1));
      else present.sort((a, b) => (a.cat < b.cat ? -1 : a.cat > b.cat ? 1 : 0));
      return { column: c.name, categories: present.map((x) => x.cat) };
    });
    return new FittedOrdinal(params, mappings);
  },
  fromJSON(json) {
    const state = asObject(json.state, 'ordinal state');
    const mappings = (state.mappings as unknown[]).map((x) => {
      const o = asObject(x, 'mapping');
      return { column: String(o.column), categories: asStrings(o.categories, 'categories') };
    });
    return new FittedOrdinal(json.params, mappings);
  },
};

register(ordinal);
