import { GlassboxError } from '../data/errors.js';
import { numericColumn, type CategoricalColumn, type Frame } from '../data/frame.js';
import { kFoldAssignment } from '../evaluate/split.js';
import type { FitContext, FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { colsParam, numParam, resolveParams } from './params.js';
import { register } from './registry.js';
import { asObject, asStrings, freshName, num, numArray, pickColumns, str } from './util.js';

/** One encoded column: per category (and for missing values) the smoothed target mean of each output. */
interface Encoding {
  readonly column: string;
  /** Output column names: the column itself (one output), or one per class. */
  readonly outputs: readonly string[];
  readonly categories: readonly string[];
  /** categories x outputs, row-major. */
  readonly values: Float64Array;
  /** Per output: the value for missing cells. */
  readonly missing: Float64Array;
  /** Per output: the training mean, for categories never seen in training. */
  readonly prior: Float64Array;
}

/** Target value of a row for output d: the value itself, or 1 when the row is of class d. */
function targetOf(y: Float64Array, i: number, d: number, perClass: boolean): number {
  return perClass ? +(y[i] === d) : y[i];
}

/**
 * Smoothed means (m-estimate): (sum + m·prior) / (count + m) per category code (and code -1 for
 * missing, stored last), over the rows `use` selects, for each output.
 */
function means(
  c: CategoricalColumn,
  y: Float64Array,
  rows: ArrayLike<number>,
  D: number,
  perClass: boolean,
  m: number,
): { values: Float64Array; missing: Float64Array; prior: Float64Array } {
  const k = c.categories.length;
  const sum = new Float64Array((k + 1) * D);
  const count = new Float64Array(k + 1);
  const prior = new Float64Array(D);
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t];
    const code = c.codes[i] < 0 ? k : c.codes[i];
    count[code]++;
    for (let d = 0; d < D; d++) {
      const v = targetOf(y, i, d, perClass);
      sum[code * D + d] += v;
      prior[d] += v;
    }
  }
  for (let d = 0; d < D; d++) prior[d] = rows.length > 0 ? prior[d] / rows.length : 0;
  const values = new Float64Array(k * D);
  const missing = new Float64Array(D);
  for (let code = 0; code <= k; code++)
    for (let d = 0; d < D; d++) {
      const v = (sum[code * D + d] + m * prior[d]) / (count[code] + m);
      if (code < k) values[code * D + d] = count[code] > 0 ? v : prior[d];
      else missing[d] = count[k] > 0 ? v : prior[d];
    }
  return { values, missing, prior };
}

class FittedTargetEncode implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'target-encode';
  readonly params: Params;
  readonly encodings: readonly Encoding[];
  /** The training frame and its out-of-fold encodings: what transform returns while fitting. */
  private readonly training: { frame: Frame; out: Frame } | undefined;

  constructor(params: Params, encodings: readonly Encoding[], training?: { frame: Frame; out: Frame }) {
    this.params = params;
    this.encodings = encodings;
    this.training = training;
  }

  get inputs(): string[] {
    return this.encodings.map((e) => e.column);
  }

  /**
   * Training rows get their out-of-fold encodings (a row's own target never encodes it, which
   * would leak the answer); any other data gets the encodings learnt from all training rows.
   */
  transform(frame: Frame, ctx: { training: boolean }): Frame {
    if (ctx.training && this.training && frame === this.training.frame) return this.training.out;
    return encodeWith(frame, this.encodings, (e, c) => {
      const fitted = new Map(e.categories.map((cat, j) => [cat, j]));
      return Int32Array.from(c.categories, (cat) => fitted.get(cat) ?? -2);
    });
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        encodings: this.encodings.map((e) => ({
          column: e.column,
          outputs: [...e.outputs],
          categories: [...e.categories],
          values: Array.from(e.values),
          missing: Array.from(e.missing),
          prior: Array.from(e.prior),
        })),
      },
    };
  }

  emit(name: string) {
    const lines: string[] = [];
    this.encodings.forEach((e, idx) => {
      const D = e.outputs.length;
      const table = `{ ${e.categories.map((c, j) => `${str(c)}: ${j}`).join(', ')} }`;
      lines.push(`  const codes${idx}: Record<string, number> = ${table};`);
      lines.push(`  const values${idx} = ${numArray(e.values)};`);
      lines.push(`  const v${idx} = row[${str(e.column)}];`);
      lines.push(
        `  const j${idx} = typeof v${idx} === 'string' && Object.prototype.hasOwnProperty.call(codes${idx}, v${idx}) ? codes${idx}[v${idx}] : v${idx} === null ? -1 : -2;`,
      );
      if (e.outputs[0] !== e.column) lines.push(`  delete row[${str(e.column)}];`);
      e.outputs.forEach((out, d) =>
        lines.push(
          `  row[${str(out)}] = j${idx} >= 0 ? values${idx}[j${idx} * ${D} + ${d}] : j${idx} === -1 ? ${num(e.missing[d])} : ${num(e.prior[d])};`,
        ),
      );
    });
    return { name, code: `function ${name}(row: Row): void {\n${lines.join('\n')}\n}` };
  }
}

