import type { ColumnInference, ForcedType } from '../data/column-builder.js';
import type { DateFormat } from '../data/dates.js';
import { GlassboxError } from '../data/errors.js';
import {
  categoricalColumn,
  categoricalFromStrings,
  datetimeColumn,
  numericColumn,
  textColumn,
  type CategoricalColumn,
  type Column,
  type ColumnKind,
  Frame,
} from '../data/frame.js';
import type { FittedJSON, JsonValue, Task } from '../techniques/contract.js';
import { FittedPipeline, type PipelineSpec } from '../techniques/pipeline.js';
import { VERSION } from '../version.js';

export const BUNDLE_FORMAT = 'glassbox-bundle';
export const BUNDLE_VERSION = 1;

/** One input column as the bundle expects it. */
export interface SchemaColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Inferred meaning at training time (integer, boolean, id...). */
  readonly type?: string;
  /** False when the pipeline can fill the column in if it is absent. */
  readonly required: boolean;
  /** Categories seen in training. */
  readonly categories?: readonly string[];
  /** Smallest and largest value seen in training (numbers, dates as epoch ms). */
  readonly range?: readonly [number, number];
  readonly dateFormat?: DateFormat;
  readonly decimalComma?: boolean;
}

export interface Bundle {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: number;
  readonly glassboxVersion: string;
  /** Not part of the fingerprint (nor is training.source): the same data, config and seed give the same bundle otherwise. */
  readonly createdAt: string;
  readonly fingerprint: string;
  readonly task: Task;
  readonly target: { readonly name: string; readonly classes: readonly string[] };
  readonly schema: { readonly columns: readonly SchemaColumn[] };
  readonly pipeline: PipelineSpec;
  readonly steps: readonly FittedJSON[];
  readonly metrics: { readonly [k: string]: JsonValue };
  readonly training: { readonly rows: number; readonly seed: number; readonly source?: string };
  /** What the training data looked like, for drift checks on scored batches (evaluate/drift.ts's DriftReference). */
  readonly reference?: JsonValue;
}

/** Input feature columns the fitted steps read (directly or through a step that keeps the name). */
function usedColumns(pipeline: FittedPipeline, frame: Frame): string[] {
  const read = new Set<string>();
  for (const s of pipeline.steps) for (const n of s.inputs) read.add(n);
  return frame
    .features()
    .filter((c) => read.has(c.name))
    .map((c) => c.name);
}

function allMissing(c: Column, n: number): Column {
  switch (c.kind) {
    case 'numeric':
      return numericColumn(c.name, new Float64Array(n).fill(NaN), c.role);
    case 'datetime':
      return datetimeColumn(c.name, new Float64Array(n).fill(NaN), c.role);
    case 'categorical':
      return categoricalColumn(c.name, new Int32Array(n).fill(-1), [], c.role);
    case 'text':
      return textColumn(c.name, new Array<string | null>(n).fill(null), c.role);
  }
}

/** Whether predicting still works with the column entirely missing: then it is optional. */
function canFill(pipeline: FittedPipeline, frame: Frame, name: string): boolean {
  const probe = frame.slice(0, 1);
  try {
    const out = pipeline.predict(probe.with(allMissing(probe.get(name), 1)));
    const v = out.proba ?? out.values;
    return v !== undefined && !Array.from(v).some(Number.isNaN);
  } catch {
    return false;
  }
}

export function buildSchema(
  frame: Frame,
  pipeline: FittedPipeline,
  inferences: readonly ColumnInference[] = [],
): SchemaColumn[] {
  const byName = new Map(inferences.map((i) => [i.name, i]));
  return usedColumns(pipeline, frame).map((name) => {
    const c = frame.get(name);
    const inf = byName.get(name);
    const base = { name, kind: c.kind, type: inf?.type, required: !canFill(pipeline, frame, name) };
    if (c.kind === 'categorical') {
      const present = new Uint8Array(c.categories.length);
      for (let i = 0; i < c.codes.length; i++) if (c.codes[i] >= 0) present[c.codes[i]] = 1;
      return { ...base, categories: c.categories.filter((_, k) => present[k]).sort() };
    }
    if (c.kind === 'numeric' || c.kind === 'datetime') {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of c.values) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const range: [number, number] | undefined = lo <= hi ? [lo, hi] : undefined;
      return {
        ...base,
        range,
        ...(inf?.dateFormat ? { dateFormat: inf.dateFormat } : {}),
        ...(inf?.decimalComma ? { decimalComma: true } : {}),
      };
    }
    return base;
  });
}

