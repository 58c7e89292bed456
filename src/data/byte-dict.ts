/**
 * Open-addressing hash table from byte strings to dense codes. The CSV reader looks every
 * categorical cell up here by its bytes, so a repeated category costs a hash and a compare, and
 * only distinct values are ever decoded into JS strings.
 */
export class ByteDict {
  private arena = new Uint8Array(1 << 12);
  private arenaUsed = 0;
  private offsets = new Int32Array(64);
  private lengths = new Int32Array(64);
  private hashes = new Int32Array(64);
  private table = new Int32Array(128).fill(-1);
  size = 0;

  private static hash(buf: Uint8Array, start: number, end: number): number {
    // FNV-1a, 32-bit.
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    return h | 0;
  }

  /** Code of the bytes, or -1. */
  find(buf: Uint8Array, start: number, end: number): number {
    const h = ByteDict.hash(buf, start, end);
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const code = this.table[slot];
      if (code < 0) return -1;
      if (this.hashes[code] === h && this.equals(code, buf, start, end)) return code;
    }
  }

  /** Code of the bytes, inserting them if new. */
  intern(buf: Uint8Array, start: number, end: number): number {
    const h = ByteDict.hash(buf, start, end);
    const mask = this.table.length - 1;
    let slot = h & mask;
    for (; ; slot = (slot + 1) & mask) {
      const code = this.table[slot];
      if (code < 0) break;
      if (this.hashes[code] === h && this.equals(code, buf, start, end)) return code;
    }
    const code = this.size++;
    const len = end - start;
    if (code >= this.offsets.length) {
      this.offsets = grow(this.offsets, this.offsets.length * 2);
      this.lengths = grow(this.lengths, this.lengths.length * 2);
      this.hashes = grow(this.hashes, this.hashes.length * 2);
    }
    if (this.arenaUsed + len > this.arena.length) {
      const next = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + len));
      next.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = next;
    }
    this.arena.set(buf.subarray(start, end), this.arenaUsed);
    this.offsets[code] = this.arenaUsed;
    this.lengths[code] = len;
    this.hashes[code] = h;
    this.arenaUsed += len;
    if (this.size * 2 > this.table.length) this.rehash(this.table.length * 2);
    else this.table[slot] = code;
    return code;
  }

  private equals(code: number, buf: Uint8Array, start: number, end: number): boolean {
    const len = this.lengths[code];
    if (len !== end - start) return false;
    const off = this.offsets[code];
    const a = this.arena;
    for (let k = 0; k < len; k++) if (a[off + k] !== buf[start + k]) return false;
    return true;
  }

  private rehash(capacity: number): void {
    const table = new Int32Array(capacity).fill(-1);
    const mask = capacity - 1;
    for (let code = 0; code < this.size; code++) {
      let slot = this.hashes[code] & mask;
      while (table[slot] >= 0) slot = (slot + 1) & mask;
      table[slot] = code;
    }
    this.table = table;
  }

  /** Decodes every key; throws (TypeError from a fatal TextDecoder) if the bytes are not valid in that encoding. */
  strings(decoder: { decode(bytes: Uint8Array): string }): string[] {
    const out = new Array<string>(this.size);
    for (let code = 0; code < this.size; code++) {
      const off = this.offsets[code];
      out[code] = decoder.decode(this.arena.subarray(off, off + this.lengths[code]));
    }
    return out;
  }
}

export function grow<T extends Int32Array | Float64Array>(a: T, capacity: number): T {
  const next = new (a.constructor as { new (n: number): T })(capacity);
  next.set(a);
  return next;
}
