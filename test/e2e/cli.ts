import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'glassbox');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI the way a user does (npm test builds first). */
export function glassbox(args: readonly string[], cwd?: string): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'glassbox-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A one-line error: exactly one line on stderr, starting with "glassbox:", no stack frames. */
export function isOneLineError(r: Run): boolean {
  const lines = r.stderr.trimEnd().split('\n');
  return r.code !== 0 && lines.length === 1 && lines[0].startsWith('glassbox: ') && !r.stderr.includes('    at ');
}
