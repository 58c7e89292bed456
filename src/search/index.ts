export {
  contains,
  fitsValue,
  isActive,
  sampleRandom,
  sampleValue,
  validateSpace,
  type Condition,
  type Dimension,
  type ParamValue,
  type Params,
  type Space,
} from './space.js';
export {
  RandomSampler,
  TpeSampler,
  defaultGamma,
  splitTrials,
  type Sampler,
  type TpeOptions,
  type TrialRecord,
  type TrialState,
} from './sampler.js';
export {
  CategoricalMixture,
  DEFAULT_PARZEN,
  TruncNormMixture,
  categoricalParzen,
  defaultWeights,
  numericParzen,
  type ParzenSettings,
} from './parzen.js';
export { NopPruner, SuccessiveHalvingPruner, rungs, type Pruner, type SuccessiveHalvingOptions } from './pruner.js';
export {
  Study,
  type BestTrial,
  type Direction,
  type JsonNumber,
  type StudyJSON,
  type StudyOptions,
  type TellOutcome,
  type Trial,
  type TrialJSON,
} from './study.js';
export { BudgetClock } from './clock.js';
