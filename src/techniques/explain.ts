import type { JsonValue } from './contract.js';
import type { FittedPipeline } from './pipeline.js';

interface Scaled {
  readonly column: string;
  readonly center: number;
  readonly scale: number;
}

/**
 * A linear model's coefficients in the units of the data the user gave: the model saw
 * standardised columns z = (x - center) / scale, so b·z = (b / scale)·x - b·center / scale.
 * One-hot indicators and unscaled columns keep their coefficients. Null when the pipeline's
 * model is not linear.
 */
export function linearInOriginalUnits(
  pipeline: FittedPipeline,
): { output: string; intercept: number; coefficients: Record<string, number> }[] | null {
  const model = pipeline.model as unknown as {
    technique: string;
    inputs: readonly string[];
    coef?: Float64Array;
    intercept?: Float64Array;
  };
  if (model.technique !== 'linear' || !model.coef || !model.intercept) return null;
  const scaled = new Map<string, Scaled>();
  for (const t of pipeline.transformers)
    if (t.technique === 'standard-scale')
      for (const s of (t as unknown as { scalings: readonly Scaled[] }).scalings) scaled.set(s.column, s);
  const p = model.inputs.length;
  const K = model.intercept.length;
  const names =
    pipeline.task === 'multiclass' ? pipeline.classes : [pipeline.task === 'binary' ? pipeline.classes[1] : 'value'];
  return Array.from({ length: K }, (_, k) => {
    let intercept = (model.intercept as Float64Array)[k];
    const coefficients: Record<string, number> = {};
    model.inputs.forEach((name, j) => {
      const b = (model.coef as Float64Array)[k * p + j];
      const s = scaled.get(name);
      if (s) {
        coefficients[name] = b / s.scale;
        intercept -= (b * s.center) / s.scale;
      } else coefficients[name] = b;
    });
    return { output: names[k], intercept, coefficients };
  });
}

/** What the journal says about the fitted model: its own description, plus original-unit coefficients for linear models. */
export function describeModel(pipeline: FittedPipeline): JsonValue {
  const own = pipeline.model.describe?.() ?? null;
  const original = linearInOriginalUnits(pipeline);
  return { technique: pipeline.model.technique, description: own, ...(original ? { originalUnits: original } : {}) };
}
