import { GlassboxError } from '../data/errors.js';
import type { CategoricalColumn, Frame } from '../data/frame.js';
import type { FeatureInput } from '../engine/gbdt/binning.js';
import type { RawFeature } from '../engine/gbdt/tree.js';
import type { JsonValue } from './contract.js';
import { asObject, asStrings } from './util.js';

/** How a tree model reads one input column; categories are matched by text at prediction. */
export interface FeatureSpec {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  /** Categorical: training categories by code, and the bin of each code. */
  readonly categories?: readonly string[];
  readonly binOfCode?: readonly number[];
}

/** The frame's feature columns as tree inputs: numbers as they are, categories by code. */
export function treeInputs(id: string, frame: Frame): { specs: FeatureSpec[]; inputs: FeatureInput[] } {
  const cols = frame.features();
  if (cols.length === 0) throw new GlassboxError(`${id}: no feature columns left to learn from`);
  const specs: FeatureSpec[] = [];
  const inputs: FeatureInput[] = [];
  for (const c of cols) {
    if (c.kind === 'numeric') {
      specs.push({ name: c.name, kind: 'numeric' });
      inputs.push({ kind: 'numeric', values: c.values });
    } else if (c.kind === 'categorical') {
      inputs.push({ kind: 'categorical', codes: (c as CategoricalColumn).codes, nCategories: c.categories.length });
      specs.push({ name: c.name, kind: 'categorical', categories: c.categories });
    } else
      throw new GlassboxError(
        `${id}: column "${c.name}" is ${c.kind}; put ${c.kind === 'datetime' ? 'datetime-parts' : 'drop-columns'} before the model`,
        { column: c.name },
      );
  }
  return { specs, inputs };
}

/** Each spec's category-to-code map, built once: a one-row prediction must not rebuild it. */
const codeMaps = new WeakMap<FeatureSpec, Map<string, number>>();

function trainedCodes(s: FeatureSpec): Map<string, number> {
  let m = codeMaps.get(s);
  if (!m) {
    m = new Map((s.categories ?? []).map((cat, code) => [cat, code]));
    codeMaps.set(s, m);
  }
  return m;
}

/** Raw feature columns in the model's order, categories matched by text to training codes. */
export function rawFeatures(id: string, frame: Frame, specs: readonly FeatureSpec[]): RawFeature[] {
  return specs.map((s) => {
    const c = frame.get(s.name);
    if (s.kind === 'numeric') {
      if (c.kind !== 'numeric')
        throw new GlassboxError(`${id}: column "${s.name}" must be numeric (it is ${c.kind})`, { column: s.name });
      return { kind: 'numeric', values: c.values };
    }
    if (c.kind !== 'categorical')
      throw new GlassboxError(`${id}: column "${s.name}" must be categorical (it is ${c.kind})`, { column: s.name });
    const trained = trainedCodes(s);
    const map = s.binOfCode ?? [];
    // Incoming code -> training bin; -2 for a category never seen in training.
    const lookup = Int32Array.from(c.categories, (cat) => {
      const code = trained.get(cat);
      return code === undefined || map[code] < 0 ? -2 : map[code];
    });
    const bins = new Int32Array(frame.nRows);
    for (let i = 0; i < bins.length; i++) bins[i] = c.codes[i] < 0 ? -1 : lookup[c.codes[i]];
    return { kind: 'binned', bins };
  });
}

export function specsToJSON(specs: readonly FeatureSpec[]): JsonValue {
  return specs.map((f) => ({
    ...f,
    categories: f.categories ? [...f.categories] : null,
    binOfCode: f.binOfCode ? [...f.binOfCode] : null,
  }));
}

export function specsFromJSON(json: unknown, id: string): FeatureSpec[] {
  if (!Array.isArray(json)) throw new GlassboxError(`${id}: features must be a list`);
  return json.map((f) => {
    const o = asObject(f, `${id} feature`);
    return o.kind === 'categorical'
      ? {
          name: String(o.name),
          kind: 'categorical',
          categories: asStrings(o.categories, 'categories'),
          binOfCode: (o.binOfCode as number[]).map(Number),
        }
      : { name: String(o.name), kind: 'numeric' };
  });
}

/** TypeScript declaring `<name>Features`: numeric columns, or a category-to-bin map. */
export function emitFeatureSpecs(name: string, specs: readonly FeatureSpec[]): string {
  const feats = specs.map((f) => {
    if (f.kind === 'numeric') return `    { name: ${JSON.stringify(f.name)}, bins: null }`;
    const map: Record<string, number> = {};
    (f.categories ?? []).forEach((c, code) => {
      const b = (f.binOfCode ?? [])[code];
      if (b >= 0) map[c] = b;
    });
    return `    { name: ${JSON.stringify(f.name)}, bins: ${JSON.stringify(map)} as Record<string, number> }`;
  });
  return `const ${name}Features: { name: string; bins: Record<string, number> | null }[] = [\n${feats.join(',\n')},\n  ];`;
}

/** TypeScript setting `x`: each feature as a number (NaN = missing) or a training bin (-1 missing, -2 unseen). */
export function emitRowFeatures(name: string): string {
  return `// Each feature as a number (NaN = missing) or, for categories, a training bin (-1 missing, -2 unseen).
  const x = ${name}Features.map((f) => {
    const v = row[f.name];
    if (f.bins === null) return typeof v === 'number' ? v : NaN;
    if (v === null || v === undefined) return -1;
    const b = f.bins[String(v)];
    return b === undefined ? -2 : b;
  });`;
}

/** TypeScript walking tree `t` from the root to the leaf `node` for the row's `x`, as leafOfRaw does. */
export function emitLeafWalk(name: string): string {
  return `let node = 0;
    while (t.feature[node] >= 0) {
      const f = t.feature[node];
      const v = x[f];
      let goLeft: boolean;
      if (${name}Features[f].bins === null) goLeft = v !== v ? t.defaultLeft[node] === 1 : v <= t.threshold[node];
      else goLeft = v === -1 ? t.defaultLeft[node] === 1 : v < 0 ? false : (t.catBits[t.catOffset[node] + (v >>> 5)] & (1 << (v & 31))) !== 0;
      node = goLeft ? t.left[node] : t.right[node];
    }`;
}
