import { describe, expect, it } from 'vitest';
import { categoricalFromStrings, cellString, Frame, numericColumn, textColumn } from './frame.js';
import { firstOccurrences } from './duplicates.js';
import { Rng } from '../engine/random.js';

/** The oracle: rows as their cells' text, first occurrence of each. */
function naive(frame: Frame): number[] {
  const seen = new Set<string>();
  const keep: number[] = [];
  for (let i = 0; i < frame.nRows; i++) {
    const key = JSON.stringify(frame.columns.map((c) => cellString(c, i)));
    if (!seen.has(key)) {
      seen.add(key);
      keep.push(i);
    }
  }
  return keep;
}

describe('firstOccurrences', () => {
  it('equals the row-as-text definition on data full of near-duplicates', () => {
    const rng = new Rng(4);
    const n = 3000;
    const pick = <T>(xs: T[]): T => xs[rng.int(xs.length)];
    const f = new Frame([
      numericColumn(
        'x',
        Float64Array.from({ length: n }, () => pick([0, -0, 1, 2.5, NaN])),
      ),
      categoricalFromStrings(
        'c',
        Array.from({ length: n }, () => pick(['a', 'b', null, ''])),
      ),
      textColumn(
        't',
        Array.from({ length: n }, () => pick(['hi', 'ho', null, ''])),
      ),
    ]);
    expect(firstOccurrences(f)).toEqual(naive(f));
  });
});
