import { decodeBytes, type Decoder } from './byte-dict.js';
import { ColumnBuilder, type ColumnInference, type ForcedType } from './column-builder.js';
import { detectDateFormat, parseDate } from './dates.js';
import { GlassboxError, locate } from './errors.js';
import { Frame, type Column } from './frame.js';
import { MissingMatcher, DEFAULT_MISSING_MARKERS } from './missing.js';
import { parseDecimalComma, parseNumberString } from './number.js';
import {
  CsvTokenizer,
  separatorName,
  sniffSeparator,
  TextAfterQuote,
  trimRange,
  UnterminatedQuote,
  unescapeInPlace,
} from './csv-tokenizer.js';

/** Bytes that can be read more than once (the reader restarts when UTF-8 turns out to be Windows-1252). */
export interface ByteSource {
  /** Shown in error messages: the file name as the user gave it. */
  readonly name: string;
  /** Total bytes, when known: sizes the column buffers up front. */
  readonly size?: number;
  chunks(): AsyncIterable<Uint8Array>;
  /** Reads straight into the caller's buffer, avoiding a copy per chunk; `chunks` is the fallback. */
  open?(): ByteReader;
}

export interface ByteReader {
  /** Fills `into[offset, offset + length)` as far as it can; 0 means end of data. */
  read(into: Uint8Array, offset: number, length: number): Promise<number>;
  close(): Promise<void> | void;
}

/** A ByteReader over any chunk stream (browser File.stream(), tests). */
export function chunkReader(chunks: AsyncIterable<Uint8Array>): ByteReader {
  const it = chunks[Symbol.asyncIterator]();
  let pending: Uint8Array | undefined;
  let pendingPos = 0;
  return {
    async read(into, offset, length) {
      while (!pending || pendingPos >= pending.length) {
        const r = await it.next();
        if (r.done) return 0;
        pending = r.value;
        pendingPos = 0;
      }
      const n = Math.min(length, pending.length - pendingPos);
      into.set(pending.subarray(pendingPos, pendingPos + n), offset);
      pendingPos += n;
      return n;
    },
    async close() {
      await it.return?.();
    },
  };
}

export function bytesSource(name: string, bytes: Uint8Array, chunkSize = 1 << 20): ByteSource {
  return {
    name,
    size: bytes.length,
    async *chunks() {
      for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, Math.min(bytes.length, i + chunkSize));
    },
  };
}

export interface ReadOptions {
  /** One of , ; TAB | (or any single character); sniffed when absent. */
  separator?: string;
  /** true: first row is a header; false: it is data; 'auto' (default): decided from the data. */
  header?: boolean | 'auto';
  /** Column names to use (renames a header, or names a headerless file). */
  columns?: readonly string[];
  /** Cell texts meaning "missing", compared after trimming. */
  missing?: readonly string[];
  /** Types imposed by a bundle's schema instead of inferred, by column name. */
  types?: Readonly<Record<string, ForcedType>>;
  /** Excel: sheet name (default: the first sheet). */
  sheet?: string;
  maxRows?: number;
  maxColumns?: number;
}

export interface ReadFormat {
  readonly kind: 'csv' | 'xlsx' | 'jsonl' | 'parquet';
  readonly separator?: string;
  readonly header?: boolean;
  readonly headerDetected?: boolean;
  readonly encoding?: string;
  readonly lineEnding?: 'LF' | 'CRLF' | 'CR';
  readonly sheet?: string;
}

export interface ReadResult {
  readonly frame: Frame;
  readonly columns: readonly ColumnInference[];
  readonly format: ReadFormat;
  readonly warnings: readonly string[];
}

export const DEFAULT_LIMITS = { maxRows: 50_000_000, maxColumns: 20_000 };

/** Read buffer; grows only for a single record longer than this. */
const BUFFER_BYTES = 1 << 20;

class EncodingRetry extends Error {}

/** Reads a delimited text file into a Frame, inferring every column's type from the whole column. */
export async function readCsv(source: ByteSource, options: ReadOptions = {}): Promise<ReadResult> {
  try {
    return await readWith(source, options, 'utf-8');
  } catch (e) {
    if (e instanceof EncodingRetry) return readWith(source, options, 'windows-1252');
    throw e;
  }
}

