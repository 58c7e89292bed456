import { describe, expect, it } from 'vitest';
import { readDataset } from '../../test/frames.js';
import type { Frame } from '../data/frame.js';
import { auc } from '../evaluate/metrics.js';
import { loadBundle } from '../export/bundle.js';
import { contains } from '../search/space.js';
import type { Technique } from '../techniques/contract.js';
import { register } from '../techniques/registry.js';
import { automl, planValidation, type AutomlOptions, type FinishedTrial } from './automl.js';
import { numericColumn } from '../data/frame.js';
import { portfolio } from './portfolio.js';
import { InProcessRunner } from './runner.js';
import { buildSpace, pipelineFor } from './space.js';
import { linear } from '../techniques/linear.js';

const FAST: Partial<AutomlOptions> = { models: ['linear', 'naive-bayes', 'gbdt'], ensembleSize: 10 };

async function run(frame: Frame, extra: Partial<AutomlOptions> = {}): Promise<Awaited<ReturnType<typeof automl>>> {
  return automl(
    frame,
    { target: 'Outcome', seed: 3, deterministicTrials: 6, ...FAST, ...extra },
    new InProcessRunner(),
  );
}

describe('automl search space', () => {
  it('holds every model for the task with its searchable parameters, conditional on the model', () => {
    const { space, models } = buildSpace({ task: 'binary', nRows: 1000, nCols: 10 });
    for (const m of ['linear', 'gbdt', 'random-forest', 'extra-trees', 'knn', 'naive-bayes', 'mlp'])
      expect(models).toContain(m);
    for (const m of ['calibrated', 'ensemble', 'constant']) expect(models).not.toContain(m);
    const lr = space.find((d) => d.name === 'gbdt.learningRate');
    expect(lr?.when).toEqual({ name: 'model', values: ['gbdt'] });
    expect(space.find((d) => d.name === 'target-encode.smoothing')?.when).toEqual({
      name: 'encoder',
      values: ['target-encode'],
    });
    // Regression has no naive Bayes; big data leaves k-NN out with a reason.
    expect(buildSpace({ task: 'regression', nRows: 100, nCols: 3 }).models).not.toContain('naive-bayes');
    const big = buildSpace({ task: 'binary', nRows: 100000, nCols: 3 });
    expect(big.models).not.toContain('knn');
    expect(big.skipped[0].model).toBe('knn');
  });

  it('lets a contributed technique join the search by registering, with no other change', () => {
    const contributed: Technique = {
      ...linear,
      id: 'contributed-linear',
      title: 'A contributed model',
      params: { ...linear.params, l2: { ...linear.params.l2, search: { type: 'float', low: 0.5, high: 5 } } },
    };
    register(contributed);
    const { space, models } = buildSpace({ task: 'binary', nRows: 100, nCols: 3 });
    expect(models).toContain('contributed-linear');
    expect(space.find((d) => d.name === 'contributed-linear.l2')?.dist).toEqual({ type: 'float', low: 0.5, high: 5 });
    const spec = pipelineFor({ model: 'contributed-linear', 'contributed-linear.l2': 2, encoder: 'one-hot' });
    expect(spec.steps[spec.steps.length - 1]).toMatchObject({ technique: 'contributed-linear', params: { l2: 2 } });
  });

  it('portfolio entries are points of the space; configurations map to pipelines', () => {
    const { space } = buildSpace({ task: 'binary', nRows: 1000, nCols: 10 });
    const configs = portfolio(space);
    expect(configs.length).toBeGreaterThan(5);
    for (const c of configs) expect(contains(space, c)).toBe(true);
    // A forest's "decided from the data" share of features is scikit-learn's square-root rule.
    const rf = portfolio(space, { task: 'binary', features: 16 }).find((c) => c.model === 'random-forest');
    expect(rf?.['random-forest.maxFeatures']).toBe(0.25);
    const te = pipelineFor({ model: 'linear', encoder: 'target-encode', 'target-encode.smoothing': 3 });
    const ids = te.steps.map((s) => s.technique);
    expect(ids.indexOf('target-encode')).toBeLessThan(ids.indexOf('standard-scale'));
    expect(ids.indexOf('standard-scale')).toBeLessThan(ids.indexOf('one-hot'));
    expect(te.steps.find((s) => s.technique === 'target-encode')?.params).toEqual({ smoothing: 3 });
  });
});

