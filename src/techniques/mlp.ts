import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import { fitMlp, predictBatch, type MlpLayer, type MlpOutput } from '../engine/mlp.js';
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
import { holdoutSplit } from '../evaluate/split.js';
import { designMatrix } from './matrix.js';
import { boolParam, numParam, resolveParams, strParam } from './params.js';
import { register } from './registry.js';
import { balancedWeights } from './target.js';
import { asObject, asStrings, num, numArray, strArray } from './util.js';

class FittedMlp implements FittedModel {
  readonly kind = 'model';
  readonly technique = 'mlp';
  readonly params: Params;
  readonly task: Task;
  readonly classes: readonly string[];
  readonly inputs: readonly string[];
  readonly layers: readonly MlpLayer[];
  /** Regression: the network predicts (y - center) / scale. */
  readonly center: number;
  readonly scale: number;
  readonly epochs: number;

  constructor(args: {
    params: Params;
    task: Task;
    classes: readonly string[];
    inputs: readonly string[];
    layers: readonly MlpLayer[];
    center: number;
    scale: number;
    epochs: number;
  }) {
    this.params = args.params;
    this.task = args.task;
    this.classes = args.classes;
    this.inputs = args.inputs;
    this.layers = args.layers;
    this.center = args.center;
    this.scale = args.scale;
    this.epochs = args.epochs;
  }

  private get output(): MlpOutput {
    return this.task === 'regression' ? 'identity' : this.task === 'binary' ? 'sigmoid' : 'softmax';
  }

  predict(frame: Frame): Prediction {
    const n = frame.nRows;
    const X = designMatrix(frame, this.inputs, 'mlp');
    const out = predictBatch({ layers: this.layers, output: this.output }, X, n);
    if (this.task === 'regression') {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = out[i] * this.scale + this.center;
      return { n, task: 'regression', values, classes: [] };
    }
    return { n, task: this.task, proba: out, classes: this.classes };
  }

  describe(): JsonValue {
    return { layers: this.layers.map((L) => L.nOut), epochs: this.epochs };
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        task: this.task,
        classes: [...this.classes],
        inputs: [...this.inputs],
        center: this.center,
        scale: this.scale,
        epochs: this.epochs,
        layers: this.layers.map((L) => ({
          nIn: L.nIn,
          nOut: L.nOut,
          W: Array.from(L.W),
          b: Array.from(L.b),
          gamma: Array.from(L.gamma),
          beta: Array.from(L.beta),
        })),
      },
    };
  }

  /** Standalone TypeScript: the weights and the forward pass in forwardRow's order. */
  emit(name: string): Emitted {
    const layers = this.layers
      .map(
        (L) =>
          `    { nIn: ${L.nIn}, nOut: ${L.nOut}, W: ${numArray(L.W)}, b: ${numArray(L.b)}, gamma: ${numArray(L.gamma)}, beta: ${numArray(L.beta)} },`,
      )
      .join('\n');
    const out =
      this.task === 'regression'
        ? `return [a[0] * ${num(this.scale)} + ${num(this.center)}];`
        : this.task === 'binary'
          ? 'const p = sigmoid(a[0]);\n  return [1 - p, p];'
          : 'return softmax(a);';
    const code = `function ${name}(row: Row): number[] {
  const inputs: string[] = ${strArray(this.inputs)};
  const layers = [
${layers}
  ];
  let a: number[] = inputs.map((c) => row[c] as number);
  layers.forEach((L, li) => {
    const z: number[] = new Array(L.nOut).fill(0);
    for (let j = 0; j < L.nOut; j++) {
      let s = L.b[j];
      for (let k = 0; k < L.nIn; k++) s += a[k] * L.W[k * L.nOut + j];
      z[j] = s;
    }
    if (li < layers.length - 1) {
      if (L.gamma.length) {
        const m = z.length;
        let mean = 0;
        for (let j = 0; j < m; j++) mean += z[j];
        mean /= m;
        let v = 0;
        for (let j = 0; j < m; j++) v += (z[j] - mean) * (z[j] - mean);
        const inv = 1 / Math.sqrt(v / m + 1e-5);
        for (let j = 0; j < m; j++) z[j] = (z[j] - mean) * inv * L.gamma[j] + L.beta[j];
      }
      for (let j = 0; j < L.nOut; j++) if (z[j] < 0) z[j] = 0;
    }
    a = z;
  });
  ${out}
}`;
    const helpers: Record<string, string> =
      this.task === 'binary'
        ? { sigmoid: SIGMOID_SOURCE }
        : this.task === 'multiclass'
          ? { softmax: SOFTMAX_SOURCE }
          : {};
    return { name, code, helpers };
  }
}

