import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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

/** Starts `glassbox serve` on a free port in `dataDir`; resolves with its address once it listens. */
export function serve(dataDir: string, extra: readonly string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir, ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /glassbox serving (http:\/\/[^\s]+)/.exec(err);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${err}`)));
  });
}
