import { rowKeys } from '../wasm/clean.js';
import type { Column, Frame } from './frame.js';

/**
 * Indices of the rows that do not repeat an earlier row, in order. Two rows are duplicates only
 * when every cell agrees as text (missing equals missing, 0 equals -0). The one definition
 * behind the profile's duplicate count and the drop-duplicates step, so the warning counts
 * exactly what is dropped.
 *
 * Rows are hashed column by column into 64-bit keys and bucketed (WebAssembly kernels,
 * src/wasm/clean.ts); rows sharing a key are then compared cell by cell, so a hash collision can
 * never merge different rows.
 */
export function firstOccurrences(frame: Frame): number[] {
  const n = frame.nRows;
  const keys = rowKeys(n);
  for (const c of frame.columns) {
    if (c.kind === 'numeric' || c.kind === 'datetime') keys.numbers(c.values);
    else if (c.kind === 'categorical') keys.codes(c.codes, c.categories.indexOf(''));
    else {
      const a = new Uint32Array(n);
      const b = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const s = c.values[i] ?? '';
        let x = 0x811c9dc5;
        let y = s.length;
        for (let k = 0; k < s.length; k++) {
          x = Math.imul(x ^ s.charCodeAt(k), 0x01000193);
          y = Math.imul(y ^ s.charCodeAt(k), 0x5bd1e995);
        }
        a[i] = x;
        b[i] = y;
      }
      keys.words(a, b);
    }
  }
  // Rows kept under the same key are chained through `next` from the key's first row, which is
  // always kept: a later row with that key is compared with each of them, cell by cell.
  const first = keys.firstOfKey();
  const next = new Int32Array(n).fill(-1);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const head = first[i];
    if (head !== i) {
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
