import { describe, expect, it } from 'vitest';
import { Rng } from '../random.js';
import {
  binMatrix,
  binOf,
  fitFeatureBins,
  MISSING_BIN,
  numericThresholds,
  transposeBins,
  type FeatureInput,
} from './binning.js';
import { boost, type BoostParams } from './boost.js';
import {
  buildHistogram,
  buildHistogramNaive,
  buildHistogramPacked,
  histogramSize,
  packedQuantizeCount,
  packing,
  packingUnit,
  unpackHistogram,
} from './histogram.js';
import { quantizeExact } from './quantize.js';
import { findBestSplit, SplitCandidate, type SplitParams } from './split.js';
import { leafOfBinned, leafOfRaw } from './tree.js';
import { WorkerHistogramPool } from '../../node/histogram-pool.js';

function randomData(n: number, seed: number) {
  const rng = new Rng(seed);
  const num = Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? NaN : Math.round(rng.normal() * 40) / 4));
  const cat = Int32Array.from({ length: n }, () => (rng.next() < 0.05 ? -1 : rng.int(7)));
  const y = Float64Array.from(
    { length: n },
    (_, i) => (Number.isNaN(num[i]) ? 2 : num[i] > 1 ? 1 : 0) + (cat[i] === 3 ? 3 : 0) + rng.normal() * 0.1,
  );
  const features: FeatureInput[] = [
    { kind: 'numeric', values: num },
    { kind: 'categorical', codes: cat, nCategories: 7 },
    { kind: 'numeric', values: Float64Array.from({ length: n }, () => rng.next()) },
  ];
  return { features, y, rng };
}

describe('binning', () => {
  it('midpoint thresholds when values are few, and binOf is the first threshold >= x', () => {
    const th = numericThresholds(Float64Array.from([3, 1, 2, 2, NaN, 5]), 255);
    expect(Array.from(th)).toEqual([1.5, 2.5, 4]);
    expect([binOf(th, 1), binOf(th, 1.5), binOf(th, 2), binOf(th, 4), binOf(th, 9), binOf(th, NaN)]).toEqual([
      0,
      0,
      1,
      2,
      3,
      MISSING_BIN,
    ]);
  });
  it('quantile thresholds when values are many: increasing, at most maxBins - 1', () => {
    const rng = new Rng(2);
    const v = Float64Array.from({ length: 5000 }, () => rng.normal());
    const th = numericThresholds(v, 32);
    expect(th.length).toBeLessThanOrEqual(31);
    for (let i = 1; i < th.length; i++) expect(th[i]).toBeGreaterThan(th[i - 1]);
    // Roughly equal counts per bin.
    const counts = new Int32Array(32);
    for (const x of v) counts[binOf(th, x)]++;
    for (let b = 0; b < th.length + 1; b++) expect(counts[b]).toBeGreaterThan(5000 / 32 / 2);
  });
  it('categorical bins by frequency, grouping the rarest beyond the budget', () => {
    const codes = Int32Array.from([0, 1, 1, 2, 2, 2, 3, -1]);
    const b = fitFeatureBins({ kind: 'categorical', codes, nCategories: 4 }, 3);
    if (b.kind !== 'categorical') throw new Error();
    expect(Array.from(b.binOfCode)).toEqual([2, 1, 0, 2]);
    expect(b.hasMissing).toBe(true);
  });
});

describe('histograms', () => {
  it('buildHistogram equals the naive sums on random rows', () => {
    const { features, rng } = randomData(500, 4);
    const bins = features.map((f) => fitFeatureBins(f, 16));
    const m = binMatrix(features, bins, 500);
    const grad = Float64Array.from({ length: 500 }, () => rng.normal());
    const hess = Float64Array.from({ length: 500 }, () => rng.next());
    const rows = Int32Array.from({ length: 500 }, (_, i) => i).filter(() => rng.next() < 0.6);
    const hist = new Float64Array(histogramSize(3));
    buildHistogram(m, 3, rows, 0, rows.length, grad, hess, hist, new Float64Array(1000));
    const naive = buildHistogramNaive(m, 3, Array.from(rows), grad, hess);
    for (let i = 0; i < hist.length; i++) expect(hist[i]).toBeCloseTo(naive[i], 10);
  });
  it('packed histograms (constant hessian) unpack to exactly the naive sums', () => {
    const { features, rng } = randomData(500, 5);
    const bins = features.map((f) => fitFeatureBins(f, 16));
    const m = binMatrix(features, bins, 500);
    const grad = Float64Array.from({ length: 500 }, () => rng.normal() * 1e3);
    const q = quantizeExact(grad, 0, 500, packedQuantizeCount(500));
    const hess = new Float64Array(500).fill(0.75);
    const rows = Int32Array.from({ length: 500 }, (_, i) => i).filter(() => rng.next() < 0.6);
    const hist = new Float64Array(histogramSize(3));
    const pk = packing(500, q, 0.75);
    buildHistogramPacked(m, 3, rows, 0, rows.length, grad, packingUnit(pk), hist, new Float64Array(1000));
    unpackHistogram(hist, hist.length, pk);
    const naive = buildHistogramNaive(m, 3, Array.from(rows), grad, hess);
    expect(Array.from(hist)).toEqual(Array.from(naive));
  });
  it('quantized gradients sum to the same bits in any order', () => {
    const rng = new Rng(9);
    const g = Float64Array.from({ length: 10000 }, () => rng.normal() * 3);
    quantizeExact(g, 0, g.length, g.length);
    const forward = g.reduce((a, b) => a + b, 0);
    const shuffled = rng.shuffle(g.slice());
    const backward = shuffled.reduce((a, b) => a + b, 0);
    let pairs = 0;
    for (let i = 0; i < g.length; i += 2) pairs += g[i] + (g[i + 1] ?? 0);
    expect(backward).toBe(forward);
    expect(pairs).toBe(forward);
  });
});

