import { GlassboxError } from '../data/errors.js';
import { numericColumn, type Frame, type TextColumn } from '../data/frame.js';
import type { Emitted, FitContext, FittedJSON, FittedTransformer, Params, Technique } from './contract.js';
import { numParam, resolveParams, strParam, colsParam, boolParam } from './params.js';
import { register } from './registry.js';
import { asObject, asStrings, freshName, numArray, pickColumns, str, strArray } from './util.js';

type Method = 'tfidf' | 'hashing';

/** Lower-cased words of two or more letters or digits (scikit-learn's default token pattern, Unicode-aware). */
export function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [];
}

/** Word n-grams of lengths 1..maxN, each as its words joined by one space. */
export function ngrams(words: readonly string[], maxN: number): string[] {
  const out: string[] = [];
  for (let n = 1; n <= maxN; n++)
    for (let i = 0; i + n <= words.length; i++) out.push(n === 1 ? words[i] : words.slice(i, i + n).join(' '));
  return out;
}

/** 32-bit FNV-1a of a string's UTF-16 code units: stable across platforms and runs. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface TextMapping {
  readonly column: string;
  readonly outputs: readonly string[];
  /** tfidf: the vocabulary, in output order. */
  readonly terms: readonly string[];
  /** tfidf: inverse document frequency per term. */
  readonly idf: Float64Array;
}

/**
 * One row's vector: term counts (1 + log when sublinear) times idf, or signed hashed counts,
 * then scaled to unit length; the sums run in output order, as the emitted code runs them.
 */
function vectorize(
  text: string | null,
  m: TextMapping,
  method: Method,
  maxN: number,
  sublinear: boolean,
  index: ReadonlyMap<string, number>,
  out: Float64Array,
): void {
  out.fill(0);
  if (text === null) return;
  const D = out.length;
  for (const g of ngrams(tokens(text), maxN)) {
    if (method === 'tfidf') {
      const j = index.get(g);
      if (j !== undefined) out[j] += 1;
    } else {
      const h = fnv1a(g);
      // The hash's top bit picks the sign, so colliding terms cancel on average instead of piling up.
      out[h % D] += h >= 0x80000000 ? -1 : 1;
    }
  }
  if (method === 'tfidf')
    for (let j = 0; j < D; j++) if (out[j] > 0) out[j] = (sublinear ? 1 + Math.log(out[j]) : out[j]) * m.idf[j];
  let norm = 0;
  for (let j = 0; j < D; j++) norm += out[j] * out[j];
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < D; j++) out[j] *= inv;
  }
}

class FittedText implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'text-features';
  readonly params: Params;
  readonly mappings: readonly TextMapping[];

  constructor(params: Params, mappings: readonly TextMapping[]) {
    this.params = params;
    this.mappings = mappings;
  }

  get inputs(): string[] {
    return this.mappings.map((m) => m.column);
  }

  private get method(): Method {
    return strParam(this.params, 'method') as Method;
  }

  transform(frame: Frame): Frame {
    let out = frame;
    const maxN = numParam(this.params, 'ngramMax');
    const sublinear = boolParam(this.params, 'sublinearTf');
    for (const m of this.mappings) {
      const c = frame.get(m.column);
      if (c.kind !== 'text' && c.kind !== 'categorical')
        throw new GlassboxError(`text-features: column "${m.column}" must be text (it is ${c.kind})`, {
          column: m.column,
        });
      const D = m.outputs.length;
      const cols = m.outputs.map(() => new Float64Array(frame.nRows));
      const index = new Map(m.terms.map((t, j) => [t, j]));
      const v = new Float64Array(D);
      for (let i = 0; i < frame.nRows; i++) {
        const text = c.kind === 'text' ? c.values[i] : c.codes[i] < 0 ? null : c.categories[c.codes[i]];
        vectorize(text, m, this.method, maxN, sublinear, index, v);
        for (let j = 0; j < D; j++) cols[j][i] = v[j];
      }
      out = out.replace(
        [m.column],
        m.outputs.map((name, j) => numericColumn(name, cols[j], c.role)),
      );
    }
    return out;
  }

  toJSON(): FittedJSON {
    return {
      technique: this.technique,
      params: this.params,
      state: {
        mappings: this.mappings.map((m) => ({
          column: m.column,
          outputs: [...m.outputs],
          terms: [...m.terms],
          idf: Array.from(m.idf),
        })),
      },
    };
  }

  emit(name: string): Emitted {
    const maxN = numParam(this.params, 'ngramMax');
    const sublinear = boolParam(this.params, 'sublinearTf');
    const tfidf = this.method === 'tfidf';
    const blocks = this.mappings.map((m, idx) => {
      const D = m.outputs.length;
      const terms = tfidf
        ? `  const terms${idx}: Record<string, number> = ${JSON.stringify(Object.fromEntries(m.terms.map((t, j) => [t, j])))};\n  const idf${idx} = ${numArray(m.idf)};\n`
        : '';
      const add = tfidf
        ? [
            `const j = Object.prototype.hasOwnProperty.call(terms${idx}, g) ? terms${idx}[g] : undefined;`,
            'if (j !== undefined) v[j] += 1;',
          ]
        : ['const h = fnv1a(g);', `v[h % ${D}] += h >= 0x80000000 ? -1 : 1;`];
      const weigh = tfidf
        ? [
            `for (let j = 0; j < ${D}; j++) if (v[j] > 0) v[j] = (${sublinear ? '1 + Math.log(v[j])' : 'v[j]'}) * idf${idx}[j];`,
          ]
        : [];
      const body = [
        `const text = row[${str(m.column)}];`,
        `const v: number[] = new Array(${D}).fill(0);`,
        'if (text !== null && text !== undefined) {',
        `  for (const g of ngrams(tokens(String(text)), ${maxN})) {`,
        ...add.map((l) => `    ${l}`),
        '  }',
        ...weigh.map((l) => `  ${l}`),
        '  let norm = 0;',
        `  for (let j = 0; j < ${D}; j++) norm += v[j] * v[j];`,
        '  if (norm > 0) {',
        '    const inv = 1 / Math.sqrt(norm);',
        `    for (let j = 0; j < ${D}; j++) v[j] *= inv;`,
        '  }',
        '}',
        `delete row[${str(m.column)}];`,
        `const outputs = ${strArray(m.outputs)};`,
        `for (let j = 0; j < ${D}; j++) row[outputs[j]] = v[j];`,
      ];
      return `${terms}  {
${body.map((l) => `    ${l}`).join('\n')}
  }`;
    });
    const helpers: Record<string, string> = {
      tokens: `function tokens(text: string): string[] {\n  return text.toLowerCase().match(/[\\p{L}\\p{N}]{2,}/gu) ?? [];\n}`,
      ngrams: `function ngrams(words: readonly string[], maxN: number): string[] {
  const out: string[] = [];
  for (let n = 1; n <= maxN; n++)
    for (let i = 0; i + n <= words.length; i++) out.push(n === 1 ? words[i] : words.slice(i, i + n).join(' '));
  return out;
}`,
    };
    if (!tfidf)
      helpers.fnv1a = `function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}`;
    return { name, code: `function ${name}(row: Row): void {\n${blocks.join('\n')}\n}`, helpers };
  }
}

