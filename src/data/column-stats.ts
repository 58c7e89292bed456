import { ID_NAME } from './column-builder.js';
import type { Column } from './frame.js';
import { sortedPresent } from '../engine/sorted.js';
import { numberFacts } from '../wasm/clean.js';

/** Number of distinct non-missing values. */
export function distinctCount(c: Column): number {
  switch (c.kind) {
    case 'numeric':
    case 'datetime': {
      const v = sortedPresent(c.values);
      let d = v.length ? 1 : 0;
      for (let i = 1; i < v.length; i++) if (v[i] !== v[i - 1]) d++;
      return d;
    }
    case 'categorical': {
      const seen = new Uint8Array(c.categories.length);
      let d = 0;
      for (let i = 0; i < c.codes.length; i++) {
        const k = c.codes[i];
        if (k >= 0 && !seen[k]) {
          seen[k] = 1;
          d++;
        }
      }
      return d;
    }
    case 'text':
      return new Set(c.values.filter((s) => s !== null)).size;
  }
}

/** A single distinct non-missing value, or none: the same answer as distinctCount(c) <= 1 in one pass. */
export function isConstant(c: Column): boolean {
  if (c.kind === 'numeric' || c.kind === 'datetime') return numberFacts(c.values).constant;
  if (c.kind === 'categorical') {
    let first = -1;
    for (let i = 0; i < c.codes.length; i++) {
      const k = c.codes[i];
      if (k < 0) continue;
      if (first < 0) first = k;
      else if (k !== first) return false;
    }
    return true;
  }
  return distinctCount(c) <= 1;
}

export function missingCount(c: Column): number {
  let m = 0;
  switch (c.kind) {
    case 'numeric':
    case 'datetime':
      return numberFacts(c.values).missing;
    case 'categorical':
      for (let i = 0; i < c.codes.length; i++) if (c.codes[i] < 0) m++;
      return m;
    case 'text':
      for (const s of c.values) if (s === null) m++;
      return m;
  }
}

/**
 * Identifier-like: every value different (at least 20 rows), and for numbers also a row counter
 * or an identifier-sounding name, because a unique float (a price) is a measurement, not a key.
 */
export function isIdLike(c: Column): boolean {
  if (c.kind === 'categorical') {
    const present = c.codes.length - missingCount(c);
    return present >= 20 && distinctCount(c) === present;
  }
  if (c.kind !== 'numeric') return false;
  // One pass gives the missing count, the counter and the integers.
  const facts = numberFacts(c.values);
  const present = c.values.length - facts.missing;
  if (present < 20) return false;
  if (facts.counter) return true;
  if (!facts.integers) return false;
  return ID_NAME.test(c.name) && distinctCount(c) === present;
}
