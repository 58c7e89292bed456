import { GlassboxError } from '../data/errors.js';
import { categoricalColumn, type CategoricalColumn, type Frame } from '../data/frame.js';
import type { FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { colsParam, numParam, resolveParams, strParam } from './params.js';
import { register } from './registry.js';
import { asObject, asStrings, pickColumns, str, strArray } from './util.js';

interface Grouping {
  readonly column: string;
  /** Categories kept as they are; every other one (including unseen ones) becomes `other`. */
  readonly keep: readonly string[];
}

class FittedRareCategories implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'rare-categories';
  readonly params: Params;
  readonly groupings: readonly Grouping[];

  constructor(params: Params, groupings: readonly Grouping[]) {
    this.params = params;
    this.groupings = groupings;
  }

  get inputs(): string[] {
    return this.groupings.map((g) => g.column);
  }

  private get other(): string {
    return strParam(this.params, 'otherLabel');
  }

  transform(frame: Frame): Frame {
    let out = frame;
    for (const g of this.groupings) {
      const c = frame.get(g.column);
      if (c.kind !== 'categorical')
        throw new GlassboxError(`rare-categories: column "${g.column}" must be categorical (it is ${c.kind})`, {
          column: g.column,
        });
      const categories = [...g.keep, this.other];
      const index = new Map(g.keep.map((cat, j) => [cat, j]));
      const otherCode = g.keep.length;
      const lookup = Int32Array.from(c.categories, (cat) => index.get(cat) ?? otherCode);
      const codes = new Int32Array(frame.nRows);
      for (let i = 0; i < codes.length; i++) codes[i] = c.codes[i] < 0 ? -1 : lookup[c.codes[i]];
      out = out.with(categoricalColumn(g.column, codes, categories, c.role));
    }
    return out;
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: { groupings: this.groupings.map((g) => ({ column: g.column, keep: [...g.keep] })) },
    };
  }

  emit(name: string) {
    const lines: string[] = [];
    this.groupings.forEach((g, idx) => {
      lines.push(`  const keep${idx} = new Set<string>(${strArray(g.keep)});`);
      lines.push(`  const v${idx} = row[${str(g.column)}];`);
      lines.push(
        `  if (v${idx} !== null && !keep${idx}.has(String(v${idx}))) row[${str(g.column)}] = ${str(this.other)};`,
      );
    });
    return { name, code: `function ${name}(row: Row): void {\n${lines.join('\n')}\n}` };
  }
}

export const rareCategories: Technique = {
  id: 'rare-categories',
  stage: 'features',
  title: 'Group rare categories',
  description:
    'Puts categories seen only a few times into one "other" group, so models do not learn from a handful of rows and new categories have a place to go.',
  params: {
    minCount: {
      type: 'integer',
      default: 10,
      min: 1,
      description: 'Categories with fewer training rows than this are grouped.',
      search: { type: 'int', low: 2, high: 100, log: true },
    },
    minShare: {
      type: 'number',
      default: 0,
      min: 0,
      max: 1,
      description: 'Also group categories below this share of the rows.',
    },
    otherLabel: { type: 'string', default: '(other)', description: 'Name of the group.' },
    columns: { type: 'columns', default: null, description: 'Columns to group (default: every categorical feature).' },
  },
  fit(frame, given, ctx) {
    const params = resolveParams(this.id, this.params, given);
    const cols = pickColumns(this.id, frame, colsParam(params, 'columns'), ['categorical']) as CategoricalColumn[];
    const n = frame.nRows;
    const limit = Math.max(numParam(params, 'minCount'), numParam(params, 'minShare') * n);
    const groupings: Grouping[] = [];
    for (const c of cols) {
      const counts = new Int32Array(c.categories.length);
      for (let i = 0; i < n; i++) if (c.codes[i] >= 0) counts[c.codes[i]]++;
      const keep = c.categories.filter((_, k) => counts[k] >= limit);
      const grouped = c.categories.filter((_, k) => counts[k] > 0 && counts[k] < limit).length;
      groupings.push({ column: c.name, keep });
      if (grouped > 0) ctx.note?.(`${c.name}: ${grouped} rare categories grouped as ${strParam(params, 'otherLabel')}`);
    }
    return new FittedRareCategories(params, groupings);
  },
  fromJSON(json) {
    const state = asObject(json.state, 'rare-categories state');
    const groupings = (state.groupings as unknown[]).map((x): Grouping => {
      const o = asObject(x, 'grouping');
      return { column: String(o.column), keep: asStrings(o.keep, 'keep') };
    });
    return new FittedRareCategories(json.params, groupings);
  },
};

register(rareCategories);