/** FNV-1a over the canonical JSON: a cheap identity for "same bundle". */
export function fingerprintOf(value: unknown): string {
  const text = JSON.stringify(value);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

export function createBundle(args: {
  pipeline: FittedPipeline;
  spec: PipelineSpec;
  schema: readonly SchemaColumn[];
  metrics: { [k: string]: JsonValue };
  training: { rows: number; seed: number; source?: string };
  reference?: JsonValue;
  createdAt?: Date;
}): Bundle {
  const body = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    glassboxVersion: VERSION,
    task: args.pipeline.task,
    target: { name: args.pipeline.target, classes: [...args.pipeline.classes] },
    schema: { columns: args.schema },
    pipeline: args.spec,
    steps: args.pipeline.toJSON(),
    metrics: args.metrics,
    training: args.training,
    ...(args.reference ? { reference: args.reference } : {}),
  } as const;
  // Where the data came from (a path) is not what was learned: the same table read from another
  // folder gives the same fingerprint.
  const fingerprint = fingerprintOf({ ...body, training: { rows: args.training.rows, seed: args.training.seed } });
  return { ...body, createdAt: (args.createdAt ?? new Date()).toISOString(), fingerprint };
}

/** Validates a parsed bundle file and rebuilds its pipeline. Never evaluates anything from the file. */
export function loadBundle(json: unknown, file = 'bundle'): { bundle: Bundle; pipeline: FittedPipeline } {
  const bad = (why: string): never => {
    throw new GlassboxError(`${file}: not a usable Glassbox bundle: ${why}`, { file, code: 'bad-bundle' });
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return bad('expected a JSON object');
  const b = json as Partial<Bundle>;
  if (b.format !== BUNDLE_FORMAT) bad(`format is ${JSON.stringify(b.format)}, expected "${BUNDLE_FORMAT}"`);
  if (typeof b.version !== 'number') return bad('no version');
  if (b.version > BUNDLE_VERSION)
    bad(`format version ${b.version} is newer than this Glassbox supports (${BUNDLE_VERSION}); upgrade Glassbox`);
  if (!Array.isArray(b.steps) || !b.target || !b.schema || !b.task) return bad('steps, target, schema or task missing');
  try {
    const pipeline = FittedPipeline.fromJSON(b.steps, b.target.name, b.task, b.target.classes);
    return { bundle: b as Bundle, pipeline };
  } catch (e) {
    if (e instanceof GlassboxError) return bad(e.message);
    return bad(`a step could not be restored (${(e as Error).message})`);
  }
}

/** How to read new data so it is typed as in training. */
export function forcedTypes(bundle: Bundle): Record<string, ForcedType> {
  const out: Record<string, ForcedType> = {};
  for (const c of bundle.schema.columns) {
    if (c.kind === 'numeric') out[c.name] = { kind: 'numeric', decimalComma: c.decimalComma };
    else if (c.kind === 'datetime' && c.dateFormat) out[c.name] = { kind: 'datetime', format: c.dateFormat };
    else if (c.kind === 'categorical') out[c.name] = { kind: 'categorical' };
    else if (c.kind === 'text') out[c.name] = { kind: 'text' };
  }
  return out;
}

export interface InputCheck {
  readonly frame: Frame;
  /** Plain-language warnings, one per problem, with counts. */
  readonly warnings: string[];
  /** Per row, what was wrong with it ("job: unseen "astronaut"; balance: 204254 above the training range"), or null. */
  readonly rowWarnings: (string | null)[];
}

/**
 * Checks new data against the schema: a missing required column is an error; a missing optional
 * column is added as all-missing (filled as in training) with a warning; unseen categories and
 * values outside the training range are counted. With `strict`, every warning is an error.
 */
export function conformInput(
  frame: Frame,
  bundle: Bundle,
  options: { strict?: boolean; file?: string } = {},
): InputCheck {
  const warnings: string[] = [];
  const perRow: string[][] = Array.from({ length: frame.nRows }, () => []);
  const file = options.file ?? 'input';
  let out = frame;
  const fail = (message: string, column?: string): never => {
    throw new GlassboxError(`${file}: ${message}`, { file, column, code: 'schema-mismatch' });
  };
  for (const s of bundle.schema.columns) {
    const c = frame.tryGet(s.name);
    if (!c) {
      if (s.required) fail(`required column "${s.name}" is missing`, s.name);
      const msg = `column "${s.name}" is missing; it is filled in as training filled missing values`;
      if (options.strict) fail(msg, s.name);
      warnings.push(msg);
      out = out.with(allMissing(emptyLike(s), frame.nRows));
      continue;
    }
    if (c.kind !== s.kind) {
      // A numeric-looking categorical (or the reverse) can be reconciled by text; anything else is an error.
      if (s.kind === 'categorical') out = out.with(asCategorical(c));
      else fail(`column "${s.name}" holds ${c.kind} values; the model was trained on ${s.kind}`, s.name);
    }
    const col = out.get(s.name);
    if (s.categories && col.kind === 'categorical') {
      const known = categorySet(s.categories);
      const unseen = new Map<string, number>();
      for (let i = 0; i < col.codes.length; i++) {
        const k = col.codes[i];
        if (k >= 0 && !known.has(col.categories[k])) {
          unseen.set(col.categories[k], (unseen.get(col.categories[k]) ?? 0) + 1);
          perRow[i].push(`${s.name}: unseen ${JSON.stringify(col.categories[k])}`);
        }
      }
      if (unseen.size) {
        const total = [...unseen.values()].reduce((a, b) => a + b, 0);
        const shown = [...unseen.keys()]
          .slice(0, 3)
          .map((v) => `"${v}"`)
          .join(', ');
        const msg = `column "${s.name}": ${total} row(s) with categories not seen in training (${shown}${unseen.size > 3 ? ', ...' : ''})`;
        if (options.strict) fail(msg, s.name);
        warnings.push(msg);
      }
    }
    if (s.range && (col.kind === 'numeric' || col.kind === 'datetime')) {
      let outside = 0;
      const values = col.values;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v < s.range[0] || v > s.range[1]) {
          outside++;
          perRow[i].push(`${s.name}: ${v < s.range[0] ? 'below' : 'above'} the training range`);
        }
      }
      if (outside) {
        const msg = `column "${s.name}": ${outside} value(s) outside the training range ${fmtRange(s)}`;
        if (options.strict) fail(msg, s.name);
        warnings.push(msg);
      }
    }
  }
  return { frame: out, warnings, rowWarnings: perRow.map((w) => (w.length ? w.join('; ') : null)) };
}

