import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import { fitForest, forestImportance, growTrees, predictForest, type ForestRunner } from '../engine/forest/forest.js';
import type { ForestTree } from '../engine/forest/grow.js';
import { treeFromJSON, treeToJSON, type TreeJSON } from '../engine/gbdt/serialize.js';
import type {
  Emitted,
  FitContext,
  FittedJSON,
  FittedModel,
  JsonValue,
  ParamSchema,
  Params,
  Prediction,
  Task,
  Technique,
} from './contract.js';
import { boolParam, numParam, optNumParam, resolveParams, strParam } from './params.js';
import { register } from './registry.js';
import { balancedWeights } from './target.js';
import {
  emitFeatureSpecs,
  emitLeafWalk,
  emitRowFeatures,
  rawFeatures,
  specsFromJSON,
  specsToJSON,
  treeInputs,
  type FeatureSpec,
} from './tree-inputs.js';
import { asObject, asStrings, numArray } from './util.js';

type ForestKind = 'random-forest' | 'extra-trees';

/** Grows trees on several threads when the Node layer sets one (worker threads); absent in a browser. */
let runner: ForestRunner = growTrees;
export function setForestRunner(r: ForestRunner | undefined): void {
  runner = r ?? growTrees;
}

class FittedForest implements FittedModel {
  readonly kind = 'model';
  readonly technique: ForestKind;
  readonly params: Params;
  readonly task: Task;
  readonly classes: readonly string[];
  readonly features: readonly FeatureSpec[];
  readonly trees: readonly ForestTree[];
  /** Out-of-bag accuracy (classification) or R² (regression); null without bootstrapping. */
  readonly oobScore: number | null;

  constructor(args: {
    technique: ForestKind;
    params: Params;
    task: Task;
    classes: readonly string[];
    features: readonly FeatureSpec[];
    trees: readonly ForestTree[];
    oobScore: number | null;
  }) {
    this.technique = args.technique;
    this.params = args.params;
    this.task = args.task;
    this.classes = args.classes;
    this.features = args.features;
    this.trees = args.trees;
    this.oobScore = args.oobScore;
  }

  get inputs(): string[] {
    return this.features.map((f) => f.name);
  }

  private get outputs(): number {
    return this.task === 'regression' ? 1 : this.classes.length;
  }

  predict(frame: Frame): Prediction {
    const n = frame.nRows;
    const out = predictForest(this.trees, this.outputs, rawFeatures(this.technique, frame, this.features), n);
    if (this.task === 'regression') return { n, task: this.task, values: out, classes: [] };
    return { n, task: this.task, proba: out, classes: this.classes };
  }

  /** Mean impurity decrease per feature, normalised to sum 1. */
  importance(): { feature: string; importance: number }[] {
    const imp = forestImportance(this.trees, this.features.length);
    return this.features
      .map((f, j) => ({ feature: f.name, importance: imp[j] }))
      .sort((a, b) => b.importance - a.importance);
  }

  describe(): JsonValue {
    let nodes = 0;
    for (const t of this.trees) nodes += t.tree.nNodes;
    return {
      trees: this.trees.length,
      meanNodes: this.trees.length ? nodes / this.trees.length : 0,
      oobScore: this.oobScore,
      oobMetric: this.oobScore === null ? null : this.task === 'regression' ? 'r2' : 'accuracy',
      importance: this.importance(),
    };
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        task: this.task,
        classes: [...this.classes],
        features: specsToJSON(this.features),
        trees: this.trees.map((t) => ({
          tree: treeToJSON(t.tree) as unknown as JsonValue,
          values: Array.from(t.values),
        })),
        oobScore: this.oobScore,
      },
    };
  }

  /** Standalone TypeScript: each tree's flat arrays and leaf outputs, averaged in `predict`'s order. */
  emit(name: string): Emitted {
    const D = this.outputs;
    const lines: string[] = [emitFeatureSpecs(name, this.features), `const ${name}Trees = [`];
    for (const { tree: t, values } of this.trees)
      lines.push(
        `    { feature: ${numArray(t.feature)}, threshold: ${numArray(t.threshold)}, defaultLeft: ${numArray(t.defaultLeft)}, left: ${numArray(t.left)}, right: ${numArray(t.right)}, values: ${numArray(values)}, catOffset: ${numArray(t.catOffset)}, catBits: ${numArray(t.catBits)} },`,
      );
    lines.push('  ];');
    const code = `function ${name}(row: Row): number[] {
  ${lines.join('\n  ')}
  ${emitRowFeatures(name)}
  const out: number[] = new Array(${D}).fill(0);
  for (const t of ${name}Trees) {
    ${emitLeafWalk(name)}
    for (let d = 0; d < ${D}; d++) out[d] += t.values[node * ${D} + d];
  }
  const inv = 1 / Math.max(1, ${name}Trees.length);
  return out.map((v) => v * inv);
}`;
    return { name, code };
  }
}

