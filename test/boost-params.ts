import type { BoostParams } from '../src/engine/gbdt/boost.js';

/** Small, exact boosting settings for engine tests: no sampling, no early stopping. */
export function boostParams(overrides: Partial<BoostParams> = {}): BoostParams {
  return {
    numRounds: 12,
    maxLeaves: 12,
    maxDepth: 0,
    learningRate: 0.3,
    maxBins: 32,
    minSamplesLeaf: 3,
    minChildWeight: 1e-3,
    l2: 0.1,
    minGainToSplit: 0,
    catSmooth: 10,
    colsampleByNode: 1,
    colsampleByTree: 1,
    subsample: 1,
    objective: 'l2',
    huberDelta: 1,
    earlyStopping: false,
    patience: 5,
    validationFraction: 0.1,
    seed: 3,
    ...overrides,
  };
}
