import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import { placeEnet } from './kernels.js';

// The elastic-net and MLP kernels compute exp, log and log1p in WebAssembly (assembly/shared/
// fdlibm.ts) and promise their JavaScript twins' bits, which use Math: the oracle is Math itself.
describe('fdlibm exp, log and log1p (WebAssembly) against Math', () => {
  const { kernels } = placeEnet(() => ({}));
  const rng = new Rng(5);
  const bits = new BigUint64Array(1);
  const asDouble = new Float64Array(bits.buffer);
  const word = (): bigint => BigInt(Math.floor(rng.next() * 2 ** 32));
  const draws: Record<string, () => number> = {
    // logits and softmax differences
    'uniform on ±40': () => (rng.next() - 0.5) * 80,
    // across overflow and underflow
    'uniform on ±750': () => (rng.next() - 0.5) * 1500,
    'uniform on ±1': () => (rng.next() - 0.5) * 2,
    'near 0': () => (rng.next() - 0.5) * 1e-6,
    'near 1': () => 1 + (rng.next() - 0.5) * 1e-4,
    'every magnitude': () => Math.exp((rng.next() - 0.5) * 1400) * (rng.next() < 0.5 ? -1 : 1),
    'any bit pattern': () => {
      bits[0] = (word() << 32n) | word();
      return asDouble[0];
    },
  };
  const specials = [0, -0, 1, -1, 2, 0.5, Math.E, Infinity, -Infinity, NaN, 709.782712893384, -745.1332191019411];
  specials.push(-745.2, 5e-324, -5e-324, 1e-320, 1e308, 0.34657359027997264, 1.0397207708399179, -0.2928932188134524);
  const pairs: [string, (x: number) => number, (x: number) => number][] = [
    ['exp', Math.exp, kernels.exp],
    ['log', Math.log, kernels.log],
    ['log1p', Math.log1p, kernels.log1p],
  ];

  for (const [name, math, wasm] of pairs)
    it(`${name} gives Math.${name}'s bits`, () => {
      const misses: string[] = [];
      for (const x of specials) if (!Object.is(wasm(x), math(x))) misses.push(`${name}(${x})`);
      for (const [label, draw] of Object.entries(draws))
        for (let i = 0; i < 40000; i++) {
          const x = draw();
          if (!Object.is(wasm(x), math(x))) misses.push(`${name}(${x}) [${label}]`);
        }
      expect(misses.slice(0, 5)).toEqual([]);
    });
});
