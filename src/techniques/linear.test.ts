import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { mixedFrame, readDataset, unseenFrame } from '../../test/frames.js';
import { Frame, numericColumn, categoricalFromStrings } from '../data/frame.js';
import { logisticObjective } from '../engine/linear-loss.js';
import { fitPipeline } from './pipeline.js';
import { targetInfo } from './target.js';
import { dropColumns, impute, linear, oneHot, standardScale, datetimeParts } from './index.js';
import { asModel, asTransformer } from './util.js';
import type { Technique } from './contract.js';

/** mixedFrame made numeric and complete by the preprocessing steps, fitted on `fit`. */
function numericReady(fit: Frame, f: Frame): Frame {
  let a = fit;
  let b = f;
  for (const t of [dropColumns, datetimeParts, impute, standardScale, oneHot] as Technique[]) {
    const fitted = asTransformer(t.fit(a, {}, { seed: 1 }));
    a = fitted.transform(a, { training: false });
    b = fitted.transform(b, { training: false });
  }
  return b;
}

describe('linear keeps the technique contract', () => {
  const train = numericReady(mixedFrame(200), mixedFrame(200));
  const unseen = numericReady(mixedFrame(200), unseenFrame());
  it('regression (exact ridge)', () =>
    checkTechnique(linear, [
      { name: 'reg', frame: train, apply: unseen, ctx: { target: targetInfo(train, 'amount', 'regression') } },
    ]));
  it('binary and balanced class weights', () => {
    const f = train.withRole('amount', 'feature').withRole('label', 'target');
    const u = unseen.withRole('amount', 'feature').withRole('label', 'target');
    const ctx = { target: targetInfo(f, 'label', 'binary') };
    checkTechnique(linear, [
      { name: 'bin', frame: f, apply: u, ctx },
      { name: 'balanced', frame: f, params: { classWeight: 'balanced', l2: 0.1 }, ctx },
    ]);
  });
  it('multiclass', () => {
    const n = 240;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
    const z = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 1.7));
    const cls = Array.from({ length: n }, (_, i) => (x[i] + z[i] > 1 ? 'hi' : x[i] + z[i] < -1 ? 'lo' : 'mid'));
    const f = new Frame([numericColumn('x', x), numericColumn('z', z), categoricalFromStrings('c', cls, 'target')]);
    checkTechnique(linear, [{ name: 'multi', frame: f, ctx: { target: targetInfo(f, 'c', 'multiclass') } }]);
  });
});

