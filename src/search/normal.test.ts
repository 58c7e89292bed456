import { describe, expect, it } from 'vitest';
import { erfc, logGaussMass, logNdtr, ndtr, ndtriExp, truncNormPpf } from './normal.js';

/** Tabulated values of erfc to 16 significant digits. */
const ERFC: [number, number][] = [
  [0, 1],
  [0.1, 0.8875370839817151],
  [0.5, 0.4795001221869535],
  [1, 0.15729920705028513],
  [1.9, 0.007209570764742],
  [2, 0.004677734981047266],
  [2.5, 4.06952017444959e-4],
  [3, 2.209049699858544e-5],
  [5, 1.5374597944280349e-12],
  [10, 2.088487583762545e-45],
  [26, 5.663192408856143e-296],
];

/** log Φ(z) for z → -∞ from its asymptotic series, an oracle independent of erfc. */
function logNdtrAsymptotic(z: number): number {
  const x2 = z * z;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 6; k++) {
    term *= -(2 * k - 1) / x2;
    sum += term;
  }
  return -x2 / 2 - Math.log(-z) - 0.5 * Math.log(2 * Math.PI) + Math.log(sum);
}

describe('normal functions', () => {
  it('erfc matches reference values to ~1e-13 relative, on both sides of the series/fraction switch', () => {
    for (const [x, want] of ERFC) {
      expect(Math.abs(erfc(x) - want) / want).toBeLessThan(2e-13);
      expect(Math.abs(erfc(-x) - (2 - want))).toBeLessThan(1e-15);
    }
  });

  it('Φ is symmetric and log Φ follows the asymptotic tail far below underflow', () => {
    for (const z of [0.3, 1, 2.7, 6]) expect(ndtr(z) + ndtr(-z)).toBeCloseTo(1, 15);
    expect(ndtr(1.959963984540054)).toBeCloseTo(0.975, 15);
    for (const z of [-40, -100, -1000]) {
      const want = logNdtrAsymptotic(z);
      expect(Math.abs(logNdtr(z) - want) / -want).toBeLessThan(1e-13);
    }
    expect(logNdtr(40)).toBe(-0);
    expect(logNdtr(5)).toBeCloseTo(-2.866516129637636e-7, 20);
  });

  it('log Φ⁻¹ inverts log Φ from the deep lower tail to the upper tail', () => {
    for (const y of [-5000, -700, -50, -3, -0.7, -0.6931471805599453, -0.3, -1e-3, -1e-12, -1e-40]) {
      const x = ndtriExp(y);
      expect(Math.abs(logNdtr(x) - y)).toBeLessThan(1e-13 * Math.max(1, Math.abs(y)) + Math.abs(y) * 1e-12);
    }
    expect(ndtriExp(Math.log(0.975))).toBeCloseTo(1.959963984540054, 13);
    expect(ndtriExp(0)).toBe(Infinity);
  });

  it('log Gaussian mass stays finite where Φ(b) - Φ(a) rounds to zero', () => {
    expect(logGaussMass(-1, 1)).toBeCloseTo(Math.log(0.6826894921370859), 14);
    // Both far in the upper tail: the plain difference is 1 - 1 = 0.
    const upper = logGaussMass(40, 41);
    expect(upper).toBeCloseTo(logNdtrAsymptotic(-40), 9);
    expect(logGaussMass(-41, -40)).toBe(upper);
    expect(logGaussMass(2, 2)).toBe(-Infinity);
  });

  it('the truncated-normal quantile inverts its CDF, also for one-sided and far-off intervals', () => {
    const cases: [number, number][] = [
      [-100, 0.5],
      [0, 30],
      [2, 3],
      [-3, -2],
      [-0.5, 0.25],
      [35, 36],
    ];
    for (const [a, b] of cases)
      for (const q of [1e-9, 0.01, 0.3, 0.5, 0.9, 0.999999]) {
        const z = truncNormPpf(q, a, b);
        expect(z).toBeGreaterThanOrEqual(a);
        expect(z).toBeLessThanOrEqual(b);
        // CDF of the truncated normal, in log space so the far intervals are checkable too.
        const cdf = Math.exp(logGaussMass(a, z) - logGaussMass(a, b));
        expect(cdf).toBeCloseTo(q, 9);
      }
  });
});
