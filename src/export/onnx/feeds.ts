import { GlassboxError } from '../../data/errors.js';
import type { Frame } from '../../data/frame.js';
import type { Bundle } from '../bundle.js';

/** One input as onnxruntime takes it: doubles, or strings. */
export type OnnxFeed =
  | { readonly type: 'float64'; readonly data: Float64Array; readonly dims: [number, 1] }
  | { readonly type: 'string'; readonly data: string[]; readonly dims: [number, 1] };

/**
 * A frame's columns as the exported model's inputs: numbers and dates (epoch milliseconds) as
 * doubles with NaN for missing, categories and text as strings with "" for missing.
 */
export function onnxFeeds(bundle: Bundle, frame: Frame): Record<string, OnnxFeed> {
  const n = frame.nRows;
  const feeds: Record<string, OnnxFeed> = {};
  for (const s of bundle.schema.columns) {
    if (!frame.has(s.name))
      throw new GlassboxError(`the data has no column "${s.name}", which the model reads`, { column: s.name });
    const c = frame.get(s.name);
    const numeric = s.kind === 'numeric' || s.kind === 'datetime';
    if (numeric !== (c.kind === 'numeric' || c.kind === 'datetime'))
      throw new GlassboxError(`column "${s.name}" is ${c.kind}; the model reads it as ${s.kind}`, { column: s.name });
    if (c.kind === 'numeric' || c.kind === 'datetime')
      feeds[s.name] = { type: 'float64', data: c.values, dims: [n, 1] };
    else if (c.kind === 'categorical')
      feeds[s.name] = {
        type: 'string',
        data: Array.from(c.codes, (code) => (code < 0 ? '' : c.categories[code])),
        dims: [n, 1],
      };
    else feeds[s.name] = { type: 'string', data: c.values.map((v) => v ?? ''), dims: [n, 1] };
  }
  return feeds;
}
