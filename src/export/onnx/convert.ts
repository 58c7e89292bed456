import { GlassboxError } from '../../data/errors.js';
import type { Tree } from '../../engine/gbdt/tree.js';
import type { Isotonic, Platt } from '../../engine/calibration.js';
import { MLP_LN_EPS, type MlpLayer } from '../../engine/mlp.js';
import type { FittedModel, FittedTransformer } from '../../techniques/contract.js';
import type { FittedPipeline } from '../../techniques/pipeline.js';
import type { FeatureSpec } from '../../techniques/tree-inputs.js';
import { VERSION } from '../../version.js';
import type { Bundle } from '../bundle.js';
import { ML, OnnxGraph, type Columns, type Value } from './graph.js';
import { DataType, encodeModel, type ValueInfoProto } from './proto.js';
import { treeEnsemble, type TreeOutputs } from './trees.js';

/** What a converter works with: the graph, and a way to convert a whole pipeline (ensembles need it). */
export interface OnnxContext {
  readonly g: OnnxGraph;
  /** Some graph input, for the row count of outputs that read no column. */
  readonly anyInput: string;
  /** The pipeline's output ([N, classes] probabilities or [N, 1] values) from a copy of `cols`. */
  pipeline(p: FittedPipeline, cols: Columns): string;
  /** A model's output from the columns as its transformers left them. */
  model(m: FittedModel, cols: Columns): string;
}

/** Rewrites the row's columns as the step's `transform` does. */
export type TransformerConverter = (step: FittedTransformer, cx: OnnxContext, cols: Columns) => void;
/** Returns the model's outputs as `emit` defines them: [N, classes] probabilities, or [N, 1] values. */
export type ModelConverter = (model: FittedModel, cx: OnnxContext, cols: Columns) => string;

const transformers = new Map<string, TransformerConverter>();
const models = new Map<string, ModelConverter>();

/** A contributed technique joins the ONNX export by registering its converter under its id. */
export function registerOnnxTransformer(id: string, convert: TransformerConverter): void {
  transformers.set(id, convert);
}

export function registerOnnxModel(id: string, convert: ModelConverter): void {
  models.set(id, convert);
}

/** The converter registered for a transformer (tests convert single steps). */
export function registeredTransformer(id: string): TransformerConverter | undefined {
  return transformers.get(id);
}

export function onnxSupported(): { transformers: string[]; models: string[] } {
  return { transformers: [...transformers.keys()].sort(), models: [...models.keys()].sort() };
}

/** Steps with no converter, each with where it sits ("step 5", "member 2, step 3"). */
export function unsupportedSteps(pipeline: FittedPipeline, where = ''): string[] {
  const out: string[] = [];
  pipeline.steps.forEach((s, i) => {
    const at = `${where}step ${i + 1}`;
    const known = s.kind === 'model' ? models.has(s.technique) : transformers.has(s.technique);
    if (!known) out.push(`${s.technique} (${at})`);
    if (s.technique === 'ensemble')
      (s as unknown as { members: { pipeline: FittedPipeline }[] }).members.forEach((m, j) =>
        out.push(...unsupportedSteps(m.pipeline, `${at}, member ${j + 1}, `)),
      );
    if (s.technique === 'calibrated') {
      const inner = (s as unknown as { model: FittedModel }).model;
      if (!models.has(inner.technique)) out.push(`${inner.technique} (${at}, the calibrated model)`);
    }
  });
  return out;
}

function col(cols: Columns, name: string, type: Value['type'], who: string): string {
  const v = cols.get(name);
  if (!v) throw new GlassboxError(`onnx: ${who} reads column "${name}", which no earlier step provides`);
  if (v.type !== type) throw new GlassboxError(`onnx: ${who} needs column "${name}" as ${type}, it is ${v.type}`);
  return v.name;
}

/** The named double columns side by side: [N, p]. */
function matrix(cx: OnnxContext, cols: Columns, names: readonly string[], who: string): string {
  return cx.g.concat(names.map((n) => col(cols, n, 'double', who)));
}

/** [1 - p, p] from an [N, 1] probability of the second class. */
function binaryProba(g: OnnxGraph, p: string): string {
  return g.concat([g.sub(g.scalar(1), p), p]);
}

// ---------------------------------------------------------------- transformers

