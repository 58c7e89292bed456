import { describe, expect, it } from 'vitest';
import { readDataset } from '../../test/frames.js';
import { automl } from '../automl/automl.js';
import { TrialCut } from '../automl/runner.js';
import type { TrialData } from '../automl/trial.js';
import { kFoldAssignment } from '../evaluate/split.js';
import { targetInfo } from '../techniques/target.js';
import { WorkerTrialPool } from './trial-pool.js';

describe('trials on worker threads', async () => {
  const frame = await readDataset('diabetes.csv');

  it('a deterministic run gives the same bundle on 1 and 2 workers', async () => {
    const options = {
      target: 'Outcome',
      seed: 5,
      deterministicTrials: 5,
      models: ['linear', 'gbdt', 'naive-bayes'],
      ensembleSize: 8,
    };
    const one = new WorkerTrialPool(1);
    const two = new WorkerTrialPool(2);
    try {
      const a = await automl(frame, options, one);
      const b = await automl(frame, options, two);
      expect(b.bundle.fingerprint).toBe(a.bundle.fingerprint);
      expect(b.leaderboard.trials.map((t) => [t.id, t.score])).toEqual(
        a.leaderboard.trials.map((t) => [t.id, t.score]),
      );
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('cutting a running trial rejects it at once and the pool keeps working', async () => {
    const f = frame.withRole('Outcome', 'target');
    const y = targetInfo(f, 'Outcome', 'binary', ['0', '1']).y;
    const fold = kFoldAssignment(f.nRows, 3, 1, y);
    const folds = [0, 1, 2].map((k) => ({
      train: Int32Array.from({ length: f.nRows }, (_, i) => i).filter((i) => fold[i] !== k),
      test: Int32Array.from({ length: f.nRows }, (_, i) => i).filter((i) => fold[i] === k),
    }));
    const data: TrialData = {
      frame: f,
      target: 'Outcome',
      task: 'binary',
      classes: ['0', '1'],
      y,
      folds,
      holdout: new Int32Array(0),
      metric: 'auc',
      seed: 1,
    };
    const pool = new WorkerTrialPool(1);
    try {
      await pool.init(data);
      // Far more rounds than the test waits for.
      const slow = pool.run({
        id: 1,
        spec: {
          steps: [{ technique: 'gbdt', params: { numRounds: 100000, learningRate: 0.001, earlyStopping: 'off' } }],
        },
        peers: [],
        prune: false,
      });
      const queued = pool.run({ id: 2, spec: { steps: [{ technique: 'naive-bayes' }] }, peers: [], prune: false });
      await new Promise((r) => setTimeout(r, 300));
      const started = performance.now();
      pool.cancel(1);
      await expect(slow).rejects.toBeInstanceOf(TrialCut);
      const after = await queued;
      expect(performance.now() - started).toBeLessThan(20000);
      expect(after.foldScores).toHaveLength(3);
      expect(after.score).toBeGreaterThan(0.7);
    } finally {
      await pool.close();
    }
  });
});
