import { describe, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { encodedFor, mixedFrame, unseenFrame } from '../../test/frames.js';
import type { Frame } from '../data/frame.js';
import { targetInfo } from './target.js';
import { mlp } from './index.js';

const encoded = (fit: Frame, f: Frame, target: string, task: 'binary' | 'regression') =>
  encodedFor('mlp', fit, f, target, task);

describe('mlp keeps the technique contract', () => {
  const base = mixedFrame(150);
  it('regression (standardised target), binary with dropout and layer norm', () => {
    const reg = encoded(base, base, 'amount', 'regression');
    const labelled = base.withRole('amount', 'feature').withRole('label', 'target');
    const bin = encoded(labelled, labelled, 'label', 'binary');
    checkTechnique(mlp, [
      {
        name: 'reg',
        frame: reg,
        apply: encoded(base, unseenFrame(), 'amount', 'regression'),
        params: { units: 8, maxEpochs: 20 },
        ctx: { target: targetInfo(reg, 'amount', 'regression') },
      },
      {
        name: 'bin',
        frame: bin,
        params: { units: 6, hiddenLayers: 2, dropout: 0.2, layerNorm: true, maxEpochs: 15, classWeight: 'balanced' },
        ctx: { target: targetInfo(bin, 'label', 'binary') },
      },
    ]);
  });
});
