import { gatherRows } from '../wasm/clean.js';
import { GlassboxError } from './errors.js';

/** What a column is for. Only `feature` columns reach a model; the target is what it learns. */
export type Role = 'feature' | 'target' | 'id' | 'weight' | 'group' | 'time' | 'ignored';

/** Physical storage of a column. Integer, boolean and ID-like are inferred meanings on top of these. */
export type ColumnKind = 'numeric' | 'categorical' | 'datetime' | 'text';

interface ColumnBase {
  readonly name: string;
  readonly role: Role;
}

/** Missing = NaN. */
export interface NumericColumn extends ColumnBase {
  readonly kind: 'numeric';
  readonly values: Float64Array;
}

/** Codes index `categories`; missing = -1. */
export interface CategoricalColumn extends ColumnBase {
  readonly kind: 'categorical';
  readonly codes: Int32Array;
  readonly categories: readonly string[];
}

/** Epoch milliseconds (UTC); missing = NaN. */
export interface DatetimeColumn extends ColumnBase {
  readonly kind: 'datetime';
  readonly values: Float64Array;
}

/** Free text; missing = null. */
export interface TextColumn extends ColumnBase {
  readonly kind: 'text';
  readonly values: readonly (string | null)[];
}

export type Column = NumericColumn | CategoricalColumn | DatetimeColumn | TextColumn;

export function numericColumn(name: string, values: Float64Array, role: Role = 'feature'): NumericColumn {
  return { name, role, kind: 'numeric', values };
}

export function categoricalColumn(
  name: string,
  codes: Int32Array,
  categories: readonly string[],
  role: Role = 'feature',
): CategoricalColumn {
  return { name, role, kind: 'categorical', codes, categories };
}

export function datetimeColumn(name: string, values: Float64Array, role: Role = 'feature'): DatetimeColumn {
  return { name, role, kind: 'datetime', values };
}

export function textColumn(name: string, values: readonly (string | null)[], role: Role = 'feature'): TextColumn {
  return { name, role, kind: 'text', values };
}

/** Dictionary-encodes strings in first-seen order; null/undefined become missing. */
export function categoricalFromStrings(
  name: string,
  values: readonly (string | null | undefined)[],
  role: Role = 'feature',
): CategoricalColumn {
  const index = new Map<string, number>();
  const categories: string[] = [];
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      codes[i] = -1;
      continue;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = categories.length;
      categories.push(v);
      index.set(v, code);
    }
    codes[i] = code;
  }
  return categoricalColumn(name, codes, categories, role);
}

export function columnLength(c: Column): number {
  return c.kind === 'categorical' ? c.codes.length : c.values.length;
}

export function isMissing(c: Column, i: number): boolean {
  switch (c.kind) {
    case 'numeric':
    case 'datetime':
      return Number.isNaN(c.values[i]);
    case 'categorical':
      return c.codes[i] < 0;
    case 'text':
      return c.values[i] === null;
  }
}

/** The cell as a display string; missing is ''. Datetimes are ISO 8601 (UTC). */
export function cellString(c: Column, i: number): string {
  switch (c.kind) {
    case 'numeric': {
      const v = c.values[i];
      return Number.isNaN(v) ? '' : String(v);
    }
    case 'datetime': {
      const v = c.values[i];
      return Number.isNaN(v) ? '' : new Date(v).toISOString();
    }
    case 'categorical': {
      const code = c.codes[i];
      return code < 0 ? '' : c.categories[code];
    }
    case 'text':
      return c.values[i] ?? '';
  }
}

/** Rows `indices` of one column, in that order. */
export function takeColumn(c: Column, indices: ArrayLike<number>): Column {
  const n = indices.length;
  switch (c.kind) {
    case 'numeric':
    case 'datetime': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = c.values[indices[i]];
      return { ...c, values: out };
    }
    case 'categorical': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = c.codes[indices[i]];
      return { ...c, codes: out };
    }
    case 'text': {
      const out = new Array<string | null>(n);
      for (let i = 0; i < n; i++) out[i] = c.values[indices[i]];
      return { ...c, values: out };
    }
  }
}