function params(kind: ForestKind): ParamSchema {
  const rf = kind === 'random-forest';
  return {
    nTrees: {
      type: 'integer',
      default: 100,
      min: 1,
      max: 10000,
      description: 'Trees in the forest: more is steadier and slower, never worse on average.',
      search: { type: 'int', low: 50, high: 500, log: true },
    },
    maxFeatures: {
      type: 'optional-number',
      default: null,
      min: 0,
      max: 1,
      description:
        'Share of features tried at each split (null: the square root of their number for classes, all for regression, as scikit-learn).',
      search: { type: 'float', low: 0.05, high: 1 },
    },
    maxDepth: {
      type: 'optional-number',
      default: null,
      min: 1,
      max: 256,
      integer: true,
      description: 'Depth limit per tree (null = grow until leaves are pure or too small).',
    },
    minSamplesSplit: {
      type: 'integer',
      default: 2,
      min: 2,
      description: 'Fewest rows a node needs to be split.',
    },
    minSamplesLeaf: {
      type: 'integer',
      default: 1,
      min: 1,
      description: 'Fewest rows in a leaf.',
      search: { type: 'int', low: 1, high: 30, log: true },
    },
    minImpurityDecrease: {
      type: 'number',
      default: 0,
      min: 0,
      description: 'A split must lower the weighted impurity by at least this (scikit-learn min_impurity_decrease).',
    },
    bootstrap: {
      type: 'boolean',
      default: rf,
      description: 'Train each tree on rows drawn with replacement (gives an out-of-bag score).',
    },
    maxSamples: {
      type: 'number',
      default: 1,
      min: 0,
      exclusiveMin: true,
      max: 1,
      description: 'Rows drawn per tree when bootstrapping, as a share of the training rows.',
    },
    oobScore: {
      type: 'boolean',
      default: false,
      description:
        'Score each row with the trees that did not see it (bootstrap only): a free holdout estimate, at some extra time.',
    },
    maxBins: {
      type: 'integer',
      default: 255,
      min: 2,
      max: 255,
      description: 'Candidate thresholds per numeric feature (quantile bins).',
    },
    classWeight: {
      type: 'choice',
      values: ['none', 'balanced'],
      default: 'none',
      description: 'Balanced weighs each class inversely to its frequency.',
    },
  };
}

/** Accuracy of argmax (classes) or R² of out-of-bag predictions, over rows some tree left out. */
function oobScore(oob: Float64Array, y: Float64Array, D: number, task: Task): number | null {
  const n = y.length;
  if (task === 'regression') {
    let m = 0;
    let mean = 0;
    for (let i = 0; i < n; i++)
      if (oob[i] === oob[i]) {
        mean += y[i];
        m++;
      }
    if (m < 2) return null;
    mean /= m;
    let ss = 0;
    let st = 0;
    for (let i = 0; i < n; i++)
      if (oob[i] === oob[i]) {
        ss += (y[i] - oob[i]) ** 2;
        st += (y[i] - mean) ** 2;
      }
    return st > 0 ? 1 - ss / st : null;
  }
  let m = 0;
  let right = 0;
  for (let i = 0; i < n; i++) {
    if (oob[i * D] !== oob[i * D]) continue;
    let best = 0;
    for (let d = 1; d < D; d++) if (oob[i * D + d] > oob[i * D + best]) best = d;
    right += +(best === y[i]);
    m++;
  }
  return m > 0 ? right / m : null;
}