registerOnnxTransformer('drop-columns', (s, _cx, cols) => {
  for (const d of (s as unknown as { dropped: { column: string }[] }).dropped) cols.delete(d.column);
});

// Duplicates are only dropped while training.
registerOnnxTransformer('drop-duplicates', () => {});

registerOnnxTransformer('select-features', (s, _cx, cols) => {
  for (const c of (s as unknown as { dropped: string[] }).dropped) cols.delete(c);
});

registerOnnxTransformer('impute', (s, { g }, cols) => {
  const step = s as unknown as {
    fills: { column: string; kind: string; value: number | string }[];
    indicators: { column: string; name: string }[];
  };
  const isMissing = (v: Value): string => g.isMissing(v);
  const original = new Map(cols);
  for (const ind of step.indicators) {
    const v = original.get(ind.column);
    if (!v) throw new GlassboxError(`onnx: impute reads column "${ind.column}", which no earlier step provides`);
    cols.set(ind.name, { name: g.toDouble(isMissing(v)), type: 'double' });
  }
  for (const f of step.fills) {
    const v = cols.get(f.column);
    if (!v) throw new GlassboxError(`onnx: impute reads column "${f.column}", which no earlier step provides`);
    const fill = v.type === 'double' ? g.doubles([Number(f.value)], [1]) : g.strings([String(f.value)], [1]);
    cols.set(f.column, { name: g.where(isMissing(v), fill, v.name), type: v.type });
  }
});

registerOnnxTransformer('standard-scale', (s, { g }, cols) => {
  for (const sc of (s as unknown as { scalings: { column: string; center: number; scale: number }[] }).scalings) {
    const x = col(cols, sc.column, 'double', 'standard-scale');
    cols.set(sc.column, { name: g.div(g.sub(x, g.scalar(sc.center)), g.scalar(sc.scale)), type: 'double' });
  }
});

registerOnnxTransformer('one-hot', (s, { g }, cols) => {
  const step = s as unknown as {
    params: { handleUnknown?: string };
    encodings: { column: string; categories: string[]; outputs: string[]; rare: string[]; other: string | null }[];
  };
  const unknownToOther = step.params.handleUnknown !== 'ignore';
  for (const e of step.encodings) {
    const x = col(cols, e.column, 'string', 'one-hot');
    const k = e.categories.length;
    const keys = [...e.categories, ...e.rare];
    // Slot per key, then missing (no slot), then unseen.
    const slots = [...e.categories.map((_, j) => j), ...e.rare.map(() => k), -1];
    slots.push(e.other !== null && unknownToOther ? k : -1);
    const slot = g.op('Gather', [g.int64s(slots), g.categoryIndex(x, keys)], { axis: { i: 0 } }, 'slot');
    cols.delete(e.column);
    const outputs = e.other !== null ? [...e.outputs, e.other] : e.outputs;
    outputs.forEach((name, j) => {
      cols.set(name, { name: g.toDouble(g.op('Equal', [slot, g.int64s([j], [1])])), type: 'double' });
    });
  }
});

