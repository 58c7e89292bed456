import type { Command } from 'commander';

/** Options every command that reads a table accepts. */
export function addReadOptions(cmd: Command): Command {
  return cmd
    .option('--sep <char>', 'field separator (default: sniffed among , ; TAB |)')
    .option('--no-header', 'the first row is data, not column names')
    .option('--columns <names>', 'comma-separated column names (for files without a header, or to rename)')
    .option('--sheet <name>', 'Excel sheet to read (default: the first)')
    .option('--missing <markers>', 'comma-separated texts that mean missing (default: "", NA, N/A, null, NaN, ?)');
}

export { readOptionsFrom, type ReadFlags } from '../node/read-flags.js';
