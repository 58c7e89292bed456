import { GlassboxError } from '../data/errors.js';
import { numericColumn, type Frame, type NumericColumn } from '../data/frame.js';
import type { FitContext, FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { colsParam, numParam, resolveParams } from './params.js';
import { register } from './registry.js';
import { asObject, freshName, pickColumns, str } from './util.js';

interface Pair {
  readonly a: string;
  readonly b: string;
  readonly name: string;
  /** |correlation| of the product with the target on the training rows. */
  readonly score: number;
}

/** |Pearson correlation| of x and y over rows where both are present; 0 when either is constant. */
function absCorrelation(x: Float64Array, y: Float64Array): number {
  let n = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < x.length; i++)
    if (x[i] === x[i]) {
      n++;
      mx += x[i];
      my += y[i];
    }
  if (n < 2) return 0;
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++)
    if (x[i] === x[i]) {
      const dx = x[i] - mx;
      const dy = y[i] - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
  return sxx > 0 && syy > 0 ? Math.abs(sxy) / Math.sqrt(sxx * syy) : 0;
}

class FittedInteractions implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'interactions';
  readonly params: Params;
  readonly pairs: readonly Pair[];

  constructor(params: Params, pairs: readonly Pair[]) {
    this.params = params;
    this.pairs = pairs;
  }

  get inputs(): string[] {
    return [...new Set(this.pairs.flatMap((p) => [p.a, p.b]))];
  }

  transform(frame: Frame): Frame {
    let out = frame;
    for (const p of this.pairs) {
      const a = frame.get(p.a);
      const b = frame.get(p.b);
      if (a.kind !== 'numeric' || b.kind !== 'numeric')
        throw new GlassboxError(`interactions: columns "${p.a}" and "${p.b}" must be numeric`, { column: p.a });
      const values = new Float64Array(frame.nRows);
      for (let i = 0; i < values.length; i++) values[i] = a.values[i] * b.values[i];
      out = out.with(numericColumn(p.name, values));
    }
    return out;
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: { pairs: this.pairs.map((p) => ({ a: p.a, b: p.b, name: p.name, score: p.score })) },
    };
  }

  emit(name: string) {
    const lines = this.pairs.map(
      (p) => `  row[${str(p.name)}] = (row[${str(p.a)}] as number) * (row[${str(p.b)}] as number);`,
    );
    return { name, code: `function ${name}(row: Row): void {\n${lines.join('\n')}\n}` };
  }
}

export const interactions: Technique = {
  id: 'interactions',
  stage: 'features',
  usesTarget: true,
  title: 'Pairwise interactions',
  description:
    'Adds products of pairs of numeric columns (a × b) so linear models can express effects that depend on two columns at once; keeps the pairs whose product follows the target most closely.',
  params: {
    maxPairs: {
      type: 'integer',
      default: 10,
      min: 1,
      max: 10000,
      description: 'Products added, the best-correlated with the target first.',
      search: { type: 'int', low: 1, high: 50, log: true },
    },
    columns: { type: 'columns', default: null, description: 'Columns to pair (default: every numeric feature).' },
  },
  fit(frame: Frame, given: Params, ctx: FitContext) {
    const params = resolveParams(this.id, this.params, given);
    const target = ctx.target;
    if (!target) throw new GlassboxError('interactions needs the target column');
    const cols = pickColumns(this.id, frame, colsParam(params, 'columns'), ['numeric']) as NumericColumn[];
    // One-vs-rest share for classes; the value itself for regression.
    const y = target.task === 'multiclass' ? Float64Array.from(target.y, (v) => +(v === 0)) : target.y;
    const candidates: Omit<Pair, 'name'>[] = [];
    const product = new Float64Array(frame.nRows);
    for (let i = 0; i < cols.length; i++)
      for (let j = i + 1; j < cols.length; j++) {
        const a = cols[i].values;
        const b = cols[j].values;
        for (let r = 0; r < product.length; r++) product[r] = a[r] * b[r];
        candidates.push({ a: cols[i].name, b: cols[j].name, score: absCorrelation(product, y) });
      }
    candidates.sort((p, q) => q.score - p.score || (p.a + p.b < q.a + q.b ? -1 : 1));
    const taken = new Set(frame.names);
    const pairs = candidates.slice(0, numParam(params, 'maxPairs')).map((p) => {
      const name = freshName(taken, `${p.a}_x_${p.b}`);
      taken.add(name);
      return { ...p, name };
    });
    if (pairs.length) ctx.note?.(`added ${pairs.map((p) => p.name).join(', ')}`);
    return new FittedInteractions(params, pairs);
  },
  fromJSON(json) {
    const state = asObject(json.state, 'interactions state');
    const pairs = (state.pairs as unknown[]).map((x): Pair => {
      const o = asObject(x, 'pair');
      return { a: String(o.a), b: String(o.b), name: String(o.name), score: Number(o.score) };
    });
    return new FittedInteractions(json.params, pairs);
  },
};

register(interactions);
