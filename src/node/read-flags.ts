import type { ForcedType } from '../data/column-builder.js';
import type { ReadOptions } from '../data/read-csv.js';

/** Reading choices as the command line gives them (and run.json keeps them). */
export interface ReadFlags {
  sep?: string;
  header?: boolean;
  columns?: string;
  sheet?: string;
  missing?: string;
}

export function readOptionsFrom(flags: ReadFlags): ReadOptions {
  const out: { -readonly [K in keyof ReadOptions]: ReadOptions[K] } = {};
  if (flags.sep !== undefined) out.separator = flags.sep;
  // Commander sets header=true unless --no-header: then auto-detection decides.
  if (flags.header === false) out.header = false;
  if (flags.columns !== undefined) out.columns = flags.columns.split(',').map((s) => s.trim());
  if (flags.sheet !== undefined) out.sheet = flags.sheet;
  if (flags.missing !== undefined) out.missing = ['', ...flags.missing.split(',').map((s) => s.trim())];
  return out;
}

/** A column's type as a user may set it: read as numbers, as categories, or as free text. */
export type ColumnChoice = 'numeric' | 'categorical' | 'text';

/** Reading options that impose the user's column types; none when there are none. */
export function forced(types: Readonly<Record<string, ColumnChoice>> | undefined): {
  types?: Record<string, ForcedType>;
} {
  if (!types || !Object.keys(types).length) return {};
  const out: Record<string, ForcedType> = {};
  for (const [name, kind] of Object.entries(types)) out[name] = { kind };
  return { types: out };
}
