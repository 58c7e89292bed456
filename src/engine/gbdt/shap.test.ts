import { describe, expect, it } from 'vitest';
import { Rng } from '../random.js';
import type { FeatureInput } from './binning.js';
import { boostParams } from '../../../test/boost-params.js';
import { boost } from './boost.js';
import { predictRaw } from './predict.js';
import { expectedValue, shapWorkspace, treeShap, treeShapBrute } from './shap.js';
import type { RawFeature } from './tree.js';

const params = boostParams();

function data(n: number, p: number, seed: number) {
  const rng = new Rng(seed);
  const cols = Array.from({ length: p }, () =>
    Float64Array.from({ length: n }, () => (rng.next() < 0.05 ? NaN : rng.normal())),
  );
  const cat = Int32Array.from({ length: n }, () => rng.int(5));
  const y = Float64Array.from(
    { length: n },
    (_, i) =>
      (cols[0][i] || 0) * 2 +
      ((cols[1][i] || 0) > 0 ? 1 : -1) * (cols[2][i] || 0) +
      (cat[i] === 2 ? 1.5 : 0) +
      rng.normal() * 0.1,
  );
  const features: FeatureInput[] = [
    ...cols.map((values) => ({ kind: 'numeric' as const, values })),
    { kind: 'categorical', codes: cat, nCategories: 5 },
  ];
  return { features, y };
}

describe('TreeSHAP', () => {
  const { features, y } = data(600, 4, 1);
  const model = boost({ features, n: 600, y }, params);
  const raw: RawFeature[] = features.map((f, j) => {
    if (f.kind === 'numeric') return f;
    const fb = model.featureBins[j];
    return {
      kind: 'binned',
      bins: Int32Array.from(f.codes, (c) => (c < 0 ? -1 : fb.kind === 'categorical' ? fb.binOfCode[c] : -1)),
    };
  });
  const p = features.length;

  it('matches brute-force Shapley values tree by tree', () => {
    const ws = shapWorkspace(model.trees);
    for (const t of model.trees)
      for (let i = 0; i < 600; i += 37) {
        const phi = new Float64Array(p);
        treeShap(t, raw, i, phi, 0, ws);
        const brute = treeShapBrute(t, raw, i, p);
        for (let f = 0; f < p; f++) expect(phi[f]).toBeCloseTo(brute[f], 10);
      }
  });

  it('contributions plus the expected value sum to the raw prediction within 1e-9', () => {
    const ws = shapWorkspace(model.trees);
    const pred = predictRaw(model, raw, 600);
    let bias = model.baseline[0];
    for (const t of model.trees) bias += expectedValue(t);
    for (let i = 0; i < 600; i++) {
      const phi = new Float64Array(p);
      for (const t of model.trees) treeShap(t, raw, i, phi, 0, ws);
      const total = phi.reduce((a, b) => a + b, bias);
      expect(Math.abs(total - pred[i])).toBeLessThan(1e-9);
    }
  });
});
