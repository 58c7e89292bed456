import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { encodedFor, mixedFrame, unseenFrame } from '../../test/frames.js';
import { Frame, numericColumn, categoricalFromStrings } from '../data/frame.js';
import { targetInfo } from './target.js';
import { knn } from './index.js';
import { asModel } from './util.js';

const encoded = (fit: Frame, f: Frame, target: string, task: 'binary' | 'regression') =>
  encodedFor('knn', fit, f, target, task);

describe('knn keeps the technique contract', () => {
  const base = mixedFrame(120);
  for (const weights of ['uniform', 'distance'])
    it(`regression and classification, ${weights} weights`, () => {
      const reg = encoded(base, base, 'amount', 'regression');
      const regApply = encoded(base, unseenFrame(), 'amount', 'regression');
      const labelled = base.withRole('amount', 'feature').withRole('label', 'target');
      const bin = encoded(labelled, labelled, 'label', 'binary');
      checkTechnique(knn, [
        {
          name: 'reg',
          frame: reg,
          apply: regApply,
          params: { k: 4, weights },
          ctx: { target: targetInfo(reg, 'amount', 'regression') },
        },
        {
          name: 'bin',
          frame: bin,
          params: { k: 7, weights, metric: 'manhattan' },
          ctx: { target: targetInfo(bin, 'label', 'binary') },
        },
      ]);
    });

  it('classifies by the majority of neighbours; distance weights trust an exact match', () => {
    const x = Float64Array.of(0, 0.1, 0.2, 5, 5.1, 5.2, 5.3);
    const labels = ['a', 'a', 'a', 'b', 'b', 'b', 'b'];
    const f = new Frame([numericColumn('x', x), categoricalFromStrings('y', labels, 'target')]);
    const ctx = { seed: 1, target: targetInfo(f, 'y', 'binary') };
    const q = new Frame([numericColumn('x', Float64Array.of(0.05, 4.9, 0.2))]);
    const uniform = asModel(knn.fit(f, { k: 3 }, ctx)).predict(q).proba as Float64Array;
    expect(Array.from(uniform)).toEqual([1, 0, 0, 1, 1, 0]);
    const wide = asModel(knn.fit(f, { k: 7, weights: 'distance' }, ctx)).predict(q).proba as Float64Array;
    // 0.2 is a training row: with distance weights it alone decides.
    expect(Array.from(wide.subarray(4, 6))).toEqual([1, 0]);
    expect(wide[0]).toBeGreaterThan(0.9);
  });
});
