import { isConstant, isIdLike, missingCount } from '../data/column-stats.js';
import type { Frame } from '../data/frame.js';
import type { FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { boolParam, colsParam, numParam, resolveParams } from './params.js';
import { register } from './registry.js';
import { asObject, str } from './util.js';

interface Dropped {
  readonly column: string;
  readonly reason: string;
}

class FittedDropColumns implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'drop-columns';
  readonly params: Params;
  readonly dropped: readonly Dropped[];

  constructor(params: Params, dropped: readonly Dropped[]) {
    this.params = params;
    this.dropped = dropped;
  }

  get inputs(): string[] {
    return [];
  }

  transform(frame: Frame): Frame {
    return frame.drop(this.dropped.map((d) => d.column).filter((n) => frame.has(n)));
  }

  toJSON(): FittedJSON {
    return { technique: this.technique, params: this.params, state: { dropped: this.dropped.map((d) => ({ ...d })) } };
  }

  emit(name: string) {
    const lines = this.dropped.map((d) => `  delete row[${str(d.column)}]; // ${d.reason.replace(/\n/g, ' ')}`);
    return { name, code: `function ${name}(row: Row): void {\n${lines.join('\n')}\n}` };
  }
}

export const dropColumns: Technique = {
  id: 'drop-columns',
  stage: 'clean',
  title: 'Drop unusable columns',
  description:
    'Removes columns that cannot help a model: constant, identifier-like, almost always missing, free text, or listed by you.',
  params: {
    constant: { type: 'boolean', default: true, description: 'Drop columns with a single value (or none).' },
    idLike: { type: 'boolean', default: true, description: 'Drop identifier-like columns (every value different).' },
    text: {
      type: 'boolean',
      default: true,
      description: 'Drop free-text columns (no text features in this pipeline).',
    },
    maxMissing: {
      type: 'number',
      default: 1,
      min: 0,
      max: 1,
      description: 'Drop columns missing in more than this share of rows (1 = never).',
    },
    columns: { type: 'columns', default: [], description: 'Columns to drop by name.' },
  },
  fit(frame, given) {
    const params = resolveParams(this.id, this.params, given);
    const dropped: Dropped[] = [];
    const named = new Set(colsParam(params, 'columns') ?? []);
    const maxMissing = numParam(params, 'maxMissing');
    for (const c of frame.features()) {
      if (named.has(c.name)) dropped.push({ column: c.name, reason: 'listed by you' });
      else if (boolParam(params, 'constant') && isConstant(c))
        dropped.push({ column: c.name, reason: 'constant: one value or none' });
      else if (boolParam(params, 'idLike') && isIdLike(c))
        dropped.push({ column: c.name, reason: 'identifier-like: every value different' });
      else if (boolParam(params, 'text') && c.kind === 'text') dropped.push({ column: c.name, reason: 'free text' });
      else if (maxMissing < 1 && missingCount(c) > maxMissing * frame.nRows)
        dropped.push({ column: c.name, reason: `missing in more than ${maxMissing * 100}% of rows` });
    }
    return new FittedDropColumns(params, dropped);
  },
  fromJSON(json) {
    const state = asObject(json.state, 'drop-columns state');
    const dropped = (state.dropped as unknown[]).map((d) => {
      const o = asObject(d, 'dropped column');
      return { column: String(o.column), reason: String(o.reason) };
    });
    return new FittedDropColumns(json.params, dropped);
  },
};

register(dropColumns);
