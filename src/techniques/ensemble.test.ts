import { describe, expect, it } from 'vitest';
import { checkTechnique, compileEmitted, rowOf } from '../../test/check-technique.js';
import { mixedFrame, readDataset, unseenFrame } from '../../test/frames.js';
import type { Frame } from '../data/frame.js';
import { holdoutSplit } from '../evaluate/split.js';
import { buildSchema, createBundle, loadBundle } from '../export/bundle.js';
import type { Params, Task } from './contract.js';
import { defaultPipeline } from './defaults.js';
import { ensemble, ensembleFromPipelines } from './index.js';
import { FittedPipeline, fitPipeline, type PipelineSpec } from './pipeline.js';
import { targetInfo } from './target.js';
import { asModel } from './util.js';

const members = (list: readonly [number, PipelineSpec][]): string =>
  JSON.stringify(list.map(([weight, pipeline]) => ({ weight, pipeline })));

const linear = defaultPipeline('linear', { l2: 0.5 });
const gbdt = defaultPipeline('gbdt', { numRounds: 12, maxLeaves: 7 });
const bayes = defaultPipeline('naive-bayes');

/** Fits each member alone and sums weight x output by hand, in member order. */
function byHand(
  train: Frame,
  test: Frame,
  list: readonly [number, PipelineSpec][],
  options: { target: string; task: Task; seed: number },
): Float64Array {
  const total = list.reduce((s, [w]) => s + w, 0);
  let out: Float64Array | undefined;
  for (const [w, spec] of list) {
    const p = fitPipeline(train, spec, options).pipeline.predict(test);
    const flat = (p.proba ?? p.values) as Float64Array;
    out ??= new Float64Array(flat.length);
    for (let i = 0; i < flat.length; i++) out[i] += (w / total) * flat[i];
  }
  return out as Float64Array;
}

function fitEnsemble(train: Frame, list: readonly [number, PipelineSpec][], target: string, task: Task, seed: number) {
  return fitPipeline(
    train,
    { steps: [{ technique: 'ensemble', params: { members: members(list) } }] },
    {
      target,
      task,
      seed,
    },
  ).pipeline;
}

