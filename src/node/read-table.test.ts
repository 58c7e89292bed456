import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetPath, manifest } from '../../test/datasets.js';
import { GlassboxError } from '../data/errors.js';
import { cellString, type Frame } from '../data/frame.js';
import type { ReadResult } from '../data/read-csv.js';
import { readTable } from './read-table.js';

const dir = mkdtempSync(join(tmpdir(), 'glassbox-readers-'));

/** Every cell as the CSV reader saw it: the oracle the other formats must reproduce. */
function cells(frame: Frame): string[][] {
  return frame.columns.map((c) => Array.from({ length: frame.nRows }, (_, i) => cellString(c, i)));
}

function sameTable(a: ReadResult, b: ReadResult): void {
  expect(b.frame.names).toEqual(a.frame.names);
  expect(b.frame.nRows).toBe(a.frame.nRows);
  expect(b.columns.map((c) => c.type)).toEqual(a.columns.map((c) => c.type));
  expect(cells(b.frame)).toEqual(cells(a.frame));
}

/** A cell value as a typed source would hold it: a number, a string, or null for missing. */
function typed(frame: Frame, j: number, i: number): string | number | null {
  const c = frame.columns[j];
  if (c.kind === 'numeric') return Number.isNaN(c.values[i]) ? null : c.values[i];
  const s = cellString(c, i);
  return s === '' ? null : s;
}

async function expectError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GlassboxError);
  expect((e as Error).message).toMatch(pattern);
  expect((e as Error).message).not.toMatch(/\n/);
}

describe('readTable reads Excel, JSON lines and Parquet exactly as the same table in CSV', () => {
  let csv: ReadResult;
  beforeAll(async () => {
    csv = await readTable(datasetPath('titanic.csv'));
  });

  it('reads an .xlsx file (first sheet, or the one named)', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('notes').addRow(['this sheet is not the data']);
    const ws = wb.addWorksheet('passengers');
    const f = csv.frame;
    ws.addRow(f.names);
    for (let i = 0; i < f.nRows; i++) ws.addRow(f.columns.map((_, j) => typed(f, j, i)));
    const path = join(dir, 'titanic.xlsx');
    await wb.xlsx.writeFile(path);

    const read = await readTable(path, { sheet: 'passengers' });
    expect(read.format).toMatchObject({ kind: 'xlsx', sheet: 'passengers' });
    sameTable(csv, read);
    await expectError(readTable(path, { sheet: 'nope' }), /no sheet named "nope" \(sheets: notes, passengers\)/);
    // The first sheet is the default.
    await expectError(readTable(path), /has a header but no data rows/);
  });

  it('reads native Excel dates as datetimes', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('s');
    ws.addRow(['when', 'amount']);
    for (let d = 1; d <= 25; d++) ws.addRow([new Date(Date.UTC(2024, 0, d)), d * 1.5]);
    const path = join(dir, 'dates.xlsx');
    await wb.xlsx.writeFile(path);
    const read = await readTable(path);
    const when = read.frame.get('when');
    expect(when.kind).toBe('datetime');
    expect(cellString(when, 2)).toBe('2024-01-03T00:00:00.000Z');
  });

  it('reads JSON lines, with keys in any order and absent keys as missing', async () => {
    const f = csv.frame;
    const lines: string[] = [];
    for (let i = 0; i < f.nRows; i++) {
      const o: Record<string, string | number> = {};
      const order = i % 2 ? f.names.slice().reverse() : f.names;
      for (const name of order) {
        const v = typed(f, f.names.indexOf(name), i);
        if (v !== null) o[name] = v;
      }
      // Row 0 has every key, so the column order is the CSV's.
      lines.push(JSON.stringify(i === 0 ? Object.fromEntries(f.names.map((n, j) => [n, typed(f, j, 0)])) : o));
    }
    const path = join(dir, 'titanic.jsonl');
    writeFileSync(path, lines.join('\n') + '\n');
    const read = await readTable(path);
    expect(read.format.kind).toBe('jsonl');
    sameTable(csv, read);

    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"a": 1}\n{"a": 2\n');
    await expectError(readTable(bad), /bad\.jsonl.*row 2.*line 2.*not a JSON object/);
  });

  it('reads Parquet (typed columns with nulls)', async () => {
    const f = csv.frame;
    const columnData = f.columns.map((c, j) => {
      const data = Array.from({ length: f.nRows }, (_, i) => typed(f, j, i));
      return { name: c.name, data, type: c.kind === 'numeric' ? ('DOUBLE' as const) : ('STRING' as const) };
    });
    const path = join(dir, 'titanic.parquet');
    writeFileSync(path, new Uint8Array(parquetWriteBuffer({ columnData })));
    const read = await readTable(path);
    expect(read.format.kind).toBe('parquet');
    sameTable(csv, read);

    const broken = join(dir, 'broken.parquet');
    writeFileSync(broken, new Uint8Array(parquetWriteBuffer({ columnData })).subarray(0, 2000));
    await expectError(readTable(broken), /broken\.parquet: not a readable Parquet file/);
  });

  it('decides the format from the content, not the name', async () => {
    const path = join(dir, 'really-csv.txt');
    writeFileSync(path, 'a;b\n1,5;x\n2,5;y\n');
    const read = await readTable(path);
    expect(read.format).toMatchObject({ kind: 'csv', separator: ';' });
    const xls = join(dir, 'old.xls');
    writeFileSync(xls, new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]));
    await expectError(readTable(xls), /old \.xls format is not supported/);
  });
});

describe('every shared dataset loads with the shape its manifest gives', () => {
  for (const m of manifest()) {
    it(m.file, async () => {
      const read = await readTable(
        datasetPath(m.file),
        m.header === false && m.columns ? { header: false, columns: m.columns } : {},
      );
      expect(read.frame.nRows).toBe(m.rows);
      expect(read.frame.nCols).toBe(m.cols);
      expect(read.format.separator).toBe(m.sep);
    });
  }
});
