import type { Task, Technique } from '../techniques/contract.js';
import { defaultPipeline } from '../techniques/defaults.js';
import type { PipelineSpec, StepSpec } from '../techniques/pipeline.js';
import { listTechniques, technique } from '../techniques/registry.js';
import type { Dimension, Params, Space } from '../search/space.js';

/**
 * The AutoML search space, built from the registered techniques' parameter schemas: a `model`
 * choice over every model technique that handles the task, each model's searchable parameters
 * (active only when that model is drawn), the searchable parameters of the preprocessing steps
 * that model's default pipeline uses, and an encoder choice for models that need numbers.
 * A contributed technique joins the search by registering; nothing here names a model.
 */
export interface SearchPlan {
  readonly space: Space;
  readonly models: readonly string[];
  /** Models left out, with the reason for the journal. */
  readonly skipped: readonly { readonly model: string; readonly why: string }[];
}

export interface SpaceOptions {
  readonly task: Task;
  readonly nRows: number;
  readonly nCols: number;
  /** Restrict the search to these model ids (in this order). */
  readonly models?: readonly string[];
}

/** Encoders a model without native categories can use, in the order tried. */
const ENCODERS = ['one-hot', 'target-encode'];

/** Rows above which neighbour search costs more per trial than a time-boxed search can spend. */
const KNN_MAX_ROWS = 20000;

function candidateModels(opts: SpaceOptions): { models: string[]; skipped: { model: string; why: string }[] } {
  const skipped: { model: string; why: string }[] = [];
  const all = listTechniques('model').filter((t) => t.inSearch !== false && (t.tasks ?? []).includes(opts.task));
  let chosen: Technique[] = all;
  if (opts.models?.length) {
    chosen = opts.models.map((id) => technique(id));
    for (const t of chosen)
      if (!(t.tasks ?? []).includes(opts.task))
        throw new Error(
          `model ${t.id} does not handle ${opts.task} targets (it handles ${(t.tasks ?? []).join(', ')})`,
        );
  }
  const models: string[] = [];
  for (const t of chosen) {
    // Predicting with k-NN compares every row with every training row: quadratic in rows.
    if (t.id === 'knn' && opts.nRows > KNN_MAX_ROWS && !opts.models?.length) {
      skipped.push({
        model: t.id,
        why: `${opts.nRows} rows: each k-NN trial would compare every row with every other, too slow for the budget`,
      });
      continue;
    }
    models.push(t.id);
  }
  if (!models.length) throw new Error(`no model technique handles ${opts.task} targets`);
  return { models, skipped };
}

/** Steps of a model's default pipeline before the model. */
function preprocessing(model: string): readonly StepSpec[] {
  return defaultPipeline(model).steps.slice(0, -1);
}

function needsEncoding(model: string): boolean {
  return preprocessing(model).some((s) => s.technique === 'one-hot');
}

export function buildSpace(opts: SpaceOptions): SearchPlan {
  const { models, skipped } = candidateModels(opts);
  const dims: Dimension[] = [{ name: 'model', dist: { type: 'choice', values: models } }];
  for (const id of models) {
    for (const [key, spec] of Object.entries(technique(id).params))
      if (spec.search) dims.push({ name: `${id}.${key}`, dist: spec.search, when: { name: 'model', values: [id] } });
  }
  // Preprocessing parameters shared by every model whose pipeline has the step.
  const usedBy = new Map<string, string[]>();
  for (const m of models)
    for (const s of preprocessing(m)) {
      const list = usedBy.get(s.technique) ?? [];
      list.push(m);
      usedBy.set(s.technique, list);
    }
  const encoded = models.filter(needsEncoding);
  if (encoded.length) {
    dims.push({
      name: 'encoder',
      dist: { type: 'choice', values: ENCODERS },
      when: { name: 'model', values: encoded },
    });
    usedBy.set('target-encode', encoded);
  }
  for (const [step, users] of usedBy) {
    for (const [key, spec] of Object.entries(technique(step).params)) {
      if (!spec.search) continue;
      // An encoder's parameters count only when that encoder is drawn.
      const when = ENCODERS.includes(step)
        ? { name: 'encoder', values: [step] }
        : { name: 'model', values: users as (string | number | boolean)[] };
      dims.push({ name: `${step}.${key}`, dist: spec.search, when });
    }
  }
  return { space: dims, models, skipped };
}

/** The pipeline a configuration of the space stands for: the model's default pipeline with the drawn parameters. */
export function pipelineFor(config: Readonly<Params>): PipelineSpec {
  const model = String(config.model);
  const paramsOf = (prefix: string): Record<string, string | number | boolean> => {
    const out: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix + '.')) out[k.slice(prefix.length + 1)] = v;
    return out;
  };
  const base = defaultPipeline(model, paramsOf(model));
  const steps: StepSpec[] = base.steps.map((s) =>
    s.technique === model ? s : { ...s, params: { ...(s.params ?? {}), ...paramsOf(s.technique) } },
  );
  if (config.encoder === 'target-encode') {
    // Encoded categories are numbers to scale like the rest: the encoder goes before the scaler.
    // One-hot stays for the categories with too few values to target-encode.
    const at = steps.findIndex((s) => s.technique === 'standard-scale');
    const te: StepSpec = {
      technique: 'target-encode',
      params: paramsOf('target-encode'),
      why: 'Each category becomes the average target of its rows, learned out of fold so it cannot leak.',
    };
    steps.splice(at < 0 ? steps.length - 1 : at, 0, te);
  }
  return { steps };
}

/** A short readable name for a configuration, e.g. "gbdt(numRounds=200, learningRate=0.1)". */
export function describeConfig(config: Readonly<Params>): string {
  const model = String(config.model);
  const parts = Object.entries(config)
    .filter(([k]) => k !== 'model')
    .map(
      ([k, v]) =>
        `${k.startsWith(model + '.') ? k.slice(model.length + 1) : k}=${typeof v === 'number' ? +v.toPrecision(4) : v}`,
    );
  return `${model}(${parts.join(', ')})`;
}
