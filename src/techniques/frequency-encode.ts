import { GlassboxError } from '../data/errors.js';
import { numericColumn, type CategoricalColumn, type Frame } from '../data/frame.js';
import type { FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { colsParam, resolveParams } from './params.js';
import { register } from './registry.js';
import { asObject, asStrings, num, numArray, pickColumns, str } from './util.js';

interface Frequencies {
  readonly column: string;
  readonly categories: readonly string[];
  /** Share of training rows per category. */
  readonly share: Float64Array;
  /** Share of training rows where the value is missing. */
  readonly missing: number;
}

class FittedFrequencyEncode implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'frequency-encode';
  readonly params: Params;
  readonly tables: readonly Frequencies[];

  constructor(params: Params, tables: readonly Frequencies[]) {
    this.params = params;
    this.tables = tables;
  }

  get inputs(): string[] {
    return this.tables.map((t) => t.column);
  }

  /** A category never seen in training had share 0 there. */
  transform(frame: Frame): Frame {
    let out = frame;
    for (const t of this.tables) {
      const c = frame.get(t.column);
      if (c.kind !== 'categorical')
        throw new GlassboxError(`frequency-encode: column "${t.column}" must be categorical (it is ${c.kind})`, {
          column: t.column,
        });
      const fitted = new Map(t.categories.map((cat, j) => [cat, t.share[j]]));
      const lookup = Float64Array.from(c.categories, (cat) => fitted.get(cat) ?? 0);
      const values = new Float64Array(frame.nRows);
      for (let i = 0; i < values.length; i++) values[i] = c.codes[i] < 0 ? t.missing : lookup[c.codes[i]];
      out = out.with(numericColumn(t.column, values, c.role));
    }
    return out;
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        tables: this.tables.map((t) => ({
          column: t.column,
          categories: [...t.categories],
          share: Array.from(t.share),
          missing: t.missing,
        })),
      },
    };
  }

  emit(name: string) {
    const lines: string[] = [];
    this.tables.forEach((t, idx) => {
      lines.push(
        `  const codes${idx}: Record<string, number> = { ${t.categories.map((c, j) => `${str(c)}: ${j}`).join(', ')} };`,
      );
      lines.push(`  const share${idx} = ${numArray(t.share)};`);
      lines.push(`  const v${idx} = row[${str(t.column)}];`);
      lines.push(
        `  row[${str(t.column)}] = v${idx} === null ? ${num(t.missing)} : typeof v${idx} === 'string' && Object.prototype.hasOwnProperty.call(codes${idx}, v${idx}) ? share${idx}[codes${idx}[v${idx}]] : 0;`,
      );
    });
    return { name, code: `function ${name}(row: Row): void {\n${lines.join('\n')}\n}` };
  }
}

export const frequencyEncode: Technique = {
  id: 'frequency-encode',
  stage: 'features',
  title: 'Frequency-encode categories',
  description:
    'Replaces each category by how common it was in training (its share of rows): one number per column, whatever the number of categories.',
  params: {
    columns: { type: 'columns', default: null, description: 'Columns to encode (default: every categorical feature).' },
  },
  fit(frame, given) {
    const params = resolveParams(this.id, this.params, given);
    const cols = pickColumns(this.id, frame, colsParam(params, 'columns'), ['categorical']) as CategoricalColumn[];
    const n = frame.nRows;
    const tables = cols.map((c): Frequencies => {
      const counts = new Float64Array(c.categories.length);
      let missing = 0;
      for (let i = 0; i < n; i++) {
        if (c.codes[i] < 0) missing++;
        else counts[c.codes[i]]++;
      }
      return {
        column: c.name,
        categories: [...c.categories],
        share: counts.map((k) => (n > 0 ? k / n : 0)),
        missing: n > 0 ? missing / n : 0,
      };
    });
    return new FittedFrequencyEncode(params, tables);
  },
  fromJSON(json) {
    const state = asObject(json.state, 'frequency-encode state');
    const tables = (state.tables as unknown[]).map((x): Frequencies => {
      const o = asObject(x, 'frequency table');
      return {
        column: String(o.column),
        categories: asStrings(o.categories, 'categories'),
        share: Float64Array.from(o.share as number[]),
        missing: Number(o.missing),
      };
    });
    return new FittedFrequencyEncode(json.params, tables);
  },
};

register(frequencyEncode);