/**
 * An immutable, columnar table. Operations return new frames that share untouched column arrays,
 * so selecting or re-roling columns costs nothing per row.
 */
export class Frame {
  readonly columns: readonly Column[];
  readonly nRows: number;
  private readonly byName: Map<string, number>;

  constructor(columns: readonly Column[], nRows?: number) {
    this.columns = columns;
    this.nRows = nRows ?? (columns.length ? columnLength(columns[0]) : 0);
    this.byName = new Map();
    for (let j = 0; j < columns.length; j++) {
      const c = columns[j];
      if (this.byName.has(c.name)) throw new GlassboxError(`duplicate column name "${c.name}"`, { column: c.name });
      if (columnLength(c) !== this.nRows) {
        throw new GlassboxError(`column "${c.name}" has ${columnLength(c)} rows, expected ${this.nRows}`, {
          column: c.name,
        });
      }
      this.byName.set(c.name, j);
    }
  }

  get nCols(): number {
    return this.columns.length;
  }

  get names(): string[] {
    return this.columns.map((c) => c.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The column, or a GlassboxError naming it and the columns that do exist. */
  get(name: string): Column {
    const j = this.byName.get(name);
    if (j === undefined) {
      const known = this.names;
      const shown = known.length > 12 ? `${known.slice(0, 12).join(', ')}, ...` : known.join(', ');
      throw new GlassboxError(`no column named "${name}" (columns: ${shown})`, {
        column: name,
        code: 'unknown-column',
      });
    }
    return this.columns[j];
  }

  tryGet(name: string): Column | undefined {
    const j = this.byName.get(name);
    return j === undefined ? undefined : this.columns[j];
  }

  /** Columns with role `feature`. */
  features(): Column[] {
    return this.columns.filter((c) => c.role === 'feature');
  }

  select(names: readonly string[]): Frame {
    return new Frame(
      names.map((n) => this.get(n)),
      this.nRows,
    );
  }

  drop(names: readonly string[]): Frame {
    const gone = new Set(names);
    return new Frame(
      this.columns.filter((c) => !gone.has(c.name)),
      this.nRows,
    );
  }

  /** Replaces the column of the same name in place, or appends it. */
  with(column: Column): Frame {
    const j = this.byName.get(column.name);
    const cols = this.columns.slice();
    if (j === undefined) cols.push(column);
    else cols[j] = column;
    return new Frame(cols, this.nRows);
  }

  /** Replaces `removed` columns by `added` ones at the position of the first removed column. */
  replace(removed: readonly string[], added: readonly Column[]): Frame {
    const gone = new Set(removed);
    const cols: Column[] = [];
    let inserted = false;
    for (const c of this.columns) {
      if (gone.has(c.name)) {
        if (!inserted) {
          cols.push(...added);
          inserted = true;
        }
      } else cols.push(c);
    }
    if (!inserted) cols.push(...added);
    return new Frame(cols, this.nRows);
  }

  withRole(name: string, role: Role): Frame {
    return this.with({ ...this.get(name), role });
  }

  take(indices: ArrayLike<number>): Frame {
    // Numbers and codes are gathered by a WebAssembly kernel: cross-validation takes every fold's
    // rows this way, and a first fit would otherwise run these loops interpreted.
    const g = gatherRows(indices, this.nRows);
    return new Frame(
      this.columns.map((c): Column => {
        if (c.kind === 'numeric' || c.kind === 'datetime') return { ...c, values: g.f64(c.values) };
        if (c.kind === 'categorical') return { ...c, codes: g.i32(c.codes) };
        return takeColumn(c, indices);
      }),
      indices.length,
    );
  }

  /** Rows [start, end). */
  slice(start: number, end: number): Frame {
    const idx = new Int32Array(Math.max(0, end - start));
    for (let i = 0; i < idx.length; i++) idx[i] = start + i;
    return this.take(idx);
  }
}