registerOnnxTransformer('datetime-parts', (s, { g }, cols) => {
  const step = s as unknown as { expansions: { column: string; parts: string[]; outputs: string[] }[] };
  const k = (v: number) => g.scalar(v);
  for (const e of step.expansions) {
    const ms = col(cols, e.column, 'double', 'datetime-parts');
    // Civil date from days since 1970 (H. Hinnant's algorithm): whole numbers in doubles, exact.
    const days = g.floorDiv(ms, 86_400_000);
    const z = g.add(days, k(719468));
    const era = g.floorDiv(z, 146097);
    const doe = g.sub(z, g.mul(era, k(146097)));
    const yoeNum = g.sub(g.add(g.sub(doe, g.floorDiv(doe, 1460)), g.floorDiv(doe, 36524)), g.floorDiv(doe, 146096));
    const yoe = g.floorDiv(yoeNum, 365);
    const doy = g.sub(doe, g.sub(g.add(g.mul(yoe, k(365)), g.floorDiv(yoe, 4)), g.floorDiv(yoe, 100)));
    const mp = g.floorDiv(g.add(g.mul(doy, k(5)), k(2)), 153);
    // mp counts months from March: 10 and 11 are January and February of the next year.
    const janFeb = g.floorDiv(mp, 10);
    const year = g.add(g.add(yoe, g.mul(era, k(400))), janFeb);
    const part = (p: string): string => {
      switch (p) {
        case 'year':
          return year;
        case 'month':
          return g.sub(g.add(mp, k(3)), g.mul(janFeb, k(12)));
        case 'day':
          return g.add(g.sub(doy, g.floorDiv(g.add(g.mul(mp, k(153)), k(2)), 5)), k(1));
        case 'weekday':
        case 'weekend': {
          // 1970-01-01 was a Thursday (3 when Monday is 0).
          const d3 = g.add(days, k(3));
          const weekday = g.sub(d3, g.mul(g.floorDiv(d3, 7), k(7)));
          return p === 'weekday' ? weekday : g.floorDiv(weekday, 5);
        }
        case 'hour':
          return g.floorDiv(g.sub(ms, g.mul(days, k(86_400_000))), 3_600_000);
        case 'dayOfYear': {
          // Days from 1970-01-01 to 1 January of `year`.
          const jan1 = g.add(
            g.sub(
              g.add(g.mul(g.sub(year, k(1970)), k(365)), g.floorDiv(g.sub(year, k(1969)), 4)),
              g.floorDiv(g.sub(year, k(1901)), 100),
            ),
            g.floorDiv(g.sub(year, k(1601)), 400),
          );
          return g.add(g.sub(days, jan1), k(1));
        }
        case 'epoch':
          return g.div(ms, k(86_400_000));
        default:
          throw new GlassboxError(`onnx: datetime-parts has no conversion for part "${p}"`);
      }
    };
    cols.delete(e.column);
    e.parts.forEach((p, j) => cols.set(e.outputs[j], { name: part(p), type: 'double' }));
  }
});

registerOnnxTransformer('ordinal', (s, { g }, cols) => {
  for (const m of (s as unknown as { mappings: { column: string; categories: string[] }[] }).mappings) {
    const x = col(cols, m.column, 'string', 'ordinal');
    cols.set(m.column, {
      name: g.lookup(
        x,
        m.categories,
        m.categories.map((_, j) => j),
        NaN,
        NaN,
      ),
      type: 'double',
    });
  }
});

registerOnnxTransformer('frequency-encode', (s, { g }, cols) => {
  const step = s as unknown as {
    tables: { column: string; categories: string[]; share: Float64Array; missing: number }[];
  };
  for (const t of step.tables) {
    const x = col(cols, t.column, 'string', 'frequency-encode');
    cols.set(t.column, { name: g.lookup(x, t.categories, t.share, t.missing, 0), type: 'double' });
  }
});

registerOnnxTransformer('target-encode', (s, { g }, cols) => {
  const step = s as unknown as {
    encodings: {
      column: string;
      outputs: string[];
      categories: string[];
      values: Float64Array;
      missing: Float64Array;
      prior: Float64Array;
    }[];
  };
  for (const e of step.encodings) {
    const x = col(cols, e.column, 'string', 'target-encode');
    const D = e.outputs.length;
    const outs = e.outputs.map((_, d) =>
      g.lookup(
        x,
        e.categories,
        e.categories.map((_c, j) => e.values[j * D + d]),
        e.missing[d],
        e.prior[d],
      ),
    );
    if (e.outputs[0] !== e.column) cols.delete(e.column);
    e.outputs.forEach((name, d) => cols.set(name, { name: outs[d], type: 'double' }));
  }
});

registerOnnxTransformer('rare-categories', (s, { g }, cols) => {
  const step = s as unknown as { params: { otherLabel?: string }; groupings: { column: string; keep: string[] }[] };
  const other = String(step.params.otherLabel ?? 'other');
  for (const gr of step.groupings) {
    const x = col(cols, gr.column, 'string', 'rare-categories');
    const table = g.strings([...gr.keep, '', other]);
    cols.set(gr.column, {
      name: g.op('Gather', [table, g.categoryIndex(x, gr.keep)], { axis: { i: 0 } }),
      type: 'string',
    });
  }
});

