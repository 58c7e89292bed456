import type { Params } from './contract.js';
import type { PipelineSpec, StepSpec } from './pipeline.js';

const CLEAN: StepSpec[] = [
  {
    technique: 'drop-columns',
    why: 'Columns that cannot help (constant, identifiers, free text) would only add noise.',
  },
  { technique: 'drop-duplicates', why: 'Exact duplicate training rows would count twice.' },
  { technique: 'datetime-parts', why: 'Models need numbers: dates become year, month, weekday and so on.' },
];

/**
 * The preprocessing each model family needs, with the reason the journal shows. Linear and
 * distance-based models need every input numeric, complete and on one scale; tree models (gbdt,
 * random forest, extra trees) split categories natively and route missing values themselves;
 * naive Bayes models categories directly and leaves a missing value out of the evidence.
 */
/** Models that take categories and missing values as they are. */
const NATIVE = ['gbdt', 'random-forest', 'extra-trees', 'naive-bayes'];

export function defaultPipeline(model: string, modelParams: Params = {}): PipelineSpec {
  // Each member of an ensemble carries its own cleaning and encoding.
  if (model === 'ensemble') return { steps: [{ technique: model, params: modelParams, why: 'The model.' }] };
  let encode: StepSpec[];
  // A calibrated model needs what the model it wraps needs.
  const base = model === 'calibrated' ? String(modelParams.model ?? 'gbdt') : model;
  // The constant baseline reads no column, so encoding would be wasted work.
  if (NATIVE.includes(base) || base === 'constant') encode = [];
  else
    encode = [
      { technique: 'impute', why: `${model} cannot use rows with gaps: missing values are filled and flagged.` },
      { technique: 'standard-scale', why: 'Regularisation and distances treat every column alike only on one scale.' },
      { technique: 'one-hot', why: 'Categories become 0/1 columns the model can weigh one by one.' },
    ];
  return { steps: [...CLEAN, ...encode, { technique: model, params: modelParams, why: 'The model.' }] };
}
