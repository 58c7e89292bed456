import { describe, expect, it } from 'vitest';
import { fileSource } from '../node/source.js';
import { datasetPath, manifest } from '../../test/datasets.js';
import { Frame, categoricalFromStrings, numericColumn } from './frame.js';
import { readCsv } from './read-csv.js';
import { binnedR2, countDuplicateRows, groupAuc, olsR2, profile, renderProfile, type Profile } from './profile.js';

async function profileOf(file: string, target?: string): Promise<Profile> {
  const m = manifest().find((e) => e.file === file);
  const read = await readCsv(fileSource(datasetPath(file)), m?.columns ? { header: false, columns: m.columns } : {});
  return profile(read, { target: target ?? m?.target, source: file });
}

function warned(p: Profile, kind: string): string[] {
  return p.warnings.filter((w) => w.kind === kind).flatMap((w) => w.columns);
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

describe('profile kernels against brute force', () => {
  it('groupAuc equals the pairwise AUC of each row scored by its group share', () => {
    const rnd = lcg(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 40 + Math.floor(rnd() * 60);
      const count = 2 + Math.floor(rnd() * 6);
      const nClasses = trial % 3 === 0 ? 3 : 2;
      const g = new Int32Array(n);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        g[i] = Math.floor(rnd() * count);
        y[i] = Math.min(nClasses - 1, Math.floor(rnd() * nClasses * (0.5 + g[i] / count)));
      }
      let total = 0;
      const scored = nClasses === 2 ? [1] : [0, 1, 2].slice(0, nClasses);
      for (const k of nClasses === 2 ? [0] : scored) {
        const share = (j: number) => {
          let p = 0;
          let t = 0;
          for (let i = 0; i < n; i++)
            if (g[i] === j) {
              t++;
              if (y[i] === k) p++;
            }
          return p / t;
        };
        let wins = 0;
        let pairs = 0;
        for (let a = 0; a < n; a++)
          for (let b = 0; b < n; b++) {
            if (y[a] !== k || y[b] === k) continue;
            pairs++;
            const sa = share(g[a]);
            const sb = share(g[b]);
            wins += sa > sb ? 1 : sa === sb ? 0.5 : 0;
          }
        total += pairs ? wins / pairs : 0.5;
      }
      const expected = total / (nClasses === 2 ? 1 : nClasses);
      expect(groupAuc({ g, count }, y, nClasses)).toBeCloseTo(expected, 12);
    }
  });

  it('binnedR2 is the between-group share of the total sum of squares', () => {
    const rnd = lcg(11);
    const n = 200;
    const g = new Int32Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      g[i] = i % 5;
      y[i] = g[i] * 2 + rnd();
    }
    const mean = y.reduce((a, b) => a + b) / n;
    const groupMean = [0, 1, 2, 3, 4].map((j) => {
      const v = Array.from(y).filter((_, i) => g[i] === j);
      return v.reduce((a, b) => a + b) / v.length;
    });
    let ssw = 0;
    let sst = 0;
    for (let i = 0; i < n; i++) {
      ssw += (y[i] - groupMean[g[i]]) ** 2;
      sst += (y[i] - mean) ** 2;
    }
    expect(binnedR2({ g, count: 5 }, y)).toBeCloseTo(1 - ssw / sst, 12);
  });

  it('olsR2 is 1 for an exact linear combination and matches the normal equations otherwise', () => {
    const rnd = lcg(5);
    const n = 100;
    const x1 = Float64Array.from({ length: n }, () => rnd() * 10);
    const x2 = Float64Array.from({ length: n }, () => rnd() * 3);
    const exact = Float64Array.from({ length: n }, (_, i) => 4 + 2 * x1[i] - 3 * x2[i]);
    expect(olsR2(x1, x2, exact)).toBeCloseTo(1, 12);
    const noisy = Float64Array.from({ length: n }, (_, i) => exact[i] + 5 * (rnd() - 0.5));
    // Gaussian elimination on X'X b = X'y with an intercept column.
    const X = Array.from({ length: n }, (_, i) => [1, x1[i], x2[i]]);
    const A = [0, 1, 2].map((r) => [0, 1, 2].map((c) => X.reduce((s, row) => s + row[r] * row[c], 0)));
    const b = [0, 1, 2].map((r) => X.reduce((s, row, i) => s + row[r] * noisy[i], 0));
    for (let c = 0; c < 3; c++)
      for (let r = c + 1; r < 3; r++) {
        const f = A[r][c] / A[c][c];
        for (let k = c; k < 3; k++) A[r][k] -= f * A[c][k];
        b[r] -= f * b[c];
      }
    const beta = [0, 0, 0];
    for (let r = 2; r >= 0; r--)
      beta[r] = (b[r] - A[r].slice(r + 1).reduce((s, a, k) => s + a * beta[r + 1 + k], 0)) / A[r][r];
    const mean = noisy.reduce((a, v) => a + v) / n;
    let sse = 0;
    let sst = 0;
    for (let i = 0; i < n; i++) {
      sse += (noisy[i] - (beta[0] + beta[1] * x1[i] + beta[2] * x2[i])) ** 2;
      sst += (noisy[i] - mean) ** 2;
    }
    expect(olsR2(x1, x2, noisy)).toBeCloseTo(1 - sse / sst, 10);
  });

  it('countDuplicateRows counts rows equal to an earlier row, missing equal to missing', () => {
    const frame = new Frame([
      numericColumn('a', Float64Array.from([1, 2, 1, NaN, NaN, 1])),
      categoricalFromStrings('b', ['x', 'y', 'x', null, null, 'z']),
    ]);
    expect(countDuplicateRows(frame)).toBe(2);
  });
});

