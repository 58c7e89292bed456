import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { mixedFrame, unseenFrame } from '../../test/frames.js';
import { categoricalFromStrings, Frame, numericColumn } from '../data/frame.js';
import { naiveBayes } from './index.js';
import { targetInfo } from './target.js';
import { asModel } from './util.js';

describe('naive-bayes', () => {
  it('keeps the technique contract (numbers, categories, missing values, unseen categories)', () => {
    const f = mixedFrame(150).drop(['when', 'notes']).withRole('amount', 'feature').withRole('label', 'target');
    const u = unseenFrame().drop(['when', 'notes']).withRole('amount', 'feature').withRole('label', 'target');
    const multi = f.withRole('label', 'feature').withRole('color', 'target');
    const rows = Array.from({ length: multi.nRows }, (_, i) => i).filter(
      (i) => (multi.get('color') as { codes: Int32Array }).codes[i] >= 0,
    );
    const g = multi.take(rows);
    checkTechnique(naiveBayes, [
      { name: 'bin', frame: f, apply: u, ctx: { target: targetInfo(f, 'label', 'binary') } },
      { name: 'multi', frame: g, params: { alpha: 0.5 }, ctx: { target: targetInfo(g, 'color', 'multiclass') } },
    ]);
  });

  it('equals Bayes rule computed by hand (closed form)', () => {
    // Class a: x = 1, 3 (mean 2, variance 1), colour r, r; class b: x = 10, 12, 14 (mean 12, variance 8/3), r, g, g.
    const f = new Frame([
      numericColumn('x', Float64Array.of(1, 3, 10, 12, 14)),
      categoricalFromStrings('c', ['r', 'r', 'r', 'g', 'g']),
      categoricalFromStrings('y', ['a', 'a', 'b', 'b', 'b'], 'target'),
    ]);
    const m = asModel(
      naiveBayes.fit(f, { varSmoothing: 0, alpha: 1 }, { seed: 1, target: targetInfo(f, 'y', 'binary') }),
    );
    const q = new Frame([numericColumn('x', Float64Array.of(6, NaN)), categoricalFromStrings('c', ['g', 'r'])]);
    const p = m.predict(q).proba as Float64Array;
    const normal = (x: number, mu: number, v: number) =>
      Math.exp(-((x - mu) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
    // Categories ordered g, r: P(g|a) = (0 + 1) / (2 + 2), P(g|b) = (2 + 1) / (3 + 2).
    const a = (2 / 5) * normal(6, 2, 1) * (1 / 4);
    const b = (3 / 5) * normal(6, 12, 8 / 3) * (3 / 5);
    expect(p[0]).toBeCloseTo(a / (a + b), 12);
    // A missing x is no evidence: only the prior and the colour r count.
    const a2 = (2 / 5) * (3 / 4);
    const b2 = (3 / 5) * (2 / 5);
    expect(p[2]).toBeCloseTo(a2 / (a2 + b2), 12);
  });

  it('balanced class weights make the priors equal', () => {
    const f = new Frame([
      numericColumn('x', Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8)),
      categoricalFromStrings('y', ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'b'], 'target'),
    ]);
    const m = asModel(
      naiveBayes.fit(f, { classWeight: 'balanced' }, { seed: 1, target: targetInfo(f, 'y', 'binary') }),
    );
    const priors = (m.describe?.() as { priors: Record<string, number> }).priors;
    expect(priors.a).toBeCloseTo(0.5, 12);
    expect(priors.b).toBeCloseTo(0.5, 12);
  });

  it('refuses regression', () => {
    const f = new Frame([
      numericColumn('x', Float64Array.of(1, 2, 3)),
      numericColumn('y', Float64Array.of(1, 2, 3), 'target'),
    ]);
    expect(() => naiveBayes.fit(f, {}, { seed: 1, target: targetInfo(f, 'y', 'regression') })).toThrow(/classes/);
  });
});
