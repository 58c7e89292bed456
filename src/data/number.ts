/**
 * Number parsing straight from bytes, so a numeric CSV column never allocates a string per cell.
 * Clinger's fast path: a mantissa of at most 15 significant digits scaled by 10^e with |e| <= 22
 * is exact in one rounding, matching Number(). Anything longer falls back to Number() on the text.
 */

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

const asciiDecoder = new TextDecoder('latin1');

/**
 * Parses a decimal number (optional sign, digits, optional fraction, optional exponent, or
 * Infinity) from bytes [start, end), already trimmed. `decimal` is the decimal-point byte
 * (0x2e '.' or 0x2c ','). Returns NaN when the bytes are not a number: no number text parses to NaN,
 * because the text "NaN" is a missing marker, matched before this is called.
 */
export function parseNumberBytes(buf: Uint8Array, start: number, end: number, decimal = 0x2e): number {
  let i = start;
  if (i >= end) return NaN;
  let neg = false;
  let c = buf[i];
  if (c === 0x2d || c === 0x2b) {
    neg = c === 0x2d;
    i++;
    if (i >= end) return NaN;
  }
  let mantissa = 0;
  let sigDigits = 0;
  let exp10 = 0;
  let anyDigit = false;
  // integer part
  for (; i < end; i++) {
    c = buf[i] - 0x30;
    if (c < 0 || c > 9) break;
    anyDigit = true;
    if (sigDigits > 0 || c !== 0) {
      if (sigDigits < 19) mantissa = mantissa * 10 + c;
      else exp10++;
      sigDigits++;
    }
  }
  if (i < end && buf[i] === decimal) {
    i++;
    for (; i < end; i++) {
      c = buf[i] - 0x30;
      if (c < 0 || c > 9) break;
      anyDigit = true;
      if (sigDigits > 0 || c !== 0) {
        if (sigDigits < 19) {
          mantissa = mantissa * 10 + c;
          exp10--;
        }
        sigDigits++;
      } else exp10--;
    }
  }
  if (!anyDigit) {
    // Infinity / inf
    const len = end - i;
    if (
      (len === 8 || len === 3) &&
      (buf[i] | 0x20) === 0x69 &&
      (buf[i + 1] | 0x20) === 0x6e &&
      (buf[i + 2] | 0x20) === 0x66
    ) {
      if (len === 3 || asciiDecoder.decode(buf.subarray(i, end)).toLowerCase() === 'infinity') {
        return neg ? -Infinity : Infinity;
      }
    }
    return NaN;
  }
  if (i < end && (buf[i] | 0x20) === 0x65) {
    i++;
    let eneg = false;
    if (i < end && (buf[i] === 0x2d || buf[i] === 0x2b)) {
      eneg = buf[i] === 0x2d;
      i++;
    }
    let e = 0;
    let eDigits = 0;
    for (; i < end; i++) {
      c = buf[i] - 0x30;
      if (c < 0 || c > 9) break;
      if (e < 100000) e = e * 10 + c;
      eDigits++;
    }
    if (eDigits === 0) return NaN;
    exp10 += eneg ? -e : e;
  }
  if (i !== end) return NaN;
  if (sigDigits <= 15 && exp10 >= -22 && exp10 <= 22) {
    const v = exp10 >= 0 ? mantissa * POW10[exp10] : mantissa / POW10[-exp10];
    return neg ? -v : v;
  }
  // Slow but exact: let the engine round the full text.
  let text = asciiDecoder.decode(buf.subarray(start, end));
  if (decimal !== 0x2e) text = text.replace(',', '.');
  return Number(text);
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INF_RE = /^[+-]?(inf|infinity)$/i;

/** Parses a trimmed string as a decimal number, or returns undefined. Stricter than Number(): no hex, no ''. */
export function parseNumberString(s: string): number | undefined {
  if (NUMBER_RE.test(s)) return Number(s);
  if (INF_RE.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return undefined;
}

const DECIMAL_COMMA_RE = /^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$/;

/** "1.234,5" or "3,14" as a number (decimal comma, optional dot thousands separators), or undefined. */
export function parseDecimalComma(s: string): number | undefined {
  if (!DECIMAL_COMMA_RE.test(s)) return undefined;
  return Number(s.replace(/\./g, '').replace(',', '.'));
}