export const textFeatures: Technique = {
  id: 'text-features',
  stage: 'features',
  title: 'Text features',
  description:
    'Turns free-text columns (comments, product names, call notes) into numbers: TF-IDF weights of the most common words and word pairs, or hashed word counts for very large vocabularies.',
  params: {
    method: {
      type: 'choice',
      values: ['tfidf', 'hashing'],
      default: 'tfidf',
      description:
        'tfidf: a vocabulary learnt from training text; hashing: words hashed into a fixed number of columns.',
    },
    maxFeatures: {
      type: 'integer',
      default: 100,
      min: 1,
      max: 100000,
      description: 'Columns per text column: vocabulary size (most frequent terms) or hash buckets.',
      search: { type: 'int', low: 20, high: 1000, log: true },
    },
    ngramMax: {
      type: 'integer',
      default: 2,
      min: 1,
      max: 5,
      description: 'Longest word sequence counted as a term (1 = single words).',
      search: { type: 'int', low: 1, high: 3 },
    },
    minDf: {
      type: 'integer',
      default: 2,
      min: 1,
      description: 'tfidf: a term must appear in at least this many training rows.',
    },
    sublinearTf: { type: 'boolean', default: false, description: 'tfidf: use 1 + log(count) instead of the count.' },
    columns: { type: 'columns', default: null, description: 'Columns to encode (default: every text feature).' },
  },
  fit(frame: Frame, given: Params, ctx: FitContext) {
    const params = resolveParams(this.id, this.params, given);
    const cols = pickColumns(this.id, frame, colsParam(params, 'columns'), ['text']) as TextColumn[];
    const method = strParam(params, 'method') as Method;
    const maxFeatures = numParam(params, 'maxFeatures');
    const maxN = numParam(params, 'ngramMax');
    const minDf = numParam(params, 'minDf');
    const taken = new Set(frame.names);
    const n = frame.nRows;
    const mappings = cols.map((c): TextMapping => {
      let terms: string[] = [];
      let idf = new Float64Array(0);
      let D = maxFeatures;
      if (method === 'tfidf') {
        const df = new Map<string, number>();
        for (const text of c.values) {
          if (text === null) continue;
          for (const g of new Set(ngrams(tokens(text), maxN))) df.set(g, (df.get(g) ?? 0) + 1);
        }
        terms = [...df.entries()]
          .filter(([, d]) => d >= minDf)
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, maxFeatures)
          .map(([t]) => t);
        // scikit-learn's smooth idf: ln((1 + n) / (1 + df)) + 1.
        idf = Float64Array.from(terms, (t) => Math.log((1 + n) / (1 + (df.get(t) as number))) + 1);
        D = terms.length;
      }
      const outputs = Array.from({ length: D }, (_, j) => {
        const label = method === 'tfidf' ? terms[j].replace(/ /g, '_') : `h${j}`;
        const name = freshName(taken, `${c.name}__${label}`);
        taken.add(name);
        return name;
      });
      ctx.note?.(
        method === 'tfidf'
          ? `${c.name}: ${D} terms kept (appearing in at least ${minDf} rows)`
          : `${c.name}: hashed into ${D} columns`,
      );
      return { column: c.name, outputs, terms, idf };
    });
    return new FittedText(params, mappings);
  },
  fromJSON(json) {
    const state = asObject(json.state, 'text-features state');
    const mappings = (state.mappings as unknown[]).map((x): TextMapping => {
      const o = asObject(x, 'text mapping');
      return {
        column: String(o.column),
        outputs: asStrings(o.outputs, 'outputs'),
        terms: asStrings(o.terms, 'terms'),
        idf: Float64Array.from(o.idf as number[]),
      };
    });
    return new FittedText(json.params, mappings);
  },
};

register(textFeatures);
