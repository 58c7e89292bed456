import type { Frame } from '../data/frame.js';
import type { PipelineSpec } from '../techniques/pipeline.js';

/**
 * A rough upper estimate of the bytes one fold fit of `spec` needs on `rows` rows, from the
 * shapes the pipeline will build: the fold's copy of the columns, and for pipelines that one-hot
 * encode, the dense design matrix (every category a column) that linear models, k-NN and the MLP
 * read, counted twice for the copies made on the way. Tree models read one byte per cell.
 * Checked before a trial starts, so a pipeline that would not fit is skipped with a reason
 * instead of crashing the run.
 */
export function estimateFitBytes(frame: Frame, spec: PipelineSpec, rows: number): number {
  let cellBytes = 0;
  let width = 0;
  const oneHot = spec.steps.find((s) => s.technique === 'one-hot');
  const minFrequency = Number(oneHot?.params?.minFrequency ?? 1);
  const maxCategories = Number(oneHot?.params?.maxCategories ?? Infinity);
  for (const c of frame.features()) {
    if (c.kind === 'categorical') {
      cellBytes += 4;
      // Categories rarer than minFrequency share one column; the count caps what could be frequent.
      const frequentCap = Math.floor(frame.nRows / Math.max(1, minFrequency));
      width += Math.min(c.categories.length, frequentCap, maxCategories) + 1;
    } else if (c.kind === 'text') {
      cellBytes += 48;
      width += 1;
    } else {
      cellBytes += 8;
      // A missing-value indicator may join each numeric column.
      width += 2;
    }
  }
  const columns = rows * cellBytes * 2;
  return oneHot ? columns + rows * width * 8 * 2 : columns + rows * frame.features().length;
}
