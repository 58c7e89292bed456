import { ByteDict, growF64, growI32, type Decoder } from './byte-dict.js';
import { detectDateFormat, parseDate, type DateFormat } from './dates.js';
import { GlassboxError, locate } from './errors.js';
import { categoricalColumn, datetimeColumn, numericColumn, textColumn, type Column, type ColumnKind } from './frame.js';
import { parseDecimalComma, parseNumberBytes, parseNumberString } from './number.js';

/** What a column means, beyond how it is stored. */
export type InferredType = 'numeric' | 'integer' | 'boolean' | 'categorical' | 'datetime' | 'text' | 'id';

export interface ColumnInference {
  readonly name: string;
  readonly type: InferredType;
  readonly kind: ColumnKind;
  /** Share of non-missing values consistent with `type`, lowered for undecidable date orders. */
  readonly confidence: number;
  readonly missing: number;
  /** Set for datetime columns, e.g. `DD-MM-YYYY`. */
  readonly dateFormat?: DateFormat;
  /** The column used a decimal comma (`3,14`). */
  readonly decimalComma?: boolean;
  /** Plain-language remarks about how the type was decided. */
  readonly notes: readonly string[];
}

/** A type imposed from outside (a bundle's schema) instead of inferred. */
export type ForcedType =
  | { kind: 'numeric'; decimalComma?: boolean }
  | { kind: 'datetime'; format: DateFormat }
  | { kind: 'categorical' }
  | { kind: 'text' };

export interface BuilderContext {
  file?: string;
  /** 1-based data row of the cell being pushed, for error messages. */
  row: number;
  line?: number;
}

const BOOLEAN_PAIRS = [
  ['true', 'false'],
  ['yes', 'no'],
  ['y', 'n'],
  ['t', 'f'],
];

const encoder = new TextEncoder();

/**
 * Accumulates one column's cells, optimistically as numbers, switching to a dictionary of strings
 * at the first cell that is not a number. `finish` decides the type from the whole column.
 */
export class ColumnBuilder {
  readonly name: string;
  private readonly forced: ForcedType | undefined;
  private n = 0;
  private missing = 0;
  private numeric: boolean;
  private nums: Float64Array;
  private allInteger = true;
  private leadingZero = false;
  private codes: Int32Array | undefined;
  private bytes: ByteDict | undefined;
  private strs: Map<string, number> | undefined;
  private strList: string[] | undefined;
  private nativeDates = 0;
  private readonly textOnly: boolean;

  /** `capacity`: expected rows, so a large file is not copied by repeated growth. */
  constructor(name: string, forced?: ForcedType, capacity = 1024) {
    this.name = name;
    this.forced = forced;
    // A column forced to text starts in the number buffer too (only missing values land there) and
    // switches to a dictionary at its first value, in the mode (bytes or strings) that value arrives in.
    this.numeric = true;
    this.textOnly = forced !== undefined && forced.kind !== 'numeric';
    this.nums = new Float64Array(Math.max(16, capacity));
  }

  get length(): number {
    return this.n;
  }

  pushMissing(): void {
    if (this.numeric) this.pushNum(NaN);
    else this.pushCode(-1);
    this.missing++;
  }

  /** A trimmed, unescaped, non-missing cell from a text file. */
  pushBytes(buf: Uint8Array, start: number, end: number, ctx: BuilderContext): void {
    if (this.numeric && this.textOnly) this.toStrings(true);
    if (this.numeric) {
      const v = parseNumberBytes(buf, start, end);
      if (!Number.isNaN(v)) {
        this.noteNumber(v, buf[start] === 0x30 && end - start > 1 && buf[start + 1] !== 0x2e);
        this.pushNum(v);
        return;
      }
      if (this.forced?.kind === 'numeric') {
        const text = new TextDecoder().decode(buf.slice(start, end));
        const dc = this.forced.decimalComma ? parseDecimalComma(text) : undefined;
        if (dc !== undefined) {
          this.pushNum(dc);
          return;
        }
        throw this.notANumber(text, ctx);
      }
      this.toStrings(true);
    }
    const dict = this.bytes as ByteDict;
    this.pushCode(dict.intern(buf, start, end));
  }

