import pg from 'pg';
import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import type { ReadOptions, ReadResult } from '../data/read-csv.js';
import { displaySpec, frameRow, rowsToFrame, splitTable, tableIdentifier } from './db-table.js';

/**
 * `postgres://USER[:PASSWORD]@HOST[:PORT]/DB?table=[SCHEMA.]NAME` (any libpq-style URL the `pg`
 * client takes: `?host=/run/postgresql` for a Unix socket, `?sslmode=require`; a password may
 * also come from PGPASSWORD). Cells are read as Postgres prints them (numbers in their exact
 * shortest form, dates as ISO text) and go through the CSV reader, as a file with those cells
 * would; booleans read as true / false.
 */

const FORM = 'postgres://USER@HOST:PORT/DB?table=NAME';
const BYTEA = 17;
const BOOL = 16;

/** Every value as the text Postgres sends: no client-side parsing to drift from the CSV reader's. */
const asText = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

async function connect(spec: string): Promise<{ client: pg.Client; table: string; shown: string }> {
  const { base, table } = splitTable(spec, FORM);
  const shown = displaySpec(base);
  const client = new pg.Client({ connectionString: base, types: asText, connectionTimeoutMillis: 15_000 });
  // A dropped connection after connect() must become a rejected query, not an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new GlassboxError(`${shown}: cannot connect to Postgres: ${(e as Error).message}`, { file: shown });
  }
  return { client, table, shown };
}

const fail = (shown: string, e: unknown): never => {
  if (e instanceof GlassboxError) throw e;
  throw new GlassboxError(`${shown}: ${(e as Error).message}`, { file: shown });
};

export async function readPostgresTable(spec: string, options: ReadOptions = {}): Promise<ReadResult> {
  const { client, table, shown } = await connect(spec);
  try {
    const name = tableIdentifier(table, shown, true);
    const found = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [name]);
    if (!found.rows[0]?.t) throw new GlassboxError(`${shown}: no table "${table}"`, { file: shown });
    // One more row than the limit, so the reader can say the limit was passed without the whole table in memory.
    const limit = options.maxRows !== undefined ? ` LIMIT ${Math.floor(options.maxRows) + 1}` : '';
    const res = await client.query<unknown[]>({ text: `SELECT * FROM ${name}${limit}`, rowMode: 'array' });
    const fields = res.fields;
    const bad = fields.find((f) => f.dataTypeID === BYTEA);
    if (bad) throw new GlassboxError(`${shown}: column "${bad.name}" is binary (bytea) and cannot be scored`);
    const bools = fields.flatMap((f, j) => (f.dataTypeID === BOOL ? [j] : []));
    for (const row of res.rows) for (const j of bools) if (row[j] !== null) row[j] = row[j] === 't' ? 'true' : 'false';
    return await rowsToFrame(
      `${shown}#${table}`,
      fields.map((f) => f.name),
      res.rows,
      options,
    );
  } catch (e) {
    return fail(shown, e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Parameters per INSERT stay under Postgres's 65,535. */
const MAX_PARAMS = 60_000;

/** Numbers as double precision and everything else as text, after a row_number column (1 = the first row read). */
export async function writePostgresTable(spec: string, table: string, frame: Frame): Promise<void> {
  const name = tableIdentifier(table, '--out-table', true);
  const { client, shown } = await connect(spec);
  try {
    const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;
    const defs = [
      'row_number bigint',
      ...frame.columns.map((c) => `${quote(c.name)} ${c.kind === 'numeric' ? 'double precision' : 'text'}`),
    ];
    const width = defs.length;
    const perInsert = Math.max(1, Math.min(1000, Math.floor(MAX_PARAMS / width)));
    await client.query('BEGIN');
    try {
      const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [name]);
      if (exists.rows[0]?.t)
        throw new GlassboxError(`${shown}: table "${table}" exists; choose another --out-table`, { file: shown });
      await client.query(`CREATE TABLE ${name} (${defs.join(', ')})`);
      for (let start = 0; start < frame.nRows; start += perInsert) {
        const end = Math.min(frame.nRows, start + perInsert);
        const values: (number | string | null)[] = [];
        const tuples: string[] = [];
        for (let i = start; i < end; i++) {
          const base = values.length;
          values.push(i + 1, ...frameRow(frame, i));
          tuples.push(`(${Array.from({ length: width }, (_, j) => `$${base + j + 1}`).join(', ')})`);
        }
        await client.query(`INSERT INTO ${name} VALUES ${tuples.join(', ')}`, values);
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      // Two writers racing for one name: the loser's CREATE fails with duplicate_table.
      if ((e as { code?: string }).code === '42P07')
        throw new GlassboxError(`${shown}: table "${table}" exists; choose another --out-table`, { file: shown });
      throw e;
    }
  } catch (e) {
    fail(shown, e);
  } finally {
    await client.end().catch(() => undefined);
  }
}
