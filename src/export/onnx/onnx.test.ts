import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { datasetPath, manifest } from '../../../test/datasets.js';
import { readCsv } from '../../data/read-csv.js';
import { categoricalFromStrings, datetimeColumn, Frame, type Column } from '../../data/frame.js';
import { fileSource } from '../../node/source.js';
import { train, type TrainOptions } from '../../automl/train.js';
import { datePart, DATE_PARTS } from '../../techniques/datetime-parts.js';
import type { PipelineSpec } from '../../techniques/pipeline.js';
import { toOnnx } from './convert.js';
import { onnxFeeds } from './feeds.js';
import { OnnxGraph } from './graph.js';
import { DataType, encodeModel } from './proto.js';
import { technique } from '../../techniques/registry.js';

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');
type Tensor = InstanceType<typeof ort.Tensor>;

async function read(file: string) {
  const m = manifest().find((e) => e.file === file);
  return readCsv(fileSource(datasetPath(file)), m?.columns ? { columns: m.columns } : {});
}

async function session(bytes: Uint8Array) {
  return ort.InferenceSession.create(bytes);
}

/**
 * Trains, exports, runs the ONNX model in onnxruntime on `frames` (the training frame by default)
 * and returns the worst difference from the bundle's own predictions: absolute for probabilities,
 * relative for regression values. Labels must agree wherever the top two probabilities differ.
 */
async function worstDifference(frame: Frame, options: TrainOptions, frames: Frame[] = [frame]): Promise<number> {
  const { bundle, pipeline } = train(frame, { seed: 1, ...options });
  const s = await session(toOnnx(bundle, pipeline).bytes);
  let worst = 0;
  for (const f of frames) {
    const feeds: Record<string, Tensor> = {};
    for (const [name, x] of Object.entries(onnxFeeds(bundle, f))) feeds[name] = new ort.Tensor(x.type, x.data, x.dims);
    const out = await s.run(feeds);
    const pred = pipeline.predict(f);
    if (pred.proba) {
      const got = out.probabilities.data as Float64Array;
      expect(got.length).toBe(pred.proba.length);
      const K = pred.classes.length;
      const labels = out.label.data as string[];
      for (let i = 0; i < f.nRows; i++) {
        const row = Array.from(pred.proba.subarray(i * K, i * K + K));
        for (let j = 0; j < K; j++) worst = Math.max(worst, Math.abs(got[i * K + j] - row[j]));
        const sorted = [...row].sort((a, b) => b - a);
        if (K < 2 || sorted[0] - sorted[1] > 1e-5) expect(labels[i]).toBe(pred.classes[row.indexOf(sorted[0])]);
      }
    } else {
      const got = out.value.data as Float64Array;
      const want = pred.values!;
      expect(got.length).toBe(want.length);
      for (let i = 0; i < got.length; i++)
        worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
    }
  }
  return worst;
}

/** A copy of the frame where every categorical column has some cells missing and some never seen in training. */
function perturbed(frame: Frame): Frame {
  const cols: Column[] = frame.columns.map((c) => {
    if (c.kind !== 'categorical' || c.role === 'target') return c;
    const values = Array.from(c.codes, (code, i) =>
      i % 7 === 3 ? null : i % 7 === 5 ? 'never seen' : code < 0 ? null : c.categories[code],
    );
    return categoricalFromStrings(c.name, values, c.role);
  });
  return new Frame(cols, frame.nRows);
}

const members = (specs: PipelineSpec[]) => JSON.stringify(specs.map((pipeline, i) => ({ weight: i + 1, pipeline })));

