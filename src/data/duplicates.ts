import { cellString, type Frame } from './frame.js';

/**
 * Indices of the rows that do not repeat an earlier row, in order. Two rows are duplicates only
 * when every cell agrees (missing equals missing). The one definition behind the profile's
 * duplicate count and the drop-duplicates step, so the warning counts exactly what is dropped.
 */
export function firstOccurrences(frame: Frame): number[] {
  const n = frame.nRows;
  const keys = new Array<string>(n).fill('');
  for (const c of frame.columns) for (let i = 0; i < n; i++) keys[i] += `${cellString(c, i)}\u0001`;
  const seen = new Set<string>();
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!seen.has(keys[i])) {
      seen.add(keys[i]);
      keep.push(i);
    }
  }
  return keep;
}
