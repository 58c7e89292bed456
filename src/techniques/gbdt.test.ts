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

  it('needs depth 2 for XOR: stumps cannot fit it, one depth-2 tree fits it exactly', () => {
    // a and b independent (b = 1 in 70 % of rows, so the first split has something to gain).
    const n = 1000;
    const a = Float64Array.from({ length: n }, (_, i) => i % 2);
    const b = Float64Array.from({ length: n }, (_, i) => (Math.floor(i / 2) % 10 < 7 ? 1 : 0));
    const y = Float64Array.from(a, (v, i) => (v !== b[i] ? 1 : 0));
    const f = new Frame([numericColumn('a', a), numericColumn('b', b), numericColumn('y', y, 'target')]);
    const fit = (maxDepth: number, numRounds: number) =>
      asModel(
        gbdt.fit(
          f,
          { numRounds, maxDepth, learningRate: 1, minSamplesLeaf: 1, earlyStopping: 'off' },
          { seed: 1, target: targetInfo(f, 'y', 'regression') },
        ),
      ).predict(f).values as Float64Array;
    // Stumps add up functions of one variable; the interaction -2(a - 1/2)(b - 7/10) is orthogonal
    // to all of them, so the best they reach is its RMSE, 2 sqrt(Var a Var b).
    expect(rmse(y, fit(1, 50))).toBeCloseTo(2 * Math.sqrt(0.25 * 0.21), 6);
    expect(rmse(y, fit(2, 1))).toBeLessThan(1e-12);
  });

  it('gives a constant model for a constant target (no splits)', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const f = new Frame([numericColumn('x', x), numericColumn('y', new Float64Array(100).fill(3.25), 'target')]);
    const m = asModel(gbdt.fit(f, { numRounds: 10 }, { seed: 1, target: targetInfo(f, 'y', 'regression') }));
    expect(Array.from(m.predict(f).values as Float64Array).every((v) => v === 3.25)).toBe(true);
    const imp = (m as unknown as { importance(): { splits: number }[] }).importance();
    expect(imp.every((r) => r.splits === 0)).toBe(true);
  });

  it('splits a high-cardinality category natively better than the same model on one-hot columns', () => {
    // 200 categories, each with its own effect; one-hot needs a split per category.
    const rng = (() => {
      let s = 99;
      return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    })();
    const effect = Array.from({ length: 200 }, () => rng() * 10);
    const make = (n: number) => {
      const cats: string[] = [];
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const c = Math.floor(rng() * 200);
        cats.push(`c${c}`);
        y[i] = effect[c] + rng() - 0.5;
      }
      return new Frame([categoricalFromStrings('c', cats), numericColumn('y', y, 'target')]);
    };
    const train = make(8000);
    const test = make(2000);
    const params = { numRounds: 60, maxLeaves: 16, learningRate: 0.2, earlyStopping: 'off' };
    const native = fitPipeline(
      train,
      { steps: [{ technique: 'gbdt', params }] },
      { target: 'y', task: 'regression', seed: 1 },
    );
    const onehot = fitPipeline(
      train,
      {
        steps: [
          { technique: 'one-hot', params: { minFrequency: 1, maxCategories: 1000 } },
          { technique: 'gbdt', params },
        ],
      },
      { target: 'y', task: 'regression', seed: 1 },
    );
    const yTest = (test.get('y') as { values: Float64Array }).values;
    const rNative = rmse(yTest, native.pipeline.predict(test).values as Float64Array);
    const rOneHot = rmse(yTest, onehot.pipeline.predict(test).values as Float64Array);
    // Noise alone is uniform on [-0.5, 0.5]: RMSE 0.29.
    expect(rNative).toBeLessThan(0.4);
    expect(rNative).toBeLessThan(0.5 * rOneHot);
  });

  it('explains predictions: TreeSHAP contributions sum to the raw score within 1e-9', async () => {
    const bank = (await readDataset('bank-full.csv')).take(Int32Array.from({ length: 3000 }, (_, i) => i * 15));
    const { pipeline } = fitPipeline(
      bank,
      { steps: [{ technique: 'gbdt', params: { numRounds: 30, earlyStopping: 'off' } }] },
      { target: 'y', task: 'binary', seed: 1 },
    );
    const model = pipeline.model as unknown as {
      raw(f: Frame): Float64Array;
      contributions(f: Frame): { values: Float64Array; features: string[]; outputs: number };
    };
    const rows = bank.take(Int32Array.from({ length: 200 }, (_, i) => i));
    const raw = model.raw(rows);
    const c = model.contributions(rows);
    expect(c.features).toHaveLength(16);
    const stride = c.features.length + 1;
    for (let i = 0; i < rows.nRows; i++) {
      let sum = 0;
      for (let j = 0; j < stride; j++) sum += c.values[i * stride + j];
      expect(Math.abs(sum - raw[i])).toBeLessThan(1e-9);
    }
  });
});
