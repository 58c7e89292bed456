import type { Column, Frame } from './frame.js';

/**
 * Indices of the rows that do not repeat an earlier row, in order. Two rows are duplicates only
 * when every cell agrees as text (missing equals missing, 0 equals -0). The one definition
 * behind the profile's duplicate count and the drop-duplicates step, so the warning counts
 * exactly what is dropped.
 *
 * Rows are hashed column by column into 64-bit keys and bucketed; rows sharing a key are then
 * compared cell by cell, so a hash collision can never merge different rows.
 */
export function firstOccurrences(frame: Frame): number[] {
  const n = frame.nRows;
  const h1 = new Uint32Array(n).fill(0x9e3779b9);
  const h2 = new Uint32Array(n).fill(0x85ebca6b);
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  const mix = (i: number, a: number, b: number): void => {
    h1[i] = Math.imul(h1[i] ^ a, 0x01000193) ^ Math.imul(b, 0x5bd1e995);
    h2[i] = Math.imul(h2[i] ^ b, 0xcc9e2d51) + Math.imul(a, 0x1b873593);
  };
  for (const c of frame.columns) {
    if (c.kind === 'numeric' || c.kind === 'datetime') {
      for (let i = 0; i < n; i++) {
        const v = c.values[i];
        bits[0] = v !== v ? NaN : v === 0 ? 0 : v;
        mix(i, words[0], words[1]);
      }
    } else if (c.kind === 'categorical') {
      const empty = c.categories.indexOf('');
      for (let i = 0; i < n; i++) {
        const code = c.codes[i] === empty ? -1 : c.codes[i];
        mix(i, code, ~code);
      }
    } else
      for (let i = 0; i < n; i++) {
        const s = c.values[i] ?? '';
        let a = 0x811c9dc5;
        let b = s.length;
        for (let k = 0; k < s.length; k++) {
          a = Math.imul(a ^ s.charCodeAt(k), 0x01000193);
          b = Math.imul(b ^ s.charCodeAt(k), 0x5bd1e995);
        }
        mix(i, a, b);
      }
  }
  // Open addressing on the 64-bit keys: each slot holds the first kept row of one key, and rows
  // kept under the same key are chained through `next` (no allocation per row).
  let size = 2;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  const next = new Int32Array(n).fill(-1);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = h1[i];
    const b = h2[i];
    let slot = (a ^ Math.imul(b, 0x27d4eb2d)) & mask;
    let head = table[slot];
    while (head !== -1 && (h1[head] !== a || h2[head] !== b)) {
      slot = (slot + 1) & mask;
      head = table[slot];
    }
    if (head === -1) table[slot] = i;
    else {
      let j = head;
      while (j !== -1 && !sameRow(frame.columns, i, j)) j = next[j];
      if (j !== -1) continue;
      next[i] = next[head];
      next[head] = i;
    }
    keep.push(i);
  }
  return keep;
}

function sameRow(columns: readonly Column[], i: number, j: number): boolean {
  for (const c of columns) {
    switch (c.kind) {
      case 'numeric':
      case 'datetime': {
        const a = c.values[i];
        const b = c.values[j];
        if (!(a === b || (a !== a && b !== b))) return false;
        break;
      }
      case 'categorical': {
        const a = c.codes[i];
        const b = c.codes[j];
        if (a !== b && (a < 0 ? '' : c.categories[a]) !== (b < 0 ? '' : c.categories[b])) return false;
        break;
      }
      case 'text':
        if ((c.values[i] ?? '') !== (c.values[j] ?? '')) return false;
    }
  }
  return true;
}