describe('automl on Pima diabetes', async () => {
  const frame = await readDataset('diabetes.csv');
  const first = await run(frame);

  it('runs the baseline first, then the portfolio, and measures the choice on rows the search never saw', () => {
    const { leaderboard, journal, bundle } = first;
    const trials = [...leaderboard.trials].sort((a, b) => a.id - b.id);
    expect(trials[0]).toMatchObject({ baseline: true, state: 'complete' });
    expect(trials[0].score).toBeCloseTo(0.5, 10);
    expect(trials[1].config).toMatchObject({ model: 'linear' });
    expect(journal.search.trials).toBe(6);
    expect(journal.validation.holdoutRows).toBeGreaterThan(100);
    expect(journal.validation.searchRows + journal.validation.holdoutRows).toBe(768);
    expect(journal.holdout?.score).toBeGreaterThan(0.75);
    expect(journal.holdout?.baselineScore).toBeCloseTo(0.5, 10);
    // Best first among complete trials.
    const complete = leaderboard.trials.filter((t) => t.state === 'complete');
    for (let i = 1; i < complete.length; i++) expect(complete[i - 1].score).toBeGreaterThanOrEqual(complete[i].score);
    // 614 search rows: five folds drawn three times.
    for (const t of complete) expect(t.foldScores).toHaveLength(journal.validation.plan.folds * 3);
    expect(journal.validation.plan.why).toMatch(/drawn 3 times/);
    const w = journal.ensemble.members.reduce((a, m) => a + m.weight, 0);
    expect(w).toBeCloseTo(1, 12);
    expect(bundle.metrics.cv).toMatchObject({ metric: 'auc' });
  });

  it('the bundle predicts every row and reloads from JSON to the same predictions', () => {
    const p = first.pipeline.predict(frame);
    const again = loadBundle(JSON.parse(JSON.stringify(first.bundle))).pipeline.predict(frame);
    expect(Array.from(again.proba as Float64Array)).toEqual(Array.from(p.proba as Float64Array));
    const y = Float64Array.from(
      frame.get('Outcome').kind === 'numeric' ? (frame.get('Outcome') as { values: Float64Array }).values : [],
    );
    const s = Float64Array.from({ length: frame.nRows }, (_, i) => (p.proba as Float64Array)[2 * i + 1]);
    expect(auc(y, s)).toBeGreaterThan(0.8);
  });

  it('same data, settings and seed give the same bundle', async () => {
    const second = await run(frame);
    expect(second.bundle.fingerprint).toBe(first.bundle.fingerprint);
  });

  it('a resumed run reuses finished trials and ends where an uninterrupted run ends', async () => {
    const saved: FinishedTrial[] = [];
    await run(frame, { deterministicTrials: 3, onTrial: (t) => saved.push(t) });
    const ran: number[] = [];
    const resumed = await run(frame, { resume: saved, onTrial: (t) => ran.push(t.id) });
    expect(ran.length).toBe(first.leaderboard.trials.length - saved.length);
    expect(ran.every((id) => id >= saved.length)).toBe(true);
    expect(resumed.bundle.fingerprint).toBe(first.bundle.fingerprint);
    expect(resumed.journal.search.resumed).toBe(saved.length);
  });

  it('skips pipelines whose memory estimate is over the limit, with a journal entry, and still finishes', async () => {
    const r = await run(frame, { models: ['linear', 'gbdt'], memoryLimitMB: 0.1 });
    const skipped = r.leaderboard.trials.filter((t) => t.error?.startsWith('skipped:'));
    expect(skipped.length).toBeGreaterThan(0);
    for (const t of skipped) expect(t.config.model).toBe('linear');
    expect(r.journal.warnings.join(' ')).toMatch(/memory estimate/);
    expect(r.journal.ensemble.members.every((m) => m.name.startsWith('gbdt'))).toBe(true);
  });

  it('stops the search when the budget runs out and still returns a model', async () => {
    // A clock that moves 2 s every time it is read: the budget ends after a few trials.
    let t = 0;
    const r = await automl(
      frame,
      { target: 'Outcome', seed: 1, timeBudget: 30, ...FAST, now: () => (t += 2000) },
      new InProcessRunner(),
    );
    expect(r.journal.search.trials).toBeGreaterThan(0);
    expect(r.journal.search.trials).toBeLessThan(10);
    expect(r.pipeline.predict(frame.slice(0, 5)).n).toBe(5);
  });
});

describe('automl validation design', async () => {
  const base = await readDataset('diabetes.csv');
  const n = base.nRows;
  // 60 made-up customers and a made-up week per row, to split on.
  const frame = base
    .with(
      numericColumn(
        'customer',
        Float64Array.from({ length: n }, (_, i) => (i * 7) % 60),
      ),
    )
    .with(
      numericColumn(
        'week',
        Float64Array.from({ length: n }, (_, i) => (i * 13) % 100),
      ),
    );
  const y = Float64Array.from((frame.get('Outcome') as { values: Float64Array }).values);

  it('stratified: holdout and search rows partition the data; folds partition the search rows (repeated)', () => {
    const v = planValidation(frame, y, 'binary', 1, {});
    expect(v.holdout.length + v.search.length).toBe(n);
    expect(new Set([...v.holdout, ...v.search]).size).toBe(n);
    expect(v.folds).toHaveLength(15);
    const tested = new Int32Array(n);
    for (const f of v.folds.slice(0, 5)) for (const i of f.test) tested[i]++;
    for (const i of v.search) expect(tested[i]).toBe(1);
    for (const i of v.holdout) expect(tested[i]).toBe(0);
    // Class shares kept in the holdout.
    const share = (rows: Int32Array): number => rows.reduce((a, i) => a + y[i], 0) / rows.length;
    expect(Math.abs(share(v.holdout) - share(v.search))).toBeLessThan(0.01);
  });

  it('groups never straddle the holdout or a fold', () => {
    const v = planValidation(frame, y, 'binary', 1, { groupColumn: 'customer' });
    const g = (frame.get('customer') as { values: Float64Array }).values;
    const held = new Set(Array.from(v.holdout, (i) => g[i]));
    for (const i of v.search) expect(held.has(g[i])).toBe(false);
    for (const f of v.folds) {
      const test = new Set(Array.from(f.test, (i) => g[i]));
      for (const i of f.train) expect(test.has(g[i])).toBe(false);
    }
  });

  it('time: the holdout is the latest rows and every fold trains on the past only', () => {
    const v = planValidation(frame, y, 'binary', 1, { timeColumn: 'week' });
    const t = (frame.get('week') as { values: Float64Array }).values;
    const latestSearch = Math.max(...Array.from(v.search, (i) => t[i]));
    for (const i of v.holdout) expect(t[i]).toBeGreaterThanOrEqual(latestSearch);
    for (const f of v.folds) {
      const lastTrain = Math.max(...Array.from(f.train, (i) => t[i]));
      for (const i of f.test) expect(t[i]).toBeGreaterThan(lastTrain);
    }
  });
});