function makeForest(kind: ForestKind): Technique {
  const rf = kind === 'random-forest';
  return {
    id: kind,
    stage: 'model',
    title: rf ? 'Random forest' : 'Extra trees',
    description: rf
      ? 'Many deep decision trees, each on a resample of the rows and a random share of the columns, averaged: robust with little tuning.'
      : 'Like a random forest but with random split points: faster to train and often as accurate, with smoother predictions.',
    tasks: ['binary', 'multiclass', 'regression'],
    params: params(kind),
    fit(frame: Frame, given: Params, ctx: FitContext) {
      const p = resolveParams(kind, this.params, given);
      const target = ctx.target;
      if (!target) throw new GlassboxError(`${kind} needs a target`);
      const { specs, inputs } = treeInputs(kind, frame);
      const task = target.task;
      const classify = task !== 'regression';
      const D = classify ? target.classes.length : 1;
      let weights = ctx.weights;
      if (strParam(p, 'classWeight') === 'balanced' && classify) weights = balancedWeights(target.y, D, weights);
      const share = optNumParam(p, 'maxFeatures');
      const nf = inputs.length;
      const maxFeatures =
        share === null ? (classify ? Math.max(1, Math.floor(Math.sqrt(nf))) : nf) : Math.max(1, Math.round(share * nf));
      const forest = fitForest(
        inputs,
        frame.nRows,
        classify ? { cls: Int32Array.from(target.y), outputs: D } : { y: target.y, outputs: 1 },
        weights,
        {
          nTrees: numParam(p, 'nTrees'),
          bootstrap: boolParam(p, 'bootstrap'),
          maxSamples: numParam(p, 'maxSamples'),
          oob: boolParam(p, 'oobScore'),
          maxBins: numParam(p, 'maxBins'),
          maxDepth: optNumParam(p, 'maxDepth') ?? 0,
          minSamplesSplit: numParam(p, 'minSamplesSplit'),
          minSamplesLeaf: numParam(p, 'minSamplesLeaf'),
          minImpurityDecrease: numParam(p, 'minImpurityDecrease'),
          maxFeatures,
          randomSplits: !rf,
          seed: ctx.seed,
        },
        runner,
      );
      forest.featureBins.forEach((b, j) => {
        if (b.kind === 'categorical') specs[j] = { ...specs[j], binOfCode: Array.from(b.binOfCode) };
      });
      const oob = forest.oob ? oobScore(forest.oob, target.y, D, task) : null;
      if (oob !== null)
        ctx.note?.(`out-of-bag ${classify ? 'accuracy' : 'R²'} ${oob.toFixed(4)} over ${forest.trees.length} trees`);
      return new FittedForest({
        technique: kind,
        params: p,
        task,
        classes: target.classes,
        features: specs,
        trees: forest.trees,
        oobScore: oob,
      });
    },
    fromJSON(json) {
      const s = asObject(json.state, `${kind} state`);
      const trees = (s.trees as unknown[]).map((t) => {
        const o = asObject(t, `${kind} tree`);
        return { tree: treeFromJSON(o.tree as TreeJSON), values: Float64Array.from(o.values as number[]) };
      });
      return new FittedForest({
        technique: kind,
        params: json.params,
        task: s.task as Task,
        classes: asStrings(s.classes, 'classes'),
        features: specsFromJSON(s.features, kind),
        trees,
        oobScore: s.oobScore === null || s.oobScore === undefined ? null : Number(s.oobScore),
      });
    },
  };
}

export const randomForest = makeForest('random-forest');
export const extraTrees = makeForest('extra-trees');
register(randomForest);
register(extraTrees);
