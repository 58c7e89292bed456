import { describe, expect, it } from 'vitest';
import { diabetesModel, readDataset } from '../../test/frames.js';
import { numericColumn, type Frame } from '../data/frame.js';
import { defaultPipeline } from '../techniques/defaults.js';
import { fitPipeline } from '../techniques/pipeline.js';
import { partialDependence } from './partial-dependence.js';

describe('partial dependence', () => {
  it('of an additive model is a straight line whose slope is the one-row effect (insurance, ridge)', async () => {
    const d = await readDataset('insurance.csv');
    const { pipeline } = fitPipeline(d, defaultPipeline('linear'), { target: 'charges', task: 'regression', seed: 1 });
    const x = d.drop(['charges']);
    const predict = (f: Frame) => pipeline.predict(f).values as Float64Array;
    const pd = partialDependence(predict, x, 'age', 10);
    expect(pd.grid.length).toBeGreaterThan(5);
    const one = x.take([0]);
    const age = (one.get('age') as { values: Float64Array }).values[0];
    const slope =
      predict(one.with(numericColumn('age', Float64Array.of(age + 1))))[0] -
      predict(one.with(numericColumn('age', Float64Array.of(age))))[0];
    for (let g = 1; g < pd.grid.length; g++) {
      const s = (pd.average[g] - pd.average[g - 1]) / ((pd.grid[g] as number) - (pd.grid[g - 1] as number));
      expect(s).toBeCloseTo(slope, 6);
    }
    const smoker = partialDependence(predict, x, 'smoker');
    expect([...smoker.grid].sort()).toEqual(['no', 'yes']);
  });

  it('equals setting the value row by row and averaging (gbdt on diabetes, the naive twin)', async () => {
    const { x, positive: predict } = await diabetesModel(
      30,
      Array.from({ length: 60 }, (_, i) => i * 9),
    );
    const pd = partialDependence(predict, x, 'Glucose', 8);
    pd.grid.forEach((v, g) => {
      let s = 0;
      for (let i = 0; i < x.nRows; i++) {
        const row = x.take([i]);
        s += predict(row.with(numericColumn('Glucose', Float64Array.of(v as number))))[0];
      }
      expect(pd.average[g]).toBeCloseTo(s / x.nRows, 12);
    });
    // Glucose raises the risk: the curve ends higher than it starts.
    expect(pd.average[pd.average.length - 1]).toBeGreaterThan(pd.average[0]);
  });
});
