import { describe, expect, it } from 'vitest';
import { categoricalFromStrings, Frame, numericColumn } from '../data/frame.js';
import { Rng } from '../engine/random.js';
import { defaultPipeline } from './defaults.js';
import { linearInOriginalUnits } from './explain.js';
import { fitPipeline } from './pipeline.js';
import './index.js';

describe('linear coefficients in original units', () => {
  it('give the same predictions from the raw columns as the pipeline does', () => {
    const rng = new Rng(6);
    const n = 300;
    const age = Float64Array.from({ length: n }, () => 20 + rng.next() * 50);
    const spend = Float64Array.from({ length: n }, () => rng.next() * 1000);
    const plan = Array.from({ length: n }, () => (rng.next() < 0.5 ? 'basic' : 'pro'));
    const y = Float64Array.from(
      { length: n },
      (_, i) => 2 * age[i] - 0.01 * spend[i] + (plan[i] === 'pro' ? 5 : 0) + rng.normal(),
    );
    const f = new Frame([
      numericColumn('age', age),
      numericColumn('spend', spend),
      categoricalFromStrings('plan', plan),
      numericColumn('y', y, 'target'),
    ]);
    const { pipeline } = fitPipeline(f, defaultPipeline('linear', { l2: 0 }), { target: 'y', task: 'regression' });
    const [u] = linearInOriginalUnits(pipeline) ?? [];
    expect(u.coefficients.age).toBeCloseTo(2, 1);
    expect(u.coefficients.spend).toBeCloseTo(-0.01, 3);
    const pred = pipeline.predict(f).values as Float64Array;
    for (let i = 0; i < 20; i++) {
      let m = u.intercept + u.coefficients.age * age[i] + u.coefficients.spend * spend[i];
      for (const [name, b] of Object.entries(u.coefficients))
        if (name.startsWith('plan') && name.endsWith(plan[i])) m += b;
      expect(m).toBeCloseTo(pred[i], 8);
    }
  });
});
