import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import type {
  Emitted,
  FitContext,
  FittedJSON,
  FittedModel,
  JsonValue,
  Params,
  ParamValue,
  Prediction,
  Task,
  Technique,
} from './contract.js';
import { describeModel } from './explain.js';
import { resolveParams, strParam } from './params.js';
import { FittedPipeline, fitPipeline, type PipelineSpec, type StepSpec } from './pipeline.js';
import { hasTechnique, listTechniques, register } from './registry.js';
import { asObject, asStrings, num } from './util.js';

/** One member as the ensemble keeps it: its share of the average, what was asked and what was fitted. */
export interface EnsembleMember {
  /** Normalised: the members' weights sum to 1. */
  readonly weight: number;
  readonly spec: PipelineSpec;
  readonly pipeline: FittedPipeline;
}

const SHAPE = '[{"weight": number, "pipeline": {"steps": [{"technique": id, "params": {...}}, ...]}}, ...]';

function bad(message: string): never {
  throw new GlassboxError(`ensemble: ${message}`, { code: 'bad-parameter' });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Parses and checks the `members` parameter before anything is fitted, so a typo fails in milliseconds. */
export function parseMembers(text: string): { weight: number; spec: PipelineSpec }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return bad(`members must be JSON of the form ${SHAPE} (${(e as Error).message})`);
  }
  if (!Array.isArray(parsed)) return bad(`members must be a list of the form ${SHAPE}`);
  if (parsed.length === 0) return bad('members is an empty list; an ensemble needs at least one member pipeline');
  return parsed.map((m: unknown, i) => {
    const who = `member ${i + 1}`;
    if (!isObject(m)) return bad(`${who} must be an object {"weight": number, "pipeline": {"steps": [...]}}`);
    const weight = m.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0)
      return bad(`${who} has weight ${JSON.stringify(weight) ?? 'undefined'}; weights must be numbers > 0`);
    const pipeline = m.pipeline;
    if (!isObject(pipeline) || !Array.isArray(pipeline.steps) || pipeline.steps.length === 0)
      return bad(`${who} needs a pipeline {"steps": [...]} with at least one step`);
    const steps = pipeline.steps.map((s: unknown, j): StepSpec => {
      const where = `${who}, step ${j + 1}`;
      if (!isObject(s) || typeof s.technique !== 'string') return bad(`${where} needs a "technique" id`);
      if (s.technique === 'ensemble') return bad(`${who} is itself an ensemble; list its members here instead`);
      if (!hasTechnique(s.technique)) {
        const known = listTechniques()
          .map((t) => t.id)
          .sort();
        return bad(`${where}: unknown technique "${s.technique}" (known: ${known.join(', ')})`);
      }
      if (s.params !== undefined && !isObject(s.params)) return bad(`${where}: params must be a JSON object`);
      return {
        technique: s.technique,
        ...(s.params !== undefined ? { params: s.params as Record<string, ParamValue> } : {}),
        ...(typeof s.why === 'string' ? { why: s.why } : {}),
      };
    });
    return { weight, spec: { steps } };
  });
}

/** Weights divided by their sum, added in member order. */
function normalised(weights: readonly number[]): number[] {
  let total = 0;
  for (const w of weights) total += w;
  return weights.map((w) => w / total);
}

/** The `members` parameter text that refits these members. */
function membersText(members: readonly { weight: number; spec: PipelineSpec }[]): string {
  return JSON.stringify(
    members.map((m) => ({
      weight: m.weight,
      pipeline: { steps: m.spec.steps.map((s) => ({ technique: s.technique, params: s.params ?? {} })) },
    })),
  );
}

/**
 * Columns the members read, first seen first: every step's inputs, as bundle.ts's usedColumns
 * counts them. With `raw` (the columns the members were fitted on) names a member derives, such as
 * one-hot indicators, are left out; without it they stay in, and buildSchema drops them because the
 * data has no such column.
 */
