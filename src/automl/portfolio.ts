import type { SearchSpace } from '../techniques/contract.js';
import { technique } from '../techniques/registry.js';
import type { Task } from '../techniques/contract.js';
import { isActive, type Params, type Space } from '../search/space.js';

/**
 * Configurations tried before the sampler takes over, in order: a fast baseline so a result
 * exists within seconds, then settings known to do well on tabular data (the defaults of the
 * strong libraries and a few variations on them that public AutoML portfolios keep finding).
 * Each is partial: every other active dimension takes its technique's default.
 */
const PORTFOLIO: readonly Readonly<Params>[] = [
  { model: 'linear' },
  { model: 'gbdt' },
  {
    model: 'gbdt',
    'gbdt.learningRate': 0.05,
    'gbdt.numRounds': 400,
    'gbdt.maxLeaves': 31,
    'gbdt.colsampleByTree': 0.8,
  },
  { model: 'random-forest' },
  // Small trees, many of them: nearly additive data (churn, credit scoring) prefers these.
  { model: 'gbdt', 'gbdt.learningRate': 0.05, 'gbdt.numRounds': 300, 'gbdt.maxLeaves': 4, 'gbdt.minSamplesLeaf': 50 },
  { model: 'gbdt', 'gbdt.learningRate': 0.1, 'gbdt.numRounds': 150, 'gbdt.maxLeaves': 15, 'gbdt.minSamplesLeaf': 40 },
  { model: 'extra-trees' },
  {
    model: 'gbdt',
    'gbdt.learningRate': 0.03,
    'gbdt.numRounds': 800,
    'gbdt.maxLeaves': 63,
    'gbdt.subsample': 0.8,
    'gbdt.colsampleByTree': 0.6,
  },
  { model: 'mlp' },
  { model: 'linear', encoder: 'target-encode' },
  { model: 'naive-bayes' },
  { model: 'knn' },
];

/** The portfolio for a space: entries whose model is in it, completed with defaults. */
/** What a default decided from the data (a null in the schema) needs to know. */
export interface DataShape {
  readonly task: Task;
  readonly features: number;
}

export function portfolio(space: Space, shape?: DataShape): Params[] {
  const modelDim = space.find((d) => d.name === 'model');
  const models = modelDim?.dist.type === 'choice' ? modelDim.dist.values : [];
  const out: Params[] = [];
  for (const partial of PORTFOLIO) {
    if (!models.includes(partial.model)) continue;
    const full = completeConfig(space, partial, shape);
    if (full && !out.some((o) => JSON.stringify(o) === JSON.stringify(full))) out.push(full);
  }
  return out;
}

/** Clamps a default into the searched range (the range may exclude it, e.g. a default of 0 on a log scale). */
function fit(dist: SearchSpace, v: unknown): string | number | boolean | undefined {
  if (dist.type === 'choice') return dist.values.includes(v as never) ? (v as string) : dist.values[0];
  if (typeof v !== 'number' || Number.isNaN(v)) return dist.low;
  const c = Math.min(dist.high, Math.max(dist.low, v));
  return dist.type === 'int' ? Math.round(c) : c;
}

/**
 * `partial` with every active dimension it leaves out set to the technique's default, so a
 * hand-written configuration is a full point of the space (the sampler learns from it like any
 * other). Undefined when partial names something the space does not have.
 */
export function completeConfig(space: Space, partial: Readonly<Params>, shape?: DataShape): Params | undefined {
  const out: Params = {};
  for (let i = 0; i < space.length; i++) {
    const d = space[i];
    if (!isActive(space, i, out)) continue;
    let v: unknown = partial[d.name];
    if (v === undefined) {
      if (d.name === 'encoder') v = 'one-hot';
      else {
        const dot = d.name.lastIndexOf('.');
        const spec = technique(d.name.slice(0, dot)).params[d.name.slice(dot + 1)];
        v = spec?.default;
        // "Decided from the data": the share of features a forest tries is scikit-learn's rule.
        if (v === null && d.name.endsWith('.maxFeatures') && shape)
          v = shape.task === 'regression' ? 1 : Math.sqrt(shape.features) / Math.max(1, shape.features);
        else if (v === null && d.dist.type !== 'choice')
          v = d.dist.log ? Math.sqrt(d.dist.low * d.dist.high) : (d.dist.low + d.dist.high) / 2;
      }
    }
    const value = fit(d.dist, v);
    if (value === undefined) return undefined;
    out[d.name] = value;
  }
  for (const k of Object.keys(partial)) if (!(k in out)) return undefined;
  return out;
}