describe('linear solves its problems', () => {
  it('ridge matches the normal equations solved by Gaussian elimination', () => {
    const n = 50;
    const x1 = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const x2 = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.3) + i / n);
    const y = Float64Array.from({ length: n }, (_, i) => 2 * x1[i] - x2[i] + 0.5 + Math.sin(i * 7) * 0.1);
    const f = new Frame([numericColumn('a', x1), numericColumn('b', x2), numericColumn('y', y, 'target')]);
    const m = asModel(linear.fit(f, { l2: 0.3 }, { seed: 1, target: targetInfo(f, 'y', 'regression') }));
    const d = m.describe?.() as { coefficients: { value: Record<string, number> }; intercepts: number[] };
    // Oracle: [X 1]'[X 1] + diag(l2, l2, 0) solved directly.
    const rows = Array.from({ length: n }, (_, i) => [x1[i], x2[i], 1]);
    const A = [0, 1, 2].map((r) =>
      [0, 1, 2].map((c) => rows.reduce((s, v) => s + v[r] * v[c], 0) + (r === c && r < 2 ? 0.3 : 0)),
    );
    const b = [0, 1, 2].map((r) => rows.reduce((s, v, i) => s + v[r] * y[i], 0));
    for (let k = 0; k < 3; k++)
      for (let i = k + 1; i < 3; i++) {
        const q = A[i][k] / A[k][k];
        for (let j = k; j < 3; j++) A[i][j] -= q * A[k][j];
        b[i] -= q * b[k];
      }
    const sol = [0, 0, 0];
    for (let i = 2; i >= 0; i--)
      sol[i] = (b[i] - [0, 1, 2].filter((j) => j > i).reduce((s, j) => s + A[i][j] * sol[j], 0)) / A[i][i];
    expect(d.coefficients.value.a).toBeCloseTo(sol[0], 9);
    expect(d.coefficients.value.b).toBeCloseTo(sol[1], 9);
    expect(d.intercepts[0]).toBeCloseTo(sol[2], 9);
  });

  it('logistic regression matches Newton-Raphson on a small problem', () => {
    const n = 120;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) * 2);
    const yv = Float64Array.from({ length: n }, (_, i) => (x[i] + Math.cos(i * 5) > 0.3 ? 1 : 0));
    const f = new Frame([
      numericColumn('x', x),
      categoricalFromStrings(
        'y',
        Array.from(yv, (v) => (v ? 'b' : 'a')),
        'target',
      ),
    ]);
    const m = asModel(linear.fit(f, { l2: 0.5 }, { seed: 1, target: targetInfo(f, 'y', 'binary') }));
    const d = m.describe?.() as { coefficients: { b: Record<string, number> }; intercepts: number[] };
    // Newton on (w, b): gradient and Hessian of sum loss + 0.5 * l2 * w².
    let w = 0;
    let b = 0;
    for (let it = 0; it < 50; it++) {
      let gw = 0.5 * w;
      let gb = 0;
      let hww = 0.5;
      let hwb = 0;
      let hbb = 0;
      for (let i = 0; i < n; i++) {
        const q = 1 / (1 + Math.exp(-(w * x[i] + b)));
        gw += (q - yv[i]) * x[i];
        gb += q - yv[i];
        const s = q * (1 - q);
        hww += s * x[i] * x[i];
        hwb += s * x[i];
        hbb += s;
      }
      const det = hww * hbb - hwb * hwb;
      w -= (hbb * gw - hwb * gb) / det;
      b -= (-hwb * gw + hww * gb) / det;
    }
    expect(d.coefficients.b.x).toBeCloseTo(w, 6);
    expect(d.intercepts[0]).toBeCloseTo(b, 6);
  });

  it('reaches a stationary point on bank-full (max gradient below 1e-6) with AUC above 0.9', async () => {
    const bank = await readDataset('bank-full.csv');
    const spec = {
      steps: ['drop-columns', 'impute', 'standard-scale', 'one-hot', 'linear'].map((technique) => ({ technique })),
    };
    const { pipeline } = fitPipeline(bank, spec, { target: 'y', task: 'binary', seed: 1 });
    const features = pipeline.transform(bank);
    const model = pipeline.model as unknown as {
      coef: Float64Array;
      intercept: Float64Array;
      inputs: string[];
      converged: boolean;
    };
    expect(model.converged).toBe(true);
    const X = new Float64Array(bank.nRows * model.inputs.length);
    model.inputs.forEach((name, j) => {
      const c = features.get(name) as { values: Float64Array };
      for (let i = 0; i < bank.nRows; i++) X[i * model.inputs.length + j] = c.values[i];
    });
    const y = targetInfo(bank.withRole('y', 'target'), 'y', 'binary').y;
    const g = new Float64Array(model.inputs.length + 1);
    logisticObjective({ X, n: bank.nRows, p: model.inputs.length, y, l2: 1, fitIntercept: true })(
      Float64Array.of(...model.coef, model.intercept[0]),
      g,
    );
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-6);
  });

  it('says which column needs which step', () => {
    const f = mixedFrame(30);
    expect(() => linear.fit(f, {}, { seed: 1, target: targetInfo(f, 'amount', 'regression') })).toThrow(
      /column "x" has missing values \(row 5\); put impute/,
    );
    const g = new Frame([
      categoricalFromStrings('c', ['a', 'b', 'a']),
      numericColumn('y', Float64Array.of(1, 2, 3), 'target'),
    ]);
    expect(() => linear.fit(g, {}, { seed: 1, target: targetInfo(g, 'y', 'regression') })).toThrow(
      /column "c" is categorical; put one-hot/,
    );
  });
});
