import { describe, expect, it } from 'vitest';
import { Rng } from './random.js';
import { applyIsotonic, applyPlatt, fitIsotonic, fitPlatt } from './calibration.js';

describe('calibration maps', () => {
  it('isotonic regression equals the min-max formula at every point', () => {
    const rng = new Rng(4);
    for (let trial = 0; trial < 20; trial++) {
      const n = 3 + rng.int(25);
      // Distinct x (the formula below is for one point per x).
      const x = Float64Array.from({ length: n }, (_, i) => i + rng.next() * 0.5);
      const y = Float64Array.from({ length: n }, () => +(rng.next() < 0.5) + rng.normal() * 0.3);
      const w = Float64Array.from({ length: n }, () => 0.2 + rng.next());
      const fit = fitIsotonic(x, y, w);
      for (let i = 0; i < n; i++) {
        // f(x_i) = max over j <= i of min over k >= i of the weighted mean of y[j..k].
        let best = -Infinity;
        for (let j = 0; j <= i; j++) {
          let inner = Infinity;
          for (let k = i; k < n; k++) {
            let s = 0;
            let sw = 0;
            for (let t = j; t <= k; t++) {
              s += w[t] * y[t];
              sw += w[t];
            }
            inner = Math.min(inner, s / sw);
          }
          best = Math.max(best, inner);
        }
        expect(applyIsotonic(fit, x[i])).toBeCloseTo(best, 10);
      }
    }
  });

  it('isotonic interpolates between blocks and is flat beyond the data', () => {
    const fit = fitIsotonic(Float64Array.of(0, 1, 2, 3), Float64Array.of(0, 0, 1, 1));
    expect(applyIsotonic(fit, -5)).toBe(0);
    expect(applyIsotonic(fit, 1.5)).toBeCloseTo(0.5, 12);
    expect(applyIsotonic(fit, 9)).toBe(1);
  });

  it("Platt's fit zeroes the gradient of its smoothed-target log loss", () => {
    const rng = new Rng(2);
    const n = 500;
    const f = Float64Array.from({ length: n }, () => rng.normal() * 2);
    const y = Float64Array.from(f, (v) => +(rng.next() < 1 / (1 + Math.exp(-(1.7 * v - 0.4)))));
    const c = fitPlatt(f, y);
    let pos = 0;
    for (const v of y) pos += v;
    const hi = (pos + 1) / (pos + 2);
    const lo = 1 / (n - pos + 2);
    let ga = 0;
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const p = applyPlatt(c, f[i]);
      const t = y[i] === 1 ? hi : lo;
      ga += (t - p) * f[i];
      gb += t - p;
    }
    expect(Math.abs(ga)).toBeLessThan(1e-6);
    expect(Math.abs(gb)).toBeLessThan(1e-6);
    // The generating slope is recovered (sign convention: p = 1 / (1 + exp(a f + b))).
    expect(-c.a).toBeGreaterThan(1.3);
    expect(-c.a).toBeLessThan(2.1);
  });
});