function utf8Valid(bytes: Uint8Array): boolean {
  // Drop a possibly cut multi-byte sequence at the end of the sample.
  let end = bytes.length;
  for (let k = 1; k <= 3 && end - k >= 0; k++) {
    const b = bytes[end - k];
    if ((b & 0xc0) === 0xc0) {
      end -= k;
      break;
    }
    if ((b & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

async function readWith(
  source: ByteSource,
  options: ReadOptions,
  encoding: 'utf-8' | 'windows-1252',
): Promise<ReadResult> {
  const file = source.name;
  const fail = (message: string, where: { row?: number; line?: number; column?: string } = {}): never => {
    throw new GlassboxError(locate({ file, ...where }, message), { file, row: where.row, column: where.column });
  };
  const maxRows = options.maxRows ?? DEFAULT_LIMITS.maxRows;
  const maxColumns = options.maxColumns ?? DEFAULT_LIMITS.maxColumns;
  const missing = new MissingMatcher(options.missing ?? DEFAULT_MISSING_MARKERS);
  const warnings: string[] = [];

  const reader = source.open ? source.open() : chunkReader(source.chunks());
  try {
    return await parse(reader);
  } finally {
    await reader.close();
  }

  async function parse(reader: ByteReader): Promise<ReadResult> {
    let data = new Uint8Array(BUFFER_BYTES);
    let len = 0;
    let done = false;
    const fill = async (): Promise<void> => {
      while (len < data.length && !done) {
        const n = await reader.read(data, len, data.length - len);
        if (n === 0) done = true;
        else len += n;
      }
    };
    await fill();
    if (len === 0) fail('the file is empty');
    let pos = 0;
    if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) pos = 3;
    else if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff))
      fail('the file is UTF-16 encoded; save it as UTF-8 (or CSV UTF-8 in Excel) and try again');
    const probe = data.subarray(0, Math.min(len, 65536));
    if (probe.indexOf(0) >= 0) fail('this looks like a binary file, not delimited text (it contains NUL bytes)');
    if (encoding === 'utf-8' && !utf8Valid(data.subarray(pos, len))) throw new EncodingRetry();
    const decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });

    const sepByte =
      options.separator !== undefined
        ? separatorByte(options.separator, fail)
        : sniffSeparator(data.subarray(pos, len), done);
    const lineEnding = sniffLineEnding(data.subarray(0, len));
    const tok = new CsvTokenizer(sepByte);

    // First record: header or data.
    let line = 1;
    const firstEnd = safeNext(tok, data, pos, len, done, line, fail);
    if (firstEnd < 0) fail('the first line is longer than 1 MB; is this really a delimited text file?');
    const first: string[] = [];
    for (let j = 0; j < tok.count; j++) first.push(fieldText(tok, j, data, decoder));
    let header = options.header ?? 'auto';
    let headerDetected = false;
    if (header === 'auto') {
      header = !firstRowLooksLikeData(first, data, firstEnd, len, done, sepByte, missing, decoder);
      headerDetected = true;
    }
    const nCols = first.length;
    if (nCols > maxColumns) fail(`${nCols} columns is more than the limit of ${maxColumns}`);
    let names: string[];
    if (options.columns) {
      if (options.columns.length !== nCols)
        fail(`${options.columns.length} column names were given but the file has ${nCols} columns`);
      names = options.columns.slice();
    } else if (header) names = first.map((s, j) => s.trim() || `column_${j + 1}`);
    else names = first.map((_, j) => `column_${j + 1}`);
    const seen = new Map<string, number>();
    names.forEach((n, j) => {
      const prev = seen.get(n);
      if (prev !== undefined) fail(`duplicate column name "${n}" (columns ${prev + 1} and ${j + 1})`);
      seen.set(n, j);
    });
    if (!header && !options.columns && nCols > 1)
      warnings.push(`no header row found; columns are named column_1 ... column_${nCols} (use --columns to name them)`);
    const capacity = expectedRows(data, len, source.size, maxRows);
    const builders = names.map((n) => new ColumnBuilder(n, options.types?.[n], capacity));
    let row = 0;
    const range = new Int32Array(2);
    const ctx = { file, row: 0, line: 0 };
    const consume = (buf: Uint8Array): void => {
      const count = tok.count;
      if (count === 1 && tok.flags[0] === 0) {
        trimRange(buf, tok.starts[0], tok.ends[0], range);
        if (range[0] === range[1]) return; // blank line
      }
      row++;
      if (count !== nCols) {
        const trailingEmpty = count === nCols + 1 && tok.starts[nCols] === tok.ends[nCols];
        if (!trailingEmpty)
          fail(`has ${count} fields, expected ${nCols} (separator "${separatorName(sepByte)}")`, { row, line });
      }
      if (row > maxRows) fail(`more than ${maxRows} rows (the row limit)`);
      ctx.row = row;
      ctx.line = line;
      for (let j = 0; j < nCols; j++) {
        let s = tok.starts[j];
        let e = tok.ends[j];
        if (tok.flags[j] === 2) e = unescapeInPlace(buf, s, e);
        trimRange(buf, s, e, range);
        s = range[0];
        e = range[1];
        const b = builders[j];
        if (s === e || missing.matchBytes(buf, s, e)) b.pushMissing();
        else b.pushBytes(buf, s, e, ctx);
      }
    };

    if (!header) {
      line = 1;
      consume(data);
    }
    line = 1 + 1 + tok.innerLines;
    pos = firstEnd;

    for (;;) {
      while (pos < len) {
        const next = safeNext(tok, data, pos, len, done, line, fail);
        if (next < 0) break;
        consume(data);
        line += 1 + tok.innerLines;
        pos = next;
      }
      if (done) break;
      // Keep the unfinished record, read more behind it; grow only for a record longer than the buffer.
      if (pos === 0 && len === data.length) {
        const bigger = new Uint8Array(data.length * 2);
        bigger.set(data);
        data = bigger;
      } else {
        data.copyWithin(0, pos, len);
        len -= pos;
        pos = 0;
      }
      await fill();
    }
    if (row === 0) fail(header ? 'the file has a header but no data rows' : 'the file has no data rows');

    const columns: Column[] = [];
    const inferences: ColumnInference[] = [];
    try {
      for (const b of builders) {
        const { column, inference } = b.finish(decoder, file);
        columns.push(column);
        inferences.push(inference);
      }
    } catch (e) {
      if (e instanceof TypeError && encoding === 'utf-8') throw new EncodingRetry();
      throw e;
    }
    if (encoding !== 'utf-8') warnings.push('the file is not valid UTF-8; read it as Windows-1252');
    return {
      frame: new Frame(columns, row),
      columns: inferences,
      format: {
        kind: 'csv',
        separator: String.fromCharCode(sepByte),
        header,
        headerDetected,
        encoding: encoding === 'utf-8' ? 'UTF-8' : 'Windows-1252',
        lineEnding,
      },
      warnings,
    };
  }
}

