import { numericColumn, type CategoricalColumn, type Column, type Frame } from '../data/frame.js';
import type { FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { colsParam, numParam, optNumParam, resolveParams, strParam } from './params.js';
import { register } from './registry.js';
import { oneHotColumns } from '../wasm/clean.js';
import { asObject, asStrings, freshName, pickColumns, str } from './util.js';

interface Encoding {
  readonly column: string;
  /** Kept categories, sorted; each becomes a 0/1 column. */
  readonly categories: readonly string[];
  readonly outputs: readonly string[];
  /** Categories seen in training but grouped as rare. */
  readonly rare: readonly string[];
  /** Name of the column for rare (and, with handleUnknown `other`, unseen) categories; null when nothing was rare. */
  readonly other: string | null;
}

class FittedOneHot implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'one-hot';
  readonly params: Params;
  readonly encodings: readonly Encoding[];

  constructor(params: Params, encodings: readonly Encoding[]) {
    this.params = params;
    this.encodings = encodings;
  }

  get inputs(): string[] {
    return this.encodings.map((e) => e.column);
  }

  private get unknownToOther(): boolean {
    return strParam(this.params, 'handleUnknown') === 'other';
  }

  transform(frame: Frame): Frame {
    let out = frame;
    for (const e of this.encodings) {
      const c = frame.get(e.column) as CategoricalColumn;
      const k = e.categories.length;
      const fitted = new Map(e.categories.map((cat, j) => [cat, j]));
      const rare = new Set(e.rare);
      // Incoming code -> output slot: k is "(other)", -1 is all zeros.
      const slot = new Int32Array(c.categories.length);
      for (let m = 0; m < c.categories.length; m++) {
        const cat = c.categories[m];
        const j = fitted.get(cat);
        if (j !== undefined) slot[m] = j;
        else if (e.other !== null && (rare.has(cat) || this.unknownToOther)) slot[m] = k;
        else slot[m] = -1;
      }
      const width = k + (e.other !== null ? 1 : 0);
      const cols = oneHotColumns(c.codes, slot, width);
      const added: Column[] = e.categories.map((_, j) => numericColumn(e.outputs[j], cols[j]));
      if (e.other !== null) added.push(numericColumn(e.other, cols[k]));
      out = out.replace([e.column], added);
    }
    return out;
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        encodings: this.encodings.map((e) => ({
          column: e.column,
          categories: [...e.categories],
          outputs: [...e.outputs],
          rare: [...e.rare],
          other: e.other,
        })),
      },
    };
  }

  emit(name: string) {
    const lines: string[] = [];
    this.encodings.forEach((e, idx) => {
      const v = `v${idx}`;
      lines.push(`  const ${v} = row[${str(e.column)}];`);
      e.categories.forEach((cat, j) => lines.push(`  row[${str(e.outputs[j])}] = ${v} === ${str(cat)} ? 1 : 0;`));
      if (e.other !== null) {
        const test = this.unknownToOther
          ? `${v} !== null && ![${e.categories.map(str).join(', ')}].includes(${v} as string)`
          : `[${e.rare.map(str).join(', ')}].includes(${v} as string)`;
        lines.push(`  row[${str(e.other)}] = ${test} ? 1 : 0;`);
      }
      lines.push(`  delete row[${str(e.column)}];`);
    });
    return { name, code: `function ${name}(row: Row): void {\n${lines.join('\n')}\n}` };
  }
}

export const oneHot: Technique = {
  id: 'one-hot',
  stage: 'features',
  title: 'One-hot encode categories',
  description:
    'Turns each category into its own 0/1 column; rare categories are grouped into one "(other)" column, and categories never seen in training go there too (or get all zeros).',
  params: {
    minFrequency: {
      type: 'integer',
      default: 5,
      min: 1,
      description: 'Categories seen fewer times than this in training are grouped into "(other)".',
      search: { type: 'int', low: 1, high: 50, log: true },
    },
    maxCategories: {
      type: 'optional-number',
      default: 50,
      min: 1,
      integer: true,
      description: 'At most this many most frequent categories get their own column (null = no limit).',
    },
    handleUnknown: {
      type: 'choice',
      values: ['other', 'ignore'],
      default: 'other',
      description: 'Categories never seen in training: count them as "(other)", or give them all zeros.',
    },
    columns: { type: 'columns', default: null, description: 'Columns to encode (default: every categorical feature).' },
  },
  fit(frame, given) {
    const params = resolveParams(this.id, this.params, given);
    const cols = pickColumns(this.id, frame, colsParam(params, 'columns'), ['categorical']) as CategoricalColumn[];
    const minFrequency = numParam(params, 'minFrequency');
    const maxCategories = optNumParam(params, 'maxCategories') ?? Infinity;
    const taken = new Set(frame.names);
    const encodings: Encoding[] = [];
    for (const c of cols) {
      const counts = new Int32Array(c.categories.length);
      for (let i = 0; i < c.codes.length; i++) if (c.codes[i] >= 0) counts[c.codes[i]]++;
      const present = c.categories.map((cat, k) => ({ cat, count: counts[k] })).filter((x) => x.count > 0);
      let kept = present.filter((x) => x.count >= minFrequency);
      if (kept.length > maxCategories)
        kept = kept.sort((a, b) => b.count - a.count || (a.cat < b.cat ? -1 : 1)).slice(0, maxCategories);
      const categories = kept.map((x) => x.cat).sort();
      const keptSet = new Set(categories);
      const rare = present
        .filter((x) => !keptSet.has(x.cat))
        .map((x) => x.cat)
        .sort();
      taken.delete(c.name);
      const outputs = categories.map((cat) => {
        const name = freshName(taken, `${c.name}=${cat}`);
        taken.add(name);
        return name;
      });
      let other: string | null = null;
      if (rare.length > 0) {
        other = freshName(taken, `${c.name}=(other)`);
        taken.add(other);
      }
      encodings.push({ column: c.name, categories, outputs, rare, other });
    }
    return new FittedOneHot(params, encodings);
  },
  fromJSON(json) {
    const state = asObject(json.state, 'one-hot state');
    const encodings = (state.encodings as unknown[]).map((x) => {
      const o = asObject(x, 'encoding');
      return {
        column: String(o.column),
        categories: asStrings(o.categories, 'categories'),
        outputs: asStrings(o.outputs, 'outputs'),
        rare: asStrings(o.rare, 'rare'),
        other: o.other === null ? null : String(o.other),
      };
    });
    return new FittedOneHot(json.params, encodings);
  },
};

register(oneHot);
