import type { Column, Frame } from './frame.js';

/**
 * A text cell a spreadsheet would run as a formula (= + - @, or a leading tab / carriage return)
 * gets a leading apostrophe, as OWASP recommends for CSV injection. Numbers are written as
 * numbers and never altered, so "-0.5" stays a number.
 */
export function neutraliseFormula(text: string): string {
  const c = text.charCodeAt(0);
  return c === 0x3d || c === 0x2b || c === 0x2d || c === 0x40 || c === 0x09 || c === 0x0d ? `'${text}` : text;
}

export function quoteCsv(text: string, sep: string): string {
  return text.includes(sep) || text.includes('"') || text.includes('\n') || text.includes('\r')
    ? `"${text.replace(/"/g, '""')}"`
    : text;
}

function cellText(c: Column, i: number, sep: string, guard: (text: string) => string): string {
  switch (c.kind) {
    case 'numeric': {
      const v = c.values[i];
      return Number.isNaN(v) ? '' : String(v);
    }
    case 'datetime': {
      const v = c.values[i];
      return Number.isNaN(v) ? '' : new Date(v).toISOString();
    }
    case 'categorical': {
      const k = c.codes[i];
      return k < 0 ? '' : quoteCsv(guard(c.categories[k]), sep);
    }
    case 'text': {
      const v = c.values[i];
      return v === null ? '' : quoteCsv(guard(v), sep);
    }
  }
}

/**
 * The frame as CSV text in chunks of about `chunkChars`, so large outputs stream. Numbers
 * round-trip exactly; text does too with `exact` (for files Glassbox itself reads back, never for
 * files handed to people: those keep the formula guard).
 */
export function* csvChunks(
  frame: Frame,
  options: { separator?: string; chunkChars?: number; exact?: boolean } = {},
): Generator<string> {
  const sep = options.separator ?? ',';
  const limit = options.chunkChars ?? 1 << 16;
  const guard = options.exact ? (text: string) => text : neutraliseFormula;
  let buf = frame.names.map((n) => quoteCsv(guard(n), sep)).join(sep) + '\n';
  const cols = frame.columns;
  for (let i = 0; i < frame.nRows; i++) {
    let line = '';
    for (let j = 0; j < cols.length; j++) line += (j ? sep : '') + cellText(cols[j], i, sep, guard);
    buf += line + '\n';
    if (buf.length >= limit) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

export function toCsv(frame: Frame, options: { separator?: string } = {}): string {
  return [...csvChunks(frame, options)].join('');
}