registerOnnxTransformer('numeric-transform', (s, { g }, cols) => {
  const step = s as unknown as { method: string; mappings: { column: string }[] };
  if (step.method !== 'log1p')
    throw new GlassboxError(`ONNX export does not support numeric-transform with method ${step.method} (only log1p)`, {
      code: 'unsupported',
    });
  for (const m of step.mappings) {
    const x = col(cols, m.column, 'double', 'numeric-transform');
    // sign(x) log(1 + |x|); NaN stays NaN.
    const y = g.mul(g.op('Sign', [x]), g.op('Log', [g.add(g.scalar(1), g.op('Abs', [x]))]));
    cols.set(m.column, { name: y, type: 'double' });
  }
});

registerOnnxTransformer('interactions', (s, { g }, cols) => {
  for (const p of (s as unknown as { pairs: { a: string; b: string; name: string }[] }).pairs)
    cols.set(p.name, {
      name: g.mul(col(cols, p.a, 'double', 'interactions'), col(cols, p.b, 'double', 'interactions')),
      type: 'double',
    });
});

// ---------------------------------------------------------------- models

registerOnnxModel('linear', (m, cx, cols) => {
  const { g } = cx;
  const model = m as unknown as { inputs: string[]; coef: Float64Array; intercept: Float64Array };
  const p = model.inputs.length;
  const K = model.intercept.length;
  const W = new Float64Array(p * K);
  for (let k = 0; k < K; k++) for (let j = 0; j < p; j++) W[j * K + k] = model.coef[k * p + j];
  const margins =
    p === 0
      ? g.op('Expand', [g.doubles(model.intercept, [1, K]), g.op('Shape', [cx.anyInput])])
      : g.add(
          g.op('MatMul', [matrix(cx, cols, model.inputs, 'linear'), g.doubles(W, [p, K])]),
          g.doubles(model.intercept, [K]),
        );
  if (m.task === 'regression') return margins;
  if (m.task === 'binary') return binaryProba(g, g.op('Sigmoid', [margins]));
  return g.op('Softmax', [margins], { axis: { i: 1 } });
});

registerOnnxModel('mlp', (m, cx, cols) => {
  const { g } = cx;
  const model = m as unknown as { inputs: string[]; layers: MlpLayer[]; center: number; scale: number };
  let a = matrix(cx, cols, model.inputs, 'mlp');
  model.layers.forEach((L, li) => {
    let z = g.add(g.op('MatMul', [a, g.doubles(L.W, [L.nIn, L.nOut])]), g.doubles(L.b, [L.nOut]));
    if (li < model.layers.length - 1) {
      if (L.gamma.length) {
        const mean = g.op('ReduceMean', [z], { axes: { ints: [1] }, keepdims: { i: 1 } });
        const centred = g.sub(z, mean);
        const variance = g.op('ReduceMean', [g.mul(centred, centred)], { axes: { ints: [1] }, keepdims: { i: 1 } });
        const inv = g.div(g.scalar(1), g.op('Sqrt', [g.add(variance, g.scalar(MLP_LN_EPS))]));
        z = g.add(g.mul(g.mul(centred, inv), g.doubles(L.gamma, [L.nOut])), g.doubles(L.beta, [L.nOut]));
      }
      z = g.op('Relu', [z]);
    }
    a = z;
  });
  if (m.task === 'regression') return g.add(g.mul(a, g.scalar(model.scale)), g.scalar(model.center));
  if (m.task === 'binary') return binaryProba(g, g.op('Sigmoid', [a]));
  return g.op('Softmax', [a], { axis: { i: 1 } });
});

registerOnnxModel('naive-bayes', (m, cx, cols) => {
  const { g } = cx;
  const model = m as unknown as {
    logPrior: Float64Array;
    features: (
      | { name: string; kind: 'numeric'; mean: Float64Array; variance: Float64Array }
      | { name: string; kind: 'categorical'; categories: string[]; logProb: Float64Array }
    )[];
  };
  const K = model.logPrior.length;
  let joint = g.op('Expand', [g.doubles(model.logPrior, [1, K]), g.op('Shape', [cx.anyInput])]);
  // A missing (or, for categories, unseen) value leaves its feature out: its term is 0.
  for (const f of model.features) {
    let term: string;
    if (f.kind === 'numeric') {
      const x = col(cols, f.name, 'double', 'naive-bayes');
      const d = g.sub(x, g.doubles(f.mean, [1, K]));
      const constant = Float64Array.from(f.variance, (v) => -0.5 * (Math.log(2 * Math.PI) + Math.log(v)));
      const normal = g.sub(
        g.doubles(constant, [1, K]),
        g.div(
          g.mul(d, d),
          g.doubles(
            f.variance.map((v) => 2 * v),
            [1, K],
          ),
        ),
      );
      term = g.where(g.isNaN(x), g.scalar(0), normal);
    } else {
      const x = col(cols, f.name, 'string', 'naive-bayes');
      const M = f.categories.length;
      const table = new Float64Array((M + 2) * K);
      for (let j = 0; j < M; j++) for (let k = 0; k < K; k++) table[j * K + k] = f.logProb[k * M + j];
      const index = g.op('Reshape', [g.categoryIndex(x, f.categories), g.int64s([-1], [1])]);
      term = g.op('Gather', [g.doubles(table, [M + 2, K]), index], { axis: { i: 0 } });
    }
    joint = g.add(joint, term);
  }
  return g.op('Softmax', [joint], { axis: { i: 1 } });
});

