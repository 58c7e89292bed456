import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import { accuracy, auc, logLoss, mae, r2, rmse } from './metrics.js';
import { holdoutSplit } from './split.js';

/** O(n²) pair counting: the definition of AUC. */
function naiveAuc(y: number[], s: number[]): number {
  let num = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++)
    for (let j = 0; j < y.length; j++)
      if (y[i] === 1 && y[j] === 0) {
        pairs++;
        num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
  return num / pairs;
}

describe('metrics against their definitions', () => {
  it('auc equals pair counting, ties included', () => {
    const rng = new Rng(5);
    for (let t = 0; t < 30; t++) {
      const n = 5 + rng.int(80);
      const y = Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
      y[0] = 1;
      y[1] = 0;
      const s = Array.from({ length: n }, () => Math.round(rng.next() * 10) / 10);
      expect(auc(y, s)).toBeCloseTo(naiveAuc(y, s), 12);
    }
  });
  it('known answers', () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(logLoss([1, 0], [0.2, 0.8, 0.6, 0.4], 2)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 15);
    expect(accuracy([1, 0, 2], [0, 1, 0, 1, 0, 0, 0.2, 0.3, 0.5], 3)).toBe(1);
    expect(rmse([1, 2, 3], [1, 2, 5])).toBeCloseTo(Math.sqrt(4 / 3), 15);
    expect(mae([1, 2, 3], [1, 2, 5])).toBeCloseTo(2 / 3, 15);
    expect(r2([1, 2, 3], [1, 2, 3])).toBe(1);
  });
});

describe('holdoutSplit', () => {
  it('is a seeded, stratified partition', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const a = holdoutSplit(1000, 0.2, 3, labels);
    const b = holdoutSplit(1000, 0.2, 3, labels);
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(a.train.length + a.test.length).toBe(1000);
    expect(new Set([...a.train, ...a.test]).size).toBe(1000);
    expect(Array.from(a.test).filter((i) => labels[i] === 1).length).toBe(20);
  });
});
