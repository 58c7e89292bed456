import { describe, expect, it } from 'vitest';
import { parseDecimalComma, parseNumberBytes, parseNumberString } from './number.js';

const enc = new TextEncoder();
const parse = (s: string) => {
  const b = enc.encode(s);
  return parseNumberBytes(b, 0, b.length);
};

describe('parseNumberBytes', () => {
  it('agrees with Number() bit for bit on random decimals (the oracle)', () => {
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let k = 0; k < 20000; k++) {
      const digits = 1 + Math.floor(rnd() * 19);
      let s = rnd() < 0.3 ? '-' : '';
      for (let d = 0; d < digits; d++) s += Math.floor(rnd() * 10);
      if (rnd() < 0.7) {
        const cut = 1 + Math.floor(rnd() * (s.length - 1));
        s = s.slice(0, cut) + '.' + s.slice(cut);
      }
      if (rnd() < 0.2) s += `e${Math.floor(rnd() * 60) - 30}`;
      if (s === '-' || s.endsWith('-.')) continue;
      const expected = Number(s);
      if (Number.isNaN(expected)) continue;
      expect(Object.is(parse(s), expected), s).toBe(true);
    }
  });

  it('handles the shapes real files use', () => {
    expect(parse('0')).toBe(0);
    expect(parse('-0.5')).toBe(-0.5);
    expect(parse('.5')).toBe(0.5);
    expect(parse('5.')).toBe(5);
    expect(parse('+3')).toBe(3);
    expect(parse('7.50E-05')).toBe(7.5e-5);
    expect(parse('1e308')).toBe(1e308);
    expect(parse('0.1')).toBe(0.1);
    expect(parse('123456789012345678901234567890')).toBe(123456789012345678901234567890);
    expect(parse('inf')).toBe(Infinity);
    expect(parse('-Infinity')).toBe(-Infinity);
  });

  it('rejects non-numbers', () => {
    for (const s of ['', '-', '.', 'e5', '1e', '1.2.3', '12a', 'abc', '1,5', '0x10', '1 000', 'NaN']) {
      expect(Number.isNaN(parse(s)), s).toBe(true);
    }
  });
});

describe('string parsers', () => {
  it('parses plain numbers strictly', () => {
    expect(parseNumberString('42')).toBe(42);
    expect(parseNumberString('-1.5e3')).toBe(-1500);
    expect(parseNumberString('')).toBeUndefined();
    expect(parseNumberString('0x1f')).toBeUndefined();
    expect(parseNumberString('12 ')).toBeUndefined();
  });
  it('parses decimal commas with dot thousands', () => {
    expect(parseDecimalComma('3,14')).toBe(3.14);
    expect(parseDecimalComma('-1.234,5')).toBe(-1234.5);
    expect(parseDecimalComma('1,2,3')).toBeUndefined();
    expect(parseDecimalComma('12')).toBeUndefined();
  });
});