/** Known categories as a set, made once per schema column: single-row scoring checks them per request. */
const categorySets = new WeakMap<readonly string[], ReadonlySet<string>>();
function categorySet(categories: readonly string[]): ReadonlySet<string> {
  let set = categorySets.get(categories);
  if (!set) categorySets.set(categories, (set = new Set(categories)));
  return set;
}

function fmtRange(s: SchemaColumn): string {
  if (!s.range) return '';
  const f = (v: number) => (s.kind === 'datetime' ? new Date(v).toISOString().slice(0, 10) : String(v));
  return `[${f(s.range[0])}, ${f(s.range[1])}]`;
}

function emptyLike(s: SchemaColumn): Column {
  switch (s.kind) {
    case 'numeric':
      return numericColumn(s.name, new Float64Array(0));
    case 'datetime':
      return datetimeColumn(s.name, new Float64Array(0));
    case 'categorical':
      return categoricalColumn(s.name, new Int32Array(0), []);
    case 'text':
      return textColumn(s.name, []);
  }
}

function asCategorical(c: Column): CategoricalColumn {
  if (c.kind === 'categorical') return c;
  const n = c.kind === 'text' ? c.values.length : c.values.length;
  const labels: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    if (c.kind === 'text') labels.push(c.values[i]);
    else labels.push(Number.isNaN(c.values[i]) ? null : String(c.values[i]));
  }
  const index = new Map<string, number>();
  const categories: string[] = [];
  const codes = Int32Array.from(labels, (l) => {
    if (l === null) return -1;
    let k = index.get(l);
    if (k === undefined) {
      k = categories.length;
      categories.push(l);
      index.set(l, k);
    }
    return k;
  });
  return categoricalColumn(c.name, codes, categories, c.role);
}