function safeNext(
  tok: CsvTokenizer,
  buf: Uint8Array,
  pos: number,
  end: number,
  final: boolean,
  line: number,
  fail: (m: string, w?: { line?: number }) => never,
): number {
  try {
    return tok.next(buf, pos, end, final);
  } catch (e) {
    if (e instanceof UnterminatedQuote || e instanceof TextAfterQuote) fail(`line ${line}: ${e.message}`);
    throw e;
  }
}

function separatorByte(sep: string, fail: (m: string) => never): number {
  const s = sep === '\\t' || sep.toLowerCase() === 'tab' ? '\t' : sep;
  if (s.length !== 1 || s.charCodeAt(0) > 127) fail(`the separator must be one ASCII character, got "${sep}"`);
  return s.charCodeAt(0);
}

function sniffLineEnding(data: Uint8Array): 'LF' | 'CRLF' | 'CR' {
  const lf = data.indexOf(0x0a);
  const cr = data.indexOf(0x0d);
  if (cr >= 0 && (lf < 0 || cr < lf)) return data[cr + 1] === 0x0a ? 'CRLF' : 'CR';
  return 'LF';
}

/** Rows to expect, from the file size and the sample's bytes per line (over-estimates are trimmed at the end). */
function expectedRows(data: Uint8Array, len: number, size: number | undefined, maxRows: number): number {
  let lines = 0;
  for (let i = 0; i < len; i++) if (data[i] === 0x0a) lines++;
  if (size === undefined || lines === 0) return 1024;
  return Math.min(maxRows, Math.ceil((size / (len / lines)) * 1.05) + 16);
}

function fieldText(tok: CsvTokenizer, j: number, buf: Uint8Array, decoder: Decoder): string {
  const text = decodeBytes(buf, tok.starts[j], tok.ends[j], decoder);
  return (tok.flags[j] === 2 ? text.replace(/""/g, '"') : text).trim();
}

/**
 * Header detection as DuckDB does it: the first row is data when, in every column, its cell fits
 * the type the following rows give that column, and at least one column is numeric or a date
 * (a header of names would not fit there).
 */
function firstRowLooksLikeData(
  first: string[],
  data: Uint8Array,
  pos: number,
  end: number,
  final: boolean,
  sep: number,
  missing: MissingMatcher,
  decoder: Decoder,
): boolean {
  const tok = new CsvTokenizer(sep);
  const cols: string[][] = first.map(() => []);
  let records = 0;
  while (pos < end && records < 200) {
    let next: number;
    try {
      next = tok.next(data, pos, end, final);
    } catch {
      break;
    }
    if (next < 0) break;
    pos = next;
    if (tok.count !== first.length) continue;
    records++;
    for (let j = 0; j < tok.count; j++) {
      const s = fieldText(tok, j, data, decoder);
      if (!missing.matchString(s)) cols[j].push(s);
    }
  }
  if (records === 0) return false;
  let typed = 0;
  for (let j = 0; j < first.length; j++) {
    const cell = first[j];
    const values = cols[j];
    if (values.length === 0) continue;
    const numeric = values.every((v) => parseNumberString(v) !== undefined || parseDecimalComma(v) !== undefined);
    if (numeric) {
      typed++;
      if (!missing.matchString(cell) && parseNumberString(cell) === undefined && parseDecimalComma(cell) === undefined)
        return false;
      continue;
    }
    const fmt = detectDateFormat([...new Set(values)]);
    if (fmt) {
      typed++;
      if (!missing.matchString(cell) && Number.isNaN(parseDate(cell, fmt))) return false;
      continue;
    }
    // A text column tells only when its values repeat (categories): a header name would not be one of them.
    if (new Set(values).size === values.length) continue;
    if (!missing.matchString(cell) && !values.includes(cell)) return false;
  }
  return typed > 0;
}
