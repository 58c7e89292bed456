import { GlassboxError } from '../data/errors.js';
import type { ParamSchema, ParamSpec, Params, ParamValue } from './contract.js';

/** The schema's defaults. */
export function defaults(schema: ParamSchema): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, spec] of Object.entries(schema)) out[k] = spec.default;
  return out;
}

function check(id: string, key: string, spec: ParamSpec, value: ParamValue): ParamValue {
  const bad = (why: string): never => {
    throw new GlassboxError(`${id}: parameter ${key} ${why}`, { code: 'bad-parameter' });
  };
  switch (spec.type) {
    case 'number':
    case 'integer':
    case 'optional-number': {
      if (value === null && spec.type === 'optional-number') return null;
      if (typeof value !== 'number' || Number.isNaN(value))
        return bad(`must be a number, got ${JSON.stringify(value)}`);
      const integer = spec.type === 'integer' || (spec.type === 'optional-number' && spec.integer);
      if (integer && !Number.isInteger(value)) bad(`must be a whole number, got ${value}`);
      if (
        spec.min !== undefined &&
        (value < spec.min || (spec.type === 'number' && spec.exclusiveMin && value === spec.min))
      )
        bad(`must be ${spec.type === 'number' && spec.exclusiveMin ? '>' : '>='} ${spec.min}, got ${value}`);
      if (spec.max !== undefined && value > spec.max) bad(`must be <= ${spec.max}, got ${value}`);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') bad(`must be true or false, got ${JSON.stringify(value)}`);
      return value;
    case 'choice':
      if (typeof value !== 'string' || !spec.values.includes(value))
        bad(`must be one of ${spec.values.join(', ')}, got ${JSON.stringify(value)}`);
      return value;
    case 'string':
      if (typeof value !== 'string') bad(`must be text, got ${JSON.stringify(value)}`);
      return value;
    case 'multi':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && spec.values.includes(v)))
        bad(`must be a list drawn from ${spec.values.join(', ')}`);
      return value;
    case 'columns':
      if (value === null) return null;
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) bad('must be a list of column names');
      return value;
  }
}

/** Defaults overlaid with `given`, each value checked against the schema; unknown keys are errors. */
export function resolveParams(id: string, schema: ParamSchema, given: Params = {}): Params {
  const out = defaults(schema);
  for (const [k, v] of Object.entries(given)) {
    const spec = schema[k];
    if (!spec) {
      const known = Object.keys(schema);
      throw new GlassboxError(`${id}: unknown parameter "${k}" (parameters: ${known.join(', ') || 'none'})`, {
        code: 'bad-parameter',
      });
    }
    out[k] = check(id, k, spec, v);
  }
  return out;
}

/** Parses a `--set key=value` text by the schema's type for that key. */
export function parseParamText(id: string, schema: ParamSchema, key: string, text: string): ParamValue {
  const spec = schema[key];
  if (!spec) {
    throw new GlassboxError(
      `${id}: unknown parameter "${key}" (parameters: ${Object.keys(schema).join(', ') || 'none'})`,
      {
        code: 'bad-parameter',
      },
    );
  }
  switch (spec.type) {
    case 'number':
    case 'integer':
    case 'optional-number': {
      if (spec.type === 'optional-number' && (text === 'null' || text === 'none' || text === '')) return null;
      const v = Number(text);
      if (text.trim() === '' || Number.isNaN(v))
        throw new GlassboxError(`${id}: parameter ${key} must be a number, got "${text}"`, { code: 'bad-parameter' });
      return v;
    }
    case 'boolean':
      if (/^(true|1|yes)$/i.test(text)) return true;
      if (/^(false|0|no)$/i.test(text)) return false;
      throw new GlassboxError(`${id}: parameter ${key} must be true or false, got "${text}"`, {
        code: 'bad-parameter',
      });
    case 'columns':
    case 'multi':
      return text === '' ? [] : text.split(',').map((s) => s.trim());
    default:
      return text;
  }
}

/** Typed reads of resolved parameters; a wrong type here is a programming error, not user input. */
export function numParam(p: Params, key: string): number {
  const v = p[key];
  if (typeof v !== 'number') throw new Error(`parameter ${key} is not a number`);
  return v;
}

export function optNumParam(p: Params, key: string): number | null {
  const v = p[key];
  if (v === null) return null;
  if (typeof v !== 'number') throw new Error(`parameter ${key} is not a number`);
  return v;
}

export function boolParam(p: Params, key: string): boolean {
  const v = p[key];
  if (typeof v !== 'boolean') throw new Error(`parameter ${key} is not a boolean`);
  return v;
}

export function strParam(p: Params, key: string): string {
  const v = p[key];
  if (typeof v !== 'string') throw new Error(`parameter ${key} is not a string`);
  return v;
}

export function colsParam(p: Params, key: string): readonly string[] | null {
  const v = p[key];
  if (v === null) return null;
  if (!Array.isArray(v)) throw new Error(`parameter ${key} is not a list`);
  return v as readonly string[];
}
