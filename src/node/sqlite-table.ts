import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import type { ReadOptions, ReadResult } from '../data/read-csv.js';
import { frameRow, rowsToFrame, splitTable, tableIdentifier } from './db-table.js';

/** `sqlite:PATH?table=NAME`: every row of NAME, as the CSV reader reads the same table in a file. */

const FORM = 'sqlite:PATH?table=NAME';

export function parseSqliteSpec(spec: string): { path: string; table: string } {
  const { base, table } = splitTable(spec, FORM);
  tableIdentifier(table, spec, false);
  return { path: base.slice('sqlite:'.length), table };
}

export async function readSqliteTable(spec: string, options: ReadOptions = {}): Promise<ReadResult> {
  const { path, table } = parseSqliteSpec(spec);
  if (!existsSync(path)) throw new GlassboxError(`${path}: no such database file`, { file: path });
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const found = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?").get(table);
    if (!found) throw new GlassboxError(`${path}: no table "${table}"`, { file: path });
    const stmt = db.prepare(`SELECT * FROM "${table}"`);
    const names = stmt.columns().map((c) => c.name);
    return await rowsToFrame(`${path}#${table}`, names, stmt.raw().iterate() as Iterable<unknown[]>, options);
  } finally {
    db.close();
  }
}

/** Numbers as REAL and everything else as TEXT, after a row_number column (1 = the first row read). */
export function writeSqliteTable(spec: string, table: string, frame: Frame): void {
  const { path } = parseSqliteSpec(spec);
  const name = tableIdentifier(table, '--out-table', false);
  const db = new Database(path, { fileMustExist: true });
  try {
    if (db.prepare('SELECT name FROM sqlite_master WHERE name = ?').get(table))
      throw new GlassboxError(`${path}: table "${table}" exists; choose another --out-table`, { file: path });
    const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;
    const defs = [
      'row_number INTEGER',
      ...frame.columns.map((c) => `${quote(c.name)} ${c.kind === 'numeric' ? 'REAL' : 'TEXT'}`),
    ];
    db.transaction(() => {
      db.exec(`CREATE TABLE ${name} (${defs.join(', ')})`);
      const insert = db.prepare(`INSERT INTO ${name} VALUES (${defs.map(() => '?').join(', ')})`);
      for (let i = 0; i < frame.nRows; i++) insert.run(i + 1, ...frameRow(frame, i));
    })();
  } finally {
    db.close();
  }
}
