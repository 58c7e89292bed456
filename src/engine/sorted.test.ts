import { describe, expect, it } from 'vitest';
import { medianPresent, sortedPresent } from './sorted.js';
import { Rng } from './random.js';

/** Naive twins: a full sort. */
const sortedMedian = (v: Float64Array): number => {
  const s = sortedPresent(v);
  if (s.length === 0) return NaN;
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

describe('selection', () => {
  const rng = new Rng(7);
  const rnd = (): number => rng.next();
  const inputs: Float64Array[] = [];
  for (let t = 0; t < 300; t++) {
    const n = 1 + Math.floor(rnd() * 60);
    const levels = [2, 5, 1000][t % 3];
    inputs.push(
      Float64Array.from({ length: n }, () =>
        rnd() < 0.1 ? NaN : Math.floor(rnd() * levels) - levels / 3 + (t % 2 ? rnd() : 0),
      ),
    );
  }
  // Adversarial orders for a quickselect: sorted, reversed, all ties, organ pipe.
  inputs.push(Float64Array.from({ length: 101 }, (_, i) => i));
  inputs.push(Float64Array.from({ length: 100 }, (_, i) => 100 - i));
  inputs.push(new Float64Array(64).fill(3));
  inputs.push(Float64Array.from({ length: 99 }, (_, i) => Math.min(i, 98 - i)));

  it('medianPresent equals the median of the sorted values, NaN when none', () => {
    for (const x of inputs) expect(medianPresent(x)).toBe(sortedMedian(x));
    expect(medianPresent(new Float64Array([NaN, NaN]))).toBeNaN();
    expect(medianPresent(new Float64Array([4, NaN, 1]))).toBe(2.5);
  });
});
