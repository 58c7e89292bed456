import { describe, expect, it } from 'vitest';
import { minimize } from './lbfgs.js';

function rosenbrock(x: Float64Array, g: Float64Array): number {
  let f = 0;
  g.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

describe('L-BFGS', () => {
  it('finds the Rosenbrock minimum in 2 and 10 dimensions', () => {
    for (const n of [2, 10]) {
      const x0 = Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1.2 : -1.2));
      const r = minimize(rosenbrock, x0, { gtol: 1e-10, maxIter: 5000 });
      expect(r.converged).toBe(true);
      for (const v of r.x) expect(Math.abs(v - 1)).toBeLessThan(1e-8);
    }
  });

  it('reaches the closed-form minimiser of a convex quadratic', () => {
    // f = 1/2 x'Ax - b'x with A = diag(1..20) + 0.5 (all-ones): minimiser solves A x = b.
    const n = 20;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = (i === j ? i + 1 : 0) + 0.5;
    const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const fg = (x: Float64Array, g: Float64Array) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        let ax = 0;
        for (let j = 0; j < n; j++) ax += A[i * n + j] * x[j];
        g[i] = ax - b[i];
        f += 0.5 * x[i] * ax - b[i] * x[i];
      }
      return f;
    };
    const r = minimize(fg, new Float64Array(n), { gtol: 1e-12 });
    // Oracle: Gaussian elimination.
    const M = A.slice();
    const rhs = b.slice();
    for (let k = 0; k < n; k++)
      for (let i = k + 1; i < n; i++) {
        const f = M[i * n + k] / M[k * n + k];
        for (let j = k; j < n; j++) M[i * n + j] -= f * M[k * n + j];
        rhs[i] -= f * rhs[k];
      }
    const x = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let s = rhs[i];
      for (let j = i + 1; j < n; j++) s -= M[i * n + j] * x[j];
      x[i] = s / M[i * n + i];
    }
    // f stops resolving progress near 1e-16 relative, so the minimiser is reached to about 1e-9.
    expect(r.gradMax).toBeLessThan(1e-9);
    for (let i = 0; i < n; i++) expect(r.x[i]).toBeCloseTo(x[i], 8);
  });

  it('reports non-convergence when the iteration budget is too small', () => {
    const r = minimize(rosenbrock, Float64Array.of(-1.2, 1), { maxIter: 3 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(3);
  });
});
