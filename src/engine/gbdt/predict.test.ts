import { describe, expect, it } from 'vitest';
import { readDataset } from '../../../test/frames.js';
import { fitPipeline } from '../../techniques/pipeline.js';
import { defaultPipeline } from '../../techniques/defaults.js';
import { rawFeatures, type FeatureSpec } from '../../techniques/tree-inputs.js';
import '../../techniques/index.js';
import { Rng } from '../random.js';
import type { FeatureInput } from './binning.js';
import { boostParams } from '../../../test/boost-params.js';
import { boost, type BoostedModel } from './boost.js';
import { flatForest, predictRaw, predictRawNaive } from './predict.js';
import type { RawFeature } from './tree.js';

const params = boostParams({ numRounds: 30, maxLeaves: 15, learningRate: 0.2, objective: 'multiclass' });

describe('flat forest prediction', () => {
  it('equals the tree-by-tree walk exactly: numbers, categories, missing and unseen values, three classes', () => {
    const rng = new Rng(7);
    const n = 800;
    const x = Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? NaN : rng.normal()));
    const z = Float64Array.from({ length: n }, () => rng.normal());
    const cat = Int32Array.from({ length: n }, () => (rng.next() < 0.05 ? -1 : rng.int(40)));
    const y = Float64Array.from({ length: n }, (_, i) => (cat[i] % 3 === 0 ? 0 : (x[i] || 0) + z[i] > 0 ? 1 : 2));
    const features: FeatureInput[] = [
      { kind: 'numeric', values: x },
      { kind: 'numeric', values: z },
      { kind: 'categorical', codes: cat, nCategories: 40 },
    ];
    const model = boost({ features, n, y }, params, undefined, 3);
    expect(model.trees.some((t) => t.catOffset.some((o) => o >= 0))).toBe(true);
    const fb = model.featureBins[2];
    // Every tenth row scored as a category the model never saw (-2).
    const bins = Int32Array.from(cat, (c, i) =>
      c < 0 ? -1 : i % 10 === 0 ? -2 : fb.kind === 'categorical' ? fb.binOfCode[c] : -1,
    );
    const raw: RawFeature[] = [
      { kind: 'numeric', values: x },
      { kind: 'numeric', values: z },
      { kind: 'binned', bins },
    ];
    expect(predictRaw(model, raw, n)).toEqual(predictRawNaive(model, raw, n));
    // One row at a time (as the API scores) gives the same numbers.
    for (let i = 0; i < n; i += 53) {
      const one: RawFeature[] = [
        { kind: 'numeric', values: x.subarray(i, i + 1) },
        { kind: 'numeric', values: z.subarray(i, i + 1) },
        { kind: 'binned', bins: bins.subarray(i, i + 1) },
      ];
      const got = predictRaw(model, one, 1);
      const all = predictRawNaive(model, raw, n);
      for (let c = 0; c < 3; c++) expect(got[c]).toBe(all[c * n + i]);
    }
  });

  it('equals the tree-by-tree walk on titanic (missing ages, categories) for every row', async () => {
    const frame = await readDataset('titanic.csv');
    const { pipeline } = fitPipeline(frame, defaultPipeline('gbdt', { numRounds: 150 }), {
      target: 'Survived',
      task: 'binary',
      seed: 1,
    });
    const gbdt = pipeline.model as unknown as BoostedModel & { features: FeatureSpec[] };
    const input = pipeline.transform(frame);
    const raw = rawFeatures('gbdt', input, gbdt.features);
    expect(predictRaw(gbdt, raw, frame.nRows)).toEqual(predictRawNaive(gbdt, raw, frame.nRows));
  });

  it('lays a list out again when it has grown', () => {
    const rng = new Rng(1);
    const values = Float64Array.from({ length: 200 }, () => rng.normal());
    const model = boost(
      { features: [{ kind: 'numeric', values }], n: 200, y: values.map((v) => v * v) },
      { ...params, objective: 'l2', numRounds: 4 },
    );
    const trees = [...model.trees];
    expect(flatForest(trees).trees).toBe(4);
    trees.push(model.trees[0]);
    expect(flatForest(trees).trees).toBe(5);
  });
});