describe('ensemble', () => {
  const f = mixedFrame(160).withRole('amount', 'feature').withRole('label', 'target');
  const u = unseenFrame().withRole('amount', 'feature').withRole('label', 'target');
  const r = mixedFrame(160);
  const colors = f.withRole('label', 'feature').withRole('color', 'target');
  const g = colors.take(
    Array.from({ length: colors.nRows }, (_, i) => i).filter(
      (i) => (colors.get('color') as { codes: Int32Array }).codes[i] >= 0,
    ),
  );

  it('keeps the technique contract (linear + gbdt + naive Bayes, regression, multiclass)', () =>
    checkTechnique(ensemble, [
      {
        name: 'binary',
        frame: f,
        apply: u,
        params: {
          members: members([
            [2, linear],
            [1, gbdt],
            [1, bayes],
          ]),
        },
        ctx: { target: targetInfo(f, 'label', 'binary') },
      },
      {
        name: 'regression',
        frame: r,
        apply: unseenFrame(),
        params: {
          members: members([
            [0.7, linear],
            [0.2, gbdt],
            [0.1, { steps: [{ technique: 'constant', params: { strategy: 'median' } }] }],
          ]),
        },
        ctx: { target: targetInfo(r, 'amount', 'regression') },
      },
      {
        name: 'multiclass',
        frame: g,
        params: {
          members: members([
            [1, linear],
            [1, bayes],
          ]),
        },
        ctx: { target: targetInfo(g, 'color', 'multiclass') },
      },
    ]));

  it('equals the weighted average of its members fitted alone, bit for bit (titanic, insurance)', async () => {
    const titanic = await readDataset('titanic.csv');
    const y = targetInfo(titanic, 'Survived', 'binary').y;
    const { train, test } = holdoutSplit(titanic.nRows, 0.25, 3, y);
    const list: [number, PipelineSpec][] = [
      [3, linear],
      [2, gbdt],
      [1, bayes],
    ];
    const pipeline = fitEnsemble(titanic.take(train), list, 'Survived', 'binary', 5);
    const got = pipeline.predict(titanic.take(test)).proba as Float64Array;
    const want = byHand(titanic.take(train), titanic.take(test), list, { target: 'Survived', task: 'binary', seed: 5 });
    expect(Array.from(got)).toEqual(Array.from(want));
    // The members differ, so the average is not any one of them.
    const alone = fitPipeline(titanic.take(train), linear, { target: 'Survived', task: 'binary', seed: 5 });
    expect(Array.from(got)).not.toEqual(Array.from(alone.pipeline.predict(titanic.take(test)).proba as Float64Array));

    const insurance = await readDataset('insurance.csv');
    const half = Array.from({ length: insurance.nRows }, (_, i) => i);
    const fitRows = insurance.take(half.filter((i) => i % 2 === 0));
    const testRows = insurance.take(half.filter((i) => i % 2 === 1));
    const reg: [number, PipelineSpec][] = [
      [1, linear],
      [3, gbdt],
    ];
    const regPipeline = fitEnsemble(fitRows, reg, 'charges', 'regression', 9);
    expect(Array.from(regPipeline.predict(testRows).values as Float64Array)).toEqual(
      Array.from(byHand(fitRows, testRows, reg, { target: 'charges', task: 'regression', seed: 9 })),
    );
  });

  it('round-trips through JSON and emits code that reproduces predict (titanic)', async () => {
    const titanic = await readDataset('titanic.csv');
    const list: [number, PipelineSpec][] = [
      [1, linear],
      [1, gbdt],
      [2, bayes],
    ];
    const pipeline = fitEnsemble(titanic, list, 'Survived', 'binary', 2);
    const restored = FittedPipeline.fromJSON(
      JSON.parse(JSON.stringify(pipeline.toJSON())),
      'Survived',
      'binary',
      pipeline.classes,
    );
    const sample = titanic.take(Array.from({ length: 90 }, (_, i) => i * 9 + 4));
    const p = pipeline.predict(sample).proba as Float64Array;
    expect(Array.from(restored.predict(sample).proba as Float64Array)).toEqual(Array.from(p));
    const run = compileEmitted(pipeline.model);
    for (let i = 0; i < sample.nRows; i++) expect(run(rowOf(sample, i))).toEqual([p[2 * i], p[2 * i + 1]]);
  });

  it('lists the raw columns its members read, in a bundle schema too (titanic)', async () => {
    const titanic = await readDataset('titanic.csv');
    // Member 1 keeps Age and Fare only (imputed, scaled, with a derived missing-value flag);
    // member 2 lets naive Bayes read what the default cleaning leaves.
    const ageFare: PipelineSpec = {
      steps: [
        {
          technique: 'drop-columns',
          params: { columns: ['Pclass', 'Name', 'Sex', 'SibSp', 'Parch', 'Ticket', 'Cabin', 'Embarked'] },
        },
        { technique: 'impute' },
        { technique: 'standard-scale' },
        { technique: 'linear' },
      ],
    };
    const spec: PipelineSpec = {
      steps: [
        {
          technique: 'ensemble',
          params: {
            members: members([
              [1, ageFare],
              [1, bayes],
            ]),
          },
        },
      ],
    };
    const { pipeline } = fitPipeline(titanic, spec, { target: 'Survived', task: 'binary', seed: 1 });
    const ageFareAlone = fitPipeline(titanic, ageFare, { target: 'Survived', task: 'binary', seed: 1 }).pipeline;
    // The linear member reads a derived flag for Age's gaps, which is not an input column.
    expect(ageFareAlone.model.inputs.some((n) => !titanic.has(n))).toBe(true);
    const model = pipeline.model;
    expect(model.inputs.slice(0, 2)).toEqual(['Age', 'Fare']);
    expect(model.inputs.every((n) => titanic.has(n))).toBe(true);

    const schema = buildSchema(titanic, pipeline);
    const names = schema.map((c) => c.name);
    const alone = (s: PipelineSpec) =>
      buildSchema(titanic, fitPipeline(titanic, s, { target: 'Survived', task: 'binary', seed: 1 }).pipeline).map(
        (c) => c.name,
      );
    const union = new Set([...alone(ageFare), ...alone(bayes)]);
    expect(names).toEqual(titanic.names.filter((n) => union.has(n)));
    // Default cleaning drops the identifiers PassengerId and Name; naive Bayes reads the rest.
    expect(names).toEqual(['Pclass', 'Sex', 'Age', 'SibSp', 'Parch', 'Ticket', 'Fare', 'Cabin', 'Embarked']);
    expect(new Set(names)).toEqual(new Set(model.inputs));

    const bundle = createBundle({
      pipeline,
      spec,
      schema,
      metrics: {},
      training: { rows: titanic.nRows, seed: 1 },
    });
    const loaded = loadBundle(JSON.parse(JSON.stringify(bundle)));
    expect(loaded.bundle.schema.columns.map((c) => c.name)).toEqual(names);
    const sample = titanic.slice(0, 40);
    expect(Array.from(loaded.pipeline.predict(sample).proba as Float64Array)).toEqual(
      Array.from(pipeline.predict(sample).proba as Float64Array),
    );
  });

  it('builds the same model from pipelines fitted elsewhere', () => {
    const list: [number, PipelineSpec][] = [
      [2, linear],
      [1, bayes],
    ];
    const target = targetInfo(f, 'label', 'binary');
    const fitted = asModel(ensemble.fit(f, { members: members(list) }, { seed: 4, target }));
    const built = ensembleFromPipelines(
      list.map(([weight, spec]) => ({
        weight,
        spec,
        pipeline: fitPipeline(f, spec, { target: 'label', task: 'binary', seed: 4 }).pipeline,
      })),
      'binary',
      target.classes,
      f,
    );
    expect(Array.from(built.predict(u).proba as Float64Array)).toEqual(
      Array.from(fitted.predict(u).proba as Float64Array),
    );
    expect(built.inputs).toEqual(fitted.inputs);
    expect(JSON.stringify(built.toJSON().state)).toBe(JSON.stringify(fitted.toJSON().state));
    // Its members parameter refits the same ensemble.
    const refit = asModel(ensemble.fit(f, built.params, { seed: 4, target }));
    expect(Array.from(refit.predict(u).proba as Float64Array)).toEqual(
      Array.from(fitted.predict(u).proba as Float64Array),
    );

    const regression = fitPipeline(r, linear, { target: 'amount', task: 'regression', seed: 4 }).pipeline;
    expect(() =>
      ensembleFromPipelines(
        [
          { weight: 1, spec: linear, pipeline: fitPipeline(f, linear, { target: 'label', task: 'binary' }).pipeline },
          { weight: 1, spec: linear, pipeline: regression },
        ],
        'binary',
        target.classes,
      ),
    ).toThrow(/member 2 predicts a regression task/);
  });

  it('describes each member: weight, steps and its model', () => {
    const m = asModel(
      ensemble.fit(
        f,
        {
          members: members([
            [3, linear],
            [1, bayes],
          ]),
        },
        { seed: 1, target: targetInfo(f, 'label', 'binary') },
      ),
    );
    const d = m.describe?.() as {
      members: { weight: number; techniques: string[]; model: { technique: string; description: unknown } }[];
    };
    expect(d.members.map((x) => x.weight)).toEqual([0.75, 0.25]);
    expect(d.members[0].techniques).toEqual(linear.steps.map((s) => s.technique));
    expect(d.members[1].model.technique).toBe('naive-bayes');
    expect(d.members[1].model.description).toHaveProperty('priors');
  });

  it('rejects bad members with a clear message', () => {
    const fit =
      (text: string, params: Params = {}) =>
      () =>
        ensemble.fit(f, { members: text, ...params }, { seed: 1, target: targetInfo(f, 'label', 'binary') });
    expect(fit('[{"weight": 1,')).toThrow(/^ensemble: members must be JSON of the form \[\{"weight": number/);
    expect(fit('{"weight": 1}')).toThrow(/ensemble: members must be a list/);
    expect(fit('[]')).toThrow('ensemble: members is an empty list; an ensemble needs at least one member pipeline');
    expect(fit(members([[0, bayes]]))).toThrow('ensemble: member 1 has weight 0; weights must be numbers > 0');
    expect(fit('[{"weight": "1", "pipeline": {"steps": [{"technique": "gbdt"}]}}]')).toThrow(
      'ensemble: member 1 has weight "1"; weights must be numbers > 0',
    );
    expect(fit('[{"weight": 1}]')).toThrow(
      'ensemble: member 1 needs a pipeline {"steps": [...]} with at least one step',
    );
    expect(
      fit(
        members([
          [1, bayes],
          [1, { steps: [{ technique: 'gbm' }] }],
        ]),
      ),
    ).toThrow(/^ensemble: member 2, step 1: unknown technique "gbm" \(known: .*gbdt/);
    expect(fit(members([[1, { steps: [{ technique: 'ensemble', params: { members: '[]' } }] }]]))).toThrow(
      'ensemble: member 1 is itself an ensemble; list its members here instead',
    );
    expect(fit('[{"weight": 1, "pipeline": {"steps": [{"params": {}}]}}]')).toThrow(
      'ensemble: member 1, step 1 needs a "technique" id',
    );
    expect(fit(members([[1, { steps: [{ technique: 'impute' }] }]]))).toThrow(
      'ensemble: member 1: the last step (impute) must be a model',
    );
    expect(fit(members([[1, { steps: [{ technique: 'gbdt', params: { numRounds: -1 } }] }]]))).toThrow(
      /^ensemble: member 1: gbdt: parameter numRounds must be >= 1/,
    );
  });
});
