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
import { numParam, resolveParams, strParam } from './params.js';
import { register } from './registry.js';
import { balancedWeights } from './target.js';
import { asObject, asStrings, numArray, str } from './util.js';

/** Per feature and class: a normal distribution for numbers, smoothed category shares for categories. */
type FeatureModel =
  | { readonly name: string; readonly kind: 'numeric'; readonly mean: Float64Array; readonly variance: Float64Array }
  | {
      readonly name: string;
      readonly kind: 'categorical';
      readonly categories: readonly string[];
      /** classes x categories, row-major: log P(category | class). */
      readonly logProb: Float64Array;
    };

const LOG_2PI = Math.log(2 * Math.PI);

/** log N(x; mean, variance), written out in the order the emitted code repeats. */
function logNormal(x: number, mean: number, variance: number): number {
  const d = x - mean;
  return -0.5 * (LOG_2PI + Math.log(variance)) - (d * d) / (2 * variance);
}

class FittedNaiveBayes implements FittedModel {
  readonly kind = 'model';
  readonly technique = 'naive-bayes';
  readonly params: Params;
  readonly task: Task;
  readonly classes: readonly string[];
  readonly features: readonly FeatureModel[];
  readonly logPrior: Float64Array;

  constructor(args: {
    params: Params;
    task: Task;
    classes: readonly string[];
    features: readonly FeatureModel[];
    logPrior: Float64Array;
  }) {
    this.params = args.params;
    this.task = args.task;
    this.classes = args.classes;
    this.features = args.features;
    this.logPrior = args.logPrior;
  }

  get inputs(): string[] {
    return this.features.map((f) => f.name);
  }

  /** log P(class) + Σ log P(feature | class) per row, n x K; a missing or unseen value leaves its feature out. */
  jointLog(frame: Frame): Float64Array {
    const n = frame.nRows;
    const K = this.classes.length;
    const out = new Float64Array(n * K);
    for (let i = 0; i < n; i++) out.set(this.logPrior, i * K);
    for (const f of this.features) {
      const c = frame.get(f.name);
      if (f.kind === 'numeric') {
        if (c.kind !== 'numeric')
          throw new GlassboxError(`naive-bayes: column "${f.name}" must be numeric (it is ${c.kind})`, {
            column: f.name,
          });
        for (let i = 0; i < n; i++) {
          const x = c.values[i];
          if (x !== x) continue;
          for (let k = 0; k < K; k++) out[i * K + k] += logNormal(x, f.mean[k], f.variance[k]);
        }
      } else {
        if (c.kind !== 'categorical')
          throw new GlassboxError(`naive-bayes: column "${f.name}" must be categorical (it is ${c.kind})`, {
            column: f.name,
          });
        const fitted = new Map(f.categories.map((v, j) => [v, j]));
        const lookup = Int32Array.from(c.categories, (v) => fitted.get(v) ?? -1);
        const m = f.categories.length;
        for (let i = 0; i < n; i++) {
          const code = c.codes[i];
          const j = code < 0 ? -1 : lookup[code];
          if (j < 0) continue;
          for (let k = 0; k < K; k++) out[i * K + k] += f.logProb[k * m + j];
        }
      }
    }
    return out;
  }

