import { describe, expect, it } from 'vitest';
import { detectDateFormat, parseDate } from './dates.js';

describe('detectDateFormat', () => {
  it('decides day-first from the whole column (Walmart order)', () => {
    const f = detectDateFormat(['05-02-2010', '12-02-2010', '19-02-2010']);
    expect(f?.order).toBe('dmy');
    expect(f?.label).toBe('DD-MM-YYYY');
    expect(f?.ambiguous).toBe(false);
    expect(parseDate('05-02-2010', f!)).toBe(Date.UTC(2010, 1, 5));
  });
  it('decides month-first when the second part exceeds 12', () => {
    const f = detectDateFormat(['02/05/2010', '02/19/2010']);
    expect(f?.order).toBe('mdy');
    expect(parseDate('02/19/2010', f!)).toBe(Date.UTC(2010, 1, 19));
  });
  it('reports an undecidable order as ambiguous', () => {
    const f = detectDateFormat(['01/02/2010', '03/04/2011']);
    expect(f?.ambiguous).toBe(true);
  });
  it('rejects a column that is day-first in one row and month-first in another', () => {
    expect(detectDateFormat(['13/01/2010', '01/13/2010'])).toBeUndefined();
  });
  it('reads ISO dates, months and timestamps with offsets', () => {
    const f = detectDateFormat(['2011-01-01', '1949-01', '2012-12-31T23:59:59Z', '2012-06-01 10:00:00+02:00']);
    expect(f?.order).toBe('iso');
    expect(parseDate('1949-01', f!)).toBe(Date.UTC(1949, 0, 1));
    expect(parseDate('2012-06-01 10:00:00+02:00', f!)).toBe(Date.UTC(2012, 5, 1, 8));
  });
  it('rejects impossible days and non-dates', () => {
    expect(detectDateFormat(['2011-02-30'])).toBeUndefined();
    expect(detectDateFormat(['June', 'Feb'])).toBeUndefined();
    expect(detectDateFormat(['12', '13'])).toBeUndefined();
  });
});
