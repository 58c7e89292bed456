/**
 * Open-addressing hash table from byte strings to dense codes. The CSV reader looks every
 * categorical cell up here by its bytes, so a repeated category costs a hash and a compare, and
 * only distinct values are ever decoded into JS strings.
 */
export class ByteDict {
  private arena = new Uint8Array(1 << 12);
  private arenaUsed = 0;
  private offsets: Int32Array = new Int32Array(64);
  private lengths: Int32Array = new Int32Array(64);
  private hashes: Int32Array = new Int32Array(64);
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
      this.offsets = growI32(this.offsets, this.offsets.length * 2);
      this.lengths = growI32(this.lengths, this.lengths.length * 2);
      this.hashes = growI32(this.hashes, this.hashes.length * 2);
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
  strings(decoder: Decoder): string[] {
    const out = new Array<string>(this.size);
    for (let code = 0; code < this.size; code++) {
      const off = this.offsets[code];
      out[code] = decodeBytes(this.arena, off, off + this.lengths[code], decoder);
    }
    return out;
  }
}

export interface Decoder {
  decode(bytes: Uint8Array): string;
}

/**
 * Short ASCII byte runs become strings without the decoder: a TextDecoder call costs microseconds
 * of fixed overhead, which dominates for the short cells of a table.
 */
export function decodeBytes(buf: Uint8Array, start: number, end: number, decoder: Decoder): string {
  const len = end - start;
  if (len <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (buf[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  }
  return decoder.decode(buf.subarray(start, end));
}

export function growF64(a: Float64Array, capacity: number): Float64Array {
  const next = new Float64Array(capacity);
  next.set(a);
  return next;
}

export function growI32(a: Int32Array, capacity: number): Int32Array {
  const next = new Int32Array(capacity);
  next.set(a);
  return next;
}
