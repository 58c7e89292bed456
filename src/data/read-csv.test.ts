import { describe, expect, it } from 'vitest';
import { bytesSource, readCsv, type ReadOptions } from './read-csv.js';
import { cellString, type CategoricalColumn, type NumericColumn } from './frame.js';
import { GlassboxError } from './errors.js';

const read = (text: string | Uint8Array, options: ReadOptions = {}, chunk = 1 << 20) =>
  readCsv(bytesSource('t.csv', typeof text === 'string' ? new TextEncoder().encode(text) : text, chunk), options);

describe('readCsv', () => {
  it('sniffs the separator and reads quoted fields with separators, newlines and doubled quotes', async () => {
    const r = await read('a;b;c\n1;"x;y";"he said ""hi"""\n2;"line1\nline2";z\n');
    expect(r.format.separator).toBe(';');
    expect(r.frame.nRows).toBe(2);
    const b = r.frame.get('b');
    expect(cellString(b, 0)).toBe('x;y');
    expect(cellString(b, 1)).toBe('line1\nline2');
    expect(cellString(r.frame.get('c'), 0)).toBe('he said "hi"');
  });

  it('gives the same frame whatever the chunk size (records cut at chunk ends)', async () => {
    const text =
      'id,name,v\n' + Array.from({ length: 300 }, (_, i) => `${i},"n ""${i % 7}""\n,x",${i / 3}`).join('\r\n');
    const whole = await read(text);
    for (const chunk of [1, 2, 3, 7, 64, 1000]) {
      const r = await read(text, {}, chunk);
      expect(r.frame.nRows).toBe(300);
      for (const name of ['id', 'name', 'v'])
        for (let i = 0; i < 300; i += 37)
          expect(cellString(r.frame.get(name), i)).toBe(cellString(whole.frame.get(name), i));
    }
  });

  it('handles CRLF, a UTF-8 BOM, blank lines and no final newline', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    const body = new TextEncoder().encode('x,y\r\n1,a\r\n\r\n2,b');
    const r = await read(new Uint8Array([...bom, ...body]));
    expect(r.frame.names).toEqual(['x', 'y']);
    expect(r.frame.nRows).toBe(2);
    expect(r.format.lineEnding).toBe('CRLF');
  });

  it('falls back to Windows-1252 when the bytes are not UTF-8', async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('city,n\nM'),
      0xfc,
      ...new TextEncoder().encode('nchen,1\nParis,2\n'),
    ]);
    const r = await read(bytes);
    expect(r.format.encoding).toBe('Windows-1252');
    expect(cellString(r.frame.get('city'), 0)).toBe('München');
  });

  it('reads decimal commas where the data uses them', async () => {
    const r = await read('a;b\n1,5;x\n-2,25;y\n3;z\n');
    const a = r.frame.get('a') as NumericColumn;
    expect(a.kind).toBe('numeric');
    expect([...a.values]).toEqual([1.5, -2.25, 3]);
    expect(r.columns[0].decimalComma).toBe(true);
  });

  it('treats missing markers and a lone space as missing, and trims categories', async () => {
    const r = await read('n,c\n1, a\n ,?\nNA,b \n4,N/A\n');
    const n = r.frame.get('n') as NumericColumn;
    expect(Number.isNaN(n.values[1])).toBe(true);
    expect(Number.isNaN(n.values[2])).toBe(true);
    const c = r.frame.get('c') as CategoricalColumn;
    expect(c.categories).toEqual(['a', 'b']);
    expect([...c.codes]).toEqual([0, -1, 1, -1]);
  });

  it('detects a missing header the way the data shows it', async () => {
    const r = await read('39, State-gov, 77516\n50, Self-emp, 83311\n38, Private, 215646\n');
    expect(r.format.header).toBe(false);
    expect(r.frame.nRows).toBe(3);
    const named = await read('39, State-gov, 77516\n50, Self-emp, 83311\n', {
      columns: ['age', 'workclass', 'fnlwgt'],
    });
    expect(named.frame.names).toEqual(['age', 'workclass', 'fnlwgt']);
  });

  it('names an empty header cell and rejects duplicate names', async () => {
    const r = await read(',TV\n"1",2\n"2",3\n');
    expect(r.frame.names).toEqual(['column_1', 'TV']);
    await expect(read('a,b,a\n1,2,3\n')).rejects.toThrow(/duplicate column name "a" \(columns 1 and 3\)/);
  });

  it('rejects bad files with one-line errors naming file and row', async () => {
    await expect(read('')).rejects.toThrow(/t\.csv: the file is empty/);
    await expect(read('a,b\n')).rejects.toThrow(/header but no data rows/);
    await expect(read('a,b\n1,2\n3,4,5,6\n')).rejects.toThrow(/t\.csv: row 2 \(line 3\): has 4 fields, expected 2/);
    await expect(read(new Uint8Array([0x50, 0x4b, 0, 0, 1, 2, 0]))).rejects.toThrow(/binary file/);
    await expect(read('a,b\n1,"open\n')).rejects.toThrow(/never closed/);
    const err = await read('a,b\n1,2\n3\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlassboxError);
    expect((err as Error).message.includes('\n')).toBe(false);
  });

  it('errors on a value that does not fit a forced numeric type, naming row and column', async () => {
    await expect(read('a,b\n1,2\nx,3\n', { types: { a: { kind: 'numeric' } } })).rejects.toThrow(
      /row 2 \(line 3\), column "a": "x" is not a number/,
    );
  });

  it('keeps number-like values as categories or text when a schema forces it, missing first or all missing', async () => {
    const r = await read('zip,note,gone\n,1,\n02134,x y,\n90210,,\n', {
      types: { zip: { kind: 'categorical' }, note: { kind: 'text' }, gone: { kind: 'categorical' } },
    });
    const zip = r.frame.get('zip') as CategoricalColumn;
    expect(zip.kind).toBe('categorical');
    expect([cellString(zip, 0), cellString(zip, 1), cellString(zip, 2)]).toEqual(['', '02134', '90210']);
    expect(r.frame.get('note').kind).toBe('text');
    expect(cellString(r.frame.get('note'), 0)).toBe('1');
    const gone = r.frame.get('gone');
    expect(gone.kind).toBe('categorical');
    expect(cellString(gone, 2)).toBe('');
  });

  it('infers types: integer, boolean, datetime order, id, text', async () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) =>
        `${i + 1},${i % 2 ? 'yes' : 'no'},${String((i % 28) + 1).padStart(2, '0')}-02-2010,CUST-${1000 + i},the quick brown fox ${i}`,
    );
    const r = await read('id,flag,date,cust,note\n' + rows.join('\n'));
    const types = Object.fromEntries(r.columns.map((c) => [c.name, c.type]));
    expect(types).toEqual({ id: 'id', flag: 'boolean', date: 'datetime', cust: 'id', note: 'text' });
    expect(r.columns[2].dateFormat?.label).toBe('DD-MM-YYYY');
  });
});
