import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { mixedFrame, readDataset, unseenFrame } from '../../test/frames.js';
import { cellString, type CategoricalColumn, type NumericColumn } from '../data/frame.js';
import { datetimeParts, dropColumns, dropDuplicates, impute, oneHot, ordinal, standardScale } from './index.js';
import { datePart } from './datetime-parts.js';
import { mean, median, mostFrequentNumber } from './impute.js';
import { meanStd } from './scale.js';
import { asTransformer } from './util.js';

describe('every cleaning and feature technique keeps the technique contract', () => {
  const frame = mixedFrame();
  const imputed = asTransformer(impute.fit(frame, {}, { seed: 1 })).transform(frame, { training: false });
  const cases = [
    { name: 'mixed', frame, apply: unseenFrame() },
    { name: 'mixed-train', frame },
  ];
  it('drop-columns', () => checkTechnique(dropColumns, cases));
  it('drop-duplicates', () => checkTechnique(dropDuplicates, cases));
  it('impute (median, constant category)', () => checkTechnique(impute, cases));
  it('impute (mean, most frequent, no indicators)', () =>
    checkTechnique(
      impute,
      cases.map((c) => ({ ...c, params: { numeric: 'mean', categorical: 'most_frequent', indicators: false } })),
    ));
  it('one-hot', () =>
    checkTechnique(oneHot, [
      { name: 'imputed', frame: imputed, apply: unseenFrame() },
      { name: 'raw', frame },
    ]));
  it('one-hot, rare grouped, unknown ignored', () =>
    checkTechnique(oneHot, [
      { name: 'rare', frame, apply: unseenFrame(), params: { minFrequency: 2, handleUnknown: 'ignore' } },
    ]));
  it('ordinal', () => checkTechnique(ordinal, cases));
  it('standard-scale', () => checkTechnique(standardScale, cases));
  it('datetime-parts', () => checkTechnique(datetimeParts, cases));
});

describe('drop-columns', () => {
  it('drops constant, id-like and text columns of real data and says why', async () => {
    const frame = await readDataset('marketing_campaign.csv');
    const fitted = dropColumns.fit(frame, {}, { seed: 1 });
    const json = fitted.toJSON().state as { dropped: { column: string; reason: string }[] };
    const dropped = Object.fromEntries(json.dropped.map((d) => [d.column, d.reason]));
    expect(Object.keys(dropped).sort()).toEqual(['ID', 'Z_CostContact', 'Z_Revenue']);
    expect(dropped.Z_Revenue).toMatch(/constant/);
    expect(dropped.ID).toMatch(/identifier/);
  });
});

describe('drop-duplicates', () => {
  it('removes exact duplicate rows in training only, keeping the first', () => {
    const f = mixedFrame(10);
    const doubled = f.take([0, 1, 2, 1, 3, 0]);
    const fitted = dropDuplicates.fit(doubled, {}, { seed: 1 });
    if (fitted.kind !== 'transformer') throw new Error();
    expect(fitted.transform(doubled, { training: true }).nRows).toBe(4);
    expect(fitted.transform(doubled, { training: false }).nRows).toBe(6);
  });
});

describe('impute', () => {
  it('computes statistics like numpy and scikit-learn (brute-force twins)', () => {
    const v = Float64Array.from([3, NaN, 1, 4, 1, 5, 9, 2, 6, NaN]);
    const present = [3, 1, 4, 1, 5, 9, 2, 6].sort((a, b) => a - b);
    expect(median(v)).toBe((present[3] + present[4]) / 2);
    expect(mean(v)).toBeCloseTo(present.reduce((a, b) => a + b) / 8, 15);
    expect(mostFrequentNumber(Float64Array.from([5, 2, 2, 5, 7]))).toBe(2); // tie -> smallest
  });
  it('fills titanic Age with its median and Embarked with its own category, adding indicators', async () => {
    const frame = await readDataset('titanic.csv');
    const fitted = impute.fit(frame, {}, { seed: 1 });
    if (fitted.kind !== 'transformer') throw new Error();
    const out = fitted.transform(frame, { training: false });
    const age = out.get('Age') as NumericColumn;
    expect(age.values.some(Number.isNaN)).toBe(false);
    expect(age.values[5]).toBe(28); // titanic median age (row 6 is missing)
    const ind = out.get('Age_missing') as NumericColumn;
    expect(ind.values.reduce((a, b) => a + b, 0)).toBe(177);
    const emb = out.get('Embarked') as CategoricalColumn;
    expect(cellString(emb, 61)).toBe('missing');
  });
});

describe('one-hot', () => {
  it('matches a brute-force encoding of bank-full job, with rare grouping and unseen categories', async () => {
    const bank = await readDataset('bank-full.csv');
    const job = bank.get('job') as CategoricalColumn;
    const fitted = oneHot.fit(bank.select(['job']), { minFrequency: 300 }, { seed: 1 });
    if (fitted.kind !== 'transformer') throw new Error();
    const out = fitted.transform(bank.select(['job']), { training: false });
    const counts = new Map<string, number>();
    for (let i = 0; i < bank.nRows; i++) counts.set(cellString(job, i), (counts.get(cellString(job, i)) ?? 0) + 1);
    const kept = [...counts]
      .filter(([, n]) => n >= 300)
      .map(([c]) => c)
      .sort();
    expect(out.names).toEqual([...kept.map((c) => `job=${c}`), 'job=(other)']);
    for (let i = 0; i < bank.nRows; i += 97) {
      const v = cellString(job, i);
      for (const c of kept) expect((out.get(`job=${c}`) as NumericColumn).values[i]).toBe(v === c ? 1 : 0);
      expect((out.get('job=(other)') as NumericColumn).values[i]).toBe(kept.includes(v) ? 0 : 1);
    }
  });
});

describe('standard-scale', () => {
  it('uses the population standard deviation (closed form on a known column)', () => {
    const { mean: m, std } = meanStd(Float64Array.from([2, 4, 4, 4, 5, 5, 7, 9]));
    expect(m).toBe(5);
    expect(std).toBe(2);
  });
});

describe('datetime-parts', () => {
  it('computes calendar parts like a calendar (known answers)', () => {
    const t = Date.UTC(2024, 1, 29, 13, 30); // Thursday 29 Feb 2024, a leap day
    expect(datePart(t, 'year')).toBe(2024);
    expect(datePart(t, 'month')).toBe(2);
    expect(datePart(t, 'day')).toBe(29);
    expect(datePart(t, 'weekday')).toBe(3);
    expect(datePart(t, 'hour')).toBe(13);
    expect(datePart(t, 'dayOfYear')).toBe(60);
    expect(datePart(t, 'weekend')).toBe(0);
    expect(datePart(Date.UTC(2024, 2, 2), 'weekend')).toBe(1);
  });
  it('leaves out parts that never change (hour of Walmart dates)', async () => {
    const w = await readDataset('Walmart.csv');
    const fitted = datetimeParts.fit(w, {}, { seed: 1 });
    if (fitted.kind !== 'transformer') throw new Error();
    const names = fitted.transform(w, { training: false }).names;
    expect(names).toContain('Date_year');
    expect(names).not.toContain('Date_hour');
  });
});
