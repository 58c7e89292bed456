import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { mixedFrame, readDataset, unseenFrame } from '../../test/frames.js';
import { logLoss } from '../evaluate/metrics.js';
import { holdoutSplit } from '../evaluate/split.js';
import { calibrated } from './index.js';
import { fitPipeline } from './pipeline.js';
import { targetInfo } from './target.js';

describe('calibrated', () => {
  const f = mixedFrame(200).drop(['when', 'notes']).withRole('amount', 'feature').withRole('label', 'target');
  const u = unseenFrame().drop(['when', 'notes']).withRole('amount', 'feature').withRole('label', 'target');
  for (const method of ['sigmoid', 'isotonic'])
    it(`keeps the technique contract (${method}, around naive Bayes and gbdt)`, () =>
      checkTechnique(calibrated, [
        {
          name: `nb-${method}`,
          frame: f,
          apply: u,
          params: { model: 'naive-bayes', method, folds: 3 },
          ctx: { target: targetInfo(f, 'label', 'binary') },
        },
        {
          name: `gbdt-${method}`,
          frame: f,
          params: { model: 'gbdt', modelParams: '{"numRounds": 10}', method, folds: 3 },
          ctx: { target: targetInfo(f, 'label', 'binary') },
        },
      ]));

  it('turns naive Bayes overconfidence into better holdout log loss on bank-full', async () => {
    const bank = await readDataset('bank-full.csv');
    const y = targetInfo(bank.withRole('y', 'target'), 'y', 'binary').y;
    const { train, test } = holdoutSplit(bank.nRows, 0.2, 1, y);
    const yTest = Float64Array.from(test, (r) => y[r]);
    const loss = (model: string, params = {}) => {
      const { pipeline } = fitPipeline(
        bank.take(train),
        { steps: [{ technique: model, params }] },
        { target: 'y', task: 'binary', seed: 1 },
      );
      return logLoss(yTest, pipeline.predict(bank.take(test)).proba as Float64Array, 2);
    };
    const raw = loss('naive-bayes');
    const cal = loss('calibrated', { model: 'naive-bayes', method: 'isotonic' });
    expect(cal).toBeLessThan(raw * 0.8);
  });

  it('rejects bad inner parameters with a clear message', () => {
    expect(() =>
      calibrated.fit(f, { modelParams: '{oops' }, { seed: 1, target: targetInfo(f, 'label', 'binary') }),
    ).toThrow(/modelParams must be a JSON object/);
  });
});
