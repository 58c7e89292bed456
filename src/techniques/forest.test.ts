import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { mixedFrame, readDataset, unseenFrame } from '../../test/frames.js';
import { categoricalFromStrings, Frame, numericColumn } from '../data/frame.js';
import { auc, rmse } from '../evaluate/metrics.js';
import { holdoutSplit } from '../evaluate/split.js';
import { fitPipeline } from './pipeline.js';
import { targetInfo } from './target.js';
import { datetimeParts, dropColumns, extraTrees, randomForest } from './index.js';
import { asModel, asTransformer } from './util.js';

function treeReady(fit: Frame, f: Frame): Frame {
  const drop = asTransformer(dropColumns.fit(fit, {}, { seed: 1 }));
  const dates = asTransformer(datetimeParts.fit(drop.transform(fit, { training: false }), {}, { seed: 1 }));
  return dates.transform(drop.transform(f, { training: false }), { training: false });
}

for (const technique of [randomForest, extraTrees])
  describe(`${technique.id} keeps the technique contract`, () => {
    const train = treeReady(mixedFrame(200), mixedFrame(200));
    const unseen = treeReady(mixedFrame(200), unseenFrame());
    const small = { nTrees: 6 };
    it('regression', () =>
      checkTechnique(technique, [
        {
          name: 'reg',
          frame: train,
          apply: unseen,
          params: small,
          ctx: { target: targetInfo(train, 'amount', 'regression') },
        },
      ]));
    it('binary, with balanced class weights', () => {
      const f = train.withRole('amount', 'feature').withRole('label', 'target');
      const u = unseen.withRole('amount', 'feature').withRole('label', 'target');
      checkTechnique(technique, [
        { name: 'bin', frame: f, apply: u, params: small, ctx: { target: targetInfo(f, 'label', 'binary') } },
        {
          name: 'bin-balanced',
          frame: f,
          params: { ...small, classWeight: 'balanced', maxDepth: 4 },
          ctx: { target: targetInfo(f, 'label', 'binary') },
        },
      ]);
    });
    it('multiclass', () => {
      const f = train.withRole('color', 'target');
      const rows = Array.from({ length: f.nRows }, (_, i) => i).filter(
        (i) => (f.get('color') as { codes: Int32Array }).codes[i] >= 0,
      );
      const g = f.take(rows);
      checkTechnique(technique, [
        { name: 'multi', frame: g, params: small, ctx: { target: targetInfo(g, 'color', 'multiclass') } },
      ]);
    });
  });

describe('forests learn', () => {
  it('a random forest of stumps finds the step (known answer)', () => {
    const x = Float64Array.from({ length: 200 }, (_, i) => i);
    const y = Float64Array.from(x, (v) => (v < 100 ? 1 : 5));
    const f = new Frame([numericColumn('x', x), numericColumn('y', y, 'target')]);
    const m = asModel(
      randomForest.fit(
        f,
        { nTrees: 5, maxDepth: 1, bootstrap: false },
        { seed: 1, target: targetInfo(f, 'y', 'regression') },
      ),
    );
    expect(rmse(y, m.predict(f).values as Float64Array)).toBe(0);
  });

  it('separates categories natively', () => {
    const cats = Array.from({ length: 300 }, (_, i) => ['a', 'b', 'c', 'd', 'e', 'f'][i % 6]);
    const y = Float64Array.from(cats, (c) => (c === 'b' || c === 'e' ? 10 : 0));
    const f = new Frame([categoricalFromStrings('c', cats), numericColumn('y', y, 'target')]);
    for (const t of [randomForest, extraTrees]) {
      const m = asModel(t.fit(f, { nTrees: 10 }, { seed: 1, target: targetInfo(f, 'y', 'regression') }));
      expect(rmse(y, m.predict(f).values as Float64Array)).toBeLessThan(1e-9);
    }
  });

  it('reaches scikit-learn-level holdout AUC on Telco churn, with an out-of-bag estimate', async () => {
    const telco = (await readDataset('WA_Fn-UseC_-Telco-Customer-Churn.csv')).drop(['customerID']);
    const y = targetInfo(telco.withRole('Churn', 'target'), 'Churn', 'binary').y;
    const { train, test } = holdoutSplit(telco.nRows, 0.2, 1, y);
    for (const [id, floor] of [
      ['random-forest', 0.8],
      ['extra-trees', 0.78],
    ] as const) {
      const spec = { steps: [{ technique: id, params: { nTrees: 100, minSamplesLeaf: 3, oobScore: true } }] };
      const { pipeline } = fitPipeline(telco.take(train), spec, { target: 'Churn', task: 'binary', seed: 2 });
      const p = pipeline.predict(telco.take(test)).proba as Float64Array;
      const s = Float64Array.from({ length: test.length }, (_, i) => p[2 * i + 1]);
      expect(
        auc(
          Float64Array.from(test, (r) => y[r]),
          s,
        ),
      ).toBeGreaterThan(floor);
      const d = pipeline.model.describe?.() as { oobScore: number | null };
      if (id === 'random-forest') expect(d.oobScore).toBeGreaterThan(0.75);
      // Extra trees see every row: nothing is out of bag.
      else expect(d.oobScore).toBeNull();
    }
  });
});
