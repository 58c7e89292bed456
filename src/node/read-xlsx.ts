import type ExcelJS from 'exceljs';
import { ColumnBuilder, type ColumnInference } from '../data/column-builder.js';
import { GlassboxError, locate } from '../data/errors.js';
import { Frame, type Column } from '../data/frame.js';
import { DEFAULT_MISSING_MARKERS, MissingMatcher } from '../data/missing.js';
import { DEFAULT_LIMITS, type ReadOptions, type ReadResult } from '../data/read-csv.js';

type Cell = ExcelJS.CellValue;

/** A cell as the builder wants it: a trimmed string, a number, a date, or missing. */
function cellValue(v: Cell): string | number | Date | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return v;
  if (typeof v === 'object') {
    if ('error' in v) return null; // #N/A, #DIV/0! ...: no value
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellValue((v as { result?: Cell }).result ?? null); // formulas: the cached result
    if ('text' in v) return String((v as { text: unknown }).text);
  }
  return String(v);
}

/**
 * Reads one sheet of an .xlsx file (the first, or `options.sheet`) into a Frame, with the same
 * type inference as CSV: numbers, dates and texts go through the same column builders.
 */
export async function readXlsx(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  // Loaded on first use: exceljs takes half a second to load, which every other command would pay.
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  try {
    await wb.xlsx.readFile(path);
  } catch (e) {
    throw new GlassboxError(`${path}: not a readable Excel .xlsx file (${(e as Error).message.split('\n')[0]})`, {
      file: path,
    });
  }
  const sheets = wb.worksheets;
  if (sheets.length === 0) throw new GlassboxError(`${path}: the workbook has no sheets`, { file: path });
  const ws = options.sheet !== undefined ? sheets.find((s) => s.name === options.sheet) : sheets[0];
  if (!ws)
    throw new GlassboxError(
      `${path}: no sheet named "${options.sheet}" (sheets: ${sheets.map((s) => s.name).join(', ')})`,
      { file: path },
    );
  const missing = new MissingMatcher(options.missing ?? DEFAULT_MISSING_MARKERS);
  const maxRows = options.maxRows ?? DEFAULT_LIMITS.maxRows;
  const maxColumns = options.maxColumns ?? DEFAULT_LIMITS.maxColumns;
  const rows: Cell[][] = [];
  ws.eachRow({ includeEmpty: false }, (row) => {
    const values = row.values as Cell[];
    rows.push(values.slice(1)); // ExcelJS rows are 1-based
  });
  if (rows.length === 0) throw new GlassboxError(`${path}: sheet "${ws.name}" is empty`, { file: path });
  const header = options.header !== false;
  const first = rows[0];
  let nCols = 0;
  for (const r of rows) for (let j = r.length - 1; j >= nCols; j--) if (cellValue(r[j]) !== null) nCols = j + 1;
  if (nCols > maxColumns)
    throw new GlassboxError(`${path}: ${nCols} columns is more than the limit of ${maxColumns}`, { file: path });
  let names: string[];
  if (options.columns) {
    if (options.columns.length !== nCols)
      throw new GlassboxError(
        `${path}: ${options.columns.length} column names were given but the sheet has ${nCols} columns`,
        { file: path },
      );
    names = options.columns.slice();
  } else if (header)
    names = Array.from({ length: nCols }, (_, j) => String(cellValue(first[j]) ?? '').trim() || `column_${j + 1}`);
  else names = Array.from({ length: nCols }, (_, j) => `column_${j + 1}`);
  const seen = new Map<string, number>();
  names.forEach((n, j) => {
    const prev = seen.get(n);
    if (prev !== undefined)
      throw new GlassboxError(`${path}: duplicate column name "${n}" (columns ${prev + 1} and ${j + 1})`, {
        file: path,
      });
    seen.set(n, j);
  });
  const body = header ? rows.slice(1) : rows;
  if (body.length === 0)
    throw new GlassboxError(`${path}: sheet "${ws.name}" has a header but no data rows`, { file: path });
  if (body.length > maxRows)
    throw new GlassboxError(`${path}: more than ${maxRows} rows (the row limit)`, { file: path });
  const builders = names.map((n) => new ColumnBuilder(n, options.types?.[n], body.length));
  const ctx = { file: path, row: 0 };
  body.forEach((r, i) => {
    ctx.row = i + 1;
    for (let j = 0; j < nCols; j++) {
      const v = cellValue(r[j]);
      const b = builders[j];
      if (v === null) b.pushMissing();
      else if (typeof v === 'number') b.pushNumber(v, ctx);
      else if (v instanceof Date) b.pushDate(v.getTime(), ctx);
      else {
        const s = v.trim();
        if (missing.matchString(s)) b.pushMissing();
        else b.pushString(s, ctx);
      }
    }
  });
  const columns: Column[] = [];
  const inferences: ColumnInference[] = [];
  const decoder = new TextDecoder();
  for (const b of builders) {
    try {
      const { column, inference } = b.finish(decoder, path);
      columns.push(column);
      inferences.push(inference);
    } catch (e) {
      if (e instanceof GlassboxError) throw e;
      throw new GlassboxError(locate({ file: path, column: b.name }, (e as Error).message), { file: path });
    }
  }
  return {
    frame: new Frame(columns, body.length),
    columns: inferences,
    format: { kind: 'xlsx', sheet: ws.name, header },
    warnings: [],
  };
}