  /** A trimmed, non-missing string cell from a reader that already has JS strings (Excel, JSON). */
  pushString(s: string, ctx: BuilderContext): void {
    if (this.numeric && this.textOnly) this.toStrings(false);
    if (this.numeric) {
      const v = parseNumberString(s);
      if (v !== undefined) {
        this.noteNumber(v, s.length > 1 && s[0] === '0' && s[1] !== '.');
        this.pushNum(v);
        return;
      }
      if (this.forced?.kind === 'numeric') {
        const dc = this.forced.decimalComma ? parseDecimalComma(s) : undefined;
        if (dc !== undefined) {
          this.pushNum(dc);
          return;
        }
        throw this.notANumber(s, ctx);
      }
      this.toStrings(false);
    }
    if (this.bytes) {
      const b = encoder.encode(s);
      this.pushCode(this.bytes.intern(b, 0, b.length));
      return;
    }
    const map = this.strs as Map<string, number>;
    let code = map.get(s);
    if (code === undefined) {
      code = map.size;
      map.set(s, code);
      (this.strList as string[]).push(s);
    }
    this.pushCode(code);
  }

  /** A native number (Excel, JSON, Parquet). */
  pushNumber(v: number, ctx: BuilderContext): void {
    if (Number.isNaN(v)) {
      this.pushMissing();
      return;
    }
    if (this.numeric && !this.textOnly) {
      this.noteNumber(v, false);
      this.pushNum(v);
    } else this.pushString(String(v), ctx);
  }

  /** A native date (Excel, Parquet timestamps), as epoch milliseconds; kept as ISO text until `finish`. */
  pushDate(ms: number, ctx: BuilderContext): void {
    if (Number.isNaN(ms)) {
      this.pushMissing();
      return;
    }
    this.nativeDates++;
    const iso = new Date(ms).toISOString();
    // Midnight dates print as plain dates so a date-only column reads as one.
    this.pushString(iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso, ctx);
  }

  private noteNumber(v: number, leadingZero: boolean): void {
    if (this.allInteger && !Number.isInteger(v)) this.allInteger = false;
    if (leadingZero) this.leadingZero = true;
  }

  private notANumber(text: string, ctx: BuilderContext): GlassboxError {
    const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
    return new GlassboxError(
      locate({ file: ctx.file, row: ctx.row, line: ctx.line, column: this.name }, `"${shown}" is not a number`),
      { file: ctx.file, row: ctx.row, column: this.name, code: 'unparseable-value' },
    );
  }

  private pushNum(v: number): void {
    if (this.n === this.nums.length) this.nums = growF64(this.nums, this.n * 2);
    this.nums[this.n++] = v;
  }

  private pushCode(code: number): void {
    const codes = this.codes as Int32Array;
    if (this.n === codes.length) this.codes = growI32(codes, this.n * 2);
    (this.codes as Int32Array)[this.n++] = code;
  }

  /** First non-number: re-express the numbers seen so far as dictionary entries. */
  private toStrings(useBytes: boolean): void {
    this.numeric = false;
    const codes = new Int32Array(Math.max(16, this.nums.length));
    if (useBytes) this.bytes = new ByteDict();
    else {
      this.strs = new Map();
      this.strList = [];
    }
    for (let i = 0; i < this.n; i++) {
      const v = this.nums[i];
      if (Number.isNaN(v)) {
        codes[i] = -1;
        continue;
      }
      const s = String(v);
      if (this.bytes) {
        const b = encoder.encode(s);
        codes[i] = this.bytes.intern(b, 0, b.length);
      } else {
        let code = (this.strs as Map<string, number>).get(s);
        if (code === undefined) {
          code = (this.strList as string[]).length;
          (this.strs as Map<string, number>).set(s, code);
          (this.strList as string[]).push(s);
        }
        codes[i] = code;
      }
    }
    this.codes = codes;
    this.nums = new Float64Array(0);
  }

