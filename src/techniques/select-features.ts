import { sortedPresent } from '../engine/sorted.js';
import { GlassboxError } from '../data/errors.js';
import type { Column, Frame } from '../data/frame.js';
import type { FitContext, FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { numParam, resolveParams, strParam } from './params.js';
import { register, technique } from './registry.js';
import { asObject, asStrings, strArray } from './util.js';

type Method = 'variance' | 'mutual-info' | 'importance';

/** Bins per numeric column (and per numeric target) for the mutual information estimate. */
const MI_BINS = 16;

/** Each row's bin: quantile bins for numbers (ties kept together), codes for categories; missing is a bin of its own. */
export function discretize(c: Column, bins = MI_BINS): { codes: Int32Array; levels: number } {
  const n = c.kind === 'categorical' ? c.codes.length : c.values.length;
  const codes = new Int32Array(n);
  if (c.kind === 'categorical') {
    const k = c.categories.length;
    for (let i = 0; i < n; i++) codes[i] = c.codes[i] < 0 ? k : c.codes[i];
    return { codes, levels: k + 1 };
  }
  if (c.kind !== 'numeric' && c.kind !== 'datetime') return { codes, levels: 1 };
  const v = c.values;
  const present = sortedPresent(v);
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const e = present[Math.floor((b * present.length) / bins)];
    if (e !== undefined && (edges.length === 0 || e > edges[edges.length - 1])) edges.push(e);
  }
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (x !== x) codes[i] = edges.length + 1;
    else {
      let b = 0;
      while (b < edges.length && x >= edges[b]) b++;
      codes[i] = b;
    }
  }
  return { codes, levels: edges.length + 2 };
}

/** Plug-in mutual information (nats) between two discrete variables. */
export function mutualInformation(a: Int32Array, la: number, b: Int32Array, lb: number): number {
  const n = a.length;
  if (n === 0) return 0;
  const joint = new Float64Array(la * lb);
  const pa = new Float64Array(la);
  const pb = new Float64Array(lb);
  for (let i = 0; i < n; i++) {
    joint[a[i] * lb + b[i]]++;
    pa[a[i]]++;
    pb[b[i]]++;
  }
  let mi = 0;
  for (let x = 0; x < la; x++)
    for (let y = 0; y < lb; y++) {
      const j = joint[x * lb + y];
      if (j > 0) mi += (j / n) * Math.log((j * n) / (pa[x] * pb[y]));
    }
  return Math.max(0, mi);
}

class FittedSelect implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'select-features';
  readonly params: Params;
  /** Feature columns removed. */
  readonly dropped: readonly string[];
  /** Every feature's score, for the report. */
  readonly scores: readonly { column: string; score: number }[];

  constructor(params: Params, dropped: readonly string[], scores: readonly { column: string; score: number }[]) {
    this.params = params;
    this.dropped = dropped;
    this.scores = scores;
  }

  get inputs(): string[] {
    return [...this.dropped];
  }

  transform(frame: Frame): Frame {
    return frame.drop(this.dropped.filter((c) => frame.has(c)));
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: { dropped: [...this.dropped], scores: this.scores.map((s) => ({ ...s })) },
    };
  }

  emit(name: string) {
    return {
      name,
      code: `function ${name}(row: Row): void {\n  for (const c of ${strArray(this.dropped)}) delete row[c];\n}`,
    };
  }
}

export const selectFeatures: Technique = {
  id: 'select-features',
  stage: 'features',
  usesTarget: true,
  title: 'Select features',
  description:
    'Keeps the columns that carry signal: drops constant ones (variance), or keeps the best share by mutual information with the target or by the importance a quick boosted model gives them.',
  params: {
    method: {
      type: 'choice',
      values: ['variance', 'mutual-info', 'importance'],
      default: 'mutual-info',
      description: 'How columns are scored.',
      search: { type: 'choice', values: ['variance', 'mutual-info', 'importance'] },
    },
    keep: {
      type: 'number',
      default: 0.5,
      min: 0,
      exclusiveMin: true,
      max: 1,
      description: 'Share of feature columns kept (mutual-info, importance); at least one is always kept.',
      search: { type: 'float', low: 0.2, high: 1 },
    },
    threshold: {
      type: 'number',
      default: 0,
      min: 0,
      description:
        'variance: numeric columns with variance at or below this are dropped (and single-category columns).',
    },
  },
  fit(frame: Frame, given: Params, ctx: FitContext) {
    const params = resolveParams(this.id, this.params, given);
    const method = strParam(params, 'method') as Method;
    const cols = frame.features();
    let scores: { column: string; score: number }[];
    if (method === 'variance') {
      const threshold = numParam(params, 'threshold');
      scores = cols.map((c) => {
        if (c.kind === 'categorical') {
          const seen = new Set<number>();
          for (const k of c.codes) seen.add(k);
          return { column: c.name, score: seen.size - 1 };
        }
        if (c.kind !== 'numeric') return { column: c.name, score: 1 };
        let n = 0;
        let mean = 0;
        let m2 = 0;
        for (const x of c.values) {
          if (x !== x) continue;
          n++;
          const d = x - mean;
          mean += d / n;
          m2 += d * (x - mean);
        }
        return { column: c.name, score: n ? m2 / n : 0 };
      });
      const dropped = scores.filter((s) => s.score <= threshold).map((s) => s.column);
      if (dropped.length) ctx.note?.(`dropped ${dropped.length} constant columns: ${dropped.join(', ')}`);
      return new FittedSelect(params, dropped, scores);
    }
    const target = ctx.target;
    if (!target) throw new GlassboxError('select-features needs the target column');
    if (method === 'mutual-info') {
      const y =
        target.task === 'regression'
          ? discretize({ name: 't', role: 'target', kind: 'numeric', values: target.y })
          : { codes: Int32Array.from(target.y), levels: target.classes.length };
      scores = cols.map((c) => {
        const d = discretize(c);
        return { column: c.name, score: mutualInformation(d.codes, d.levels, y.codes, y.levels) };
      });
    } else {
      // Total split gain in a quick boosted model: it sees interactions mutual information misses.
      const model = technique('gbdt').fit(frame, { numRounds: 50, earlyStopping: 'off', learningRate: 0.2 }, ctx);
      const imp = (model as unknown as { importance(): { feature: string; gain: number }[] }).importance();
      const gain = new Map(imp.map((r) => [r.feature, r.gain]));
      scores = cols.map((c) => ({ column: c.name, score: gain.get(c.name) ?? 0 }));
    }
    const k = Math.max(1, Math.round(numParam(params, 'keep') * cols.length));
    const ranked = scores.slice().sort((a, b) => b.score - a.score || (a.column < b.column ? -1 : 1));
    const dropped = ranked.slice(k).map((s) => s.column);
    ctx.note?.(`kept ${Math.min(k, cols.length)} of ${cols.length} columns by ${method}`);
    return new FittedSelect(params, dropped, scores);
  },
  fromJSON(json) {
    const state = asObject(json.state, 'select-features state');
    const scores = (state.scores as unknown[]).map((x) => {
      const o = asObject(x, 'score');
      return { column: String(o.column), score: Number(o.score) };
    });
    return new FittedSelect(json.params, asStrings(state.dropped, 'dropped'), scores);
  },
};

register(selectFeatures);