describe('ONNX export', () => {
  const cases: { name: string; file: string; options: TrainOptions; perturb?: boolean }[] = [
    // Categories one-hot encoded into an elastic net.
    {
      name: 'elastic net',
      file: 'credit.csv',
      options: { target: 'default', model: 'linear', params: { l1: 0.3, l2: 1 } },
    },
    // Missing numbers and categories filled and flagged; unseen categories to "(other)".
    { name: 'imputed logistic', file: 'titanic.csv', options: { target: 'Survived', model: 'linear' }, perturb: true },
    // Missing values and categorical splits routed natively by gradient boosting.
    {
      name: 'gbdt',
      file: 'titanic.csv',
      options: { target: 'Survived', model: 'gbdt', params: { numRounds: 40 } },
      perturb: true,
    },
    // A date column split into parts, a regression forest.
    {
      name: 'random forest on dates',
      file: 'day.csv',
      options: {
        target: 'cnt',
        model: 'random-forest',
        params: { nTrees: 20 },
        drop: ['instant', 'casual', 'registered'],
      },
    },
    {
      name: 'gbdt regression',
      file: 'insurance.csv',
      options: { target: 'charges', model: 'gbdt', params: { numRounds: 60 } },
    },
    // Four classes: softmax over boosted trees, and isotonic maps renormalised.
    {
      name: 'multiclass gbdt',
      file: 'insurance.csv',
      options: { target: 'region', model: 'gbdt', params: { numRounds: 30 } },
    },
    {
      name: 'multiclass isotonic',
      file: 'insurance.csv',
      options: { target: 'region', model: 'calibrated', params: { model: 'linear', method: 'isotonic' } },
    },
    {
      name: 'Platt',
      file: 'diabetes.csv',
      options: { target: 'Outcome', model: 'calibrated', params: { method: 'sigmoid' } },
    },
    {
      name: 'extra trees with categories',
      file: 'credit.csv',
      options: { target: 'default', model: 'extra-trees', params: { nTrees: 30 } },
      perturb: true,
    },
    {
      name: 'log1p and interactions',
      file: 'insurance.csv',
      options: {
        target: 'charges',
        pipeline: {
          steps: [
            { technique: 'numeric-transform', params: { method: 'log1p' } },
            { technique: 'interactions' },
            { technique: 'one-hot' },
            { technique: 'linear' },
          ],
        },
      },
    },
    { name: 'naive Bayes', file: 'titanic.csv', options: { target: 'Survived', model: 'naive-bayes' }, perturb: true },
    { name: 'multiclass naive Bayes', file: 'insurance.csv', options: { target: 'region', model: 'naive-bayes' } },
    {
      name: 'mlp with layer norm',
      file: 'diabetes.csv',
      options: { target: 'Outcome', model: 'mlp', params: { hiddenLayers: 2, layerNorm: true, maxEpochs: 20 } },
    },
    {
      name: 'mlp regression',
      file: 'insurance.csv',
      options: { target: 'charges', model: 'mlp', params: { maxEpochs: 10 } },
    },
    {
      name: 'ensemble of encoders and models',
      file: 'credit.csv',
      perturb: true,
      options: {
        target: 'default',
        model: 'ensemble',
        params: {
          members: members([
            {
              steps: [
                { technique: 'impute' },
                { technique: 'target-encode' },
                { technique: 'standard-scale' },
                { technique: 'one-hot' },
                { technique: 'linear' },
              ],
            },
            {
              steps: [
                { technique: 'rare-categories', params: { minCount: 30 } },
                { technique: 'gbdt', params: { numRounds: 30 } },
              ],
            },
            { steps: [{ technique: 'frequency-encode' }, { technique: 'random-forest', params: { nTrees: 10 } }] },
            {
              steps: [
                { technique: 'ordinal' },
                { technique: 'drop-columns', params: { columns: ['age'] } },
                { technique: 'extra-trees', params: { nTrees: 10 } },
              ],
            },
            { steps: [{ technique: 'constant' }] },
          ]),
        },
      },
    },
  ];
  for (const c of cases)
    it(`${c.name}: onnxruntime gives the bundle's predictions on ${c.file}${c.perturb ? ' (and with unseen and missing categories)' : ''}`, async () => {
      const { frame, columns } = await read(c.file);
      const frames = c.perturb ? [frame, perturbed(frame)] : [frame];
      const worst = await worstDifference(frame, { ...c.options, inferences: columns }, frames);
      expect(worst).toBeLessThanOrEqual(1e-5);
    });

  it('computes every date part exactly as Glassbox does, 1890 to 2110, missing included', async () => {
    const n = 5000;
    const ms = new Float64Array(n);
    let s = 7;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      ms[i] = i % 50 === 0 ? NaN : Date.UTC(1890, 0, 1) + Math.floor((s / 2 ** 32) * 220 * 365.25 * 86400) * 1000;
    }
    ms[1] = Date.UTC(2000, 1, 29, 23, 59, 59); // a leap day at its last second
    ms[2] = Date.UTC(1900, 2, 1); // 1900 was not a leap year
    ms[3] = Date.UTC(1969, 11, 31, 23);
    const frame = new Frame([datetimeColumn('when', ms)], n);
    const step = technique('datetime-parts').fit(frame, {}, { seed: 1 });
    const g = new OnnxGraph();
    const cols = new Map([['when', g.input('when', 'double', '')]]);
    const { registeredTransformer } = await import('./convert.js');
    registeredTransformer('datetime-parts')!(step as never, { g, anyInput: 'when' } as never, cols);
    const names = DATE_PARTS.map(
      (p) =>
        step.kind === 'transformer' &&
        (step as unknown as { expansions: { outputs: string[] }[] }).expansions[0].outputs[DATE_PARTS.indexOf(p)],
    );
    const outputs = names.map((name, j) => {
      g.nodes.push({
        name: `out${j}`,
        opType: 'Identity',
        inputs: [cols.get(name as string)!.name],
        outputs: [`part${j}`],
      });
      return { name: `part${j}`, elemType: DataType.DOUBLE, shape: ['N', 1] as (number | string)[] };
    });
    const bytes = encodeModel({
      irVersion: 8,
      opsets: [
        { domain: '', version: 17 },
        { domain: 'ai.onnx.ml', version: 3 },
      ],
      producerName: 'test',
      producerVersion: '0',
      graph: { name: 'dates', nodes: g.nodes, initializers: g.initializers, inputs: g.inputs, outputs },
    });
    const out = await (await session(bytes)).run({ when: new ort.Tensor('float64', ms, [n, 1]) });
    DATE_PARTS.forEach((p, j) => {
      const got = Array.from(out[`part${j}`].data as Float64Array);
      const want = Array.from(ms, (v) => datePart(v, p));
      expect(got, p).toEqual(want);
    });
  });

  it('names the steps it cannot convert, and where they are', async () => {
    const { frame, columns } = await read('diabetes.csv');
    const { bundle, pipeline } = train(frame, { target: 'Outcome', model: 'knn', seed: 1, inferences: columns });
    expect(() => toOnnx(bundle, pipeline)).toThrow(
      /ONNX export does not support knn \(step 7\); supported steps: .*gbdt/,
    );
  });
});
