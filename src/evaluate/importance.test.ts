import { describe, expect, it } from 'vitest';
import { readDataset } from '../../test/frames.js';
import { Frame, numericColumn } from '../data/frame.js';
import { Rng } from '../engine/random.js';
import { fitPipeline } from '../techniques/pipeline.js';
import { defaultPipeline } from '../techniques/defaults.js';
import { targetInfo } from '../techniques/target.js';
import { permutationImportance } from './importance.js';
import { holdoutSplit } from './split.js';
import { metricSpec } from './metrics.js';

describe('permutation importance', () => {
  it('equals shuffling each column by hand through a fitted pipeline on diabetes (AUC and log loss)', async () => {
    const data = await readDataset('diabetes.csv');
    const y = targetInfo(data.withRole('Outcome', 'target'), 'Outcome', 'binary').y;
    const { train, test } = holdoutSplit(data.nRows, 0.3, 1, y);
    const { pipeline } = fitPipeline(data.take(train), defaultPipeline('gbdt', { numRounds: 30 }), {
      target: 'Outcome',
      task: 'binary',
      seed: 1,
    });
    const held = data.take(test).drop(['Outcome']);
    const yTest = Float64Array.from(test, (r) => y[r]);
    const columns = held.columns.map((c) => c.name);
    const predict = (f: Frame) => {
      const p = pipeline.predict(f);
      return { proba: p.proba, k: 2 };
    };
    for (const name of ['auc', 'logloss']) {
      const metric = metricSpec(name, 'binary');
      const got = permutationImportance(predict, held, yTest, metric, columns, { repeats: 3, seed: 7 });
      // The naive twin: the same shuffles, each column rebuilt cell by cell.
      const rng = new Rng(7);
      const base = metric.compute(yTest, predict(held));
      expect(got.baseline).toBe(base);
      for (const name of columns) {
        const values = (held.get(name) as { values: Float64Array }).values;
        const falls: number[] = [];
        for (let r = 0; r < 3; r++) {
          const perm = rng.shuffle(Int32Array.from({ length: held.nRows }, (_, i) => i));
          const shuffled = new Float64Array(held.nRows);
          for (let i = 0; i < held.nRows; i++) shuffled[i] = values[perm[i]];
          const s = metric.compute(yTest, predict(held.with(numericColumn(name, shuffled))));
          falls.push(metric.higherIsBetter ? base - s : s - base);
        }
        const mean = falls.reduce((a, b) => a + b, 0) / 3;
        const row = got.columns.find((c) => c.column === name);
        expect(row?.importance).toBeCloseTo(mean, 12);
      }
      // Glucose drives diabetes: the most important column whichever metric.
      expect(got.columns[0].column).toBe('Glucose');
      expect(got.columns[0].importance).toBeGreaterThan(0.05);
    }
  });

  it('gives exactly zero to a column the model never reads', () => {
    const rng = new Rng(2);
    const a = Float64Array.from({ length: 200 }, () => rng.normal());
    const b = Float64Array.from({ length: 200 }, () => rng.normal());
    const y = Float64Array.from(a, (v) => v + 0.1 * rng.normal());
    const metric = metricSpec('rmse', 'regression');
    const data = new Frame([numericColumn('a', a), numericColumn('b', b)]);
    const got = permutationImportance(
      (fr) => ({ values: (fr.get('a') as { values: Float64Array }).values, k: 1 }),
      data,
      y,
      metric,
      ['a', 'b'],
      { repeats: 4 },
    );
    expect(got.columns[0].column).toBe('a');
    expect(got.columns[0].importance).toBeGreaterThan(1);
    expect(got.columns[1]).toMatchObject({ column: 'b', importance: 0, std: 0 });
  });
});
