import { extname } from 'node:path';
import { GlassboxError } from '../data/errors.js';
import { readCsv, type ReadOptions, type ReadResult } from '../data/read-csv.js';
import { readJsonl } from './read-jsonl.js';
import { readParquet } from './read-parquet.js';
import { readXlsx } from './read-xlsx.js';
import { checkReadable, fileSource, magicBytes } from './source.js';

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** A file's format from its first bytes (zip = Excel, PAR1 = Parquet), else from its name. */
export function tableFormat(path: string, name = path): 'xlsx' | 'parquet' | 'jsonl' | 'csv' {
  const magic = magicBytes(path, 8);
  if (startsWith(magic, [0x50, 0x4b, 0x03, 0x04])) return 'xlsx';
  if (startsWith(magic, [0x50, 0x41, 0x52, 0x31])) return 'parquet';
  return /\.(jsonl|ndjson)$/i.test(name) ? 'jsonl' : 'csv';
}

/**
 * Reads any supported table, deciding the format from the content first (a zip is Excel, PAR1 is
 * Parquet) and the extension second, so a misnamed file still reads.
 */
export async function readTable(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  checkReadable(path);
  const magic = magicBytes(path, 8);
  if (startsWith(magic, [0x50, 0x4b, 0x03, 0x04])) return readXlsx(path, options);
  if (startsWith(magic, [0x50, 0x41, 0x52, 0x31])) return readParquet(path, options);
  if (startsWith(magic, [0xd0, 0xcf, 0x11, 0xe0]))
    throw new GlassboxError(`${path}: the old .xls format is not supported; save it as .xlsx or CSV`, { file: path });
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return readJsonl(fileSource(path), options);
  if (ext === '.json') {
    let i = 0;
    while (i < magic.length && (magic[i] === 0x20 || magic[i] === 0x0a || magic[i] === 0x0d || magic[i] === 0x09)) i++;
    if (magic[i] === 0x7b) return readJsonl(fileSource(path), options);
    throw new GlassboxError(`${path}: only JSON lines (one object per line) are supported, not a JSON array`, {
      file: path,
    });
  }
  return readCsv(fileSource(path), options);
}
