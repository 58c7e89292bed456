import { numericColumn, type Frame, type NumericColumn } from '../data/frame.js';
import { meanStdOf, standardized } from '../wasm/clean.js';
import type { FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { boolParam, colsParam, resolveParams } from './params.js';
import { register } from './registry.js';
import { asObject, num, str } from './util.js';

interface Scaling {
  readonly column: string;
  readonly center: number;
  readonly scale: number;
}

class FittedScale implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'standard-scale';
  readonly params: Params;
  readonly scalings: readonly Scaling[];

  constructor(params: Params, scalings: readonly Scaling[]) {
    this.params = params;
    this.scalings = scalings;
  }

  get inputs(): string[] {
    return this.scalings.map((s) => s.column);
  }

  transform(frame: Frame): Frame {
    let out = frame;
    for (const s of this.scalings) {
      const c = frame.get(s.column) as NumericColumn;
      out = out.with(numericColumn(s.column, standardized(c.values, s.center, s.scale), c.role));
    }
    return out;
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: { scalings: this.scalings.map((s) => ({ ...s })) },
    };
  }

  emit(name: string) {
    const lines = this.scalings.map(
      (s) => `  row[${str(s.column)}] = ((row[${str(s.column)}] as number) - ${num(s.center)}) / ${num(s.scale)};`,
    );
    return { name, code: `function ${name}(row: Row): void {\n${lines.join('\n')}\n}` };
  }
}

/**
 * Mean and population standard deviation (ddof = 0, as scikit-learn's StandardScaler), skipping
 * NaN, by Welford's update (as WebAssembly: src/wasm/clean.ts).
 */
export function meanStd(values: Float64Array): { mean: number; std: number } {
  return meanStdOf(values);
}

export const standardScale: Technique = {
  id: 'standard-scale',
  stage: 'features',
  title: 'Standardise numbers',
  description:
    'Shifts and scales each numeric column to mean 0 and standard deviation 1, so regularised and distance-based models treat columns alike.',
  params: {
    withMean: { type: 'boolean', default: true, description: 'Subtract the mean.' },
    withStd: { type: 'boolean', default: true, description: 'Divide by the standard deviation.' },
    columns: { type: 'columns', default: null, description: 'Columns to scale (default: every numeric feature).' },
  },
  fit(frame, given) {
    const params = resolveParams(this.id, this.params, given);
    const names = colsParam(params, 'columns');
    const cols = (
      names === null ? frame.features().filter((c) => c.kind === 'numeric') : names.map((n) => frame.get(n))
    ) as NumericColumn[];
    const scalings = cols.map((c) => {
      const { mean, std } = meanStd(c.values);
      return {
        column: c.name,
        center: boolParam(params, 'withMean') ? mean : 0,
        // A constant column keeps its scale, as in scikit-learn: dividing by zero would only make NaN.
        scale: boolParam(params, 'withStd') && std > 0 ? std : 1,
      };
    });
    return new FittedScale(params, scalings);
  },
  fromJSON(json) {
    const state = asObject(json.state, 'standard-scale state');
    const scalings = (state.scalings as unknown[]).map((x) => {
      const o = asObject(x, 'scaling');
      return { column: String(o.column), center: Number(o.center), scale: Number(o.scale) };
    });
    return new FittedScale(json.params, scalings);
  },
};

register(standardScale);
