import { mkdirSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { GlassboxError } from '../data/errors.js';
import { forcedTypes, loadBundle } from '../export/bundle.js';
import { exportOnnx } from '../export/onnx/convert.js';
import { exportTypeScript } from '../export/typescript.js';
import { readJsonFile, writeFileAtomic } from '../node/files.js';
import { checkOnnx } from '../node/onnx-check.js';
import { readTable } from '../node/read-table.js';
import '../techniques/index.js';
import { addReadOptions, readOptionsFrom, type ReadFlags } from './read-options.js';

interface ExportFlags extends ReadFlags {
  format: string;
  out: string;
  check?: string;
}

/** Binary files get the same write-then-rename as text, so a failed export leaves no half file. */
function writeBytesAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function exportCommand(): Command {
  const cmd = new Command('export')
    .description(
      'write a bundle as standalone code: --format ts gives model.ts (one function per step and predict), cli.ts (scores a CSV) and a README, with no dependency on Glassbox; --format onnx gives model.onnx and a README for onnxruntime',
    )
    .argument('<bundle>', 'bundle.json written by train or automl')
    .option('--format <format>', 'ts (TypeScript) or onnx', 'ts')
    .requiredOption('--out <dir>', 'folder to write the files into (created if needed)')
    .option(
      '--check <data>',
      'onnx: run the exported model in onnxruntime-node on this file and report the largest difference from the bundle',
    );
  addReadOptions(cmd);
  cmd.action(async (bundlePath: string, flags: ExportFlags) => {
    if (flags.format !== 'ts' && flags.format !== 'onnx')
      throw new GlassboxError(`--format ${flags.format} is not supported: use ts (TypeScript) or onnx`, {
        code: 'bad-option',
      });
    if (flags.check && flags.format !== 'onnx')
      throw new GlassboxError('--check applies to --format onnx', { code: 'bad-option' });
    const { bundle, pipeline } = loadBundle(readJsonFile(bundlePath, 'bundle'), bundlePath);
    // Fixed file names: nothing from the bundle becomes a path.
    if (flags.format === 'ts') {
      const files = exportTypeScript(bundle, pipeline);
      mkdirSync(flags.out, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileAtomic(join(flags.out, name), [text]);
      process.stderr.write(`wrote ${Object.keys(files).join(', ')} to ${flags.out}\n`);
      return;
    }
    const { model, readme } = exportOnnx(bundle, pipeline);
    if (flags.check) {
      const read = await readTable(flags.check, { ...readOptionsFrom(flags), types: forcedTypes(bundle) });
      const c = await checkOnnx(model, bundle, pipeline, read.frame);
      const what = bundle.task === 'regression' ? 'relative difference in values' : 'difference in probabilities';
      const labels = bundle.task === 'regression' ? '' : `, ${c.labelMismatches} labels differ`;
      process.stderr.write(
        `checked ${c.rows} rows of ${flags.check} in onnxruntime: largest ${what} ${c.worst.toExponential(2)}${labels}\n`,
      );
      if (c.worst > 1e-5 || c.labelMismatches > 0)
        throw new GlassboxError(
          `the ONNX model differs from the bundle on ${flags.check} (largest ${what} ${c.worst.toExponential(2)})`,
          {
            code: 'check-failed',
          },
        );
    }
    mkdirSync(flags.out, { recursive: true });
    writeBytesAtomic(join(flags.out, 'model.onnx'), model);
    writeFileAtomic(join(flags.out, 'README.md'), [readme]);
    process.stderr.write(`wrote model.onnx (${(model.length / 1024).toFixed(0)} KB), README.md to ${flags.out}\n`);
  });
  return cmd;
}
