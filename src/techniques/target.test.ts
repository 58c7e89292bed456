import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import { cellString, datetimeColumn, Frame, numericColumn, textColumn, type Column } from '../data/frame.js';
import { labelsOf, sortClasses, targetInfo } from './target.js';

/** The oracle: every row's label as text, compared as text. */
function naiveLabels(c: Exclude<Column, { kind: 'categorical' }>): string[] {
  const seen: string[] = [];
  for (let i = 0; i < c.values.length; i++) {
    const s = cellString(c, i);
    if (s !== '' && !seen.includes(s)) seen.push(s);
  }
  return seen;
}

describe('target', () => {
  const rng = new Rng(3);
  const pick = (xs: number[]) => Float64Array.from({ length: 500 }, () => xs[rng.int(xs.length)]);
  const numeric: [string, Float64Array][] = [
    ['0/1', pick([0, 1])],
    ['with missing values', pick([1, 0, NaN])],
    ['0 and -0', pick([-0, 0, 2.5])],
    ['fractions and large numbers', pick([0.1, 0.30000000000000004, 1e21, -7])],
  ];

  for (const [label, values] of numeric)
    it(`numbers (${label}): the labels and classes of the rows' texts`, () => {
      const c = numericColumn('y', values, 'target');
      expect(labelsOf(c)).toEqual(naiveLabels(c));
      const rows = Array.from(values.keys()).filter((i) => !Number.isNaN(values[i]));
      const frame = new Frame([
        numericColumn(
          'y',
          Float64Array.from(rows, (i) => values[i]),
          'target',
        ),
      ]);
      const classes = sortClasses(naiveLabels(c));
      if (classes.length < 2) return;
      const info = targetInfo(frame, 'y', classes.length === 2 ? 'binary' : 'multiclass');
      expect(info.classes).toEqual(classes);
      expect(Array.from(info.y)).toEqual(rows.map((i) => classes.indexOf(String(values[i]))));
    });

  it('dates and texts: the labels of the rows', () => {
    const d = datetimeColumn('d', pick([Date.UTC(2024, 0, 1), NaN, Date.UTC(2025, 5, 30, 12)]));
    expect(labelsOf(d)).toEqual(naiveLabels(d));
    const t = textColumn('t', ['b', null, 'a', '', 'b', 'c']);
    expect(labelsOf(t)).toEqual(['b', 'a', 'c']);
  });

  it('a number outside the given classes is an error naming its row', () => {
    const frame = new Frame([numericColumn('y', Float64Array.of(0, 1, 1, 2), 'target')]);
    expect(() => targetInfo(frame, 'y', 'binary', ['0', '1'])).toThrow('target "y" row 4: unknown class "2"');
  });
});
