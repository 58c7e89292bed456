import { Command } from 'commander';
import { profile, renderProfile } from '../data/profile.js';
import { readTable } from '../node/read-table.js';
import { addReadOptions, readOptionsFrom, type ReadFlags } from './read-options.js';

interface ProfileFlags extends ReadFlags {
  target?: string;
  json?: boolean;
}

export function profileCommand(): Command {
  const cmd = new Command('profile')
    .description('describe every column (type, missing values, distribution) and warn about problems in plain language')
    .argument('<data>', 'CSV, Excel .xlsx, JSON lines or Parquet')
    .option('--target <column>', 'the column you want to predict (enables leakage and imbalance checks)')
    .option('--json', 'print the profile as JSON');
  addReadOptions(cmd);
  cmd.action(async (data: string, flags: ProfileFlags) => {
    const read = await readTable(data, readOptionsFrom(flags));
    const p = profile(read, { target: flags.target });
    process.stdout.write(flags.json ? JSON.stringify(p, null, 2) + '\n' : renderProfile(p) + '\n');
  });
  return cmd;
}
