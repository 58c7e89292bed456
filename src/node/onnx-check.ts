import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import type { Bundle } from '../export/bundle.js';
import { onnxFeeds } from '../export/onnx/feeds.js';
import type { FittedPipeline } from '../techniques/pipeline.js';

export interface OnnxCheck {
  readonly rows: number;
  /** Largest |ONNX - bundle| over probabilities, or over values relative to max(1, |value|). */
  readonly worst: number;
  /** Rows with a clear winning class (ahead by over 1e-5) whose ONNX label differs from the bundle's. */
  readonly labelMismatches: number;
}

/**
 * Runs an exported model in onnxruntime-node (an optional dependency, loaded only here) on a frame
 * and compares it with the bundle's predictions.
 */
export async function checkOnnx(
  model: Uint8Array,
  bundle: Bundle,
  pipeline: FittedPipeline,
  frame: Frame,
): Promise<OnnxCheck> {
  let ort: typeof import('onnxruntime-node');
  try {
    const mod = (await import('onnxruntime-node')) as typeof import('onnxruntime-node') & { default?: unknown };
    ort = (mod.default ?? mod) as typeof import('onnxruntime-node');
  } catch {
    throw new GlassboxError('--check needs onnxruntime-node: npm install onnxruntime-node', {
      code: 'missing-dependency',
    });
  }
  const session = await ort.InferenceSession.create(model);
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [name, f] of Object.entries(onnxFeeds(bundle, frame)))
    feeds[name] = new ort.Tensor(f.type, f.data, f.dims);
  const out = await session.run(feeds);
  const pred = pipeline.predict(frame);
  let worst = 0;
  let labelMismatches = 0;
  if (pred.proba) {
    const got = out.probabilities.data as Float64Array;
    const labels = out.label.data as string[];
    const K = pred.classes.length;
    for (let i = 0; i < frame.nRows; i++) {
      let best = 0;
      for (let j = 0; j < K; j++) {
        worst = Math.max(worst, Math.abs(got[i * K + j] - pred.proba[i * K + j]));
        if (pred.proba[i * K + j] > pred.proba[i * K + best]) best = j;
      }
      // A near tie may go either way within float rounding; only a clear winner must agree.
      let runnerUp = -Infinity;
      for (let j = 0; j < K; j++) if (j !== best) runnerUp = Math.max(runnerUp, pred.proba[i * K + j]);
      if (labels[i] !== pred.classes[best] && pred.proba[i * K + best] - runnerUp > 1e-5) labelMismatches++;
    }
  } else {
    const got = out.value.data as Float64Array;
    const want = pred.values as Float64Array;
    for (let i = 0; i < frame.nRows; i++)
      worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  }
  return { rows: frame.nRows, worst, labelMismatches };
}
