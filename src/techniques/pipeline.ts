import { GlassboxError } from '../data/errors.js';
import { isMissing, type Frame } from '../data/frame.js';
import type { Fitted, FittedJSON, FittedModel, FittedTransformer, Params, Prediction, Task } from './contract.js';
import { resolveParams } from './params.js';
import { technique } from './registry.js';
import { targetInfo } from './target.js';

/** A pipeline as plain data: what the user (or AutoML) asks for. */
export interface StepSpec {
  readonly technique: string;
  readonly params?: Params;
  /** Why this step is here, for the journal. */
  readonly why?: string;
}

export interface PipelineSpec {
  readonly steps: readonly StepSpec[];
}

/** One fitted step as the journal records it. */
export interface JournalStep {
  readonly index: number;
  readonly technique: string;
  readonly title: string;
  readonly stage: string;
  readonly params: Params;
  readonly why: string;
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly columnsIn: number;
  readonly columnsOut: number;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly ms: number;
  readonly notes: readonly string[];
}

export interface FitPipelineOptions {
  readonly target: string;
  readonly task: Task;
  readonly seed?: number;
  /** Class labels in index order; derived (sorted) from the data when absent. */
  readonly classes?: readonly string[];
}

/** A fitted pipeline: transformers, then one model. Predicts from raw input columns. */
export class FittedPipeline {
  readonly steps: readonly Fitted[];
  readonly target: string;
  readonly task: Task;
  readonly classes: readonly string[];

  constructor(steps: readonly Fitted[], target: string, task: Task, classes: readonly string[]) {
    const last = steps[steps.length - 1];
    if (!last || last.kind !== 'model') throw new GlassboxError('a pipeline must end with a model');
    if (steps.slice(0, -1).some((s) => s.kind !== 'transformer'))
      throw new GlassboxError('only the last step of a pipeline may be a model');
    this.steps = steps;
    this.target = target;
    this.task = task;
    this.classes = classes;
  }

  get model(): FittedModel {
    return this.steps[this.steps.length - 1] as FittedModel;
  }

  get transformers(): FittedTransformer[] {
    return this.steps.slice(0, -1) as FittedTransformer[];
  }

  /** Features as the model sees them. */
  transform(frame: Frame): Frame {
    let f = prepare(frame, this.target);
    for (const t of this.transformers) f = t.transform(f, { training: false });
    return f;
  }

  predict(frame: Frame): Prediction {
    return this.model.predict(this.transform(frame));
  }

  toJSON(): FittedJSON[] {
    return this.steps.map((s) => s.toJSON());
  }

  static fromJSON(
    steps: readonly FittedJSON[],
    target: string,
    task: Task,
    classes: readonly string[],
  ): FittedPipeline {
    return new FittedPipeline(
      steps.map((s) => technique(s.technique).fromJSON(s)),
      target,
      task,
      classes,
    );
  }
}

/** The target column (when present) takes role `target`, so no step mistakes it for a feature. */
function prepare(frame: Frame, target: string): Frame {
  return frame.has(target) ? frame.withRole(target, 'target') : frame;
}

/** Fits each step on the output of the previous one and records what it did. */
export function fitPipeline(
  input: Frame,
  spec: PipelineSpec,
  options: FitPipelineOptions,
): { pipeline: FittedPipeline; journal: JournalStep[] } {
  if (spec.steps.length === 0) throw new GlassboxError('the pipeline has no steps');
  const seed = options.seed ?? 0;
  let frame = prepare(input, options.target);
  frame.get(options.target);
  const fitted: Fitted[] = [];
  const journal: JournalStep[] = [];
  let classes = options.classes;
  spec.steps.forEach((step, index) => {
    const t = technique(step.technique);
    const isLast = index === spec.steps.length - 1;
    if (t.stage === 'model' && !isLast)
      throw new GlassboxError(`step ${index + 1} (${t.id}) is a model; only the last step may be one`);
    if (isLast && t.stage !== 'model') throw new GlassboxError(`the last step (${t.id}) must be a model`);
    if (t.stage === 'model' && t.tasks && !t.tasks.includes(options.task))
      throw new GlassboxError(`${t.id} does not handle ${options.task} tasks (it handles ${t.tasks.join(', ')})`);
    const params = resolveParams(t.id, t.params, step.params);
    const notes: string[] = [];
    const started = performance.now();
    const before = frame;
    const target =
      t.stage === 'model' || t.usesTarget ? targetInfo(frame, options.target, options.task, classes) : undefined;
    if (target && t.stage === 'model') classes = target.classes;
    const f = t.fit(frame, params, { seed: seed + index, target, note: (m) => notes.push(m) });
    if (f.kind === 'transformer') frame = f.transform(frame, { training: true });
    const ms = performance.now() - started;
    fitted.push(f);
    const beforeNames = new Set(before.names);
    const afterNames = new Set(frame.names);
    journal.push({
      index: index + 1,
      technique: t.id,
      title: t.title,
      stage: t.stage,
      params: f.params,
      why: step.why ?? t.description,
      rowsIn: before.nRows,
      rowsOut: frame.nRows,
      columnsIn: before.features().length,
      columnsOut: frame.features().length,
      added: frame.names.filter((n) => !beforeNames.has(n)),
      removed: before.names.filter((n) => !afterNames.has(n)),
      ms: Math.round(ms * 10) / 10,
      notes,
    });
  });
  return { pipeline: new FittedPipeline(fitted, options.target, options.task, classes ?? []), journal };
}

/** Rows whose target is present; training cannot use the others. */
export function rowsWithTarget(frame: Frame, target: string): Int32Array {
  const c = frame.get(target);
  const keep: number[] = [];
  for (let i = 0; i < frame.nRows; i++) if (!isMissing(c, i)) keep.push(i);
  return Int32Array.from(keep);
}
