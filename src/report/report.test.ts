import { describe, expect, it } from 'vitest';
import { readDataset } from '../../test/frames.js';
import { train } from '../automl/train.js';
import { categoricalFromStrings, Frame, numericColumn } from '../data/frame.js';
import { auc } from '../evaluate/metrics.js';
import { buildReport, reportForTrain } from './report.js';

async function reportFor(file: string, target: string, model: string) {
  const frame = await readDataset(file);
  const result = train(frame, { target, model, seed: 1 });
  const report = await reportForTrain(result, file);
  if (!report) throw new Error('no holdout');
  return { report, result };
}

/** Nothing in the page may make a request: no script, stylesheet, frame or remote source. */
function expectOffline(html: string): void {
  expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
  // url(#id) is an SVG reference inside the page (a legend's gradient), not a request.
  expect(html).not.toMatch(/<script|<link|<iframe|<img|url\((?!#)/i);
  expect(html).not.toMatch(/\s(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
}

/** The report of a model trained on diabetes, built with the given report options. */
async function diabetesReport(model: string, options: { explainRows?: number; budgetMs?: number }) {
  const result = train(await readDataset('diabetes.csv'), { target: 'Outcome', model, seed: 1 });
  const h = result.holdout;
  if (!h) throw new Error('no holdout');
  return buildReport({
    target: 'Outcome',
    task: 'binary',
    classes: result.journal.classes,
    rows: result.bundle.training.rows,
    holdout: h,
    measured: h.pipeline,
    final: result.pipeline,
    steps: result.journal.steps,
    warnings: [],
    seed: 1,
    ...options,
  });
}

describe('report', () => {
  it('explains a sample of a large holdout and says so', async () => {
    const report = await diabetesReport('linear', { explainRows: 100 });
    expect(report.markdown).toContain('shuffled among the 100 (an evenly spread sample of the 154) held-out rows');
    expect(report.markdown).toContain('the average over the 100 sampled rows is');
    expect(report.charts).toBe(9);
  });

  it('keeps a budget it cannot afford as short as it can: the fewest rows, and TreeSHAP left out with the reason', async () => {
    const report = await diabetesReport('gbdt', { budgetMs: 1 });
    expect(report.markdown).toContain('shuffled among the 100 (an evenly spread sample of the 154) held-out rows');
    expect(report.markdown).toMatch(/Exact TreeSHAP contributions are left out of this report: at [\d.e-]+ ms a row/);
    expect(report.charts).toBe(9);
  });

  it('binary: summary in plain language with the holdout AUC and its interval, ten charts as inline SVG (TreeSHAP for gbdt), offline', async () => {
    const { report, result } = await reportFor('diabetes.csv', 'Outcome', 'gbdt');
    const auc = (result.journal.validation?.metrics.auc as number).toFixed(3);
    expect(report.markdown).toContain(`(AUC ${auc}; 95% interval`);
    expect(report.markdown).toMatch(/The 10% of rows it scores highest hold \d+% of all "1" rows/);
    expect(report.markdown).toMatch(/What drives it most: \*\*Glucose\*\*/);
    expect(report.markdown).toMatch(/Where it is weakest: /);
    // 200 boosting rounds on 614 rows: ranks well, but its probabilities lose to the class rate.
    expect(report.markdown).toMatch(
      /the model's log loss is (no better: )?higher by [\d.]+ \(95% interval .*paired bootstrap/,
    );
    expect(report.markdown).toContain('--model calibrated');
    expect(report.charts).toBe(10);
    const svgs = report.html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(10);
    // Every chart drew marks (lines, bars or points), not an empty frame.
    for (const svg of svgs) expect(svg).toMatch(/<path[^>]* d="M/);
    expect(report.html).toContain('<strong>Glucose</strong>');
    // Gradient boosting adds the TreeSHAP summary: Glucose moves the log-odds most on average.
    expect(report.markdown).toMatch(/## How each feature pushes individual predictions[\s\S]*?\n\| Glucose \| \d/);
    for (const step of result.journal.steps)
      expect(report.markdown).toContain(`## Step ${step.index}: ${step.technique}`);
    expectOffline(report.html);
  });

  it('regression: RMSE with its interval, error by decile, importance and dependence charts', async () => {
    const { report, result } = await reportFor('insurance.csv', 'charges', 'linear');
    const rmse = result.journal.validation?.metrics.rmse as number;
    expect(report.markdown).toContain('its typical error (RMSE) is ' + Math.round(rmse));
    expect(report.markdown).toMatch(
      /the model's RMSE is lower by \d+ \(95% interval \d+ to \d+; paired bootstrap, p < 0\.001\)\./,
    );
    expect(report.charts).toBe(6);
    expect(report.markdown).toMatch(/What drives it most: \*\*smoker\*\*/);
    expect(report.markdown).toContain('```ts');
    expectOffline(report.html);
  });

  /** x decides y (y = x > 0) except on every k-th row, where the label is flipped; z is noise. */
  function planted(n: number, flipEvery: number, leak: boolean): Frame {
    let s = 5;
    const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const x = Float64Array.from({ length: n }, () => rnd() * 2 - 1);
    const z = Float64Array.from({ length: n }, () => rnd());
    const y = Array.from(x, (v, i) => (v > 0 !== (flipEvery > 0 && i % flipEvery === 0) ? 'yes' : 'no'));
    const cols = [numericColumn('x', x), numericColumn('z', z), categoricalFromStrings('y', y)];
    // The label as recorded after the fact: a copy of the answer.
    if (leak)
      cols.push(
        categoricalFromStrings(
          'outcome_code',
          y.map((v) => (v === 'yes' ? 'A' : 'B')),
        ),
      );
    return new Frame(cols, n);
  }

  it('flags label noise when confidently wrong rows outnumber what the probabilities expect, and not otherwise', async () => {
    const noisy = train(planted(3000, 25, false), { target: 'y', model: 'gbdt', params: { numRounds: 60 }, seed: 1 });
    const md = (await reportForTrain(noisy))!.markdown;
    expect(md).toContain('## Checks on the data');
    const m = /Suspected label noise: (\d+) held-out rows/.exec(md);
    expect(m, md).not.toBeNull();
    // 4% of the 600 held-out rows were flipped: about 24.
    expect(Number(m![1])).toBeGreaterThan(10);
    expect(Number(m![1])).toBeLessThan(40);
    const clean = train(planted(3000, 0, false), { target: 'y', model: 'gbdt', params: { numRounds: 60 }, seed: 1 });
    expect((await reportForTrain(clean))!.markdown).not.toContain('Suspected label noise');
  });

  it('flags a column that is a copy of the label as suspected leakage, with the fix', async () => {
    const leaky = train(planted(3000, 5, true), { target: 'y', model: 'gbdt', seed: 1 });
    const md = (await reportForTrain(leaky))!.markdown;
    expect(md).toMatch(/Suspected target leakage: "outcome_code" alone predicts y with AUC 1\.00/);
    expect(md).toContain('--drop outcome_code');
  });

  it('shows an ensemble as the weighted sum of its members, each scored alone on the held-out rows', async () => {
    const frame = await readDataset('diabetes.csv');
    const members = JSON.stringify([
      { weight: 3, pipeline: { steps: [{ technique: 'gbdt', params: { numRounds: 50 } }] } },
      {
        weight: 1,
        pipeline: { steps: [{ technique: 'impute' }, { technique: 'standard-scale' }, { technique: 'linear' }] },
      },
    ]);
    const result = train(frame, { target: 'Outcome', model: 'ensemble', params: { members }, seed: 1 });
    const md = (await reportForTrain(result))!.markdown;
    expect(md).toContain('## The ensemble, member by member');
    expect(md).toContain('its probabilities = 0.75 × member 1 + 0.25 × member 2');
    // Member 2 alone, scored by hand on the same held-out rows.
    const h = result.holdout!;
    const ensemble = h.pipeline.model as unknown as { members: { pipeline: typeof h.pipeline }[] };
    const p = ensemble.members[1].pipeline.predict(h.frame).proba!;
    const alone = auc(
      h.y,
      Float64Array.from({ length: h.y.length }, (_, i) => p[2 * i + 1]),
    );
    expect(md).toMatch(new RegExp(`\\| 2 \\| 0\\.250 \\| linear \\| ${Number(alone.toPrecision(4))} \\|`));
  });
});
