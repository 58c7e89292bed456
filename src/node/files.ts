import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GlassboxError } from '../data/errors.js';

/**
 * Writes via a temporary file in the same folder and a rename, so a crash or a full disk never
 * leaves a half-written bundle where a good one was.
 */
export function writeFileAtomic(path: string, content: string | Iterable<string>): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    if (typeof content === 'string') writeSync(fd, content);
    else for (const chunk of content) writeSync(fd, chunk);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** The pipeline as standalone TypeScript in DIR/code (model.ts, cli.ts, README.md, package.json), as a run directory holds it. */
export function writeCode(dir: string, files: Readonly<Record<string, string>>): void {
  const code = join(dir, 'code');
  mkdirSync(code, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileAtomic(join(code, name), text);
}

export function readJsonFile(path: string, what: string): unknown {
  if (!existsSync(path)) throw new GlassboxError(`${path}: no such ${what} file`, { file: path });
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new GlassboxError(`${path}: not valid JSON (${(e as Error).message})`, { file: path });
  }
}

/** `base`, or `base-2`, `base-3`... whichever does not exist yet: a new run never overwrites an old one. */
export function freshDir(base: string): string {
  if (!existsSync(base)) return base;
  for (let k = 2; ; k++) if (!existsSync(`${base}-${k}`)) return `${base}-${k}`;
}

/**
 * The compiled worker module `file` (e.g. 'trial-worker.js') beside src/node; when running from
 * TypeScript sources (tests), its twin under dist/, which `npm test` builds first.
 */
export function workerModule(file: string): string {
  return compiledModule(import.meta.url, file);
}

/**
 * The compiled module `file` beside the module at `from` (its import.meta.url); when that module
 * runs from TypeScript sources (tests), the twin under dist/, which `npm test` builds first.
 */
export function compiledModule(from: string, file: string): string {
  const here = join(dirname(fileURLToPath(from)), file);
  if (existsSync(here)) return here;
  const at = here.lastIndexOf(`${sep}src${sep}`);
  const compiled = at < 0 ? here : `${here.slice(0, at)}${sep}dist${here.slice(at)}`;
  if (existsSync(compiled)) return compiled;
  throw new Error(`module not found at ${here} or ${compiled}: run npm run build`);
}