  predict(frame: Frame): Prediction {
    const n = frame.nRows;
    const K = this.classes.length;
    const proba = this.jointLog(frame);
    // Normalised in log space (log-sum-exp): joint log-likelihoods of hundreds of features underflow exp.
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, proba[i * K + k]);
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(proba[i * K + k] - max);
      for (let k = 0; k < K; k++) proba[i * K + k] = Math.exp(proba[i * K + k] - max) / z;
    }
    return { n, task: this.task, proba, classes: this.classes };
  }

  describe(): JsonValue {
    return {
      priors: Object.fromEntries(this.classes.map((c, k) => [c, Math.exp(this.logPrior[k])])),
      numeric: this.features.filter((f) => f.kind === 'numeric').map((f) => f.name),
      categorical: this.features.filter((f) => f.kind === 'categorical').map((f) => f.name),
    };
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        task: this.task,
        classes: [...this.classes],
        logPrior: Array.from(this.logPrior),
        features: this.features.map((f): JsonValue =>
          f.kind === 'numeric'
            ? { name: f.name, kind: f.kind, mean: Array.from(f.mean), variance: Array.from(f.variance) }
            : { name: f.name, kind: f.kind, categories: [...f.categories], logProb: Array.from(f.logProb) },
        ),
      },
    };
  }

  emit(name: string): Emitted {
    const K = this.classes.length;
    const lines: string[] = [`  const s: number[] = ${numArray(this.logPrior)};`];
    lines.push('  const LOG_2PI = Math.log(2 * Math.PI);');
    for (const f of this.features) {
      if (f.kind === 'numeric') {
        lines.push(`  {
    const x = row[${str(f.name)}];
    const mean = ${numArray(f.mean)};
    const variance = ${numArray(f.variance)};
    if (typeof x === 'number' && x === x)
      for (let k = 0; k < ${K}; k++) {
        const d = x - mean[k];
        s[k] += -0.5 * (LOG_2PI + Math.log(variance[k])) - (d * d) / (2 * variance[k]);
      }
  }`);
      } else {
        const index: Record<string, number> = {};
        f.categories.forEach((c, j) => (index[c] = j));
        lines.push(`  {
    const j = (${JSON.stringify(index)} as Record<string, number>)[String(row[${str(f.name)}])];
    const logProb = ${numArray(f.logProb)};
    if (row[${str(f.name)}] !== null && j !== undefined)
      for (let k = 0; k < ${K}; k++) s[k] += logProb[k * ${f.categories.length} + j];
  }`);
      }
    }
    const code = `function ${name}(row: Row): number[] {
${lines.join('\n')}
  let max = -Infinity;
  for (let k = 0; k < ${K}; k++) max = Math.max(max, s[k]);
  let z = 0;
  for (let k = 0; k < ${K}; k++) z += Math.exp(s[k] - max);
  return s.map((v) => Math.exp(v - max) / z);
}`;
    return { name, code };
  }
}