function readColumns(members: readonly EnsembleMember[], raw: ReadonlySet<string> | undefined): string[] {
  const seen = new Set<string>();
  for (const m of members)
    for (const s of m.pipeline.steps) for (const n of s.inputs) if (!raw || raw.has(n)) seen.add(n);
  return [...seen];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

class FittedEnsemble implements FittedModel {
  readonly kind = 'model';
  readonly technique = 'ensemble';
  readonly params: Params;
  readonly task: Task;
  readonly classes: readonly string[];
  readonly inputs: readonly string[];
  readonly members: readonly EnsembleMember[];

  constructor(args: {
    params: Params;
    task: Task;
    classes: readonly string[];
    inputs: readonly string[];
    members: readonly EnsembleMember[];
  }) {
    if (args.members.length === 0) bad('an ensemble needs at least one member pipeline');
    const target = args.members[0].pipeline.target;
    args.members.forEach((m, i) => {
      const p = m.pipeline;
      if (!(m.weight > 0) || !Number.isFinite(m.weight))
        bad(`member ${i + 1} has weight ${m.weight}; weights must be numbers > 0`);
      if (p.task !== args.task) bad(`member ${i + 1} predicts a ${p.task} task, the ensemble a ${args.task} task`);
      if (!sameList(p.classes, args.classes) || !sameList(p.model.classes, args.classes))
        bad(`member ${i + 1} has classes [${p.model.classes.join(', ')}], expected [${args.classes.join(', ')}]`);
      if (p.target !== target) bad(`member ${i + 1} predicts "${p.target}", member 1 predicts "${target}"`);
    });
    this.params = args.params;
    this.task = args.task;
    this.classes = args.classes;
    this.inputs = args.inputs;
    this.members = args.members;
  }

  /** Values per row: one per class, or one number. */
  private get width(): number {
    return this.task === 'regression' ? 1 : this.classes.length;
  }

  predict(frame: Frame): Prediction {
    const n = frame.nRows;
    const k = this.width;
    const out = new Float64Array(n * k);
    this.members.forEach((m, j) => {
      const p = m.pipeline.predict(frame);
      const flat = this.task === 'regression' ? p.values : p.proba;
      if (!sameList(p.classes, this.classes))
        bad(`member ${j + 1} predicted classes [${p.classes.join(', ')}], expected [${this.classes.join(', ')}]`);
      if (!flat || flat.length !== n * k) bad(`member ${j + 1} gave ${flat?.length ?? 0} values for ${n} rows`);
      const w = m.weight;
      for (let i = 0; i < n * k; i++) out[i] += w * flat[i];
    });
    return this.task === 'regression'
      ? { n, task: this.task, values: out, classes: this.classes }
      : { n, task: this.task, proba: out, classes: this.classes };
  }

  describe(): JsonValue {
    return {
      members: this.members.map((m) => ({
        weight: m.weight,
        techniques: m.pipeline.steps.map((s) => s.technique),
        model: describeModel(m.pipeline),
      })),
    };
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        task: this.task,
        classes: [...this.classes],
        target: this.members[0].pipeline.target,
        inputs: [...this.inputs],
        members: this.members.map((m) => ({
          weight: m.weight,
          spec: m.spec as unknown as JsonValue,
          steps: m.pipeline.toJSON() as unknown as JsonValue,
        })),
      },
    };
  }

  /**
   * Each member's steps as their own functions; `name` runs every member on its own copy of the
   * row (transformers edit rows in place) and adds weight x output in member order, as `predict` does.
   */
  emit(name: string): Emitted {
    const k = this.width;
    const code: string[] = [];
    const helpers: Record<string, string> = {};
    const blocks: string[] = [];
    this.members.forEach((m, j) => {
      const steps = m.pipeline.steps.map((s, t) => s.emit(`${name}M${j}S${t}`));
      for (const e of steps) {
        code.push(e.code);
        for (const [key, source] of Object.entries(e.helpers ?? {})) {
          if (helpers[key] !== undefined && helpers[key] !== source)
            throw new Error(`ensemble: two steps emit different helpers named "${key}"`);
          helpers[key] = source;
        }
      }
      const model = steps[steps.length - 1];
      const calls = steps.slice(0, -1).map((e) => `    ${e.name}(r);`);
      blocks.push(`  {
    const r: Row = { ...row };
${calls.length ? calls.join('\n') + '\n' : ''}    const p = ${model.name}(r);
    for (let c = 0; c < ${k}; c++) out[c] += ${num(m.weight)} * p[c];
  }`);
    });
    code.push(`function ${name}(row: Row): number[] {
  const out: number[] = new Array(${k}).fill(0);
${blocks.join('\n')}
  return out;
}`);
    return { name, code: code.join('\n'), helpers };
  }
}

/**
 * An ensemble of pipelines fitted elsewhere (AutoML refits its members on worker threads). Weights
 * are normalised to sum 1. `frame`, the data the members were fitted on, tells raw columns from
 * derived ones in `inputs`; see readColumns.
 */
