// The public API, isomorphic (no node: imports): Node-only adapters are in ./node/index.ts.
export { Frame, numericColumn, categoricalColumn, datetimeColumn, textColumn } from './data/frame.js';
export type { Column, ColumnKind, Role } from './data/frame.js';
export { GlassboxError } from './data/errors.js';
export { readCsv, bytesSource, type ReadOptions, type ReadResult } from './data/read-csv.js';
export { profile, renderProfile, type Profile } from './data/profile.js';
export * from './techniques/index.js';
export { fitPipeline, FittedPipeline, type PipelineSpec, type StepSpec } from './techniques/pipeline.js';
export { train, type TrainOptions, type TrainResult } from './automl/train.js';
export {
  automl,
  planValidation,
  type AutomlOptions,
  type AutomlResult,
  type AutomlEvent,
  type AutomlJournal,
  type Leaderboard,
  type TrialLog,
  type FinishedTrial,
} from './automl/automl.js';
export { InProcessRunner, TrialCut, type TrialRunner, type TrialRequest } from './automl/runner.js';
export { buildSpace, pipelineFor, describeConfig } from './automl/space.js';
export { ensembleSelection } from './automl/ensemble.js';
export { createBundle, loadBundle, stringifyBundle, buildSchema, type Bundle } from './export/bundle.js';
export {
  exportOnnx,
  toOnnx,
  registerOnnxModel,
  registerOnnxTransformer,
  onnxSupported,
  type OnnxModel,
} from './export/onnx/convert.js';
export { onnxFeeds, type OnnxFeed } from './export/onnx/feeds.js';
export * as metrics from './evaluate/metrics.js';
export * as split from './evaluate/split.js';
export * as curves from './evaluate/curves.js';
export { permutationImportance, type ColumnImportance } from './evaluate/importance.js';
export { sampledShapley, topReasons, type Contributions } from './evaluate/shapley.js';
export { worstSlices, type Slice } from './evaluate/slices.js';
export { partialDependence, type PartialDependence } from './evaluate/partial-dependence.js';
export * as search from './search/index.js';
