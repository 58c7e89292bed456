import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { mixedFrame, unseenFrame } from '../../test/frames.js';
import { Frame, numericColumn } from '../data/frame.js';
import { numericTransform } from './index.js';
import { asTransformer } from './util.js';

describe('numeric-transform', () => {
  const base = mixedFrame(120).drop(['when', 'notes']);
  for (const method of ['log1p', 'quantile'])
    it(`keeps the technique contract (${method})`, () =>
      checkTechnique(numericTransform, [
        { name: method, frame: base, apply: unseenFrame().drop(['when', 'notes']), params: { method } },
      ]));

  it('quantile gives each training value its mid-rank share; log1p is signed', () => {
    const x = Float64Array.of(5, 1, 3, 3, 9, NaN);
    const f = new Frame([numericColumn('x', x)]);
    const q = asTransformer(numericTransform.fit(f, { method: 'quantile' }, { seed: 1 }));
    const out = (q.transform(f, { training: false }).get('x') as { values: Float64Array }).values;
    // Sorted 1, 3, 3, 5, 9 at shares 0, .25, .5, .75, 1; the tied 3s share the middle of their run.
    expect(Array.from(out)).toEqual([0.75, 0, 0.375, 0.375, 1, NaN]);
    const probe = new Frame([numericColumn('x', Float64Array.of(-4, 4, 100))]);
    expect(Array.from((q.transform(probe, { training: false }).get('x') as { values: Float64Array }).values)).toEqual([
      0, 0.625, 1,
    ]);
    const l = asTransformer(numericTransform.fit(f, { method: 'log1p' }, { seed: 1 }));
    const neg = new Frame([numericColumn('x', Float64Array.of(-Math.E + 1, 0, Math.E - 1))]);
    const lv = (l.transform(neg, { training: false }).get('x') as { values: Float64Array }).values;
    expect(lv[0]).toBeCloseTo(-1, 15);
    expect(lv[1]).toBe(0);
    expect(lv[2]).toBeCloseTo(1, 15);
  });
});
