import { categoricalFromStrings, datetimeColumn, Frame, numericColumn, textColumn } from '../src/data/frame.js';
import { readCsv } from '../src/data/read-csv.js';
import { fileSource } from '../src/node/source.js';
import { datasetPath, manifest } from './datasets.js';
import { defaultPipeline } from '../src/techniques/defaults.js';
import { fitPipeline } from '../src/techniques/pipeline.js';
import '../src/techniques/index.js';

/** A small frame with every column kind, missing values and a rare category. */
export function mixedFrame(n = 60, seed = 3): Frame {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const x = new Float64Array(n);
  const z = new Float64Array(n);
  const when = new Float64Array(n);
  const color: (string | null)[] = [];
  const target: string[] = [];
  const amount = new Float64Array(n);
  const notes: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    x[i] = i % 9 === 4 ? NaN : Math.round(rnd() * 1000) / 10;
    z[i] = rnd() * 2 - 1;
    when[i] =
      i % 13 === 7
        ? NaN
        : Date.UTC(2020, 0, 1) + Math.floor(rnd() * 800) * 86_400_000 + Math.floor(rnd() * 24) * 3_600_000;
    color.push(i % 11 === 5 ? null : i === 17 ? 'violet' : ['red', 'green', 'blue'][Math.floor(rnd() * 3)]);
    const score = x[i] / 50 + z[i] + (color[i] === 'red' ? 1 : 0) + rnd();
    target.push(score > 1.5 ? 'yes' : 'no');
    amount[i] = 3 * z[i] + (Number.isNaN(x[i]) ? 0 : x[i] / 10) + rnd();
    notes.push(i % 4 === 0 ? null : `note number ${i} says something`);
  }
  return new Frame([
    numericColumn('x', x),
    numericColumn('z', z),
    datetimeColumn('when', when),
    categoricalFromStrings('color', color),
    textColumn('notes', notes),
    numericColumn('amount', amount, 'target'),
    categoricalFromStrings('label', target, 'ignored'),
  ]);
}

/** Rows of the mixed frame with categories never seen in training and missing values everywhere. */
export function unseenFrame(): Frame {
  return new Frame([
    numericColumn('x', Float64Array.from([NaN, 5, 120])),
    numericColumn('z', Float64Array.from([0.5, NaN, -3])),
    datetimeColumn('when', Float64Array.from([NaN, Date.UTC(2031, 5, 6, 7), Date.UTC(1999, 11, 31)])),
    categoricalFromStrings('color', ['purple', null, 'red']),
    textColumn('notes', [null, 'x', 'y z']),
    numericColumn('amount', Float64Array.from([1, 2, 3]), 'target'),
    categoricalFromStrings('label', ['no', 'yes', 'no'], 'ignored'),
  ]);
}

export async function readDataset(file: string): Promise<Frame> {
  const m = manifest().find((e) => e.file === file);
  const r = await readCsv(fileSource(datasetPath(file)), m?.columns ? { columns: m.columns } : {});
  return r.frame;
}

/**
 * The default preprocessing a model needs (impute, scale, one-hot for numeric-input models),
 * fitted on `fit` and applied to `f`: frames ready for a model technique's contract check.
 */
export function encodedFor(
  model: string,
  fit: Frame,
  f: Frame,
  target: string,
  task: 'binary' | 'regression' | 'multiclass',
): Frame {
  const spec = defaultPipeline(model);
  const { pipeline } = fitPipeline(
    fit,
    { steps: spec.steps.slice(0, -1).concat({ technique: 'linear' }) },
    {
      target,
      task,
      seed: 1,
    },
  );
  return pipeline.transform(f.withRole(target, 'target'));
}

/**
 * Gradient boosting fitted on diabetes (or the given rows of it): the inputs without the target
 * and the positive class's probability for any frame of them.
 */
export async function diabetesModel(
  numRounds: number,
  rows?: readonly number[],
): Promise<{ x: Frame; positive: (f: Frame) => Float64Array }> {
  const all = await readDataset('diabetes.csv');
  const d = rows ? all.take(rows) : all;
  const { pipeline } = fitPipeline(d, defaultPipeline('gbdt', { numRounds }), {
    target: 'Outcome',
    task: 'binary',
    seed: 1,
  });
  const positive = (f: Frame): Float64Array => {
    const p = pipeline.predict(f).proba as Float64Array;
    return Float64Array.from({ length: f.nRows }, (_, i) => p[2 * i + 1]);
  };
  return { x: d.drop(['Outcome']), positive };
}
