import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
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
import { resolveParams, strParam } from './params.js';
import { register } from './registry.js';
import { asObject, asStrings, fromJsonNumbers, jsonNumbers, numArray } from './util.js';

type Strategy = 'prior' | 'mean' | 'median';

class FittedConstant implements FittedModel {
  readonly kind = 'model';
  readonly technique = 'constant';
  readonly params: Params;
  readonly task: Task;
  readonly classes: readonly string[];
  /** Class shares (classification) or the one predicted value (regression). */
  readonly values: Float64Array;
  readonly inputs: readonly string[] = [];

  constructor(args: { params: Params; task: Task; classes: readonly string[]; values: Float64Array }) {
    this.params = args.params;
    this.task = args.task;
    this.classes = args.classes;
    this.values = args.values;
  }

  predict(frame: Frame): Prediction {
    const n = frame.nRows;
    const k = this.values.length;
    const out = new Float64Array(n * k);
    for (let i = 0; i < n; i++) out.set(this.values, i * k);
    return this.task === 'regression'
      ? { n, task: this.task, values: out, classes: this.classes }
      : { n, task: this.task, proba: out, classes: this.classes };
  }

  describe(): JsonValue {
    const strategy = strParam(this.params, 'strategy');
    if (this.task === 'regression')
      return { strategy: strategy === 'median' ? 'median' : 'mean', value: this.values[0] };
    return { strategy: 'prior', shares: Object.fromEntries(this.classes.map((c, k) => [c, this.values[k]])) };
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: { task: this.task, classes: [...this.classes], values: jsonNumbers(this.values) },
    };
  }

  emit(name: string): Emitted {
    // A fresh array per call: callers (an ensemble summing members) may write into what they get.
    return { name, code: `function ${name}(_row: Row): number[] {\n  return ${numArray(this.values)};\n}` };
  }
}

/** Σ w·y / Σ w, summed in row order. */
function weightedMean(y: Float64Array, w: Float64Array | undefined): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    s += wi * y[i];
    sw += wi;
  }
  return s / sw;
}

/** The first value, in ascending order, at which the cumulative weight reaches half the total. */
function lowerWeightedMedian(y: Float64Array, w: Float64Array | undefined, order: Int32Array): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) total += w ? w[i] : 1;
  const half = total / 2;
  let cum = 0;
  for (const i of order) {
    cum += w ? w[i] : 1;
    if (cum >= half) return y[i];
  }
  return y[order[order.length - 1]];
}

/**
 * The average of the lower and upper weighted medians (scikit-learn's averaged weighted
 * percentile): with equal weights it is the ordinary median, the two middle values averaged.
 */
function weightedMedian(y: Float64Array, w: Float64Array | undefined): number {
  const up = Int32Array.from(y, (_, i) => i).sort((a, b) => y[a] - y[b] || a - b);
  const down = up.slice().reverse();
  const neg = Float64Array.from(y, (v) => -v);
  return 0.5 * (lowerWeightedMedian(y, w, up) - lowerWeightedMedian(neg, w, down));
}

export const constant: Technique = {
  id: 'constant',
  stage: 'model',
  title: 'Constant baseline',
  description:
    'Ignores every column and predicts the class shares (or the average) of the training rows: the baseline any real model has to beat.',
  tasks: ['binary', 'multiclass', 'regression'],
  inSearch: false,
  params: {
    strategy: {
      type: 'choice',
      values: ['prior', 'mean', 'median'],
      default: 'prior',
      description:
        'Classes: prior (each class share; mean is the same thing). Numbers: mean (prior means mean too) or median.',
    },
  },
  fit(_frame: Frame, given: Params, ctx: FitContext) {
    const params = resolveParams(this.id, this.params, given);
    const target = ctx.target;
    if (!target) throw new GlassboxError('constant needs a target');
    const strategy = strParam(params, 'strategy') as Strategy;
    const y = target.y;
    const w = ctx.weights;
    if (y.length === 0) throw new GlassboxError('constant: no training rows');
    let values: Float64Array;
    if (target.task === 'regression') {
      values = Float64Array.of(strategy === 'median' ? weightedMedian(y, w) : weightedMean(y, w));
    } else {
      if (strategy === 'median')
        throw new GlassboxError('constant: median is for numeric targets; use prior for classes', {
          code: 'bad-parameter',
        });
      const K = target.classes.length;
      values = new Float64Array(K);
      let total = 0;
      for (let i = 0; i < y.length; i++) {
        const wi = w ? w[i] : 1;
        values[y[i]] += wi;
        total += wi;
      }
      for (let k = 0; k < K; k++) values[k] /= total;
    }
    if (!values.every(Number.isFinite))
      throw new GlassboxError('constant: the row weights sum to zero; nothing to average');
    return new FittedConstant({ params, task: target.task, classes: target.classes, values });
  },
  fromJSON(json) {
    const s = asObject(json.state, 'constant state');
    return new FittedConstant({
      params: json.params,
      task: s.task as Task,
      classes: asStrings(s.classes, 'classes'),
      values: fromJsonNumbers(s.values),
    });
  },
};

register(constant);
