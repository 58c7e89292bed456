import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { mixedFrame } from '../../test/frames.js';
import { categoricalFromStrings, Frame, numericColumn } from '../data/frame.js';
import { Rng } from '../engine/random.js';
import { selectFeatures } from './index.js';
import { discretize, mutualInformation } from './select-features.js';
import { targetInfo } from './target.js';
import { asTransformer } from './util.js';

describe('select-features', () => {
  it('mutual information: a copy of the target carries its entropy, independent noise carries ~0', () => {
    const rng = new Rng(1);
    const n = 20000;
    const y = Int32Array.from({ length: n }, () => rng.int(4));
    const noise = Int32Array.from({ length: n }, () => rng.int(5));
    expect(mutualInformation(y, 4, y, 4)).toBeCloseTo(Math.log(4), 2);
    expect(mutualInformation(noise, 5, y, 4)).toBeLessThan(0.002);
    // Exact on a small table: x = y for half the rows, x = 1 - y otherwise -> MI 0.
    expect(mutualInformation(Int32Array.of(0, 1, 1, 0), 2, Int32Array.of(0, 1, 0, 1), 2)).toBe(0);
  });

  function synthetic(n: number) {
    const rng = new Rng(7);
    const cols = Array.from({ length: 6 }, () => Float64Array.from({ length: n }, () => rng.normal()));
    // Only s0 and s1 matter; s1 only through an interaction-free threshold.
    const y = Float64Array.from(
      { length: n },
      (_, i) => 2 * cols[0][i] + (cols[1][i] > 0 ? 1.5 : 0) + rng.normal() * 0.3,
    );
    return new Frame([
      ...cols.map((v, j) => numericColumn(`s${j}`, v)),
      numericColumn('const', new Float64Array(n).fill(3)),
      categoricalFromStrings(
        'one',
        Array.from({ length: n }, () => 'x'),
      ),
      numericColumn('y', y, 'target'),
    ]);
  }

  for (const method of ['mutual-info', 'importance'])
    it(`${method} keeps the informative columns`, () => {
      const f = synthetic(3000);
      const t = asTransformer(
        selectFeatures.fit(f, { method, keep: 0.25 }, { seed: 1, target: targetInfo(f, 'y', 'regression') }),
      );
      expect(
        t
          .transform(f, { training: false })
          .features()
          .map((c) => c.name)
          .sort(),
      ).toEqual(['s0', 's1']);
    });

  it('variance drops constant columns only', () => {
    const f = synthetic(200);
    const t = asTransformer(selectFeatures.fit(f, { method: 'variance' }, { seed: 1 }));
    expect((t as unknown as { dropped: string[] }).dropped).toEqual(['const', 'one']);
  });

  it('keeps the technique contract', () => {
    const f = mixedFrame(120).drop(['when', 'notes']);
    checkTechnique(selectFeatures, [
      { name: 'mi', frame: f, params: { keep: 0.5 }, ctx: { target: targetInfo(f, 'amount', 'regression') } },
      { name: 'var', frame: f, params: { method: 'variance' } },
    ]);
  });

  it('discretize puts ties in one bin and missing values in their own', () => {
    const d = discretize(numericColumn('x', Float64Array.of(1, 1, 1, 2, 3, NaN)), 4);
    expect(d.codes[0]).toBe(d.codes[1]);
    expect(d.codes[5]).toBe(d.levels - 1);
  });
});
