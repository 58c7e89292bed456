import type { Command } from 'commander';
import type { ReadOptions } from '../data/read-csv.js';

/** Options every command that reads a table accepts. */
export function addReadOptions(cmd: Command): Command {
  return cmd
    .option('--sep <char>', 'field separator (default: sniffed among , ; TAB |)')
    .option('--no-header', 'the first row is data, not column names')
    .option('--columns <names>', 'comma-separated column names (for files without a header, or to rename)')
    .option('--sheet <name>', 'Excel sheet to read (default: the first)')
    .option('--missing <markers>', 'comma-separated texts that mean missing (default: "", NA, N/A, null, NaN, ?)');
}

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
