import { describe, expect, it } from 'vitest';
import { readDataset } from '../../test/frames.js';
import { categoricalFromStrings, numericColumn, type CategoricalColumn, type NumericColumn } from '../data/frame.js';
import { Rng } from '../engine/random.js';
import { chiSquareSf, driftOf, driftReference, driftSummary, kolmogorovSf, ksTest, psi } from './drift.js';

describe('drift statistics', () => {
  it('chi-square and Kolmogorov tails equal scipy 1.10 (chi2.sf, kstwobign.sf)', () => {
    expect(chiSquareSf(12.5, 5)).toBeCloseTo(0.028543123326167485, 12);
    expect(chiSquareSf(0.3, 1)).toBeCloseTo(0.583882420770365, 12);
    expect(chiSquareSf(200, 150)).toBeCloseTo(0.003973185970821635, 12);
    expect(kolmogorovSf(1.2)).toBeCloseTo(0.11224966667072497, 10);
    expect(kolmogorovSf(0.5)).toBeCloseTo(0.9639452436648751, 10);
  });

  it('PSI by its definition, and the KS statistic against a brute-force scan of every point', () => {
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(-0.25 * Math.log(0.5) + 0.25 * Math.log(1.5), 14);
    expect(psi([0.3, 0.7], [0.3, 0.7])).toBe(0);
    const rng = new Rng(3);
    for (let rep = 0; rep < 20; rep++) {
      const a = Float64Array.from({ length: 30 + rep }, () => Math.round(rng.next() * 20)).sort();
      const b = Float64Array.from({ length: 25 }, () => Math.round(rng.next() * 24)).sort();
      let brute = 0;
      for (const x of [...a, ...b]) {
        const fa = a.filter((v) => v <= x).length / a.length;
        const fb = b.filter((v) => v <= x).length / b.length;
        brute = Math.max(brute, Math.abs(fa - fb));
      }
      expect(ksTest(a, b).d).toBeCloseTo(brute, 14);
    }
  });
});

describe('drift on bank-full', () => {
  it('flags a doubled balance and a new job category, and raises no alarm on 20 random splits of the same data', async () => {
    const frame = await readDataset('bank-full.csv');
    const columns = frame
      .features()
      .filter((c) => c.name !== 'y')
      .map((c) => c.name);
    const n = frame.nRows;
    let alarms = 0;
    let flagged = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const rng = new Rng(seed);
      const order = Int32Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      const a = frame.take(order.subarray(0, n >> 1));
      const b = frame.take(order.subarray(n >> 1));
      const ref = driftReference(a, columns, (a.get('balance') as NumericColumn).values);
      const d = driftOf(ref, b, (b.get('balance') as NumericColumn).values);
      flagged += d.drifted.length;
      if (d.drifted.length) alarms++;
      if (seed === 1) {
        // The deliberately shifted copy: balance doubled, and 10% of rows with a job never seen.
        const balance = Float64Array.from((b.get('balance') as NumericColumn).values, (v) => 2 * v);
        const job = b.get('job') as CategoricalColumn;
        const jobs = Array.from(job.codes, (k, i) => (i % 10 === 0 ? 'astronaut' : k < 0 ? null : job.categories[k]));
        const shifted = b.with(numericColumn('balance', balance)).with(categoricalFromStrings('job', jobs));
        const s = driftOf(ref, shifted, balance);
        expect([...s.drifted].sort()).toEqual(['balance', 'job']);
        expect(s.features.find((f) => f.name === 'job')?.detail).toMatch(
          /^never seen in training \("astronaut"\): 10\.0% of rows/,
        );
        expect(s.prediction?.drifted).toBe(true);
        // Largest shift first: the new category outweighs the doubled balance.
        expect(driftSummary(s)).toMatch(
          /^drift: 2 of 16 features drifted: job \(PSI [\d.]+\), balance \(PSI 0\.1\d\); predictions drifted/,
        );
        expect(driftSummary(d)).toBe('drift: 0 of 16 features drifted');
      }
    }
    // False alarms: at most 1 split in 20 (5%), and in fact none.
    expect(alarms / 20).toBeLessThanOrEqual(0.05);
    expect(flagged).toBe(0);
  }, 60_000);
});
