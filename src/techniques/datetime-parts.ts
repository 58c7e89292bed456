import { numericColumn, type Column, type DatetimeColumn, type Frame } from '../data/frame.js';
import type { FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { colsParam, resolveParams } from './params.js';
import { register } from './registry.js';
import { asObject, asStrings, freshName, pickColumns, str } from './util.js';

export const DATE_PARTS = ['year', 'month', 'day', 'weekday', 'hour', 'dayOfYear', 'weekend', 'epoch'] as const;
type Part = (typeof DATE_PARTS)[number];

const DAY_MS = 86_400_000;

/** One part of a UTC timestamp. Weekday counts Monday = 0 as pandas does; epoch is days since 1970-01-01. */
export function datePart(ms: number, part: Part): number {
  if (Number.isNaN(ms)) return NaN;
  const d = new Date(ms);
  switch (part) {
    case 'year':
      return d.getUTCFullYear();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'day':
      return d.getUTCDate();
    case 'weekday':
      return (d.getUTCDay() + 6) % 7;
    case 'hour':
      return d.getUTCHours();
    case 'dayOfYear':
      return Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
    case 'weekend':
      return d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 1 : 0;
    case 'epoch':
      return ms / DAY_MS;
  }
}

/** The same function as standalone TypeScript, so exported code computes identical numbers. */
const DATE_PART_SOURCE = `function datePart(ms: number, part: string): number {
  if (Number.isNaN(ms)) return NaN;
  const d = new Date(ms);
  switch (part) {
    case 'year': return d.getUTCFullYear();
    case 'month': return d.getUTCMonth() + 1;
    case 'day': return d.getUTCDate();
    case 'weekday': return (d.getUTCDay() + 6) % 7;
    case 'hour': return d.getUTCHours();
    case 'dayOfYear': return Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
    case 'weekend': return d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 1 : 0;
    default: return ms / 86400000;
  }
}`;

interface Expansion {
  readonly column: string;
  readonly parts: readonly Part[];
  readonly outputs: readonly string[];
}

class FittedDatetimeParts implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'datetime-parts';
  readonly params: Params;
  readonly expansions: readonly Expansion[];

  constructor(params: Params, expansions: readonly Expansion[]) {
    this.params = params;
    this.expansions = expansions;
  }

  get inputs(): string[] {
    return this.expansions.map((e) => e.column);
  }

  transform(frame: Frame): Frame {
    let out = frame;
    for (const e of this.expansions) {
      const c = frame.get(e.column) as DatetimeColumn;
      const added: Column[] = e.parts.map((p, j) => {
        const v = new Float64Array(frame.nRows);
        for (let i = 0; i < v.length; i++) v[i] = datePart(c.values[i], p);
        return numericColumn(e.outputs[j], v);
      });
      out = out.replace([e.column], added);
    }
    return out;
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        expansions: this.expansions.map((e) => ({ column: e.column, parts: [...e.parts], outputs: [...e.outputs] })),
      },
    };
  }

  emit(name: string) {
    const lines: string[] = [];
    for (const e of this.expansions) {
      const src = `row[${str(e.column)}] as number`;
      e.parts.forEach((p, j) => lines.push(`  row[${str(e.outputs[j])}] = datePart(${src}, ${str(p)});`));
      lines.push(`  delete row[${str(e.column)}];`);
    }
    return {
      name,
      code: `function ${name}(row: Row): void {\n${lines.join('\n')}\n}`,
      helpers: { datePart: DATE_PART_SOURCE },
    };
  }
}

export const datetimeParts: Technique = {
  id: 'datetime-parts',
  stage: 'features',
  title: 'Expand dates',
  description:
    'Replaces each date column by numbers models can use: year, month, day, weekday, hour, day of year, weekend flag and days since 1970; parts that never change in training are left out.',
  params: {
    parts: { type: 'multi', values: DATE_PARTS, default: DATE_PARTS, description: 'Which parts to extract.' },
    columns: { type: 'columns', default: null, description: 'Date columns to expand (default: every date feature).' },
  },
  fit(frame, given) {
    const params = resolveParams(this.id, this.params, given);
    const wanted = params.parts as readonly Part[];
    const cols = pickColumns(this.id, frame, colsParam(params, 'columns'), ['datetime']) as DatetimeColumn[];
    const taken = new Set(frame.names);
    const expansions = cols.map((c) => {
      taken.delete(c.name);
      const parts = wanted.filter((p) => !constantPart(c.values, p));
      const outputs = parts.map((p) => {
        const name = freshName(taken, `${c.name}_${p}`);
        taken.add(name);
        return name;
      });
      return { column: c.name, parts, outputs };
    });
    return new FittedDatetimeParts(params, expansions);
  },
  fromJSON(json) {
    const state = asObject(json.state, 'datetime-parts state');
    const expansions = (state.expansions as unknown[]).map((x) => {
      const o = asObject(x, 'expansion');
      return {
        column: String(o.column),
        parts: asStrings(o.parts, 'parts') as Part[],
        outputs: asStrings(o.outputs, 'outputs'),
      };
    });
    return new FittedDatetimeParts(json.params, expansions);
  },
};

/** A part that takes one value in training (hour of date-only data) would be a dead column. */
function constantPart(values: Float64Array, part: Part): boolean {
  let first = NaN;
  for (let i = 0; i < values.length; i++) {
    const v = datePart(values[i], part);
    if (Number.isNaN(v)) continue;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) return false;
  }
  return true;
}

register(datetimeParts);
