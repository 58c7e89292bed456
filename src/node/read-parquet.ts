import { ColumnBuilder, type ColumnInference } from '../data/column-builder.js';
import { GlassboxError } from '../data/errors.js';
import { Frame, type Column } from '../data/frame.js';
import { DEFAULT_MISSING_MARKERS, MissingMatcher } from '../data/missing.js';
import { DEFAULT_LIMITS, type ReadOptions, type ReadResult } from '../data/read-csv.js';

interface Chunk {
  rowStart: number;
  data: ArrayLike<unknown>;
}

/**
 * Reads a Parquet file (pure JavaScript, every common codec) column by column into the same
 * column builders as CSV, so types are inferred the same way: numbers stay numbers, timestamps
 * become dates, strings become categories, dates or numbers as their values say.
 */
export async function readParquet(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  // Loaded on first use, like exceljs: commands on CSV files should not pay for the decoders.
  const { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  let file;
  let metadata;
  try {
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new GlassboxError(`${path}: not a readable Parquet file (${(e as Error).message})`, { file: path });
  }
  const rows = Number(metadata.num_rows);
  const maxRows = options.maxRows ?? DEFAULT_LIMITS.maxRows;
  if (rows > maxRows)
    throw new GlassboxError(`${path}: ${rows} rows is more than the limit of ${maxRows}`, { file: path });
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  if (names.length > (options.maxColumns ?? DEFAULT_LIMITS.maxColumns))
    throw new GlassboxError(`${path}: ${names.length} columns is more than the limit`, { file: path });
  if (rows === 0) throw new GlassboxError(`${path}: the file has no data rows`, { file: path });
  const chunks = new Map<string, Chunk[]>(names.map((n) => [n, []]));
  try {
    await parquetRead({
      file,
      compressors,
      onChunk: (c) =>
        chunks.get(c.columnName)?.push({ rowStart: c.rowStart, data: c.columnData as ArrayLike<unknown> }),
    });
  } catch (e) {
    throw new GlassboxError(`${path}: could not decode the Parquet data (${(e as Error).message})`, { file: path });
  }
  const missing = new MissingMatcher(options.missing ?? DEFAULT_MISSING_MARKERS);
  const warnings: string[] = [];
  const columns: Column[] = [];
  const inferences: ColumnInference[] = [];
  const decoder = new TextDecoder();
  names.forEach((original, j) => {
    const name = options.columns?.[j] ?? original;
    const b = new ColumnBuilder(name, options.types?.[name], rows);
    const ctx = { file: path, row: 0 };
    let lossy = false;
    const parts = (chunks.get(original) ?? []).sort((a, c) => a.rowStart - c.rowStart);
    for (const part of parts) {
      for (let k = 0; k < part.data.length; k++) {
        ctx.row = part.rowStart + k + 1;
        const v = part.data[k];
        if (v === null || v === undefined) b.pushMissing();
        else if (typeof v === 'number') b.pushNumber(v, ctx);
        else if (typeof v === 'bigint') {
          if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) lossy = true;
          b.pushNumber(Number(v), ctx);
        } else if (typeof v === 'boolean') b.pushString(v ? 'true' : 'false', ctx);
        else if (v instanceof Date) b.pushDate(v.getTime(), ctx);
        else if (typeof v === 'string') {
          const s = v.trim();
          if (missing.matchString(s)) b.pushMissing();
          else b.pushString(s, ctx);
        } else if (v instanceof Uint8Array) b.pushString(decoder.decode(v), ctx);
        else
          b.pushString(
            JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? Number(x) : x)),
            ctx,
          );
      }
    }
    if (lossy) warnings.push(`column "${name}": integers beyond 2^53 lost precision as JavaScript numbers`);
    const { column, inference } = b.finish(decoder, path);
    columns.push(column);
    inferences.push(inference);
  });
  return { frame: new Frame(columns, rows), columns: inferences, format: { kind: 'parquet' }, warnings };
}
