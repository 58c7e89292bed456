import { describe, expect, it } from 'vitest';
import { diabetesModel } from '../../test/frames.js';
import { Frame, numericColumn } from '../data/frame.js';
import { Rng } from '../engine/random.js';
import { sampledShapley, topReasons } from './shapley.js';

const col = (f: Frame, name: string): Float64Array => (f.get(name) as { values: Float64Array }).values;

/** Exact interventional Shapley values by enumerating every subset (the oracle). */
function exactShapley(f: (x: number[]) => number, x: number[], background: number[][]): number[] {
  const p = x.length;
  const v = (mask: number): number =>
    background.reduce((s, b) => s + f(b.map((bj, j) => (mask & (1 << j) ? x[j] : bj))), 0) / background.length;
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Array<number>(p).fill(0);
  for (let i = 0; i < p; i++)
    for (let mask = 0; mask < 1 << p; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let j = 0; j < p; j++) if (mask & (1 << j)) size++;
      phi[i] += ((fact(size) * fact(p - size - 1)) / fact(p)) * (v(mask | (1 << i)) - v(mask));
    }
  return phi;
}

describe('sampled Shapley values', () => {
  const rng = new Rng(4);
  const n = 40;
  const names = ['a', 'b', 'c'];
  const data = new Frame(
    names.map((name) =>
      numericColumn(
        name,
        Float64Array.from({ length: n }, () => rng.normal()),
      ),
    ),
  );
  const rowsOf = (f: Frame) => Array.from({ length: f.nRows }, (_, i) => names.map((c) => col(f, c)[i]));

  it('an additive model against one background row gets w_j (x_j - b_j), whatever the orderings', () => {
    const w = [2, -1, 0.5];
    const predict = (f: Frame) => Float64Array.from(rowsOf(f), (r) => r.reduce((s, v, j) => s + w[j] * v, 0));
    const c = sampledShapley(predict, data, [3, 7], [11], names, { permutations: 6 });
    for (const [k, r] of [3, 7].entries())
      names.forEach((name, j) =>
        expect(c.values[k * 3 + j]).toBeCloseTo(w[j] * (col(data, name)[r] - col(data, name)[11]), 12),
      );
  });

  it('converges to the exact values of subset enumeration on an interacting model', () => {
    const f = (r: number[]) => Math.max(r[0], 0) * r[1] + Math.tanh(r[2] * r[0]);
    const predict = (fr: Frame) => Float64Array.from(rowsOf(fr), f);
    const background = [0, 1, 2, 3, 4, 5];
    const c = sampledShapley(predict, data, [9, 20], background, names, { permutations: 3000, seed: 2 });
    for (const [k, r] of [9, 20].entries()) {
      const x = names.map((name) => col(data, name)[r]);
      const exact = exactShapley(
        f,
        x,
        background.map((b) => names.map((name) => col(data, name)[b])),
      );
      for (let j = 0; j < 3; j++) expect(Math.abs(c.values[k * 3 + j] - exact[j])).toBeLessThan(0.03);
      // Efficiency holds exactly for every sample.
      const sum = c.values.slice(k * 3, k * 3 + 3).reduce((a, b) => a + b, 0);
      expect(sum + c.base[k]).toBeCloseTo(f(x), 12);
    }
  });

  it('explains a fitted pipeline on diabetes: contributions add up to its probability, Glucose leads', async () => {
    const { x, positive: predict } = await diabetesModel(50);
    const rows = Array.from({ length: 30 }, (_, i) => i * 7);
    const columns = x.columns.map((c) => c.name);
    const c = sampledShapley(
      predict,
      x,
      rows,
      Array.from({ length: 100 }, (_, i) => i * 5),
      columns,
    );
    const direct = predict(x.take(rows));
    const meanAbs = new Float64Array(columns.length);
    rows.forEach((_, k) => {
      let sum = c.base[k];
      for (let j = 0; j < columns.length; j++) {
        sum += c.values[k * columns.length + j];
        meanAbs[j] += Math.abs(c.values[k * columns.length + j]);
      }
      expect(sum).toBeCloseTo(direct[k], 10);
      expect(c.output[k]).toBe(direct[k]);
    });
    expect(columns[meanAbs.indexOf(Math.max(...meanAbs))]).toBe('Glucose');
    const reasons = topReasons(
      c,
      0,
      columns.map((name) => String(col(x, name)[rows[0]])),
    );
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/^\w+ = [\d.]+ \([+−]0\.\d+/);
  });
});
