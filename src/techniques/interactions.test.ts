import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { mixedFrame, unseenFrame } from '../../test/frames.js';
import { Frame, numericColumn } from '../data/frame.js';
import { Rng } from '../engine/random.js';
import { rmse } from '../evaluate/metrics.js';
import { fitPipeline } from './pipeline.js';
import { targetInfo } from './target.js';
import { interactions } from './index.js';

describe('interactions', () => {
  it('keeps the technique contract', () => {
    const f = mixedFrame(100).drop(['when', 'notes']);
    checkTechnique(interactions, [
      {
        name: 'pairs',
        frame: f,
        apply: unseenFrame().drop(['when', 'notes']),
        params: { maxPairs: 2 },
        ctx: { target: targetInfo(f, 'amount', 'regression') },
      },
    ]);
  });

  it('finds the product that drives the target and lets a linear model fit it', () => {
    const rng = new Rng(8);
    const n = 2000;
    const cols = Array.from({ length: 4 }, () => Float64Array.from({ length: n }, () => rng.normal()));
    const y = Float64Array.from({ length: n }, (_, i) => 3 * cols[1][i] * cols[3][i] + cols[0][i] + 0.1 * rng.normal());
    const f = new Frame([...cols.map((v, j) => numericColumn(`v${j}`, v)), numericColumn('y', y, 'target')]);
    const plain = fitPipeline(
      f,
      { steps: [{ technique: 'linear', params: { l2: 0 } }] },
      { target: 'y', task: 'regression' },
    );
    const withPair = fitPipeline(
      f,
      {
        steps: [
          { technique: 'interactions', params: { maxPairs: 1 } },
          { technique: 'linear', params: { l2: 0 } },
        ],
      },
      { target: 'y', task: 'regression' },
    );
    expect(withPair.journal[0].added).toEqual(['v1_x_v3']);
    const err = (p: typeof plain) => rmse(y, p.pipeline.predict(f).values as Float64Array);
    expect(err(withPair)).toBeLessThan(0.15);
    expect(err(plain)).toBeGreaterThan(2);
  });
});
