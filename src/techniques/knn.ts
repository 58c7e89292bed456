import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import { buildKdTree, kNearest, type KdTree, type Metric } from '../engine/knn.js';
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
import { designMatrix } from './matrix.js';
import { numParam, resolveParams, strParam } from './params.js';
import { register } from './registry.js';
import { asObject, asStrings, numArray, strArray } from './util.js';

/** Above this many inputs the k-d tree prunes too little to beat brute force (scikit-learn's rule of thumb). */
const KD_TREE_MAX_DIMS = 15;

/**
 * Neighbour weights in neighbour order: 1 each, or 1 / distance; with any exact match the
 * exact matches alone, as scikit-learn does.
 */
function weightsOf(dist: Float64Array, offset: number, k: number, byDistance: boolean, out: Float64Array): void {
  let exact = false;
  for (let t = 0; t < k; t++) if (dist[offset + t] === 0) exact = true;
  for (let t = 0; t < k; t++) {
    const d = dist[offset + t];
    out[t] = !byDistance ? 1 : exact ? (d === 0 ? 1 : 0) : 1 / d;
  }
}

class FittedKnn implements FittedModel {
  readonly kind = 'model';
  readonly technique = 'knn';
  readonly params: Params;
  readonly task: Task;
  readonly classes: readonly string[];
  readonly inputs: readonly string[];
  /** Training rows as the model saw them (scaled by the steps before it), n x p. */
  readonly X: Float64Array;
  /** Class index or value per training row. */
  readonly y: Float64Array;
  private tree: KdTree | undefined;

  constructor(args: {
    params: Params;
    task: Task;
    classes: readonly string[];
    inputs: readonly string[];
    X: Float64Array;
    y: Float64Array;
  }) {
    this.params = args.params;
    this.task = args.task;
    this.classes = args.classes;
    this.inputs = args.inputs;
    this.X = args.X;
    this.y = args.y;
  }

  get n(): number {
    return this.y.length;
  }

  /** Which search predict uses (both give the same neighbours). */
  get algorithm(): 'kd-tree' | 'brute' {
    const a = strParam(this.params, 'algorithm');
    if (a === 'kd-tree' || a === 'brute') return a;
    return this.inputs.length <= KD_TREE_MAX_DIMS ? 'kd-tree' : 'brute';
  }

  predict(frame: Frame): Prediction {
    const p = this.inputs.length;
    const nq = frame.nRows;
    const Q = designMatrix(frame, this.inputs, 'knn');
    const k = Math.min(numParam(this.params, 'k'), this.n);
    const metric = strParam(this.params, 'metric') as Metric;
    if (this.algorithm === 'kd-tree') this.tree ??= buildKdTree(this.X, this.n, p);
    const { dist, rows } = kNearest(
      this.X,
      this.n,
      p,
      Q,
      nq,
      k,
      metric,
      this.algorithm === 'kd-tree' ? this.tree : undefined,
    );
    const byDistance = strParam(this.params, 'weights') === 'distance';
    const w = new Float64Array(k);
    if (this.task === 'regression') {
      const values = new Float64Array(nq);
      for (let q = 0; q < nq; q++) {
        weightsOf(dist, q * k, k, byDistance, w);
        let s = 0;
        let sw = 0;
        for (let t = 0; t < k; t++) {
          s += w[t] * this.y[rows[q * k + t]];
          sw += w[t];
        }
        values[q] = s / sw;
      }
      return { n: nq, task: 'regression', values, classes: [] };
    }
    const K = this.classes.length;
    const proba = new Float64Array(nq * K);
    for (let q = 0; q < nq; q++) {
      weightsOf(dist, q * k, k, byDistance, w);
      let sw = 0;
      for (let t = 0; t < k; t++) {
        proba[q * K + this.y[rows[q * k + t]]] += w[t];
        sw += w[t];
      }
      for (let c = 0; c < K; c++) proba[q * K + c] /= sw;
    }
    return { n: nq, task: this.task, proba, classes: this.classes };
  }