export const naiveBayes: Technique = {
  id: 'naive-bayes',
  stage: 'model',
  title: 'Naive Bayes',
  description:
    'Treats every column as independent evidence for each class (normal curves for numbers, shares for categories): very fast, a sound baseline, and missing values simply count as no evidence.',
  tasks: ['binary', 'multiclass'],
  params: {
    classWeight: {
      type: 'choice',
      values: ['none', 'balanced'],
      default: 'none',
      description: 'Balanced weighs each class inversely to its frequency.',
      search: { type: 'choice', values: ['none', 'balanced'] },
    },
    varSmoothing: {
      type: 'number',
      default: 1e-9,
      min: 0,
      description:
        "Added to every variance, as a share of the largest feature variance (scikit-learn's var_smoothing).",
      search: { type: 'float', low: 1e-12, high: 1e-2, log: true },
    },
    alpha: {
      type: 'number',
      default: 1,
      min: 0,
      exclusiveMin: true,
      description: 'Pseudo-count added to every category in every class (Laplace smoothing).',
      search: { type: 'float', low: 0.01, high: 10, log: true },
    },
  },
  fit(frame: Frame, given: Params, ctx: FitContext) {
    const params = resolveParams(this.id, this.params, given);
    const target = ctx.target;
    if (!target) throw new GlassboxError('naive-bayes needs a target');
    if (target.task === 'regression') throw new GlassboxError('naive-bayes predicts classes, not numbers');
    const K = target.classes.length;
    const n = frame.nRows;
    const y = target.y;
    const w = strParam(params, 'classWeight') === 'balanced' ? balancedWeights(target.y, K, ctx.weights) : ctx.weights;
    const classW = new Float64Array(K);
    for (let i = 0; i < n; i++) classW[y[i]] += w ? w[i] : 1;
    let total = 0;
    for (let k = 0; k < K; k++) total += classW[k];
    const logPrior = Float64Array.from(classW, (c) => Math.log(c / total));
    const cols = frame.features();
    if (cols.length === 0) throw new GlassboxError('naive-bayes: no feature columns left to learn from');
    const alpha = numParam(params, 'alpha');
    const features: FeatureModel[] = [];
    let maxVariance = 0;
    for (const c of cols) {
      if (c.kind === 'numeric') {
        // Weighted mean and variance per class over the rows where the value is present.
        const sw = new Float64Array(K);
        const mean = new Float64Array(K);
        for (let i = 0; i < n; i++) {
          const x = c.values[i];
          if (x !== x) continue;
          const wi = w ? w[i] : 1;
          sw[y[i]] += wi;
          mean[y[i]] += wi * x;
        }
        for (let k = 0; k < K; k++) mean[k] = sw[k] > 0 ? mean[k] / sw[k] : 0;
        const variance = new Float64Array(K);
        let all = 0;
        let allW = 0;
        let allMean = 0;
        for (let i = 0; i < n; i++) {
          const x = c.values[i];
          if (x !== x) continue;
          const wi = w ? w[i] : 1;
          const d = x - mean[y[i]];
          variance[y[i]] += wi * d * d;
          allMean += wi * x;
          allW += wi;
        }
        allMean = allW > 0 ? allMean / allW : 0;
        for (let i = 0; i < n; i++) {
          const x = c.values[i];
          if (x === x) all += (w ? w[i] : 1) * (x - allMean) ** 2;
        }
        for (let k = 0; k < K; k++) variance[k] = sw[k] > 0 ? variance[k] / sw[k] : 0;
        maxVariance = Math.max(maxVariance, allW > 0 ? all / allW : 0);
        features.push({ name: c.name, kind: 'numeric', mean, variance });
      } else if (c.kind === 'categorical') {
        const m = c.categories.length;
        const counts = new Float64Array(K * m);
        for (let i = 0; i < n; i++) {
          const code = c.codes[i];
          if (code >= 0) counts[y[i] * m + code] += w ? w[i] : 1;
        }
        const logProb = new Float64Array(K * m);
        for (let k = 0; k < K; k++) {
          let sum = 0;
          for (let j = 0; j < m; j++) sum += counts[k * m + j];
          for (let j = 0; j < m; j++) logProb[k * m + j] = Math.log((counts[k * m + j] + alpha) / (sum + alpha * m));
        }
        features.push({ name: c.name, kind: 'categorical', categories: [...c.categories], logProb });
      } else
        throw new GlassboxError(
          `naive-bayes: column "${c.name}" is ${c.kind}; put ${c.kind === 'datetime' ? 'datetime-parts' : 'drop-columns'} before the model`,
          { column: c.name },
        );
    }
    // scikit-learn's var_smoothing: a share of the largest variance keeps every normal curve proper.
    const eps = numParam(params, 'varSmoothing') * maxVariance || 1e-300;
    for (const f of features) if (f.kind === 'numeric') for (let k = 0; k < K; k++) f.variance[k] += eps;
    return new FittedNaiveBayes({ params, task: target.task, classes: target.classes, features, logPrior });
  },
  fromJSON(json) {
    const s = asObject(json.state, 'naive-bayes state');
    const features = (s.features as unknown[]).map((x): FeatureModel => {
      const o = asObject(x, 'naive-bayes feature');
      return o.kind === 'categorical'
        ? {
            name: String(o.name),
            kind: 'categorical',
            categories: asStrings(o.categories, 'categories'),
            logProb: Float64Array.from(o.logProb as number[]),
          }
        : {
            name: String(o.name),
            kind: 'numeric',
            mean: Float64Array.from(o.mean as number[]),
            variance: Float64Array.from(o.variance as number[]),
          };
    });
    return new FittedNaiveBayes({
      params: json.params,
      task: s.task as Task,
      classes: asStrings(s.classes, 'classes'),
      features,
      logPrior: Float64Array.from(s.logPrior as number[]),
    });
  },
};

register(naiveBayes);
