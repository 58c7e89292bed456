import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import { fitElasticNet } from '../engine/elastic-net.js';
import { minimize } from '../engine/lbfgs.js';
import {
  logisticObjective,
  multinomialObjective,
  ridgeExact,
  sigmoid,
  sparseRows,
  squaredObjective,
  type LinearProblem,
} from '../engine/linear-loss.js';
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
import { SIGMOID_SOURCE, SOFTMAX_SOURCE } from './emit-helpers.js';
import { designMatrix } from './matrix.js';
import { boolParam, numParam, resolveParams, strParam } from './params.js';
import { register } from './registry.js';
import { balancedWeights } from './target.js';
import { asObject, asStrings, num, str } from './util.js';

class FittedLinear implements FittedModel {
  readonly kind = 'model';
  readonly technique = 'linear';
  readonly params: Params;
  readonly task: Task;
  readonly classes: readonly string[];
  readonly inputs: readonly string[];
  /** Outputs x inputs, row-major: one row for binary and regression, one per class for multiclass. */
  readonly coef: Float64Array;
  readonly intercept: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;

  constructor(args: {
    params: Params;
    task: Task;
    classes: readonly string[];
    inputs: readonly string[];
    coef: Float64Array;
    intercept: Float64Array;
    iterations: number;
    converged: boolean;
  }) {
    this.params = args.params;
    this.task = args.task;
    this.classes = args.classes;
    this.inputs = args.inputs;
    this.coef = args.coef;
    this.intercept = args.intercept;
    this.iterations = args.iterations;
    this.converged = args.converged;
  }

  /** Margins n x outputs, summed as the emitted code sums them: intercept, then each input in order. */
  margins(frame: Frame): Float64Array {
    const p = this.inputs.length;
    const n = frame.nRows;
    const X = designMatrix(frame, this.inputs, 'linear');
    const K = this.intercept.length;
    const out = new Float64Array(n * K);
    for (let i = 0; i < n; i++) {
      const base = i * p;
      for (let k = 0; k < K; k++) {
        let m = this.intercept[k];
        const off = k * p;
        for (let j = 0; j < p; j++) m += this.coef[off + j] * X[base + j];
        out[i * K + k] = m;
      }
    }
    return out;
  }

  predict(frame: Frame): Prediction {
    const n = frame.nRows;
    const m = this.margins(frame);
    if (this.task === 'regression') return { n, task: 'regression', values: m, classes: [] };
    if (this.task === 'binary') {
      const proba = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const q = sigmoid(m[i]);
        proba[2 * i] = 1 - q;
        proba[2 * i + 1] = q;
      }
      return { n, task: 'binary', proba, classes: this.classes };
    }
    const K = this.classes.length;
    const proba = new Float64Array(n * K);
    const e = new Float64Array(K);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < K; c++) max = Math.max(max, m[i * K + c]);
      let z = 0;
      for (let c = 0; c < K; c++) z += e[c] = Math.exp(m[i * K + c] - max);
      for (let c = 0; c < K; c++) proba[i * K + c] = e[c] / z;
    }
    return { n, task: 'multiclass', proba, classes: this.classes };
  }

  describe(): JsonValue {
    const p = this.inputs.length;
    const names = this.task === 'multiclass' ? this.classes : [this.task === 'binary' ? this.classes[1] : 'value'];
    const coefficients: Record<string, Record<string, number>> = {};
    names.forEach((c, k) => {
      coefficients[c] = Object.fromEntries(this.inputs.map((f, j) => [f, this.coef[k * p + j]]));
    });
    return {
      coefficients,
      intercepts: Array.from(this.intercept),
      iterations: this.iterations,
      converged: this.converged,
    };
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        task: this.task,
        classes: [...this.classes],
        inputs: [...this.inputs],
        coef: Array.from(this.coef),
        intercept: Array.from(this.intercept),
        iterations: this.iterations,
        converged: this.converged,
      },
    };
  }

  emit(name: string): Emitted {
    const p = this.inputs.length;
    const K = this.intercept.length;
    const lines: string[] = [];
    for (let k = 0; k < K; k++) {
      lines.push(`  let m${k} = ${num(this.intercept[k])};`);
      this.inputs.forEach((f, j) =>
        lines.push(`  m${k} += ${num(this.coef[k * p + j])} * (row[${str(f)}] as number);`),
      );
    }
    let out: string;
    const helpers: Record<string, string> = {};
    if (this.task === 'regression') out = '  return [m0];';
    else if (this.task === 'binary') {
      helpers.sigmoid = SIGMOID_SOURCE;
      out = '  const q = sigmoid(m0);\n  return [1 - q, q];';
    } else {
      helpers.softmax = SOFTMAX_SOURCE;
      out = `  return softmax([${Array.from({ length: K }, (_, k) => `m${k}`).join(', ')}]);`;
    }
    return { name, code: `function ${name}(row: Row): number[] {\n${lines.join('\n')}\n${out}\n}`, helpers };
  }
}