/** A tree model's [N, p] input: numbers as they are, categories as their training bins. */
function treeMatrix(
  cx: OnnxContext,
  cols: Columns,
  features: readonly FeatureSpec[],
  who: string,
): { X: string; bins: (number[] | null)[] } {
  const { g } = cx;
  const bins: (number[] | null)[] = [];
  const parts = features.map((f) => {
    if (f.kind === 'numeric') {
      bins.push(null);
      return col(cols, f.name, 'double', who);
    }
    const x = col(cols, f.name, 'string', who);
    const keys: string[] = [];
    const values: number[] = [];
    (f.categories ?? []).forEach((c, code) => {
      const b = (f.binOfCode ?? [])[code];
      if (b >= 0) {
        keys.push(c);
        values.push(b);
      }
    });
    bins.push([...new Set(values)].sort((a, b) => a - b));
    return g.lookup(x, keys, values, -1, -2);
  });
  return { X: g.concat(parts), bins };
}

registerOnnxModel('gbdt', (m, cx, cols) => {
  const { g } = cx;
  const model = m as unknown as {
    features: FeatureSpec[];
    k: number;
    baseline: Float64Array;
    trees: Tree[];
    objective: string;
  };
  const { X, bins } = treeMatrix(cx, cols, model.features, 'gbdt');
  const K = model.k;
  const trees: TreeOutputs[] = model.trees.map((t, r) => ({ tree: t, weights: (node) => [[r % K, t.value[node]]] }));
  const raw = g.add(treeEnsemble(g, X, trees, K, bins), g.doubles(model.baseline, [K]));
  if (m.task === 'regression') return model.objective === 'poisson' ? g.op('Exp', [raw]) : raw;
  if (m.task === 'binary') return binaryProba(g, g.op('Sigmoid', [raw]));
  return g.op('Softmax', [raw], { axis: { i: 1 } });
});

const forest: ModelConverter = (m, cx, cols) => {
  const { g } = cx;
  const model = m as unknown as { features: FeatureSpec[]; trees: { tree: Tree; values: Float64Array }[] };
  const D = m.task === 'regression' ? 1 : m.classes.length;
  const { X, bins } = treeMatrix(cx, cols, model.features, m.technique);
  const trees: TreeOutputs[] = model.trees.map(({ tree, values }) => ({
    tree,
    weights: (node) => Array.from({ length: D }, (_, d) => [d, values[node * D + d]] as const),
  }));
  return g.mul(treeEnsemble(g, X, trees, D, bins), g.scalar(1 / Math.max(1, model.trees.length)));
};
registerOnnxModel('random-forest', forest);
registerOnnxModel('extra-trees', forest);

registerOnnxModel('constant', (m, { g, anyInput }) => {
  const values = (m as unknown as { values: Float64Array }).values;
  return g.op('Expand', [g.doubles(values, [1, values.length]), g.op('Shape', [anyInput])]);
});

registerOnnxModel('ensemble', (m, cx, cols) => {
  const { g } = cx;
  const members = (m as unknown as { members: { weight: number; pipeline: FittedPipeline }[] }).members;
  let acc: string | null = null;
  for (const member of members) {
    const term = g.mul(cx.pipeline(member.pipeline, new Map(cols)), g.scalar(member.weight));
    acc = acc === null ? term : g.add(acc, term);
  }
  return acc as string;
});

