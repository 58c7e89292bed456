import { describe, expect, it } from 'vitest';
import { checkTechnique } from '../../test/check-technique.js';
import { mixedFrame, unseenFrame } from '../../test/frames.js';
import { Frame, textColumn } from '../data/frame.js';
import { textFeatures } from './index.js';
import { ngrams, tokens } from './text-features.js';
import { asTransformer } from './util.js';

describe('text-features', () => {
  it('tokens and n-grams follow scikit-learn: lower case, words of two or more characters', () => {
    expect(tokens('A cat, the Café — 42 x!')).toEqual(['cat', 'the', 'café', '42']);
    expect(ngrams(['a1', 'b2', 'c3'], 2)).toEqual(['a1', 'b2', 'c3', 'a1 b2', 'b2 c3']);
  });

  it('TF-IDF equals the formula: smooth idf, L2-normalised rows', () => {
    const docs = ['red apple', 'green apple', 'red red car', null];
    const f = new Frame([textColumn('t', docs)]);
    const t = asTransformer(textFeatures.fit(f, { ngramMax: 1, minDf: 1 }, { seed: 1 }));
    const out = t.transform(f, { training: false });
    // df: apple 2, red 2, car 1, green 1 over n = 4 rows; idf = ln(5 / (1 + df)) + 1.
    const idf = (df: number) => Math.log(5 / (1 + df)) + 1;
    const row3 = { red: 2 * idf(2), car: idf(1) };
    const norm = Math.hypot(row3.red, row3.car);
    const get = (term: string, i: number) => (out.get(`t__${term}`) as { values: Float64Array }).values[i];
    expect(get('red', 2)).toBeCloseTo(row3.red / norm, 14);
    expect(get('car', 2)).toBeCloseTo(row3.car / norm, 14);
    expect(get('apple', 2)).toBe(0);
    expect(get('apple', 3)).toBe(0);
    expect(out.has('t')).toBe(false);
  });

  it('keeps the technique contract (tfidf and hashing)', () => {
    const words = ['great service', 'slow delivery', 'great price, slow app', 'app crashed', 'price was great'];
    const make = (n: number) =>
      mixedFrame(n)
        .drop(['notes', 'when'])
        .with(
          textColumn(
            'notes',
            Array.from({ length: n }, (_, i) => (i % 7 === 3 ? null : words[i % 5])),
          ),
        );
    const unseen = unseenFrame()
      .drop(['notes', 'when'])
      .with(
        textColumn(
          'notes',
          Array.from({ length: unseenFrame().nRows }, (_, i) => (i ? 'brand new words great' : null)),
        ),
      );
    for (const method of ['tfidf', 'hashing'])
      checkTechnique(textFeatures, [
        { name: method, frame: make(60), apply: unseen, params: { method, maxFeatures: 16, minDf: 1 } },
      ]);
  });
});