export const linear: Technique = {
  id: 'linear',
  stage: 'model',
  title: 'Regularised linear model',
  description:
    'Logistic regression for classes, ridge regression for numbers: one weight per input, easy to read, a strong baseline when effects are roughly additive.',
  tasks: ['binary', 'multiclass', 'regression'],
  params: {
    l2: {
      type: 'number',
      default: 1,
      min: 0,
      description: 'L2 penalty (scikit-learn: 1/C for logistic regression, alpha for ridge); larger means simpler.',
      search: { type: 'float', low: 1e-4, high: 1e3, log: true },
    },
    l1: {
      type: 'number',
      default: 0,
      min: 0,
      description:
        'L1 penalty (elastic net, by coordinate descent): sets weak coefficients exactly to zero. In the same units as l2 (scikit-learn ElasticNet: l1 = n·alpha·l1_ratio, l2 = n·alpha·(1 - l1_ratio)).',
      // Zero keeps the fast smooth solver; a few strengths on a log scale cover sparse models.
      search: { type: 'choice', values: [0, 0.3, 3, 30, 300] },
    },
    fitIntercept: { type: 'boolean', default: true, description: 'Learn a constant term.' },
    maxIter: { type: 'integer', default: 1000, min: 1, description: 'Most L-BFGS iterations.' },
    tol: {
      type: 'number',
      default: 1e-8,
      min: 0,
      exclusiveMin: true,
      description: 'Converged when every gradient component of the mean loss is below this.',
    },
    classWeight: {
      type: 'choice',
      values: ['none', 'balanced'],
      default: 'none',
      description: 'Balanced weighs each class inversely to its frequency.',
      search: { type: 'choice', values: ['none', 'balanced'] },
    },
  },
  fit(frame: Frame, given: Params, ctx: FitContext) {
    const params = resolveParams(this.id, this.params, given);
    const target = ctx.target;
    if (!target) throw new GlassboxError('linear needs a target');
    const inputs = frame.features().map((c) => c.name);
    const n = frame.nRows;
    const p = inputs.length;
    const X = designMatrix(frame, inputs, 'linear');
    const K = target.task === 'multiclass' ? target.classes.length : 1;
    let w = ctx.weights;
    if (strParam(params, 'classWeight') === 'balanced' && target.task !== 'regression')
      w = balancedWeights(target.y, target.classes.length, w);
    const l2 = numParam(params, 'l2');
    const fitIntercept = boolParam(params, 'fitIntercept');
    const l1 = numParam(params, 'l1');
    if (l1 > 0) {
      const fit = fitElasticNet(
        {
          X,
          n,
          p,
          y: target.y,
          w,
          loss: target.task === 'regression' ? 'squared' : target.task === 'binary' ? 'logistic' : 'multinomial',
          K,
          l1,
          l2,
          fitIntercept,
        },
        // Three penalties before the requested one: each costs a Newton step, a pass over every
        // row that builds the Gram matrix, which costs more than the coordinate-descent passes a
        // longer path saves (bench:models splits, warm fits: 12 points 425-529 ms on bank
        // marketing, 3 points 256-350; adult, telco, shoppers, credit and diabetes alike or
        // faster; fitting directly, with no path, took adult 2,395 passes and longer).
        { tol: 1e-7, maxPasses: numParam(params, 'maxIter'), pathLength: 3 },
      );
      const nz = fit.coef.reduce((c, v) => c + (v !== 0 ? 1 : 0), 0);
      ctx.note?.(
        `elastic net: ${nz} of ${fit.coef.length} coefficients non-zero after a path of ${fit.path.length} penalties (${fit.passes} coordinate-descent passes)`,
      );
      if (!fit.converged) ctx.note?.('coordinate descent stopped at maxIter passes before converging');
      return new FittedLinear({
        params,
        task: target.task,
        classes: target.classes,
        inputs,
        coef: fit.coef,
        intercept: fit.intercept,
        iterations: fit.passes,
        converged: fit.converged,
      });
    }
    const problem: LinearProblem = {
      X,
      n,
      p,
      y: target.y,
      w,
      l2,
      fitIntercept,
      // Iterative fits pass over X hundreds of times: skip its zeros when one-hot blocks dominate.
      rows: target.task === 'regression' && p <= 2000 ? null : sparseRows(X, n, p),
    };
    const opts = { maxIter: numParam(params, 'maxIter'), gtol: numParam(params, 'tol') };
    let coef: Float64Array;
    let intercept: Float64Array;
    let iterations = 0;
    let converged = true;
    if (target.task === 'regression' && p <= 2000) {
      const exact = ridgeExact(problem);
      if (exact) {
        coef = exact.coef;
        intercept = Float64Array.of(exact.intercept);
        return new FittedLinear({
          params,
          task: target.task,
          classes: target.classes,
          inputs,
          coef,
          intercept,
          iterations: 1,
          converged: true,
        });
      }
    }
    if (target.task === 'multiclass') {
      const r = minimize(multinomialObjective(problem, K), new Float64Array(K * (p + 1)), opts);
      coef = new Float64Array(K * p);
      intercept = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        coef.set(r.x.subarray(k * (p + 1), k * (p + 1) + p), k * p);
        intercept[k] = r.x[k * (p + 1) + p];
      }
      iterations = r.iterations;
      converged = r.converged;
    } else {
      const objective = target.task === 'binary' ? logisticObjective(problem) : squaredObjective(problem);
      const r = minimize(objective, new Float64Array(p + 1), opts);
      coef = r.x.slice(0, p);
      intercept = Float64Array.of(r.x[p]);
      iterations = r.iterations;
      converged = r.converged;
    }
    if (!converged)
      ctx.note?.(
        `the solver stopped after ${iterations} iterations before reaching tolerance ${numParam(params, 'tol')}; the model is usable but may improve with more iterations or a larger l2`,
      );
    return new FittedLinear({
      params,
      task: target.task,
      classes: target.classes,
      inputs,
      coef,
      intercept,
      iterations,
      converged,
    });
  },
  fromJSON(json) {
    const s = asObject(json.state, 'linear state');
    return new FittedLinear({
      params: json.params,
      task: s.task as Task,
      classes: asStrings(s.classes, 'classes'),
      inputs: asStrings(s.inputs, 'inputs'),
      coef: Float64Array.from(s.coef as number[]),
      intercept: Float64Array.from(s.intercept as number[]),
      iterations: Number(s.iterations),
      converged: Boolean(s.converged),
    });
  },
};

register(linear);
