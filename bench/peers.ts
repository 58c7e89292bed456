import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** ../shared beside the checkout (dist/bench -> repo -> ..), or GLASSBOX_SHARED. */
export const SHARED =
  process.env.GLASSBOX_SHARED ??
  (existsSync(join(here, '..', '..', '..', 'shared')) ? join(here, '..', '..', '..', 'shared') : '/work/shared');
export const DATASETS = join(SHARED, 'datasets');
export const PEER = join(SHARED, 'peers', 'peer.py');
export const SPLIT = join(SHARED, 'peers', 'split.py');
export const PYTHON = '/usr/bin/python3';

export interface ManifestEntry {
  file: string;
  task: string;
  target?: string;
  positive?: string;
  sep: string;
  rows: number;
  cols: number;
  header?: boolean;
  columns?: string[];
}

export function manifest(): ManifestEntry[] {
  return JSON.parse(readFileSync(join(DATASETS, 'manifest.json'), 'utf8')) as ManifestEntry[];
}

/** Fails early, with the install command, when Debian's scientific Python is absent. */
export function requirePeers(): void {
  try {
    execFileSync(PYTHON, ['-c', 'import sklearn, pandas'], { stdio: 'ignore' });
  } catch {
    process.stderr.write(
      'the reference peers need Debian packages: apt-get install -y python3-sklearn python3-xgboost python3-optuna python3-pandas\n',
    );
    process.exit(2);
  }
}

/** Runs peer.py and returns its JSON line. */
export function runPeer(args: readonly string[]): Record<string, unknown> {
  const out = execFileSync(PYTHON, [PEER, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = out.trim().split('\n').pop() ?? '{}';
  return JSON.parse(line) as Record<string, unknown>;
}

/** peer.py on one prepared case's split in a given mode; `extra` adds flags (--params, --seed, ...). */
export function runPeerOn(
  pc: { readonly train: string; readonly test: string; readonly target: string; readonly task: string },
  mode: string,
  extra: readonly string[] = [],
): Record<string, unknown> {
  return runPeer([
    '--train',
    pc.train,
    '--test',
    pc.test,
    '--target',
    pc.target,
    '--task',
    pc.task,
    '--mode',
    mode,
    ...extra,
  ]);
}

/** The fixed 80/20 split of split.py, cached under .bench/splits. `file` is a dataset name or an absolute path. */
export function split(
  file: string,
  target: string,
  task: string,
  sep: string,
  root: string,
  drop?: string,
): { train: string; test: string } {
  const dir = join(root, '.bench', 'splits', (file.split('/').pop() ?? 'data').replace(/\W+/g, '_'));
  const train = join(dir, 'train.csv');
  const test = join(dir, 'test.csv');
  if (!existsSync(train)) {
    const path = file.startsWith('/') ? file : join(DATASETS, file);
    const extra = drop ? ['--drop', drop] : [];
    execFileSync(
      PYTHON,
      [SPLIT, '--data', path, '--target', target, '--task', task, '--sep', sep, '--out', dir, ...extra],
      {
        stdio: 'ignore',
      },
    );
  }
  return { train, test };
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows
    .map((r) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '))
    .join('\n');
}