  describe(): JsonValue {
    return { trainingRows: this.n, inputs: this.inputs.length, algorithm: this.algorithm };
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        task: this.task,
        classes: [...this.classes],
        inputs: [...this.inputs],
        X: Array.from(this.X),
        y: Array.from(this.y),
      },
    };
  }

  /** Standalone TypeScript: the training rows and a brute-force search ranking (distance, row) as predict does. */
  emit(name: string): Emitted {
    const p = this.inputs.length;
    const k = Math.min(numParam(this.params, 'k'), this.n);
    const euclid = strParam(this.params, 'metric') === 'euclidean';
    const byDistance = strParam(this.params, 'weights') === 'distance';
    const K = this.task === 'regression' ? 1 : this.classes.length;
    const code = `function ${name}(row: Row): number[] {
  const inputs: string[] = ${strArray(this.inputs)};
  const X: number[] = ${numArray(this.X)};
  const y: number[] = ${numArray(this.y)};
  const x = inputs.map((c) => row[c] as number);
  const ranked: [number, number][] = [];
  for (let i = 0; i < y.length; i++) {
    let d = 0;
    for (let j = 0; j < ${p}; j++) {
      const t = X[i * ${p} + j] - x[j];
      d += ${euclid ? 't * t' : 'Math.abs(t)'};
    }
    ranked.push([d, i]);
  }
  ranked.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const near = ranked.slice(0, ${k}).map(([d, i]) => [${euclid ? 'Math.sqrt(d)' : 'd'}, i]);
  const exact = near.some(([d]) => d === 0);
  const w = near.map(([d]) => (${byDistance ? 'exact ? (d === 0 ? 1 : 0) : 1 / d' : '1'}));
  let sw = 0;
  ${
    this.task === 'regression'
      ? `let s = 0;
  near.forEach(([, i], t) => {
    s += w[t] * y[i];
    sw += w[t];
  });
  return [s / sw];`
      : `const out: number[] = new Array(${K}).fill(0);
  near.forEach(([, i], t) => {
    out[y[i]] += w[t];
    sw += w[t];
  });
  return out.map((v) => v / sw);`
  }
}`;
    return { name, code };
  }
}

export const knn: Technique = {
  id: 'knn',
  stage: 'model',
  title: 'k-nearest neighbours',
  description:
    'Predicts from the most similar training rows (on scaled inputs): simple, no training, good when similar customers behave alike.',
  tasks: ['binary', 'multiclass', 'regression'],
  params: {
    k: {
      type: 'integer',
      default: 5,
      min: 1,
      max: 10000,
      description: 'Neighbours consulted per prediction.',
      search: { type: 'int', low: 1, high: 100, log: true },
    },
    weights: {
      type: 'choice',
      values: ['uniform', 'distance'],
      default: 'uniform',
      description: 'Every neighbour counts the same, or nearer ones count more (1 / distance).',
      search: { type: 'choice', values: ['uniform', 'distance'] },
    },
    metric: {
      type: 'choice',
      values: ['euclidean', 'manhattan'],
      default: 'euclidean',
      description: 'How distance between rows is measured.',
      search: { type: 'choice', values: ['euclidean', 'manhattan'] },
    },
    algorithm: {
      type: 'choice',
      values: ['auto', 'kd-tree', 'brute'],
      default: 'auto',
      description: `Neighbour search: a k-d tree up to ${KD_TREE_MAX_DIMS} inputs, else brute force (auto); the answers are the same.`,
    },
  },
  fit(frame: Frame, given: Params, ctx: FitContext) {
    const params = resolveParams(this.id, this.params, given);
    const target = ctx.target;
    if (!target) throw new GlassboxError('knn needs a target');
    const inputs = frame.features().map((c) => c.name);
    if (inputs.length === 0) throw new GlassboxError('knn: no feature columns left to learn from');
    const X = designMatrix(frame, inputs, 'knn');
    if (ctx.weights) ctx.note?.('row weights are not used by k-nearest neighbours');
    return new FittedKnn({ params, task: target.task, classes: target.classes, inputs, X, y: target.y.slice() });
  },
  fromJSON(json) {
    const s = asObject(json.state, 'knn state');
    const inputs = asStrings(s.inputs, 'inputs');
    const X = Float64Array.from(s.X as number[]);
    const y = Float64Array.from(s.y as number[]);
    if (X.length !== y.length * inputs.length) throw new GlassboxError('knn: stored rows do not match their inputs');
    return new FittedKnn({
      params: json.params,
      task: s.task as Task,
      classes: asStrings(s.classes, 'classes'),
      inputs,
      X,
      y,
    });
  },
};

register(knn);
