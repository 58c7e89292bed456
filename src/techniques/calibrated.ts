import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import { applyIsotonic, applyPlatt, fitIsotonic, fitPlatt, type Isotonic, type Platt } from '../engine/calibration.js';
import { kFoldAssignment } from '../evaluate/split.js';
import { logLoss } from '../evaluate/metrics.js';
import type {
  Emitted,
  FitContext,
  FittedJSON,
  FittedModel,
  JsonValue,
  Params,
  Prediction,
  Task,
  Technique,
} from './contract.js';
import { numParam, resolveParams, strParam } from './params.js';
import { register, technique } from './registry.js';
import { SIGMOID_SOURCE } from './emit-helpers.js';
import { asObject, num, numArray } from './util.js';

type Method = 'sigmoid' | 'isotonic';
type Calibrator = Platt | Isotonic;

/** Platt's input: the log-odds of a probability, clipped so 0 and 1 stay finite. */
function logit(p: number): number {
  const q = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
  return Math.log(q / (1 - q));
}

const LOGIT_SOURCE = `function logit(p: number): number {
  const q = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
  return Math.log(q / (1 - q));
}`;

const ISOTONIC_SOURCE = `function isotonic(x: number[], y: number[], v: number): number {
  const m = x.length;
  if (m === 0) return NaN;
  if (v <= x[0]) return y[0];
  if (v >= x[m - 1]) return y[m - 1];
  let lo = 0;
  let hi = m - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= v) lo = mid;
    else hi = mid;
  }
  const t = (v - x[lo]) / (x[hi] - x[lo]);
  return y[lo] + t * (y[hi] - y[lo]);
}`;

function apply(method: Method, c: Calibrator, p: number): number {
  return method === 'sigmoid' ? applyPlatt(c as Platt, logit(p)) : applyIsotonic(c as Isotonic, p);
}

/**
 * Calibrated probabilities: binary scores go through one map; with more classes each class's
 * score goes through its own (one against the rest) and the results are renormalised to sum 1.
 */
function calibrate(method: Method, cals: readonly Calibrator[], proba: Float64Array, n: number, K: number): void {
  for (let i = 0; i < n; i++) {
    if (K === 2) {
      const p = apply(method, cals[0], proba[2 * i + 1]);
      proba[2 * i] = 1 - p;
      proba[2 * i + 1] = p;
      continue;
    }
    let z = 0;
    for (let c = 0; c < K; c++) z += proba[i * K + c] = apply(method, cals[c], proba[i * K + c]);
    for (let c = 0; c < K; c++) proba[i * K + c] = z > 0 ? proba[i * K + c] / z : 1 / K;
  }
}

class FittedCalibrated implements FittedModel {
  readonly kind = 'model';
  readonly technique = 'calibrated';
  readonly params: Params;
  readonly task: Task;
  readonly classes: readonly string[];
  readonly model: FittedModel;
  readonly method: Method;
  readonly calibrators: readonly Calibrator[];
  /** Out-of-fold log loss before and after calibration. */
  readonly oof: { before: number; after: number };

  constructor(args: {
    params: Params;
    model: FittedModel;
    method: Method;
    calibrators: readonly Calibrator[];
    oof: { before: number; after: number };
  }) {
    this.params = args.params;
    this.model = args.model;
    this.task = args.model.task;
    this.classes = args.model.classes;
    this.method = args.method;
    this.calibrators = args.calibrators;
    this.oof = args.oof;
  }

  get inputs(): readonly string[] {
    return this.model.inputs;
  }

  predict(frame: Frame): Prediction {
    const pred = this.model.predict(frame);
    const proba = Float64Array.from(pred.proba as Float64Array);
    calibrate(this.method, this.calibrators, proba, pred.n, this.classes.length);
    return { n: pred.n, task: this.task, proba, classes: this.classes };
  }