/** Replaces each encoded column by its output columns; `codesOf` maps the frame's codes to fitted ones (-2 unseen). */
function encodeWith(
  frame: Frame,
  encodings: readonly Encoding[],
  codesOf: (e: Encoding, c: CategoricalColumn) => Int32Array,
): Frame {
  let out = frame;
  for (const e of encodings) {
    const c = frame.get(e.column);
    if (c.kind !== 'categorical')
      throw new GlassboxError(`target-encode: column "${e.column}" must be categorical (it is ${c.kind})`, {
        column: e.column,
      });
    const lookup = codesOf(e, c);
    const D = e.outputs.length;
    const cols = e.outputs.map((name, d) => {
      const values = new Float64Array(frame.nRows);
      for (let i = 0; i < values.length; i++) {
        const j = c.codes[i] < 0 ? -1 : lookup[c.codes[i]];
        values[i] = j >= 0 ? e.values[j * D + d] : j === -1 ? e.missing[d] : e.prior[d];
      }
      return numericColumn(name, values, c.role);
    });
    out = out.replace([e.column], cols);
  }
  return out;
}

export const targetEncode: Technique = {
  id: 'target-encode',
  stage: 'features',
  usesTarget: true,
  title: 'Target-encode categories',
  description:
    'Replaces each category by the average outcome of its rows, shrunk towards the overall average for rare ones; computed out of fold on training rows so the model never sees its own answer. Suits columns with many categories.',
  params: {
    columns: {
      type: 'columns',
      default: null,
      description: 'Columns to encode (default: categorical features with at least minCategories categories).',
    },
    minCategories: {
      type: 'integer',
      default: 10,
      min: 2,
      description: 'With columns unset, only categorical features with this many categories or more are encoded.',
    },
    smoothing: {
      type: 'number',
      default: 10,
      min: 0,
      description:
        'Rows of the overall average mixed into each category average (m-estimate): larger trusts rare categories less.',
      search: { type: 'float', low: 0.1, high: 100, log: true },
    },
    folds: {
      type: 'integer',
      default: 5,
      min: 2,
      max: 20,
      description: 'Folds for the out-of-fold encodings of the training rows.',
    },
  },
  fit(frame: Frame, given: Params, ctx: FitContext) {
    const params = resolveParams(this.id, this.params, given);
    const target = ctx.target;
    if (!target) throw new GlassboxError('target-encode needs the target column');
    const named = colsParam(params, 'columns');
    const minCats = numParam(params, 'minCategories');
    const cols = (pickColumns(this.id, frame, named, ['categorical']) as CategoricalColumn[]).filter(
      (c) => named !== null || c.categories.length >= minCats,
    );
    const perClass = target.task === 'multiclass';
    const D = perClass ? target.classes.length : 1;
    const m = numParam(params, 'smoothing');
    const n = frame.nRows;
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const taken = new Set(frame.names);
    const encodings: Encoding[] = cols.map((c) => {
      const outputs = perClass
        ? target.classes.map((cls) => {
            const name = freshName(taken, `${c.name}_te_${cls}`);
            taken.add(name);
            return name;
          })
        : [c.name];
      const s = means(c, target.y, all, D, perClass, m);
      return {
        column: c.name,
        outputs,
        categories: [...c.categories],
        values: s.values,
        missing: s.missing,
        prior: s.prior,
      };
    });
    // Out-of-fold encodings of the training rows: fold f's rows encoded from the other folds.
    const k = numParam(params, 'folds');
    const fold = kFoldAssignment(n, k, ctx.seed, target.task === 'regression' ? undefined : target.y);
    const oofCols = new Map<string, Float64Array[]>();
    for (const e of encodings)
      oofCols.set(
        e.column,
        e.outputs.map(() => new Float64Array(n)),
      );
    for (let f = 0; f < k; f++) {
      const rest: number[] = [];
      const held: number[] = [];
      for (let i = 0; i < n; i++) (fold[i] === f ? held : rest).push(i);
      encodings.forEach((e, idx) => {
        const c = cols[idx];
        const s = means(c, target.y, rest, D, perClass, m);
        const outs = oofCols.get(e.column) as Float64Array[];
        for (const i of held) {
          const code = c.codes[i];
          for (let d = 0; d < D; d++) outs[d][i] = code < 0 ? s.missing[d] : s.values[code * D + d];
        }
      });
    }
    let out = frame;
    for (const e of encodings) {
      const role = frame.get(e.column).role;
      const outs = oofCols.get(e.column) as Float64Array[];
      out = out.replace(
        [e.column],
        e.outputs.map((name, d) => numericColumn(name, outs[d], role)),
      );
    }
    if (encodings.length)
      ctx.note?.(`encoded ${encodings.map((e) => `${e.column} (${e.categories.length} categories)`).join(', ')}`);
    return new FittedTargetEncode(params, encodings, { frame, out });
  },
  fromJSON(json) {
    const state = asObject(json.state, 'target-encode state');
    const encodings = (state.encodings as unknown[]).map((x): Encoding => {
      const o = asObject(x, 'encoding');
      return {
        column: String(o.column),
        outputs: asStrings(o.outputs, 'outputs'),
        categories: asStrings(o.categories, 'categories'),
        values: Float64Array.from(o.values as number[]),
        missing: Float64Array.from(o.missing as number[]),
        prior: Float64Array.from(o.prior as number[]),
      };
    });
    return new FittedTargetEncode(json.params, encodings);
  },
};

register(targetEncode);
