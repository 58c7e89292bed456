import { ColumnBuilder, type ColumnInference } from '../data/column-builder.js';
import { GlassboxError, locate } from '../data/errors.js';
import { Frame, type Column } from '../data/frame.js';
import { DEFAULT_MISSING_MARKERS, MissingMatcher } from '../data/missing.js';
import { DEFAULT_LIMITS, type ByteSource, type ReadOptions, type ReadResult } from '../data/read-csv.js';

/**
 * Reads JSON lines (one object per line) as it streams in. Columns are the union of keys in
 * first-seen order; a key a row lacks is missing there. Nested values are kept as JSON text.
 */
export async function readJsonl(source: ByteSource, options: ReadOptions = {}): Promise<ReadResult> {
  const file = source.name;
  const missing = new MissingMatcher(options.missing ?? DEFAULT_MISSING_MARKERS);
  const maxRows = options.maxRows ?? DEFAULT_LIMITS.maxRows;
  const maxColumns = options.maxColumns ?? DEFAULT_LIMITS.maxColumns;
  const builders = new Map<string, ColumnBuilder>();
  const order: ColumnBuilder[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let rows = 0;
  let line = 0;
  let pending = '';
  const ctx = { file, row: 0, line: 0 };

  const take = (text: string): void => {
    line++;
    const t = text.trim();
    if (t === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch {
      throw new GlassboxError(locate({ file, row: rows + 1, line }, 'not a JSON object (invalid JSON)'), {
        file,
        row: rows + 1,
      });
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
      throw new GlassboxError(locate({ file, row: rows + 1, line }, 'not a JSON object'), { file, row: rows + 1 });
    rows++;
    if (rows > maxRows) throw new GlassboxError(`${file}: more than ${maxRows} rows (the row limit)`, { file });
    ctx.row = rows;
    ctx.line = line;
    const record = obj as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!builders.has(key)) {
        if (builders.size >= maxColumns)
          throw new GlassboxError(`${file}: more than ${maxColumns} columns (the column limit)`, { file });
        const b = new ColumnBuilder(key, options.types?.[key]);
        for (let i = 1; i < rows; i++) b.pushMissing();
        builders.set(key, b);
        order.push(b);
      }
    }
    for (const b of order) {
      const v = record[b.name];
      if (v === null || v === undefined) b.pushMissing();
      else if (typeof v === 'number') b.pushNumber(v, ctx);
      else if (typeof v === 'boolean') b.pushString(v ? 'true' : 'false', ctx);
      else if (typeof v === 'string') {
        const s = v.trim();
        if (missing.matchString(s)) b.pushMissing();
        else b.pushString(s, ctx);
      } else b.pushString(JSON.stringify(v), ctx);
    }
  };

  for await (const chunk of source.chunks()) {
    pending += decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf('\n');
    let start = 0;
    while (nl >= 0) {
      take(pending.slice(start, nl));
      start = nl + 1;
      nl = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending.trim() !== '') take(pending);
  if (rows === 0) throw new GlassboxError(`${file}: no JSON objects found`, { file });
  const columns: Column[] = [];
  const inferences: ColumnInference[] = [];
  const names = options.columns;
  if (names && names.length !== order.length)
    throw new GlassboxError(`${file}: ${names.length} column names were given but the data has ${order.length} keys`, {
      file,
    });
  order.forEach((b, j) => {
    const { column, inference } = b.finish(decoder, file);
    const name = names ? names[j] : column.name;
    columns.push({ ...column, name });
    inferences.push({ ...inference, name });
  });
  return { frame: new Frame(columns, rows), columns: inferences, format: { kind: 'jsonl' }, warnings: [] };
}