/** A frame of the schema's columns, for callers that build rows by hand (the API, tests). */
export function emptyFrame(bundle: Bundle): Frame {
  return new Frame(bundle.schema.columns.map(emptyLike), 0);
}

/**
 * A bundle as JSON text: objects indented for reading, arrays of numbers or strings on one line
 * each (tree and weight arrays would otherwise take a line per element, several times the size).
 * Parses back to exactly the same value as JSON.stringify would.
 */
export function stringifyBundle(value: unknown): string {
  const write = (value: unknown, indent: string): string => {
    const v =
      value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function'
        ? (value as { toJSON(): unknown }).toJSON()
        : value;
    if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
    if (Array.isArray(v)) {
      if (v.every((x) => x === null || typeof x !== 'object')) return JSON.stringify(v);
      const inner = indent + ' ';
      return `[\n${v.map((x) => inner + write(x, inner)).join(',\n')}\n${indent}]`;
    }
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    const inner = indent + ' ';
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${write(x, inner)}`).join(',\n')}\n${indent}}`;
  };
  return write(value, '');
}

/**
 * Rows sent as JSON (the API's scoring body) as a frame of the schema's columns: numbers (or
 * numeric text) for numeric columns, ISO dates or epoch milliseconds for dates, text for
 * categories; null, absent or "" is missing. A column no row has is left out (scoring then
 * warns, or with strict refuses). A value of the wrong kind is an error naming its row and
 * column. Columns the schema does not know are ignored.
 */
export function frameFromRows(bundle: Bundle, rows: readonly Readonly<Record<string, unknown>>[]): Frame {
  const n = rows.length;
  const bad = (i: number, name: string, what: string): never => {
    throw new GlassboxError(`row ${i + 1}, column "${name}": ${what}`, { row: i + 1, column: name, code: 'bad-value' });
  };
  const missing = (v: unknown): boolean => v === null || v === undefined || v === '';
  // A column no row mentions is absent, so scoring warns about it (or, strict, refuses).
  const present = bundle.schema.columns.filter((s) => rows.some((r) => Object.hasOwn(r, s.name)));
  const columns = present.map((s) => {
    if (s.kind === 'numeric' || s.kind === 'datetime') {
      const values = new Float64Array(n);
      rows.forEach((r, i) => {
        const v = r[s.name];
        if (missing(v)) values[i] = NaN;
        else if (typeof v === 'number') values[i] = v;
        else if (typeof v === 'string') {
          const x =
            s.kind === 'datetime'
              ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) || v.length <= 10 ? v : `${v}Z`)
              : Number(v);
          values[i] = Number.isNaN(x)
            ? bad(i, s.name, `${JSON.stringify(v)} is not ${s.kind === 'datetime' ? 'a date' : 'a number'}`)
            : x;
        } else values[i] = bad(i, s.name, `expected ${s.kind === 'datetime' ? 'a date' : 'a number'}, got ${typeof v}`);
      });
      return s.kind === 'numeric' ? numericColumn(s.name, values) : datetimeColumn(s.name, values);
    }
    const texts = rows.map((r, i) => {
      const v = r[s.name];
      if (missing(v)) return null;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
      return bad(i, s.name, `expected text, got ${Array.isArray(v) ? 'a list' : typeof v}`);
    });
    return s.kind === 'text' ? textColumn(s.name, texts) : categoricalFromStrings(s.name, texts);
  });
  return new Frame(columns, n);
}
