import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { GlassboxError } from '../data/errors.js';
import type { ByteSource } from '../data/read-csv.js';

/** A file as a restartable stream of 1 MB chunks. Errors name the file as the user typed it. */
export function fileSource(path: string): ByteSource {
  const size = checkReadable(path);
  return {
    name: path,
    size,
    async *chunks() {
      const stream = createReadStream(path, { highWaterMark: 1 << 20 });
      for await (const chunk of stream) yield chunk as Uint8Array;
    },
    // Synchronous reads: a local file answers at once, and a thread-pool round trip per megabyte
    // costs more than the read itself for the small files analysts bring.
    open() {
      const fd = openSync(path, 'r');
      return {
        async read(into, offset, length) {
          return readSync(fd, into, offset, length, null);
        },
        close() {
          closeSync(fd);
        },
      };
    },
  };
}

/** The file's size; a one-line error if it is missing, a folder or empty. */
export function checkReadable(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new GlassboxError(`${path}: no such file`, { file: path, code: 'no-such-file' });
  }
  if (st.isDirectory()) throw new GlassboxError(`${path}: is a directory, not a data file`, { file: path });
  if (st.size === 0) throw new GlassboxError(`${path}: the file is empty`, { file: path });
  return st.size;
}

/** The first bytes of a file, for telling formats apart by content rather than by name. */
export function magicBytes(path: string, n = 8): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

export function displayName(path: string): string {
  return basename(path);
}
