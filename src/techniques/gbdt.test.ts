import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { mixedFrame, readDataset, unseenFrame } from '../../test/frames.js';
import { Frame, numericColumn, categoricalFromStrings } from '../data/frame.js';
import { auc, rmse } from '../evaluate/metrics.js';
import { holdoutSplit } from '../evaluate/split.js';
import { fitPipeline } from './pipeline.js';
import { targetInfo } from './target.js';
import { datetimeParts, dropColumns, gbdt } from './index.js';
import { asModel, asTransformer } from './util.js';

/** Dates expanded and text dropped (fitted on `fit`), so gbdt sees numbers and categories. */
function treeReady(fit: Frame, f: Frame): Frame {
  const drop = asTransformer(dropColumns.fit(fit, {}, { seed: 1 }));
  const dates = asTransformer(datetimeParts.fit(drop.transform(fit, { training: false }), {}, { seed: 1 }));
  return dates.transform(drop.transform(f, { training: false }), { training: false });
}

describe('gbdt keeps the technique contract', () => {
  const train = treeReady(mixedFrame(300), mixedFrame(300));
  const unseen = treeReady(mixedFrame(300), unseenFrame());
  const small = { numRounds: 15, minSamplesLeaf: 5 };
  it('regression', () =>
    checkTechnique(gbdt, [
      {
        name: 'reg',
        frame: train,
        apply: unseen,
        params: small,
        ctx: { target: targetInfo(train, 'amount', 'regression') },
      },
    ]));
  it('binary', () => {
    const f = train.withRole('amount', 'feature').withRole('label', 'target');
    const u = unseen.withRole('amount', 'feature').withRole('label', 'target');
    checkTechnique(gbdt, [
      { name: 'bin', frame: f, apply: u, params: small, ctx: { target: targetInfo(f, 'label', 'binary') } },
    ]);
  });
  it('multiclass', () => {
    const f = train.withRole('color', 'target');
    const rows = Array.from({ length: f.nRows }, (_, i) => i).filter(
      (i) => (f.get('color') as { codes: Int32Array }).codes[i] >= 0,
    );
    const g = f.take(rows);
    checkTechnique(gbdt, [
      {
        name: 'multi',
        frame: g,
        params: { ...small, minSamplesLeaf: 2 },
        ctx: { target: targetInfo(g, 'color', 'multiclass') },
      },
    ]);
  });
  it('poisson and l1 objectives', () => {
    checkTechnique(gbdt, [
      {
        name: 'poisson',
        frame: train,
        params: { ...small, objective: 'poisson' },
        ctx: {
          target: targetInfo(
            train.with(
              numericColumn(
                'amount',
                (train.get('amount') as { values: Float64Array }).values.map((v) => Math.abs(Math.round(v))),
                'target',
              ),
            ),
            'amount',
            'regression',
          ),
        },
      },
      {
        name: 'l1',
        frame: train,
        params: { ...small, objective: 'l1' },
        ctx: { target: targetInfo(train, 'amount', 'regression') },
      },
    ]);
  });
});

describe('gbdt learns', () => {
  it('fits a step function exactly (known answer)', () => {
    const x = Float64Array.from({ length: 200 }, (_, i) => i);
    const y = Float64Array.from(x, (v) => (v < 100 ? 1 : 5));
    const f = new Frame([numericColumn('x', x), numericColumn('y', y, 'target')]);
    const m = asModel(
      gbdt.fit(
        f,
        { numRounds: 50, learningRate: 0.5, minSamplesLeaf: 1 },
        { seed: 1, target: targetInfo(f, 'y', 'regression') },
      ),
    );
    const pred = m.predict(f).values as Float64Array;
    expect(rmse(y, pred)).toBeLessThan(1e-6);
  });

  it('splits categories natively: a target decided by category membership', () => {
    const cats = Array.from({ length: 400 }, (_, i) => ['a', 'b', 'c', 'd', 'e', 'f'][i % 6]);
    const y = Float64Array.from(cats, (c) => (c === 'b' || c === 'e' ? 10 : 0));
    const f = new Frame([categoricalFromStrings('c', cats), numericColumn('y', y, 'target')]);
    const m = asModel(
      gbdt.fit(
        f,
        { numRounds: 30, learningRate: 0.5, minSamplesLeaf: 1 },
        { seed: 1, target: targetInfo(f, 'y', 'regression') },
      ),
    );
    expect(rmse(y, m.predict(f).values as Float64Array)).toBeLessThan(1e-4);
  });

  it('routes missing values by a learned default direction', () => {
    const x = Float64Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? NaN : i));
    const y = Float64Array.from(x, (v) => (Number.isNaN(v) ? 7 : v < 150 ? 0 : 1));
    const f = new Frame([numericColumn('x', x), numericColumn('y', y, 'target')]);
    const m = asModel(
      gbdt.fit(
        f,
        { numRounds: 40, learningRate: 0.5, minSamplesLeaf: 1 },
        { seed: 1, target: targetInfo(f, 'y', 'regression') },
      ),
    );
    expect(rmse(y, m.predict(f).values as Float64Array)).toBeLessThan(1e-3);
  });

  it('reaches a good holdout AUC on bank-full and is identical across runs', async () => {
    const bank = await readDataset('bank-full.csv');
    const y = targetInfo(bank.withRole('y', 'target'), 'y', 'binary').y;
    const { train, test } = holdoutSplit(bank.nRows, 0.2, 1, y);
    const spec = {
      steps: [{ technique: 'drop-columns' }, { technique: 'gbdt', params: { numRounds: 100, earlyStopping: 'off' } }],
    };
    const a = fitPipeline(bank.take(train), spec, { target: 'y', task: 'binary', seed: 3 }).pipeline;
    const b = fitPipeline(bank.take(train), spec, { target: 'y', task: 'binary', seed: 3 }).pipeline;
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()));
    const p = a.predict(bank.take(test)).proba as Float64Array;
    const s = Float64Array.from({ length: test.length }, (_, i) => p[2 * i + 1]);
    expect(
      auc(
        Float64Array.from(test, (r) => y[r]),
        s,
      ),
    ).toBeGreaterThan(0.92);
  });
});
