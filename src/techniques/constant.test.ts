import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { mixedFrame, readDataset, unseenFrame } from '../../test/frames.js';
import { categoricalFromStrings, Frame, numericColumn } from '../data/frame.js';
import { defaultPipeline } from './defaults.js';
import { constant } from './index.js';
import { fitPipeline } from './pipeline.js';
import { targetInfo } from './target.js';
import { asModel } from './util.js';

describe('constant', () => {
  const f = mixedFrame(120).withRole('amount', 'feature').withRole('label', 'target');
  const u = unseenFrame().withRole('amount', 'feature').withRole('label', 'target');
  const r = mixedFrame(120);
  const colors = f.withRole('label', 'feature').withRole('color', 'target');
  const g = colors.take(
    Array.from({ length: colors.nRows }, (_, i) => i).filter(
      (i) => (colors.get('color') as { codes: Int32Array }).codes[i] >= 0,
    ),
  );
  const w = Float64Array.from({ length: 120 }, (_, i) => 1 + (i % 5));

  it('keeps the technique contract (classes, numbers, weights, every column kind)', () =>
    checkTechnique(constant, [
      { name: 'binary', frame: f, apply: u, ctx: { target: targetInfo(f, 'label', 'binary') } },
      {
        name: 'binary-weighted',
        frame: f,
        ctx: { target: targetInfo(f, 'label', 'binary'), weights: w },
      },
      { name: 'multiclass', frame: g, ctx: { target: targetInfo(g, 'color', 'multiclass') } },
      { name: 'mean', frame: r, apply: unseenFrame(), ctx: { target: targetInfo(r, 'amount', 'regression') } },
      {
        name: 'median-weighted',
        frame: r,
        params: { strategy: 'median' },
        ctx: { target: targetInfo(r, 'amount', 'regression'), weights: w },
      },
    ]));

  const classes = new Frame([
    numericColumn('x', Float64Array.of(1, 2, 3, 4, 5)),
    categoricalFromStrings('y', ['b', 'a', 'c', 'a', 'a'], 'target'),
  ]);
  const numbers = new Frame([
    numericColumn('x', Float64Array.of(1, 2, 3, 4)),
    numericColumn('y', Float64Array.of(10, 1, 3, 2), 'target'),
  ]);
  const fit = (frame: Frame, task: 'multiclass' | 'regression', strategy?: string, weights?: Float64Array) =>
    asModel(
      constant.fit(frame, strategy ? { strategy } : {}, {
        seed: 1,
        target: targetInfo(frame, 'y', task),
        weights,
      }),
    );

  it('predicts the class shares, weighted or not (DummyClassifier prior)', () => {
    const p = fit(classes, 'multiclass').predict(classes);
    expect(p.classes).toEqual(['a', 'b', 'c']);
    expect(Array.from(p.proba as Float64Array)).toEqual(Array.from({ length: 5 }, () => [3 / 5, 1 / 5, 1 / 5]).flat());
    // Weights 1..5 by row: a has rows 2, 4, 5 (2 + 4 + 5 = 11), b row 1, c row 3; total 15.
    const pw = fit(classes, 'multiclass', 'prior', Float64Array.of(1, 2, 3, 4, 5)).predict(classes.slice(0, 1));
    expect(Array.from(pw.proba as Float64Array)).toEqual([11 / 15, 1 / 15, 3 / 15]);
    expect(fit(classes, 'multiclass', 'mean').toJSON().state).toEqual(fit(classes, 'multiclass').toJSON().state);
  });

  it('predicts the mean or the median, weighted or not (DummyRegressor)', () => {
    const value = (strategy?: string, weights?: Float64Array) =>
      (fit(numbers, 'regression', strategy, weights).predict(numbers).values as Float64Array)[3];
    // y = 10, 1, 3, 2: sum 16.
    expect(value()).toBe(16 / 4);
    expect(value('prior')).toBe(16 / 4);
    expect(value('mean')).toBe(16 / 4);
    // Sorted 1, 2, 3, 10: the two middle values averaged, as numpy's median.
    expect(value('median')).toBe(2.5);
    // Weights 1, 1, 1, 3 on y = 10, 1, 3, 2: mean (10 + 1 + 3 + 6) / 6.
    expect(value('mean', Float64Array.of(1, 1, 1, 3))).toBe(20 / 6);
    // Sorted 1 (w 1), 2 (w 3), 3 (w 1), 10 (w 1), half of 6 is 3: reached at 2 from below
    // (1 + 3 >= 3) and at 2 from above (1 + 1 + 3 >= 3). These weighted medians match
    // scikit-learn's 0.5 * (_weighted_percentile(y, w, 50) - _weighted_percentile(-y, w, 50)).
    expect(value('median', Float64Array.of(1, 1, 1, 3))).toBe(2);
    // Weights 1, 4, 1, 1: 1 holds more than half the weight from either side.
    expect(value('median', Float64Array.of(1, 4, 1, 1))).toBe(1);
    // Weights 3, 1, 1, 1 on 10, 1, 3, 2: exactly half at 10, so between 3 and 10.
    expect(value('median', Float64Array.of(3, 1, 1, 1))).toBe(6.5);
    // A zero weight takes a row out.
    expect(value('median', Float64Array.of(1, 1, 1, 0))).toBe(3);
  });

  it('reads no column and describes itself', () => {
    const m = fit(classes, 'multiclass');
    expect(m.inputs).toEqual([]);
    expect(m.describe?.()).toEqual({ strategy: 'prior', shares: { a: 3 / 5, b: 1 / 5, c: 1 / 5 } });
    expect(fit(numbers, 'regression', 'median').describe?.()).toEqual({ strategy: 'median', value: 2.5 });
  });

  it('is the survival share of titanic and the mean charge of insurance', async () => {
    const titanic = await readDataset('titanic.csv');
    const { pipeline } = fitPipeline(
      titanic,
      { steps: [{ technique: 'constant' }] },
      {
        target: 'Survived',
        task: 'binary',
      },
    );
    const y = titanic.get('Survived') as { values: Float64Array };
    const survived = y.values.reduce((a, b) => a + b, 0);
    expect(pipeline.classes).toEqual(['0', '1']);
    expect(Array.from((pipeline.predict(titanic.slice(0, 1)).proba as Float64Array).slice(0, 2))).toEqual([
      (891 - survived) / 891,
      survived / 891,
    ]);
    expect(survived).toBe(342);

    const insurance = await readDataset('insurance.csv');
    const charges = (insurance.get('charges') as { values: Float64Array }).values;
    let sum = 0;
    for (const v of charges) sum += v;
    const { pipeline: reg } = fitPipeline(
      insurance,
      { steps: [{ technique: 'constant' }] },
      {
        target: 'charges',
        task: 'regression',
      },
    );
    expect((reg.predict(insurance).values as Float64Array)[0]).toBe(sum / charges.length);
  });

  it('gets the cleaning steps but no encoding by default', () => {
    expect(defaultPipeline('constant').steps.map((s) => s.technique)).toEqual([
      'drop-columns',
      'drop-duplicates',
      'datetime-parts',
      'constant',
    ]);
  });

  it('refuses a median of classes', () => {
    expect(() => fit(classes, 'multiclass', 'median')).toThrow(/median is for numeric targets; use prior/);
  });
});
