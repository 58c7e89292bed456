import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import { bytesSource, readCsv, type ReadOptions, type ReadResult } from '../data/read-csv.js';

/**
 * Database tables as data to score and as a place for predictions: `sqlite:PATH?table=NAME` and
 * `postgres://USER@HOST:PORT/DB?table=NAME`. Cells pass through the CSV reader (with the bundle's
 * column types), so a table scores exactly as the same rows in a file would. Predictions go into
 * a new table of the same database, written in one transaction; an existing table is never
 * overwritten.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isTableSpec(data: string): boolean {
  return data.startsWith('sqlite:') || /^postgres(ql)?:\/\//.test(data);
}

/** A spec as it may be shown: a password in a Postgres URL is replaced by ***. */
export function displaySpec(spec: string): string {
  return spec.replace(/^(postgres(?:ql)?:\/\/[^:/@?]*):[^/?]*@/, '$1:***@');
}

/** A table name as SQL: NAME or SCHEMA.NAME, letters, digits and _ only, quoted. */
export function tableIdentifier(name: string, what: string, schemas: boolean): string {
  const parts = name.split('.');
  if (parts.length > (schemas ? 2 : 1) || !parts.every((p) => IDENTIFIER.test(p)))
    throw new GlassboxError(
      `${what}: the table name must be letters, digits and _${schemas ? ', optionally as SCHEMA.NAME' : ''} (got "${name}")`,
      { code: 'bad-option' },
    );
  return parts.map((p) => `"${p}"`).join('.');
}

/** The table named by ?table= in a spec, and the spec without it. */
export function splitTable(spec: string, form: string): { base: string; table: string } {
  const m = /^(.*?)[?&]table=([^&]*)(&.*)?$/.exec(spec);
  if (!m || m[2] === '') throw new GlassboxError(`${displaySpec(spec)}: expected ${form}`, { code: 'bad-option' });
  const rest = m[3] ? (m[1].includes('?') ? m[3] : `?${m[3].slice(1)}`) : '';
  return { base: m[1] + rest, table: decodeURIComponent(m[2]) };
}

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) throw new GlassboxError('a binary (BLOB / bytea) cell cannot be scored');
  const s = String(v);
  return /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Rows of cells read from a database, as the CSV reader would read the same table written out. */
export async function rowsToFrame(
  name: string,
  columns: readonly string[],
  rows: Iterable<readonly unknown[]>,
  options: ReadOptions,
): Promise<ReadResult> {
  const lines = [columns.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  const bytes = new TextEncoder().encode(lines.join('\n') + '\n');
  return await readCsv(bytesSource(name, bytes), { ...options, separator: ',', header: true });
}

/** Row i of a frame as database values: numbers (NaN as NULL) and text. */
export function frameRow(frame: Frame, i: number): (number | string | null)[] {
  return frame.columns.map((c) => {
    if (c.kind === 'numeric' || c.kind === 'datetime') return Number.isNaN(c.values[i]) ? null : c.values[i];
    if (c.kind === 'categorical') return c.codes[i] < 0 ? null : c.categories[c.codes[i]];
    return c.values[i];
  });
}

export async function readDbTable(spec: string, options: ReadOptions = {}): Promise<ReadResult> {
  if (spec.startsWith('sqlite:')) return (await import('./sqlite-table.js')).readSqliteTable(spec, options);
  return (await import('./postgres-table.js')).readPostgresTable(spec, options);
}

/** Writes a frame as a new table beside the one `spec` names (refusing to overwrite one). */
export async function writeDbTable(spec: string, table: string, frame: Frame): Promise<void> {
  if (spec.startsWith('sqlite:')) return (await import('./sqlite-table.js')).writeSqliteTable(spec, table, frame);
  return (await import('./postgres-table.js')).writePostgresTable(spec, table, frame);
}
