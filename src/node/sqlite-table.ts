import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import { bytesSource, readCsv, type ReadOptions, type ReadResult } from '../data/read-csv.js';

/**
 * Tables in a SQLite database as data to score: `sqlite:PATH?table=NAME` reads every row of NAME,
 * and predictions go back into a new table of the same database. Cells pass through the CSV reader
 * (with the bundle's column types), so a table scores exactly as the same rows in a file would.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isSqliteSpec(data: string): boolean {
  return data.startsWith('sqlite:');
}

export function parseSqliteSpec(spec: string): { path: string; table: string } {
  const m = /^sqlite:(.+)\?table=(.+)$/.exec(spec);
  if (!m) throw new GlassboxError(`${spec}: expected sqlite:PATH?table=NAME`, { code: 'bad-option' });
  if (!IDENTIFIER.test(m[2]))
    throw new GlassboxError(`${spec}: the table name must be letters, digits and _ (got "${m[2]}")`, {
      code: 'bad-option',
    });
  return { path: m[1], table: m[2] };
}

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) throw new GlassboxError('a BLOB cell cannot be scored');
  const s = String(v);
  return /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
};

export async function readSqliteTable(spec: string, options: ReadOptions = {}): Promise<ReadResult> {
  const { path, table } = parseSqliteSpec(spec);
  if (!existsSync(path)) throw new GlassboxError(`${path}: no such database file`, { file: path });
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const found = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?").get(table);
    if (!found) throw new GlassboxError(`${path}: no table "${table}"`, { file: path });
    const stmt = db.prepare(`SELECT * FROM "${table}"`);
    const names = stmt.columns().map((c) => c.name);
    const lines = [names.map(csvCell).join(',')];
    for (const row of stmt.raw().iterate() as Iterable<unknown[]>) lines.push(row.map(csvCell).join(','));
    const bytes = new TextEncoder().encode(lines.join('\n') + '\n');
    return await readCsv(bytesSource(`${path}#${table}`, bytes), { ...options, separator: ',', header: true });
  } finally {
    db.close();
  }
}

/** Writes a frame as a new table (refusing to overwrite one), numbers as REAL and everything else as TEXT. */
export function writeSqliteTable(path: string, table: string, frame: Frame): void {
  if (!IDENTIFIER.test(table))
    throw new GlassboxError(`--out-table must be letters, digits and _ (got "${table}")`, { code: 'bad-option' });
  const db = new Database(path, { fileMustExist: true });
  try {
    if (db.prepare('SELECT name FROM sqlite_master WHERE name = ?').get(table))
      throw new GlassboxError(`${path}: table "${table}" exists; choose another --out-table`, { file: path });
    const cols = frame.columns;
    const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;
    const defs = [
      'row_number INTEGER',
      ...cols.map((c) => `${quote(c.name)} ${c.kind === 'numeric' ? 'REAL' : 'TEXT'}`),
    ];
    db.transaction(() => {
      db.exec(`CREATE TABLE "${table}" (${defs.join(', ')})`);
      const insert = db.prepare(`INSERT INTO "${table}" VALUES (${defs.map(() => '?').join(', ')})`);
      for (let i = 0; i < frame.nRows; i++)
        insert.run(
          i + 1,
          ...cols.map((c) => {
            if (c.kind === 'numeric' || c.kind === 'datetime') return Number.isNaN(c.values[i]) ? null : c.values[i];
            if (c.kind === 'categorical') return c.codes[i] < 0 ? null : c.categories[c.codes[i]];
            return c.values[i];
          }),
        );
    })();
  } finally {
    db.close();
  }
}
