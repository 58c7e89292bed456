import type { Frame } from '../data/frame.js';

/** Where a technique sits in a pipeline. */
export type Stage = 'clean' | 'features' | 'model';

export type Task = 'binary' | 'multiclass' | 'regression';

export type ParamValue = number | boolean | string | readonly string[] | null;
export type Params = Readonly<Record<string, ParamValue>>;

/** How AutoML may draw a parameter; absent means the parameter is not searched. */
export type SearchSpace =
  | { readonly type: 'float'; readonly low: number; readonly high: number; readonly log?: boolean }
  | { readonly type: 'int'; readonly low: number; readonly high: number; readonly log?: boolean }
  | { readonly type: 'choice'; readonly values: readonly (string | number | boolean)[] };

interface SpecBase {
  readonly description: string;
  readonly search?: SearchSpace;
}

/** One parameter of a technique: plain data, so forms, the CLI's --set and AutoML read the same schema. */
export type ParamSpec =
  | (SpecBase & {
      readonly type: 'number';
      readonly default: number;
      readonly min?: number;
      readonly max?: number;
      readonly exclusiveMin?: boolean;
    })
  | (SpecBase & { readonly type: 'integer'; readonly default: number; readonly min?: number; readonly max?: number })
  | (SpecBase & { readonly type: 'boolean'; readonly default: boolean })
  | (SpecBase & { readonly type: 'choice'; readonly values: readonly string[]; readonly default: string })
  | (SpecBase & { readonly type: 'string'; readonly default: string })
  /** Several of `values`, e.g. which date parts to extract. */
  | (SpecBase & { readonly type: 'multi'; readonly values: readonly string[]; readonly default: readonly string[] })
  /** Column names the step applies to; null = every column the step can handle. */
  | (SpecBase & { readonly type: 'columns'; readonly default: readonly string[] | null })
  /** A number, or null for "decided from the data" (e.g. maxDepth unlimited). */
  | (SpecBase & {
      readonly type: 'optional-number';
      readonly default: number | null;
      readonly min?: number;
      readonly max?: number;
      readonly integer?: boolean;
    });

export type ParamSchema = Readonly<Record<string, ParamSpec>>;

/** The target, as models see it: class indices for classification (classes sorted), values for regression. */
export interface TargetInfo {
  readonly name: string;
  readonly task: Task;
  readonly y: Float64Array;
  /** Class labels in index order (sorted); empty for regression. */
  readonly classes: readonly string[];
}

export interface FitContext {
  readonly seed: number;
  /** Set when the frame carries a target column (role `target`). */
  readonly target?: TargetInfo;
  /** Row weights, when the frame carries a weight column. */
  readonly weights?: Float64Array;
  /** A note for the journal: why something was done. */
  readonly note?: (message: string) => void;
}

export interface TransformContext {
  /** True while fitting the pipeline; steps such as dropping duplicate rows only act then. */
  readonly training: boolean;
}

/** A fitted step as plain JSON: what a bundle stores. Never code. */
export interface FittedJSON {
  readonly technique: string;
  readonly params: Params;
  readonly state: JsonValue;
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue };

/**
 * Standalone TypeScript for one fitted step, operating on one row at a time. `code` declares a
 * function named `name`; for transformers it has the signature `(row: Row) => void` and edits the
 * row in place; for models `(row: Row) => number[]` returning raw outputs (see `Prediction`).
 * `Row` is `Record<string, number | string | null>`: numbers (NaN = missing, datetimes as epoch
 * milliseconds), category strings or null. `helpers` are shared snippets deduplicated by key.
 */
export interface Emitted {
  readonly name: string;
  readonly code: string;
  readonly helpers?: Readonly<Record<string, string>>;
}

interface FittedBase {
  readonly technique: string;
  readonly params: Params;
  toJSON(): FittedJSON;
  emit(name: string): Emitted;
}

export interface FittedTransformer extends FittedBase {
  readonly kind: 'transformer';
  /** Input feature columns the step reads. */
  readonly inputs: readonly string[];
  transform(frame: Frame, ctx: TransformContext): Frame;
}

/**
 * Model output for n rows. Classification: `proba` is n x k row-major (k = classes.length);
 * regression: `values` are the predictions. `raw` holds margins (log-odds, logits) when the model has them.
 */
export interface Prediction {
  readonly n: number;
  readonly task: Task;
  readonly values?: Float64Array;
  readonly proba?: Float64Array;
  readonly classes: readonly string[];
}

export interface FittedModel extends FittedBase {
  readonly kind: 'model';
  readonly task: Task;
  readonly classes: readonly string[];
  /** Feature columns the model reads, in its order. */
  readonly inputs: readonly string[];
  predict(frame: Frame): Prediction;
  /** Plain-language and numeric facts for the report (coefficients, importances...). */
  describe?(): JsonValue;
}

export type Fitted = FittedTransformer | FittedModel;

export interface Technique {
  readonly id: string;
  readonly stage: Stage;
  readonly title: string;
  /** One sentence for analysts: what it does and when it helps. */
  readonly description: string;
  readonly params: ParamSchema;
  /** Models: the tasks they handle. */
  readonly tasks?: readonly Task[];
  /** A feature step that learns from the target (target encoding): it gets `ctx.target` too. */
  readonly usesTarget?: boolean;
  /**
   * false: AutoML never draws this technique as a candidate; it wraps or combines others or is a
   * baseline. Absent means true.
   */
  readonly inSearch?: boolean;
  fit(frame: Frame, params: Params, ctx: FitContext): Fitted;
  fromJSON(json: FittedJSON): Fitted;
}
