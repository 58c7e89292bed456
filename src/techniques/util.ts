import { GlassboxError } from '../data/errors.js';
import type { Column, ColumnKind, Frame } from '../data/frame.js';
import type { Fitted, FittedModel, FittedTransformer, ParamValue } from './contract.js';

/**
 * The feature columns a step acts on: the named ones (each must exist, be a feature and have an
 * accepted kind), or, when `names` is null, every feature column of an accepted kind.
 */
export function pickColumns(id: string, frame: Frame, names: ParamValue, kinds: readonly ColumnKind[]): Column[] {
  if (names === null || names === undefined) return frame.features().filter((c) => kinds.includes(c.kind));
  if (!Array.isArray(names)) throw new GlassboxError(`${id}: columns must be a list of names`);
  return (names as readonly string[]).map((n) => {
    const c = frame.get(n);
    if (!kinds.includes(c.kind))
      throw new GlassboxError(`${id}: column "${n}" is ${c.kind}; this step handles ${kinds.join(' or ')} columns`, {
        column: n,
      });
    return c;
  });
}

/** A column name not yet taken: `base`, else `base_2`, `base_3`... */
export function freshName(taken: ReadonlySet<string>, base: string): string {
  if (!taken.has(base)) return base;
  for (let k = 2; ; k++) if (!taken.has(`${base}_${k}`)) return `${base}_${k}`;
}

/** A TypeScript literal for a number that reads back bit for bit (String() round-trips doubles). */
export function num(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Object.is(x, -0)) return '-0';
  return String(x);
}

export function str(s: string): string {
  return JSON.stringify(s);
}

export function numArray(a: ArrayLike<number>): string {
  const parts: string[] = [];
  for (let i = 0; i < a.length; i++) parts.push(num(a[i]));
  return `[${parts.join(', ')}]`;
}

export function strArray(a: readonly string[]): string {
  return `[${a.map(str).join(', ')}]`;
}

/** Index of each incoming category in a fitted list, or -1: categories are matched by text, never by code. */
export function categoryLookup(incoming: readonly string[], fitted: ReadonlyMap<string, number>): Int32Array {
  const out = new Int32Array(incoming.length);
  for (let k = 0; k < incoming.length; k++) out[k] = fitted.get(incoming[k]) ?? -1;
  return out;
}

export function indexOf(values: readonly string[]): Map<string, number> {
  return new Map(values.map((v, i) => [v, i]));
}

/** NaN-safe JSON for typed arrays of state: NaN and infinities become strings, restored by `fromJsonNumbers`. */
export function jsonNumbers(a: ArrayLike<number>): (number | string)[] {
  const out: (number | string)[] = [];
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    out.push(Number.isFinite(v) ? v : String(v));
  }
  return out;
}

export function fromJsonNumbers(a: unknown): Float64Array {
  if (!Array.isArray(a)) throw new GlassboxError('bundle: expected a list of numbers');
  return Float64Array.from(a, (v) => (typeof v === 'number' ? v : Number(v)));
}

export function asObject(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new GlassboxError(`bundle: ${what} must be an object`);
  return v as Record<string, unknown>;
}

export function asStrings(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
    throw new GlassboxError(`bundle: ${what} must be a list of strings`);
  return v as string[];
}

export function asTransformer(f: Fitted): FittedTransformer {
  if (f.kind !== 'transformer') throw new GlassboxError(`${f.technique} is a model, not a transformer`);
  return f;
}

export function asModel(f: Fitted): FittedModel {
  if (f.kind !== 'model') throw new GlassboxError(`${f.technique} is a transformer, not a model`);
  return f;
}