describe('split finding', () => {
  /** Brute force: every threshold and both missing directions, gains computed from rows. */
  function bruteBest(
    bins: Uint8Array,
    rowsIn: number[],
    grad: Float64Array,
    hess: Float64Array,
    nBins: number,
    params: SplitParams,
  ) {
    const score = (g: number, h: number) => (g * g) / (h + params.l2);
    let G = 0;
    let H = 0;
    for (const r of rowsIn) {
      G += grad[r];
      H += hess[r];
    }
    let best = -Infinity;
    for (let t = 0; t < nBins; t++)
      for (const missingLeft of [false, true]) {
        let gL = 0;
        let hL = 0;
        let cL = 0;
        for (const r of rowsIn) {
          const b = bins[r];
          const left = b === MISSING_BIN ? missingLeft : b <= t;
          if (left) {
            gL += grad[r];
            hL += hess[r];
            cL++;
          }
        }
        const cR = rowsIn.length - cL;
        if (cL < params.minSamplesLeaf || cR < params.minSamplesLeaf) continue;
        best = Math.max(best, score(gL, hL) + score(G - gL, H - hL) - score(G, H));
      }
    return best;
  }

  it('finds the brute-force best numeric split, missing values either side', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 20; trial++) {
      const n = 60 + rng.int(100);
      const values = Float64Array.from({ length: n }, () => (rng.next() < 0.2 ? NaN : rng.int(12)));
      const fb = fitFeatureBins({ kind: 'numeric', values }, 255);
      const bins = binMatrix([{ kind: 'numeric', values }], [fb], n);
      const grad = Float64Array.from({ length: n }, () => rng.normal());
      const hess = Float64Array.from({ length: n }, () => 0.1 + rng.next());
      const rows = Int32Array.from({ length: n }, (_, i) => i);
      const hist = new Float64Array(histogramSize(1));
      buildHistogram(bins, 1, rows, 0, n, grad, hess, hist, new Float64Array(2 * n));
      const params: SplitParams = { l2: 0.5, minSamplesLeaf: 3, minChildWeight: 0, minGainToSplit: 0, catSmooth: 10 };
      const best = new SplitCandidate();
      let G = 0;
      let H = 0;
      for (let i = 0; i < n; i++) {
        G += grad[i];
        H += hess[i];
      }
      findBestSplit(hist, Int32Array.of(0), 1, [fb], G, H, n, params, best, new Int32Array(256), new Float64Array(256));
      const brute = bruteBest(bins, Array.from(rows), grad, hess, fb.nBins, params);
      if (brute > 0) expect(best.gain).toBeCloseTo(brute, 9);
      else expect(best.feature).toBe(-1);
    }
  });
});

describe('trees and boosting', () => {
  const params: BoostParams = {
    numRounds: 30,
    maxLeaves: 15,
    maxDepth: 0,
    learningRate: 0.2,
    maxBins: 64,
    minSamplesLeaf: 5,
    minChildWeight: 1e-3,
    l2: 0.1,
    minGainToSplit: 0,
    catSmooth: 10,
    colsampleByNode: 0.8,
    colsampleByTree: 0.9,
    subsample: 0.8,
    objective: 'l2',
    huberDelta: 1,
    earlyStopping: false,
    patience: 5,
    validationFraction: 0.1,
    seed: 5,
  };

  it('binned and raw traversal reach the same leaf for every row', () => {
    const { features, y } = randomData(2000, 6);
    const model = boost({ features, n: 2000, y }, params);
    const bins = binMatrix(features, model.featureBins, 2000);
    const raw = features.map((f, j) => {
      const fb = model.featureBins[j];
      return f.kind === 'numeric' || fb.kind !== 'categorical'
        ? { kind: 'numeric' as const, values: (f as { values: Float64Array }).values }
        : { kind: 'binned' as const, bins: Int32Array.from(f.codes, (c) => (c < 0 ? -1 : fb.binOfCode[c])) };
    });
    for (const t of model.trees)
      for (let i = 0; i < 2000; i += 7) expect(leafOfRaw(t, raw, i)).toBe(leafOfBinned(t, bins, 3, i));
  });

  it('transposeBins is the column-major copy', () => {
    const m = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(transposeBins(m, 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it.each(['l2', 'binary'] as const)(
    'gives the same model on 1 and 2 threads (exact histogram sums), %s loss',
    async (objective) => {
      const { features, y: yRaw } = randomData(30000, 8);
      const y = objective === 'binary' ? yRaw.map((v) => +(v > 1)) : yRaw;
      const serial = boost({ features, n: 30000, y }, { ...params, objective, numRounds: 8 });
      const pool = new WorkerHistogramPool(2);
      try {
        const parallel = boost({ features, n: 30000, y }, { ...params, objective, numRounds: 8 }, undefined, 1, pool);
        expect(parallel.trees.length).toBe(serial.trees.length);
        parallel.trees.forEach((t, i) => {
          expect(Array.from(t.feature)).toEqual(Array.from(serial.trees[i].feature));
          expect(Array.from(t.value)).toEqual(Array.from(serial.trees[i].value));
        });
      } finally {
        await pool.close();
      }
    },
  );

  it('early stopping keeps the best round on a held-out fraction', () => {
    const { features, y } = randomData(3000, 12);
    const m = boost(
      { features, n: 3000, y },
      { ...params, numRounds: 500, learningRate: 0.5, earlyStopping: true, patience: 5 },
    );
    expect(m.rounds).toBeLessThan(500);
    const best = Math.min(...m.history.valid);
    expect(m.history.valid[m.rounds - 1]).toBe(best);
  });
});
