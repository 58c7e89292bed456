/**
 * Cell texts that mean "no value". Compared after trimming, so a lone space is the empty string.
 * `unknown` is deliberately absent: in bank marketing and German credit it is a real category.
 */
export const DEFAULT_MISSING_MARKERS: readonly string[] = [
  '',
  'NA',
  'N/A',
  'n/a',
  'na',
  'null',
  'NULL',
  'Null',
  'NaN',
  'nan',
  '?',
  '#N/A',
  '<NA>',
];

/** Byte-level matcher for short markers so the CSV reader never decodes a cell to test it. */
export class MissingMatcher {
  private readonly byLength: Map<number, Uint8Array[]> = new Map();
  /** First bytes of any marker: most cells (digits, words) are ruled out by one table lookup. */
  private readonly firstByte = new Uint8Array(256);
  private readonly maxLength: number;
  private readonly matchesEmpty: boolean;
  readonly markers: ReadonlySet<string>;

  constructor(markers: readonly string[] = DEFAULT_MISSING_MARKERS) {
    this.markers = new Set(markers);
    const enc = new TextEncoder();
    let maxLength = 0;
    for (const m of this.markers) {
      const b = enc.encode(m);
      if (b.length) this.firstByte[b[0]] = 1;
      maxLength = Math.max(maxLength, b.length);
      const list = this.byLength.get(b.length) ?? [];
      list.push(b);
      this.byLength.set(b.length, list);
    }
    this.maxLength = maxLength;
    this.matchesEmpty = this.markers.has('');
  }

  matchBytes(buf: Uint8Array, start: number, end: number): boolean {
    if (start === end) return this.matchesEmpty;
    if (end - start > this.maxLength || this.firstByte[buf[start]] === 0) return false;
    const list = this.byLength.get(end - start);
    if (list === undefined) return false;
    outer: for (const m of list) {
      for (let k = 0; k < m.length; k++) if (buf[start + k] !== m[k]) continue outer;
      return true;
    }
    return false;
  }

  matchString(s: string): boolean {
    return this.markers.has(s);
  }
}