  describe(): JsonValue {
    return {
      method: this.method,
      folds: numParam(this.params, 'folds'),
      outOfFoldLogLoss: { uncalibrated: this.oof.before, calibrated: this.oof.after },
      model: { technique: this.model.technique, ...(asObjectOrEmpty(this.model.describe?.()) as object) },
    } as JsonValue;
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        model: this.model.toJSON() as unknown as JsonValue,
        method: this.method,
        calibrators: this.calibrators.map((c): JsonValue =>
          'a' in c ? { a: c.a, b: c.b } : { x: Array.from(c.x), y: Array.from(c.y) },
        ),
        oof: { before: this.oof.before, after: this.oof.after },
      },
    };
  }

  emit(name: string): Emitted {
    const inner = this.model.emit(`${name}Model`);
    const K = this.classes.length;
    const call = (c: number, p: string): string => {
      const cal = this.calibrators[c];
      return this.method === 'sigmoid'
        ? `sigmoid(-(${num((cal as Platt).a)} * logit(${p}) + ${num((cal as Platt).b)}))`
        : `isotonic(${numArray((cal as Isotonic).x)}, ${numArray((cal as Isotonic).y)}, ${p})`;
    };
    let body: string;
    if (K === 2) body = `  const p = ${call(0, 'raw[1]')};\n  return [1 - p, p];`;
    else {
      const lines = Array.from({ length: K }, (_, c) => `  z += out[${c}] = ${call(c, `raw[${c}]`)};`);
      body = `  const out: number[] = new Array(${K}).fill(0);\n  let z = 0;\n${lines.join('\n')}\n  return out.map((v) => (z > 0 ? v / z : 1 / ${K}));`;
    }
    const code = `${inner.code}
function ${name}(row: Row): number[] {
  const raw = ${inner.name}(row);
${body}
}`;
    const helpers: Record<string, string> = { ...(inner.helpers ?? {}) };
    if (this.method === 'sigmoid') {
      helpers.logit = LOGIT_SOURCE;
      helpers.sigmoid = SIGMOID_SOURCE;
    } else helpers.isotonic = ISOTONIC_SOURCE;
    return { name, code, helpers };
  }
}

function asObjectOrEmpty(v: JsonValue | undefined): Record<string, JsonValue> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, JsonValue>) : {};
}

