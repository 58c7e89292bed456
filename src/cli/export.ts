import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { GlassboxError } from '../data/errors.js';
import { loadBundle } from '../export/bundle.js';
import { exportTypeScript } from '../export/typescript.js';
import { readJsonFile, writeFileAtomic } from '../node/files.js';
import '../techniques/index.js';

interface ExportFlags {
  format: string;
  out: string;
}

export function exportCommand(): Command {
  return new Command('export')
    .description(
      'write a bundle as standalone code: --format ts gives model.ts (one function per step and predict), cli.ts (scores a CSV) and a README, with no dependency on Glassbox',
    )
    .argument('<bundle>', 'bundle.json written by train or automl')
    .option('--format <format>', 'ts (TypeScript)', 'ts')
    .requiredOption('--out <dir>', 'folder to write the files into (created if needed)')
    .action((bundlePath: string, flags: ExportFlags) => {
      if (flags.format !== 'ts')
        throw new GlassboxError(`--format ${flags.format} is not supported: use ts (TypeScript)`, {
          code: 'bad-option',
        });
      const { bundle, pipeline } = loadBundle(readJsonFile(bundlePath, 'bundle'), bundlePath);
      const files = exportTypeScript(bundle, pipeline);
      mkdirSync(flags.out, { recursive: true });
      // Fixed file names: nothing from the bundle becomes a path.
      for (const [name, text] of Object.entries(files)) writeFileAtomic(join(flags.out, name), [text]);
      process.stderr.write(`wrote ${Object.keys(files).join(', ')} to ${flags.out}\n`);
    });
}
