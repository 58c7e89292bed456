import { GlassboxError } from './errors.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

/**
 * Splits bytes into CSV records (RFC 4180 plus the usual leniencies: CR, LF or CRLF line ends,
 * spaces before an opening quote). It only finds field boundaries; unescaping doubled quotes is
 * left to the consumer, because a record cut off at a chunk end is parsed again from its start.
 */
export class CsvTokenizer {
  readonly sep: number;
  count = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** 1 = quoted, 2 = quoted with doubled quotes inside. */
  flags = new Uint8Array(64);
  /** Line breaks inside quoted fields of the last record. */
  innerLines = 0;

  constructor(sep: number) {
    this.sep = sep;
  }

  private push(start: number, end: number, flag: number): void {
    if (this.count === this.starts.length) {
      const cap = this.count * 2;
      const s = new Int32Array(cap);
      s.set(this.starts);
      this.starts = s;
      const e = new Int32Array(cap);
      e.set(this.ends);
      this.ends = e;
      const f = new Uint8Array(cap);
      f.set(this.flags);
      this.flags = f;
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.flags[this.count] = flag;
    this.count++;
  }

  /**
   * Reads one record starting at `pos`. Returns the position after it, or -1 when the record runs
   * past `end` and more bytes may follow (`final` false). At `final`, an unterminated quote is an error.
   */
  next(buf: Uint8Array, pos: number, end: number, final: boolean): number {
    const sep = this.sep;
    this.count = 0;
    this.innerLines = 0;
    let p = pos;
    for (;;) {
      let q = p;
      while (q < end && buf[q] === SPACE && sep !== SPACE) q++;
      if (q < end && buf[q] === QUOTE) {
        q++;
        const contentStart = q;
        let flag = 1;
        let contentEnd: number;
        for (;;) {
          const idx = buf.indexOf(QUOTE, q);
          if (idx < 0 || idx >= end) {
            if (final) throw new UnterminatedQuote(pos);
            return -1;
          }
          for (let k = q; k < idx; k++) if (buf[k] === LF) this.innerLines++;
          if (idx + 1 >= end && !final) return -1;
          if (idx + 1 < end && buf[idx + 1] === QUOTE) {
            flag = 2;
            q = idx + 2;
            continue;
          }
          contentEnd = idx;
          q = idx + 1;
          break;
        }
        while (q < end && buf[q] === SPACE && sep !== SPACE) q++;
        if (q < end && buf[q] !== sep && buf[q] !== LF && buf[q] !== CR) throw new TextAfterQuote(pos);
        this.push(contentStart, contentEnd, flag);
      } else {
        q = p;
        while (q < end) {
          const c = buf[q];
          if (c === sep || c === LF || c === CR) break;
          q++;
        }
        this.push(p, q, 0);
      }
      if (q >= end) {
        if (final) return end;
        return -1;
      }
      const c = buf[q];
      if (c === sep) {
        p = q + 1;
        continue;
      }
      if (c === CR) {
        if (q + 1 < end) return buf[q + 1] === LF ? q + 2 : q + 1;
        return final ? q + 1 : -1;
      }
      return q + 1;
    }
  }
}

export class UnterminatedQuote extends GlassboxError {
  readonly at: number;
  constructor(at: number) {
    super('a quoted field is never closed (unterminated ")', { code: 'unterminated-quote' });
    this.at = at;
  }
}

export class TextAfterQuote extends GlassboxError {
  readonly at: number;
  constructor(at: number) {
    super('text follows a closing quote inside a field (a stray " in the data?)', { code: 'text-after-quote' });
    this.at = at;
  }
}

/** Removes doubled quotes of field [start, end) in place; returns the new end. */
export function unescapeInPlace(buf: Uint8Array, start: number, end: number): number {
  let w = start;
  for (let r = start; r < end; r++) {
    buf[w++] = buf[r];
    if (buf[r] === QUOTE && r + 1 < end && buf[r + 1] === QUOTE) r++;
  }
  return w;
}

/** Narrows [start, end) past spaces and tabs on both sides; returns the pair packed in an array to avoid objects per cell. */
export function trimRange(buf: Uint8Array, start: number, end: number, out: Int32Array): void {
  while (start < end && (buf[start] === SPACE || buf[start] === 0x09)) start++;
  while (end > start && (buf[end - 1] === SPACE || buf[end - 1] === 0x09)) end--;
  out[0] = start;
  out[1] = end;
}

export const SEPARATORS = [0x2c, 0x3b, 0x09, 0x7c] as const; // , ; TAB |

export function separatorName(sep: number): string {
  return sep === 0x09 ? 'TAB' : String.fromCharCode(sep);
}

/**
 * Picks the separator that splits the sample's lines into the same number (> 1) of fields most
 * consistently; ties go to more fields, then to the order , ; TAB |.
 */
export function sniffSeparator(sample: Uint8Array, final: boolean): number {
  let best: number = SEPARATORS[0];
  let bestScore = -1;
  for (const sep of SEPARATORS) {
    const tok = new CsvTokenizer(sep);
    const counts = new Map<number, number>();
    let pos = 0;
    let records = 0;
    try {
      while (pos < sample.length && records < 200) {
        const next = tok.next(sample, pos, sample.length, final);
        if (next < 0) break;
        pos = next;
        if (tok.count === 1 && tok.ends[0] === tok.starts[0]) continue; // blank line
        counts.set(tok.count, (counts.get(tok.count) ?? 0) + 1);
        records++;
      }
    } catch {
      continue; // this separator makes the quoting inconsistent
    }
    if (records === 0) continue;
    let modeCount = 0;
    let modeFreq = 0;
    for (const [k, f] of counts) if (f > modeFreq || (f === modeFreq && k > modeCount)) [modeCount, modeFreq] = [k, f];
    if (modeCount < 2) continue;
    // Consistency first, then width.
    const score = (modeFreq / records) * 1000 + Math.min(modeCount, 999) / 1000;
    if (score > bestScore) {
      bestScore = score;
      best = sep;
    }
  }
  return best;
}
