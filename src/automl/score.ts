import { categoricalColumn, Frame, numericColumn, type Column } from '../data/frame.js';
import { conformInput, type Bundle } from '../export/bundle.js';
import type { Prediction } from '../techniques/contract.js';
import type { FittedPipeline } from '../techniques/pipeline.js';

export interface Scored {
  readonly prediction: Prediction;
  /** `prediction` plus, for classification, one `proba_<class>` column per class, rows in input order. */
  readonly frame: Frame;
  readonly warnings: readonly string[];
}

/** Scores new rows: checks them against the bundle's schema, then predicts. */
export function score(
  bundle: Bundle,
  pipeline: FittedPipeline,
  input: Frame,
  options: { strict?: boolean; file?: string } = {},
): Scored {
  const { frame, warnings } = conformInput(input, bundle, options);
  const prediction = pipeline.predict(frame);
  return { prediction, frame: predictionFrame(prediction), warnings };
}

export function predictionFrame(p: Prediction): Frame {
  if (p.task === 'regression') return new Frame([numericColumn('prediction', p.values ?? new Float64Array(p.n))]);
  const k = p.classes.length;
  const proba = p.proba ?? new Float64Array(p.n * k);
  const codes = new Int32Array(p.n);
  const cols: Column[] = [];
  for (let i = 0; i < p.n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (proba[i * k + j] > proba[i * k + best]) best = j;
    codes[i] = best;
  }
  cols.push(categoricalColumn('prediction', codes, p.classes));
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(p.n);
    for (let i = 0; i < p.n; i++) v[i] = proba[i * k + j];
    cols.push(numericColumn(`proba_${p.classes[j]}`, v));
  }
  return new Frame(cols);
}