  /**
   * Decides the type from the whole column and returns the column. `decoder` turns dictionary
   * bytes into strings (a fatal UTF-8 decoder throws on Windows-1252 text, and the reader retries).
   */
  finish(decoder: Decoder, file?: string): { column: Column; inference: ColumnInference } {
    const n = this.n;
    if (this.numeric && this.textOnly) this.toStrings(false);
    if (this.numeric) return this.finishNumeric(file);
    const codes = (this.codes as Int32Array).subarray(0, n);
    const dict = this.bytes ? this.bytes.strings(decoder) : (this.strList as string[]);
    const forced = this.forced;
    const present = n - this.missing;
    if (forced?.kind === 'datetime') return this.finishDates(codes, dict, forced.format, file);
    if (forced?.kind === 'text') return this.text(codes, dict, 1, []);
    if (forced?.kind === 'categorical') return this.categorical(codes, dict, 'categorical', 1, []);

    // Decimal comma: every value is a plain number or a decimal-comma number, and some are the latter.
    const asNumbers = new Float64Array(dict.length);
    let numericValues = 0;
    let commaValues = 0;
    for (let k = 0; k < dict.length; k++) {
      const plain = parseNumberString(dict[k]);
      if (plain !== undefined) {
        asNumbers[k] = plain;
        numericValues++;
        continue;
      }
      const dc = parseDecimalComma(dict[k]);
      if (dc !== undefined) {
        asNumbers[k] = dc;
        numericValues++;
        commaValues++;
      } else asNumbers[k] = NaN;
    }
    if (commaValues > 0 && numericValues === dict.length) {
      const values = new Float64Array(n);
      let allInt = true;
      for (let i = 0; i < n; i++) {
        const c = codes[i];
        values[i] = c < 0 ? NaN : asNumbers[c];
        if (c >= 0 && !Number.isInteger(values[i])) allInt = false;
      }
      return {
        column: numericColumn(this.name, values),
        inference: {
          name: this.name,
          type: allInt ? 'integer' : 'numeric',
          kind: 'numeric',
          confidence: 1,
          missing: this.missing,
          decimalComma: true,
          notes: ['decimal comma (3,14) read as a decimal point'],
        },
      };
    }

    const fmt = detectDateFormat(dict);
    if (fmt) return this.finishDates(codes, dict, fmt, file);

    const counts = new Int32Array(dict.length);
    for (let i = 0; i < n; i++) if (codes[i] >= 0) counts[codes[i]]++;
    // Share of rows holding a number: a mostly-numeric column with a few stray words is reported as such.
    let numericRows = 0;
    for (let k = 0; k < dict.length; k++) if (!Number.isNaN(asNumbers[k])) numericRows += counts[k];
    const notes: string[] = [];
    let confidence = 1;
    if (numericRows > 0 && present > 0) {
      const share = numericRows / present;
      confidence = 1 - share;
      const strays = dict.filter((_, k) => Number.isNaN(asNumbers[k]) && counts[k] > 0).slice(0, 3);
      notes.push(
        `${(share * 100).toFixed(1)}% of values are numbers; read as categories because of values such as ${strays.map((s) => `"${s}"`).join(', ')}`,
      );
    }

    if (dict.length === 2) {
      const lower = dict.map((s) => s.toLowerCase()).sort();
      if (BOOLEAN_PAIRS.some((pair) => pair.slice().sort().join() === lower.join()))
        return this.categorical(codes, dict, 'boolean', confidence, notes);
    }
    if (present >= 20 && dict.length === present) {
      const spaced = dict.reduce((acc, s) => acc + (s.includes(' ') ? 1 : 0), 0);
      if (spaced / dict.length < 0.5) {
        notes.push('every value is different, as in an identifier');
        return this.categorical(codes, dict, 'id', confidence, notes);
      }
    }
    if (dict.length > Math.max(20, 0.3 * present)) {
      let words = 0;
      for (let k = 0; k < dict.length; k++) words += dict[k].split(/\s+/).length;
      if (words / dict.length >= 3) {
        notes.push('free text: many distinct values of several words');
        return this.text(codes, dict, confidence, notes);
      }
    }
    return this.categorical(codes, dict, 'categorical', confidence, notes);
  }

