import { Command, CommanderError } from 'commander';
import { GlassboxError } from '../data/errors.js';
import { VERSION } from '../version.js';
import { automlCommand } from './automl.js';
import { demoCommand } from './demo.js';
import { exportCommand } from './export.js';
import { predictCommand } from './predict.js';
import { profileCommand } from './profile.js';
import { serveCommand } from './serve.js';
import { evaluateCommand } from './evaluate.js';
import { retrainCommand } from './retrain.js';
import { trainCommand } from './train.js';

/** Runs the CLI; returns the exit code. Errors print as one line without a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command();
  program
    .name('glassbox')
    .description('AutoML you can see through: profile, train, predict and export tabular models.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const cmd of [
    profileCommand(),
    trainCommand(),
    automlCommand(),
    predictCommand(),
    exportCommand(),
    demoCommand(),
    serveCommand(),
    evaluateCommand(),
    retrainCommand(),
  ]) {
    cmd.exitOverride();
    program.addCommand(cmd);
  }
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (e) {
    return reportError(e);
  }
}

export function reportError(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
  if (e instanceof GlassboxError) {
    process.stderr.write(`glassbox: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.message === 'string') {
    process.stderr.write(`glassbox: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  }
  process.stderr.write(
    `glassbox: internal error: ${(e as Error)?.message ?? String(e)} (set GLASSBOX_DEBUG=1 for details)\n`,
  );
  if (process.env.GLASSBOX_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
  return 70;
}
