import { GlassboxError } from '../data/errors.js';
import type { Rng } from '../engine/random.js';
import type { SearchSpace } from '../techniques/contract.js';

export type ParamValue = string | number | boolean;

/** One trial's parameters: exactly the dimensions that were active for it. */
export type Params = Record<string, ParamValue>;

/** Makes a dimension active only when an earlier dimension took one of `values`. */
export interface Condition {
  readonly name: string;
  readonly values: readonly ParamValue[];
}

export interface Dimension {
  readonly name: string;
  readonly dist: SearchSpace;
  readonly when?: Condition;
}

/**
 * A search space as plain data, so it can be stored with a study and shown in a report. Order
 * matters: a condition may only look back, which lets every sampler fill a trial in one pass.
 */
export type Space = readonly Dimension[];

function fail(name: string, message: string): never {
  throw new GlassboxError(`search space: dimension "${name}": ${message}`, { code: 'invalid-search-space' });
}

function isParamValue(v: unknown): v is ParamValue {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** Throws a GlassboxError naming the first dimension that cannot be sampled. */
export function validateSpace(space: Space): void {
  if (!Array.isArray(space)) throw new GlassboxError('search space: expected a list of dimensions');
  const seen = new Map<string, number>();
  space.forEach((dim: Dimension, i: number) => {
    const name = dim?.name;
    if (typeof name !== 'string' || name === '') fail(String(name), `dimension ${i} needs a non-empty name`);
    // Params are plain objects; this one key would set their prototype instead of a value.
    if (name === '__proto__') fail(name, 'this name is reserved');
    if (seen.has(name)) fail(name, `the name is used twice (dimensions ${seen.get(name)} and ${i})`);
    validateDist(name, dim.dist);
    if (dim.when !== undefined) {
      const parentIndex = seen.get(dim.when.name);
      if (parentIndex === undefined) {
        const later = space.findIndex((d) => d?.name === dim.when?.name);
        fail(
          name,
          later >= 0
            ? `its condition refers to "${dim.when.name}", which comes later; list "${dim.when.name}" first`
            : `its condition refers to "${dim.when.name}", which is not a dimension of this space`,
        );
      }
      validateCondition(name, dim.when, space[parentIndex].dist);
    }
    seen.set(name, i);
  });
}

function validateDist(name: string, dist: SearchSpace): void {
  if (dist === null || typeof dist !== 'object') fail(name, 'missing distribution');
  if (dist.type === 'choice') {
    if (!Array.isArray(dist.values) || dist.values.length === 0) fail(name, 'a choice needs at least one value');
    const values = new Set<ParamValue>();
    for (const v of dist.values) {
      if (!isParamValue(v)) fail(name, `choice value ${String(v)} is not a string, finite number or boolean`);
      // A repeated value would double its prior weight and make its observations ambiguous.
      if (values.has(v)) fail(name, `choice value ${JSON.stringify(v)} is listed twice`);
      values.add(v);
    }
    return;
  }
  if (dist.type !== 'float' && dist.type !== 'int')
    fail(name, `unknown distribution type "${String((dist as { type: unknown }).type)}"`);
  const { low, high } = dist;
  if (!Number.isFinite(low) || !Number.isFinite(high)) fail(name, `bounds must be finite numbers (${low}, ${high})`);
  if (low > high) fail(name, `low (${low}) is greater than high (${high})`);
  if (dist.type === 'int' && (!Number.isInteger(low) || !Number.isInteger(high)))
    fail(name, `an int dimension needs integer bounds (${low}, ${high})`);
  if (dist.log && low <= 0) fail(name, `a log-scaled dimension needs low > 0 (got ${low})`);
}

function validateCondition(name: string, when: Condition, parent: SearchSpace): void {
  if (!Array.isArray(when.values) || when.values.length === 0)
    fail(name, `its condition on "${when.name}" lists no values`);
  if (parent.type === 'float')
    fail(name, `its condition is on "${when.name}", a continuous dimension that almost never equals a listed value`);
  for (const v of when.values) {
    const possible = parent.type === 'choice' ? parent.values.includes(v) : fitsValue(parent, v);
    if (!possible)
      fail(name, `its condition on "${when.name}" lists ${JSON.stringify(v)}, which "${when.name}" can never take`);
  }
}

function indexOfName(space: Space, name: string, before: number): number {
  for (let i = 0; i < before; i++) if (space[i].name === name) return i;
  return -1;
}

function own(params: Readonly<Params>, name: string): ParamValue | undefined {
  return Object.hasOwn(params, name) ? params[name] : undefined;
}

/** Whether dimension `dimIndex` applies, given the values of the dimensions before it. */
export function isActive(space: Space, dimIndex: number, params: Readonly<Params>): boolean {
  const when = space[dimIndex].when;
  if (when === undefined) return true;
  const parent = indexOfName(space, when.name, dimIndex);
  if (parent < 0 || !isActive(space, parent, params)) return false;
  const v = own(params, when.name);
  return v !== undefined && when.values.includes(v);
}

/** Whether `v` is a value the distribution can produce. */
export function fitsValue(dist: SearchSpace, v: unknown): v is ParamValue {
  switch (dist.type) {
    case 'choice':
      return dist.values.includes(v as ParamValue);
    case 'int':
      return Number.isInteger(v) && (v as number) >= dist.low && (v as number) <= dist.high;
    case 'float':
      return typeof v === 'number' && Number.isFinite(v) && v >= dist.low && v <= dist.high;
  }
}

/** One value of a distribution; ints on a log scale are drawn as Optuna does (log-uniform on [low-½, high+½], rounded). */
export function sampleValue(dist: SearchSpace, rng: Rng): ParamValue {
  if (dist.type === 'choice')
    return dist.values.length === 1 ? dist.values[0] : dist.values[rng.int(dist.values.length)];
  const { low, high } = dist;
  if (low === high) return low;
  if (dist.type === 'int' && !dist.log) return low + rng.int(high - low + 1);
  const half = dist.type === 'int' ? 0.5 : 0;
  const u = rng.next();
  const x = dist.log
    ? Math.exp(Math.log(low - half) + u * (Math.log(high + half) - Math.log(low - half)))
    : low + u * (high - low);
  // exp(log(x)) can land one ulp outside the bounds.
  return Math.min(high, Math.max(low, dist.type === 'int' ? Math.round(x) : x));
}

/** Independent uniform draws for every active dimension, in space order. */
export function sampleRandom(space: Space, rng: Rng): Params {
  const params: Params = {};
  for (let i = 0; i < space.length; i++)
    if (isActive(space, i, params)) params[space[i].name] = sampleValue(space[i].dist, rng);
  return params;
}

/** Whether `params` holds exactly the active dimensions of `space`, each with a value it can take. */
export function contains(space: Space, params: Readonly<Params>): boolean {
  let active = 0;
  for (let i = 0; i < space.length; i++) {
    const v = own(params, space[i].name);
    if (!isActive(space, i, params)) {
      if (v !== undefined) return false;
      continue;
    }
    if (v === undefined || !fitsValue(space[i].dist, v)) return false;
    active++;
  }
  // Anything else in params is a name the space does not know.
  return Object.keys(params).length === active;
}