  private finishNumeric(_file?: string): { column: Column; inference: ColumnInference } {
    const n = this.n;
    const values = this.nums.length === n ? this.nums : this.nums.slice(0, n);
    const present = n - this.missing;
    const notes: string[] = [];
    let type: InferredType = this.allInteger ? 'integer' : 'numeric';
    if (present > 0 && this.allInteger) {
      let binary = true;
      for (let i = 0; i < n && binary; i++) {
        const v = values[i];
        if (v === v && v !== 0 && v !== 1) binary = false;
      }
      if (binary) type = 'boolean';
      else if (present >= 20 && this.missing === 0) {
        if (isRowIndex(values)) {
          type = 'id';
          notes.push('counts up by one each row, as a row index');
        } else if ((this.leadingZero || ID_NAME.test(this.name)) && allDistinct(values)) {
          type = 'id';
          notes.push(
            this.leadingZero
              ? 'zero-padded unique codes, as in an identifier'
              : 'unique whole numbers under an identifier name',
          );
        }
      }
    }
    if (present === 0) notes.push('every value is missing');
    return {
      column: numericColumn(this.name, values),
      inference: {
        name: this.name,
        type,
        kind: 'numeric',
        confidence: present === 0 ? 0 : 1,
        missing: this.missing,
        notes,
      },
    };
  }

  private finishDates(
    codes: Int32Array,
    dict: readonly string[],
    format: DateFormat,
    file?: string,
  ): { column: Column; inference: ColumnInference } {
    const parsed = dict.map((s) => parseDate(s, format));
    const values = new Float64Array(codes.length);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c < 0) {
        values[i] = NaN;
        continue;
      }
      const v = parsed[c];
      if (Number.isNaN(v)) {
        throw new GlassboxError(
          locate({ file, row: i + 1, column: this.name }, `"${dict[c]}" is not a date in the format ${format.label}`),
          { file, row: i + 1, column: this.name, code: 'unparseable-value' },
        );
      }
      values[i] = v;
    }
    const notes = [
      format.ambiguous
        ? `dates read as ${format.label}: no value decides between day-first and month-first`
        : `dates read as ${format.label}`,
    ];
    return {
      column: datetimeColumn(this.name, values),
      inference: {
        name: this.name,
        type: 'datetime',
        kind: 'datetime',
        confidence: format.ambiguous ? 0.6 : 1,
        missing: this.missing,
        dateFormat: format,
        notes: this.nativeDates > 0 ? ['native date cells'] : notes,
      },
    };
  }

  private categorical(
    codes: Int32Array,
    dict: readonly string[],
    type: InferredType,
    confidence: number,
    notes: string[],
  ): { column: Column; inference: ColumnInference } {
    return {
      column: categoricalColumn(this.name, codes.length === codes.buffer.byteLength / 4 ? codes : codes.slice(), dict),
      inference: { name: this.name, type, kind: 'categorical', confidence, missing: this.missing, notes },
    };
  }

  private text(
    codes: Int32Array,
    dict: readonly string[],
    confidence: number,
    notes: string[],
  ): { column: Column; inference: ColumnInference } {
    const values = new Array<string | null>(codes.length);
    for (let i = 0; i < codes.length; i++) values[i] = codes[i] < 0 ? null : dict[codes[i]];
    return {
      column: textColumn(this.name, values),
      inference: { name: this.name, type: 'text', kind: 'text', confidence, missing: this.missing, notes },
    };
  }
}

/** "id", "ID", "customer_id", "PassengerId", "customerID" — not "paid" or "valid". */
export const ID_NAME = /^(id|Id|ID)$|[_\s-](id|Id|ID)$|[a-z](Id|ID)$|^(id|ID)[_\s-]/;

function isRowIndex(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[i - 1] + 1) return false;
  return values[0] === 0 || values[0] === 1;
}

function allDistinct(values: Float64Array): boolean {
  const sorted = values.slice().sort();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return false;
  return true;
}
