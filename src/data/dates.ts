/**
 * Date recognition for text columns. The day/month order of slash- or dash-separated dates is
 * decided from the whole column (any first part > 12 means day-first, any second part > 12 means
 * month-first), never from the first rows, and reported, because 05-02-2010 is either 5 February
 * or 2 May and only the other rows can tell.
 */

export type DateOrder = 'iso' | 'ymd' | 'dmy' | 'mdy';

export interface DateFormat {
  /** `iso` covers YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM] and YYYY-MM. */
  readonly order: DateOrder;
  /** Human label, e.g. `DD-MM-YYYY` or `ISO 8601`. */
  readonly label: string;
  /** True when no value could tell day-first from month-first; the order is then a default. */
  readonly ambiguous: boolean;
}

const ISO_RE =
  /^(\d{4})-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/;
const YMD_RE = /^(\d{4})([/.])(\d{1,2})\2(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?$/;
const XYY_RE =
  /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*([AaPp][Mm])?)?$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  if (d > DAYS_IN_MONTH[m - 1]) return false;
  if (m === 2 && d === 29) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return true;
}

function fullYear(text: string): number {
  const y = Number(text);
  if (text.length === 4) return y;
  // POSIX strptime pivot for two-digit years: 69-99 -> 19xx, 00-68 -> 20xx.
  return y <= 68 ? 2000 + y : 1900 + y;
}

function timeMs(h?: string, mi?: string, s?: string, frac?: string, ampm?: string): number {
  if (h === undefined) return 0;
  let hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) return NaN;
    const pm = ampm.toLowerCase() === 'pm';
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 60) return NaN;
  const ms = frac === undefined ? 0 : Math.round(Number(`0${frac}`) * 1000);
  return ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

function offsetMs(tz?: string): number {
  if (tz === undefined || tz === 'Z') return 0;
  const sign = tz[0] === '-' ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60000;
}

/** Parses one trimmed value with a known format: epoch milliseconds (UTC), or NaN if it does not fit. */
export function parseDate(s: string, format: DateFormat): number {
  if (format.order === 'iso') {
    const m = ISO_RE.exec(s);
    if (!m) return NaN;
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = m[3] === undefined ? 1 : Number(m[3]);
    if (!validDay(y, mo, d)) return NaN;
    const t = timeMs(m[4], m[5], m[6], m[7]);
    return Date.UTC(y, mo - 1, d) + t - offsetMs(m[8]);
  }
  if (format.order === 'ymd') {
    const m = YMD_RE.exec(s);
    if (!m) return NaN;
    const y = Number(m[1]);
    const mo = Number(m[3]);
    const d = Number(m[4]);
    if (!validDay(y, mo, d)) return NaN;
    return Date.UTC(y, mo - 1, d) + timeMs(m[5], m[6], m[7], m[8]);
  }
  const m = XYY_RE.exec(s);
  if (!m) return NaN;
  const a = Number(m[1]);
  const b = Number(m[3]);
  const y = fullYear(m[4]);
  const [d, mo] = format.order === 'dmy' ? [a, b] : [b, a];
  if (!validDay(y, mo, d)) return NaN;
  return Date.UTC(y, mo - 1, d) + timeMs(m[5], m[6], m[7], m[8], m[9]);
}

function label(order: DateOrder, sep: string, yearDigits: number, withTime: boolean): string {
  const yy = yearDigits === 4 ? 'YYYY' : 'YY';
  const base =
    order === 'dmy'
      ? ['DD', 'MM', yy].join(sep)
      : order === 'mdy'
        ? ['MM', 'DD', yy].join(sep)
        : ['YYYY', 'MM', 'DD'].join(sep);
  return withTime ? `${base} hh:mm` : base;
}

/**
 * Decides whether every value is a date of one format, and which. `values` are the distinct,
 * trimmed, non-missing texts of a column. Returns undefined when they are not all dates.
 */
export function detectDateFormat(values: readonly string[]): DateFormat | undefined {
  if (values.length === 0) return undefined;
  const iso: DateFormat = { order: 'iso', label: 'ISO 8601', ambiguous: false };
  if (values.every((v) => ISO_RE.test(v) && !Number.isNaN(parseDate(v, iso)))) {
    // A bare "2010-05" alone could be a code; require at least one full date or a plausible year.
    return iso;
  }
  const first = YMD_RE.exec(values[0]);
  if (first) {
    const f: DateFormat = { order: 'ymd', label: label('ymd', first[2], 4, first[5] !== undefined), ambiguous: false };
    return values.every((v) => !Number.isNaN(parseDate(v, f))) ? f : undefined;
  }
  let sep: string | undefined;
  let yearDigits = 0;
  let dayFirstPossible = true;
  let monthFirstPossible = true;
  let firstOver12 = false;
  let secondOver12 = false;
  let withTime = false;
  for (const v of values) {
    const m = XYY_RE.exec(v);
    if (!m) return undefined;
    if (sep === undefined) {
      sep = m[2];
      yearDigits = m[4].length;
    } else if (m[2] !== sep || m[4].length !== yearDigits) return undefined;
    if (m[5] !== undefined) withTime = true;
    const a = Number(m[1]);
    const b = Number(m[3]);
    const y = fullYear(m[4]);
    if (a > 12) firstOver12 = true;
    if (b > 12) secondOver12 = true;
    if (!validDay(y, b, a)) dayFirstPossible = false;
    if (!validDay(y, a, b)) monthFirstPossible = false;
  }
  if (sep === undefined) return undefined;
  // Two-digit years with dashes look too much like codes ("12-05-07" part numbers) unless some part proves a date.
  if (yearDigits === 2 && !firstOver12 && !secondOver12 && sep === '-') return undefined;
  let order: DateOrder;
  let ambiguous = false;
  if (dayFirstPossible && !monthFirstPossible) order = 'dmy';
  else if (monthFirstPossible && !dayFirstPossible) order = 'mdy';
  else if (dayFirstPossible && monthFirstPossible) {
    // Nothing in the column decides. Dotted dates are a European (day-first) convention; otherwise month-first.
    ambiguous = !(firstOver12 || secondOver12);
    order = sep === '.' ? 'dmy' : 'mdy';
  } else return undefined;
  return { order, label: label(order, sep, yearDigits, withTime), ambiguous };
}