registerOnnxModel('calibrated', (m, cx, cols) => {
  const { g } = cx;
  const model = m as unknown as { model: FittedModel; method: string; calibrators: (Platt | Isotonic)[] };
  const proba = cx.model(model.model, cols);
  const apply = (c: Platt | Isotonic, p: string): string => {
    if (model.method === 'sigmoid') {
      const { a, b } = c as Platt;
      const q = g.op('Clip', [p, g.scalar(1e-15), g.scalar(1 - 1e-15)]);
      const logit = g.op('Log', [g.div(q, g.sub(g.scalar(1), q))]);
      return g.op('Sigmoid', [g.op('Neg', [g.add(g.mul(g.scalar(a), logit), g.scalar(b))])]);
    }
    // Linear interpolation between the points, flat beyond them, as one sum of clipped ramps.
    const { x, y } = c as Isotonic;
    const mm = x.length;
    if (mm === 1) return g.add(g.mul(p, g.scalar(0)), g.scalar(y[0]));
    const widths = new Float64Array(mm - 1);
    const slopes = new Float64Array(mm - 1);
    for (let i = 0; i < mm - 1; i++) {
      widths[i] = x[i + 1] - x[i];
      slopes[i] = (y[i + 1] - y[i]) / widths[i];
    }
    const ramps = g.op('Min', [
      g.op('Max', [g.sub(p, g.doubles(x.subarray(0, mm - 1), [1, mm - 1])), g.scalar(0)]),
      g.doubles(widths, [1, mm - 1]),
    ]);
    return g.add(g.op('MatMul', [ramps, g.doubles(slopes, [mm - 1, 1])]), g.scalar(y[0]));
  };
  if (m.task === 'binary') return binaryProba(g, apply(model.calibrators[0], g.column(proba, 1)));
  const K = m.classes.length;
  const calibrated = g.concat(model.calibrators.map((c, j) => apply(c, g.column(proba, j))));
  const z = g.op('ReduceSum', [calibrated, g.int64s([1], [1])], { keepdims: { i: 1 } });
  const positive = g.op('Greater', [z, g.scalar(0)]);
  return g.where(positive, g.div(calibrated, z), g.add(g.mul(calibrated, g.scalar(0)), g.scalar(1 / K)));
});

// ---------------------------------------------------------------- the model file

export interface OnnxModel {
  readonly bytes: Uint8Array;
  readonly inputs: readonly ValueInfoProto[];
  readonly outputs: readonly ValueInfoProto[];
}

/**
 * The bundle as an ONNX model: one [N, 1] input per schema column (doubles with NaN for missing
 * numbers and dates as epoch milliseconds; strings with "" for missing categories), and outputs
 * `label` + `probabilities` (classification) or `value` (regression). Throws, listing them, when
 * a step has no ONNX conversion.
 */