describe('profile on the shared datasets', () => {
  it('bank-full: 11.7 % yes, duration flagged as leakage, pdays = -1 as a placeholder, nothing else', async () => {
    const p = await profileOf('bank-full.csv');
    expect(p.dataset.rows).toBe(45211);
    expect(p.dataset.format.separator).toBe(';');
    expect(p.target?.task).toBe('binary');
    expect(p.target?.classes?.find((c) => c.value === 'yes')?.share).toBeCloseTo(0.117, 3);
    expect(warned(p, 'leakage')).toEqual(['duration']);
    expect(warned(p, 'sentinel')).toEqual(['pdays']);
    expect(p.warnings.map((w) => w.kind).sort()).toEqual(['imbalance', 'leakage', 'sentinel']);
    const age = p.columns.find((c) => c.name === 'age')!;
    expect(age.type).toBe('integer');
    expect(age.numeric).toMatchObject({ min: 18, max: 95, median: 39 });
    const job = p.columns.find((c) => c.name === 'job')!;
    expect(job.top?.[0]).toMatchObject({ value: 'blue-collar', count: 9732 });
    const text = renderProfile(p);
    expect(text).toMatch(/45,211 rows x 17 columns/);
    expect(text).toMatch(/leakage: "duration"/);
    expect(text).toMatch(/11\.7 %/);
  });

  it('bank-additional-full: pdays = 999 as a placeholder and 12 duplicate rows', async () => {
    const p = await profileOf('bank-additional-full.csv');
    expect(warned(p, 'sentinel')).toEqual(['pdays']);
    expect(p.dataset.duplicates).toBe(12);
    expect(p.warnings.some((w) => w.kind === 'duplicates')).toBe(true);
  });

  it('bike sharing: casual + registered flagged together as parts of the target', async () => {
    for (const file of ['hour.csv', 'day.csv']) {
      const p = await profileOf(file);
      expect(p.target?.task).toBe('regression');
      expect(warned(p, 'leakage').sort()).toEqual(['casual', 'registered']);
      expect(warned(p, 'id-like')).toEqual(['instant']);
    }
  });

  it('Pima diabetes: zeros meaning "not measured" flagged, but not zero pregnancies', async () => {
    const p = await profileOf('diabetes.csv');
    expect(warned(p, 'sentinel').sort()).toEqual(['BMI', 'BloodPressure', 'Glucose', 'Insulin', 'SkinThickness']);
  });

  it('Telco: no false leakage, customerID is an identifier, TotalCharges numbers with 11 blanks', async () => {
    const p = await profileOf('WA_Fn-UseC_-Telco-Customer-Churn.csv');
    expect(warned(p, 'leakage')).toEqual([]);
    expect(warned(p, 'id-like')).toEqual(['customerID']);
    const tc = p.columns.find((c) => c.name === 'TotalCharges')!;
    expect(tc.type).toBe('numeric');
    expect(tc.missing).toBe(11);
  });

  it('marketing campaign: constant columns; titanic: free text, high missing, high cardinality', async () => {
    const m = await profileOf('marketing_campaign.csv');
    expect(warned(m, 'constant').sort()).toEqual(['Z_CostContact', 'Z_Revenue']);
    expect(warned(m, 'id-like')).toEqual(['ID']);
    const t = await profileOf('titanic.csv');
    expect(warned(t, 'text')).toEqual(['Name']);
    expect(warned(t, 'high-missing')).toEqual(['Cabin']);
    expect(warned(t, 'high-cardinality').sort()).toEqual(['Cabin', 'Ticket']);
    expect(warned(t, 'leakage')).toEqual([]);
    expect(warned(t, 'sentinel')).toEqual([]);
  });

  it('adult: categories trimmed, no leakage, the 99,999 capital-gain cap flagged', async () => {
    const p = await profileOf('adult-train.csv');
    expect(warned(p, 'leakage')).toEqual([]);
    expect(warned(p, 'sentinel')).toEqual(['capital-gain']);
    const wc = p.columns.find((c) => c.name === 'workclass')!;
    expect(wc.top?.[0].value).toBe('Private');
    expect(wc.missing).toBe(1836);
  });

  it('Walmart: dates reported as DD-MM-YYYY', async () => {
    const p = await profileOf('Walmart.csv');
    expect(p.columns.find((c) => c.name === 'Date')?.dateFormat).toBe('DD-MM-YYYY');
  });
});