export const mlp: Technique = {
  id: 'mlp',
  stage: 'model',
  title: 'Neural network (MLP)',
  description:
    'A small neural network (layers of ReLU units) trained with Adam and early stopping: flexible, needs scaled inputs and more data than trees to shine.',
  tasks: ['binary', 'multiclass', 'regression'],
  params: {
    classWeight: {
      type: 'choice',
      values: ['none', 'balanced'],
      default: 'none',
      description: 'Balanced weighs each class inversely to its frequency.',
      search: { type: 'choice', values: ['none', 'balanced'] },
    },
    hiddenLayers: {
      type: 'integer',
      default: 1,
      min: 1,
      max: 3,
      description: 'Hidden layers.',
      search: { type: 'int', low: 1, high: 3 },
    },
    units: {
      type: 'integer',
      default: 100,
      min: 1,
      max: 4096,
      description: 'Units per hidden layer.',
      search: { type: 'int', low: 16, high: 256, log: true },
    },
    dropout: {
      type: 'number',
      default: 0,
      min: 0,
      max: 0.9,
      description: 'Share of hidden units switched off at random in each training step.',
      search: { type: 'float', low: 0, high: 0.5 },
    },
    layerNorm: {
      type: 'boolean',
      default: false,
      description: 'Normalise each hidden layer (layer norm) before ReLU.',
    },
    learningRate: {
      type: 'number',
      default: 1e-3,
      min: 0,
      exclusiveMin: true,
      description: 'Adam step size.',
      search: { type: 'float', low: 1e-4, high: 1e-2, log: true },
    },
    lrDecay: {
      type: 'number',
      default: 1,
      min: 0,
      exclusiveMin: true,
      max: 1,
      description: 'Learning-rate multiplier after each epoch (1 = constant).',
      search: { type: 'float', low: 0.9, high: 1 },
    },
    alpha: {
      type: 'number',
      default: 1e-4,
      min: 0,
      description: 'L2 penalty on weights (scikit-learn alpha).',
      search: { type: 'float', low: 1e-6, high: 1e-1, log: true },
    },
    batchSize: { type: 'integer', default: 200, min: 1, description: 'Rows per Adam step.' },
    maxEpochs: { type: 'integer', default: 300, min: 1, description: 'Most passes over the training rows.' },
    earlyStopping: {
      type: 'boolean',
      default: true,
      description: 'Hold out validationFraction of the rows and keep the epoch that did best on them.',
    },
    validationFraction: {
      type: 'number',
      default: 0.1,
      min: 0.01,
      max: 0.5,
      description: 'Rows held out for early stopping.',
    },
    patience: { type: 'integer', default: 10, min: 1, description: 'Epochs without improvement before stopping.' },
    stopOn: {
      type: 'choice',
      values: ['loss', 'score'],
      default: 'loss',
      description:
        'What early stopping watches on the held-out rows: loss (log loss or squared error), or score (accuracy for classes, R² for numbers, as scikit-learn does; stops sooner, calibrates less well).',
    },
    tol: {
      type: 'number',
      default: 1e-4,
      min: 0,
      description:
        'Early stopping: an epoch must lower the held-out loss by more than this to count as an improvement (for numbers, the mean squared error of the standardised target: a step in R², as in scikit-learn).',
    },
  },
  fit(frame: Frame, given: Params, ctx: FitContext) {
    const params = resolveParams(this.id, this.params, given);
    const target = ctx.target;
    if (!target) throw new GlassboxError('mlp needs a target');
    const inputs = frame.features().map((c) => c.name);
    if (inputs.length === 0) throw new GlassboxError('mlp: no feature columns left to learn from');
    const n = frame.nRows;
    const p = inputs.length;
    const X = designMatrix(frame, inputs, 'mlp');
    let y = target.y;
    let center = 0;
    let scale = 1;
    if (target.task === 'regression') {
      // The network learns a standardised target: Adam's step sizes suit values near 1.
      let mean = 0;
      for (const v of y) mean += v;
      mean /= n;
      let sd = 0;
      for (const v of y) sd += (v - mean) ** 2;
      sd = Math.sqrt(sd / n);
      center = mean;
      scale = sd > 0 ? sd : 1;
      y = Float64Array.from(y, (v) => (v - center) / scale);
    }
    const output: MlpOutput =
      target.task === 'regression' ? 'identity' : target.task === 'binary' ? 'sigmoid' : 'softmax';
    const units = numParam(params, 'units');
    const weights =
      strParam(params, 'classWeight') === 'balanced' && target.task !== 'regression'
        ? balancedWeights(target.y, target.classes.length, ctx.weights)
        : ctx.weights;
    // Held-out rows for early stopping, stratified by class as every split in Glassbox is.
    const split =
      boolParam(params, 'earlyStopping') && n >= 20
        ? holdoutSplit(
            n,
            numParam(params, 'validationFraction'),
            ctx.seed,
            target.task === 'regression' ? undefined : y,
          )
        : undefined;
    const model = fitMlp(
      X,
      n,
      p,
      y,
      target.task === 'multiclass' ? target.classes.length : 1,
      output,
      weights,
      {
        hidden: Array.from({ length: numParam(params, 'hiddenLayers') }, () => units),
        dropout: numParam(params, 'dropout'),
        layerNorm: boolParam(params, 'layerNorm'),
        learningRate: numParam(params, 'learningRate'),
        lrDecay: numParam(params, 'lrDecay'),
        alpha: numParam(params, 'alpha'),
        batchSize: numParam(params, 'batchSize'),
        maxEpochs: numParam(params, 'maxEpochs'),
        patience: numParam(params, 'patience'),
        tol: numParam(params, 'tol'),
        stopOn: strParam(params, 'stopOn') === 'score' ? 'score' : 'loss',
        seed: ctx.seed,
      },
      split && { fit: split.train, valid: split.test },
    );
    ctx.note?.(
      `trained ${model.epochs} epochs${boolParam(params, 'earlyStopping') ? ' (best held-out epoch kept)' : ''}`,
    );
    return new FittedMlp({
      params,
      task: target.task,
      classes: target.classes,
      inputs,
      layers: model.layers,
      center,
      scale,
      epochs: model.epochs,
    });
  },
  fromJSON(json) {
    const s = asObject(json.state, 'mlp state');
    const layers = (s.layers as unknown[]).map((x): MlpLayer => {
      const o = asObject(x, 'mlp layer');
      return {
        nIn: Number(o.nIn),
        nOut: Number(o.nOut),
        W: Float64Array.from(o.W as number[]),
        b: Float64Array.from(o.b as number[]),
        gamma: Float64Array.from(o.gamma as number[]),
        beta: Float64Array.from(o.beta as number[]),
      };
    });
    return new FittedMlp({
      params: json.params,
      task: s.task as Task,
      classes: asStrings(s.classes, 'classes'),
      inputs: asStrings(s.inputs, 'inputs'),
      layers,
      center: Number(s.center),
      scale: Number(s.scale),
      epochs: Number(s.epochs),
    });
  },
};

register(mlp);