export function toOnnx(bundle: Bundle, pipeline: FittedPipeline): OnnxModel {
  const missing = unsupportedSteps(pipeline);
  if (missing.length) {
    const supported = onnxSupported();
    throw new GlassboxError(
      `ONNX export does not support ${missing.join(', ')}; supported steps: ${[...supported.transformers, ...supported.models].join(', ')} (--format ts exports every step)`,
      { code: 'unsupported' },
    );
  }
  if (!bundle.schema.columns.length) throw new GlassboxError('onnx: the bundle reads no column');
  const g = new OnnxGraph();
  const root: Columns = new Map();
  for (const c of bundle.schema.columns) {
    const numeric = c.kind === 'numeric' || c.kind === 'datetime';
    const doc =
      c.kind === 'datetime'
        ? 'date as milliseconds since 1970-01-01 UTC; NaN when missing'
        : numeric
          ? 'number; NaN when missing'
          : 'text; "" when missing';
    root.set(c.name, g.input(c.name, numeric ? 'double' : 'string', doc));
  }
  const anyInput = bundle.schema.columns[0].name;
  const cx: OnnxContext = {
    g,
    anyInput,
    pipeline(p, cols) {
      for (const t of p.transformers) transformers.get(t.technique)!(t, cx, cols);
      return cx.model(p.model, cols);
    },
    model(m, cols) {
      const convert = models.get(m.technique);
      if (!convert) throw new GlassboxError(`ONNX export does not support ${m.technique}`, { code: 'unsupported' });
      return convert(m, cx, cols);
    },
  };
  const out = cx.pipeline(pipeline, new Map(root));
  const outputs: ValueInfoProto[] = [];
  if (bundle.task === 'regression') {
    g.nodes.push({ name: 'output_value', opType: 'Identity', inputs: [out], outputs: ['value'] });
    outputs.push({ name: 'value', elemType: DataType.DOUBLE, shape: ['N', 1], doc: `predicted ${bundle.target.name}` });
  } else {
    const K = bundle.target.classes.length;
    g.nodes.push({ name: 'output_probabilities', opType: 'Identity', inputs: [out], outputs: ['probabilities'] });
    const best = g.op('ArgMax', [out], { axis: { i: 1 }, keepdims: { i: 0 } });
    g.nodes.push({
      name: 'output_label',
      opType: 'LabelEncoder',
      domain: ML,
      inputs: [best],
      outputs: ['label'],
      attributes: {
        keys_int64s: { ints: Array.from({ length: K }, (_, j) => j) },
        values_strings: { strings: [...bundle.target.classes] },
        default_string: { s: '' },
      },
    });
    outputs.push(
      { name: 'label', elemType: DataType.STRING, shape: ['N'], doc: 'the most likely class' },
      {
        name: 'probabilities',
        elemType: DataType.DOUBLE,
        shape: ['N', K],
        doc: `probability of each class: ${bundle.target.classes.join(', ')}`,
      },
    );
  }
  const bytes = encodeModel({
    irVersion: 8,
    opsets: [
      { domain: '', version: 17 },
      { domain: ML, version: 3 },
    ],
    producerName: 'glassbox',
    producerVersion: VERSION,
    doc: `Predicts ${bundle.target.name} (${bundle.task}); bundle ${bundle.fingerprint}.`,
    graph: {
      name: 'glassbox',
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: g.inputs,
      outputs,
    },
    metadata: {
      target: bundle.target.name,
      task: bundle.task,
      classes: JSON.stringify(bundle.target.classes),
      fingerprint: bundle.fingerprint,
    },
  });
  return { bytes, inputs: g.inputs, outputs };
}

/** `model.onnx` and a README saying what goes in and what comes out. */
export function exportOnnx(bundle: Bundle, pipeline: FittedPipeline): { model: Uint8Array; readme: string } {
  const onnx = toOnnx(bundle, pipeline);
  const kind = (t: number) => (t === DataType.DOUBLE ? 'double' : 'string');
  const rows = onnx.inputs.map((i) => `| \`${i.name}\` | ${kind(i.elemType)} [N, 1] | ${i.doc ?? ''} |`);
  const outs = onnx.outputs.map(
    (o) => `| \`${o.name}\` | ${kind(o.elemType)} [${o.shape.join(', ')}] | ${o.doc ?? ''} |`,
  );
  const first = onnx.inputs[0];
  const readme = `# ${bundle.target.name}: ONNX model

Exported by Glassbox ${bundle.glassboxVersion} from bundle \`${bundle.fingerprint}\` (${bundle.task}).
\`model.onnx\` uses ONNX IR 8, opsets ai.onnx 17 and ai.onnx.ml 3, and runs in onnxruntime
(Python, C++, C#, Java, JavaScript) with no Glassbox code. Thresholds, weights and arithmetic are
doubles; tree sums come out of \`TreeEnsembleRegressor\` as floats, so probabilities agree with
\`glassbox predict\` to about 1e-7.

## Inputs: one tensor per column, N rows

| name | type | value |
| --- | --- | --- |
${rows.join('\n')}

## Outputs

| name | type | value |
| --- | --- | --- |
${outs.join('\n')}

## Run it

\`\`\`js
import ort from 'onnxruntime-node';
const session = await ort.InferenceSession.create('model.onnx');
const out = await session.run({
  ${first ? `${JSON.stringify(first.name)}: new ort.Tensor(${first.elemType === DataType.DOUBLE ? `'float64', Float64Array.from([1.5])` : `'string', ['a']`}, [1, 1]),` : ''}
  // ... one [N, 1] tensor for every input above
});
\`\`\`

\`glassbox export bundle.json --format onnx --out DIR --check data.csv\` runs the model in
onnxruntime on a file and reports the largest difference from the bundle's own predictions.
`;
  return { model: onnx.bytes, readme };
}