export function ensembleFromPipelines(
  members: readonly { weight: number; pipeline: FittedPipeline; spec: PipelineSpec }[],
  task: Task,
  classes: readonly string[],
  frame?: Frame,
): FittedModel {
  if (members.length === 0) bad('an ensemble needs at least one member pipeline');
  members.forEach((m, i) => {
    if (!(m.weight > 0) || !Number.isFinite(m.weight))
      bad(`member ${i + 1} has weight ${m.weight}; weights must be numbers > 0`);
    if (m.spec.steps.some((s) => s.technique === 'ensemble') || m.pipeline.model.technique === 'ensemble')
      bad(`member ${i + 1} is itself an ensemble; list its members here instead`);
  });
  const weights = normalised(members.map((m) => m.weight));
  const kept = members.map((m, i) => ({ weight: weights[i], spec: m.spec, pipeline: m.pipeline }));
  const raw = frame ? new Set(frame.features().map((c) => c.name)) : undefined;
  return new FittedEnsemble({
    params: { members: membersText(kept) },
    task,
    classes,
    inputs: readColumns(kept, raw),
    members: kept,
  });
}

export const ensemble: Technique = {
  id: 'ensemble',
  stage: 'model',
  title: 'Weighted ensemble',
  description:
    'Averages the predictions of several whole pipelines, each with its own cleaning, encoding and model, with fixed weights: what greedy ensemble selection builds from the best candidates.',
  tasks: ['binary', 'multiclass', 'regression'],
  inSearch: false,
  params: {
    members: {
      type: 'string',
      default: '[]',
      description: `The member pipelines and their weights (normalised to sum 1), as JSON: ${SHAPE}.`,
    },
  },
  fit(frame: Frame, given: Params, ctx: FitContext) {
    const params = resolveParams(this.id, this.params, given);
    const target = ctx.target;
    if (!target) throw new GlassboxError('ensemble needs a target');
    const parsed = parseMembers(strParam(params, 'members'));
    if (ctx.weights) ctx.note?.('row weights are not passed on: member pipelines are fitted on unweighted rows');
    const weights = normalised(parsed.map((m) => m.weight));
    const members = parsed.map((m, i): EnsembleMember => {
      let pipeline: FittedPipeline;
      try {
        // The frame still holds the target column (role target), which each member pipeline reads.
        pipeline = fitPipeline(frame, m.spec, {
          target: target.name,
          task: target.task,
          seed: ctx.seed,
          classes: target.classes,
        }).pipeline;
      } catch (e) {
        if (!(e instanceof GlassboxError)) throw e;
        throw new GlassboxError(`ensemble: member ${i + 1}: ${e.message}`, {
          code: e.code,
          column: e.column,
          row: e.row,
        });
      }
      ctx.note?.(
        `member ${i + 1} (${m.spec.steps.map((s) => s.technique).join(' → ')}) weighs ${weights[i].toFixed(4)}`,
      );
      return { weight: weights[i], spec: m.spec, pipeline };
    });
    const raw = new Set(frame.features().map((c) => c.name));
    return new FittedEnsemble({
      params,
      task: target.task,
      classes: target.classes,
      inputs: readColumns(members, raw),
      members,
    });
  },
  fromJSON(json) {
    const s = asObject(json.state, 'ensemble state');
    const task = s.task as Task;
    const classes = asStrings(s.classes, 'classes');
    if (typeof s.target !== 'string') throw new GlassboxError('bundle: ensemble state has no target name');
    const target = s.target;
    if (!Array.isArray(s.members)) throw new GlassboxError('bundle: ensemble members must be a list');
    const members = s.members.map((x: unknown): EnsembleMember => {
      const o = asObject(x, 'ensemble member');
      const spec = asObject(o.spec, 'ensemble member spec') as unknown as PipelineSpec;
      if (!Array.isArray(o.steps)) throw new GlassboxError('bundle: ensemble member steps must be a list');
      return {
        weight: Number(o.weight),
        spec,
        pipeline: FittedPipeline.fromJSON(o.steps as FittedJSON[], target, task, classes),
      };
    });
    return new FittedEnsemble({
      params: json.params,
      task,
      classes,
      inputs: asStrings(s.inputs, 'ensemble inputs'),
      members,
    });
  },
};

register(ensemble);