function innerParams(text: string): Params {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new GlassboxError(`calibrated: modelParams must be a JSON object, got ${JSON.stringify(text)}`, {
      code: 'bad-parameter',
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new GlassboxError('calibrated: modelParams must be a JSON object', { code: 'bad-parameter' });
  return parsed as Params;
}

export const calibrated: Technique = {
  id: 'calibrated',
  stage: 'model',
  title: 'Calibrated classifier',
  description:
    'Wraps a classifier so its probabilities mean what they say (of customers given 30 %, about 30 % do churn): a map learned on out-of-fold predictions.',
  tasks: ['binary', 'multiclass'],
  inSearch: false,
  params: {
    model: { type: 'string', default: 'gbdt', description: 'The classifier to calibrate (a technique id).' },
    modelParams: {
      type: 'string',
      default: '{}',
      description: 'Its parameters, as a JSON object, e.g. {"numRounds": 300}.',
    },
    method: {
      type: 'choice',
      values: ['sigmoid', 'isotonic'],
      default: 'sigmoid',
      description:
        "Platt's sigmoid (smooth, fine for small data) or isotonic regression (any monotone shape, needs more rows).",
      search: { type: 'choice', values: ['sigmoid', 'isotonic'] },
    },
    folds: {
      type: 'integer',
      default: 5,
      min: 2,
      max: 20,
      description: 'Cross-validation folds giving the out-of-fold predictions the map is fitted on.',
    },
  },
  fit(frame: Frame, given: Params, ctx: FitContext) {
    const params = resolveParams(this.id, this.params, given);
    const target = ctx.target;
    if (!target) throw new GlassboxError('calibrated needs a target');
    if (target.task === 'regression') throw new GlassboxError('calibrated: probabilities need a classification task');
    const inner = technique(strParam(params, 'model'));
    if (inner.stage !== 'model' || inner.id === 'calibrated')
      throw new GlassboxError(`calibrated: "${inner.id}" is not a classifier to wrap`);
    if (inner.tasks && !inner.tasks.includes(target.task))
      throw new GlassboxError(`calibrated: ${inner.id} does not handle ${target.task} tasks`);
    const modelParams = innerParams(strParam(params, 'modelParams'));
    const method = strParam(params, 'method') as Method;
    const k = numParam(params, 'folds');
    const n = frame.nRows;
    const K = target.classes.length;
    const fold = kFoldAssignment(n, k, ctx.seed, target.y);
    const oof = new Float64Array(n * K);
    for (let f = 0; f < k; f++) {
      const fitRows: number[] = [];
      const heldRows: number[] = [];
      for (let i = 0; i < n; i++) (fold[i] === f ? heldRows : fitRows).push(i);
      if (heldRows.length === 0 || fitRows.length === 0) continue;
      const sub = inner.fit(frame.take(fitRows), modelParams, {
        seed: ctx.seed,
        target: { ...target, y: Float64Array.from(fitRows, (i) => target.y[i]) },
        weights: ctx.weights ? Float64Array.from(fitRows, (i) => (ctx.weights as Float64Array)[i]) : undefined,
      });
      if (sub.kind !== 'model') throw new GlassboxError(`calibrated: ${inner.id} did not fit a model`);
      const p = sub.predict(frame.take(heldRows)).proba as Float64Array;
      heldRows.forEach((i, t) => oof.set(p.subarray(t * K, (t + 1) * K), i * K));
    }
    const outputs = K === 2 ? [1] : Array.from({ length: K }, (_, c) => c);
    const calibrators = outputs.map((c) => {
      const score = Float64Array.from({ length: n }, (_, i) => oof[i * K + c]);
      const label = Float64Array.from(target.y, (v) => +(v === c));
      return method === 'sigmoid'
        ? fitPlatt(
            Float64Array.from(score, (p) => logit(p)),
            label,
            ctx.weights,
          )
        : fitIsotonic(score, label, ctx.weights);
    });
    const before = logLoss(target.y, oof, K);
    const after = Float64Array.from(oof);
    calibrate(method, calibrators, after, n, K);
    const oofLoss = { before, after: logLoss(target.y, after, K) };
    ctx.note?.(
      `out-of-fold log loss ${before.toFixed(4)} before calibration, ${oofLoss.after.toFixed(4)} after (${method}, ${k} folds)`,
    );
    const model = inner.fit(frame, modelParams, ctx);
    if (model.kind !== 'model') throw new GlassboxError(`calibrated: ${inner.id} did not fit a model`);
    return new FittedCalibrated({ params, model, method, calibrators, oof: oofLoss });
  },
  fromJSON(json) {
    const s = asObject(json.state, 'calibrated state');
    const m = asObject(s.model, 'calibrated model') as unknown as FittedJSON;
    const model = technique(m.technique).fromJSON(m);
    if (model.kind !== 'model') throw new GlassboxError('calibrated: the stored step is not a model');
    const method = s.method === 'isotonic' ? 'isotonic' : 'sigmoid';
    const calibrators = (s.calibrators as unknown[]).map((c): Calibrator => {
      const o = asObject(c, 'calibrator');
      return method === 'sigmoid'
        ? { a: Number(o.a), b: Number(o.b) }
        : { x: Float64Array.from(o.x as number[]), y: Float64Array.from(o.y as number[]) };
    });
    const oof = asObject(s.oof, 'calibrated oof');
    return new FittedCalibrated({
      params: json.params,
      model,
      method,
      calibrators,
      oof: { before: Number(oof.before), after: Number(oof.after) },
    });
  },
};

register(calibrated);
