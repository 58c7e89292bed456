// AssemblyScript, imported by the kernel modules that draw random numbers (not a module of its
// own: scripts/build-wasm.mjs compiles only assembly/*.ts). xoshiro128** as src/engine/random.ts
// draws it, its state handed over by setRng and read back by getRng, so a kernel continues the
// JavaScript generator's sequence exactly.

let ra: u32 = 0;
let rb: u32 = 0;
let rc: u32 = 0;
let rd: u32 = 0;

/** Loads the generator's state (four u32 at state). */
export function setRng(state: usize): void {
  ra = load<u32>(state);
  rb = load<u32>(state + 4);
  rc = load<u32>(state + 8);
  rd = load<u32>(state + 12);
}

/** Stores the generator's state (four u32 at state). */
export function getRng(state: usize): void {
  store<u32>(state, ra);
  store<u32>(state + 4, rb);
  store<u32>(state + 8, rc);
  store<u32>(state + 12, rd);
}

function nextU32(): u32 {
  const result = rotl<u32>(rb * 5, 7) * 9;
  const t = rb << 9;
  rc ^= ra;
  rd ^= rb;
  rb ^= rc;
  ra ^= rd;
  rc ^= t;
  rd = rotl<u32>(rd, 11);
  return result;
}

/** Uniform in [0, 1) with 53 random bits (Rng.next). */
export function nextF64(): f64 {
  const hi = <f64>(nextU32() >>> 5);
  const lo = <f64>(nextU32() >>> 6);
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** Uniform integer in [0, n) (Rng.int). */
export function nextInt(n: i32): i32 {
  return <i32>Math.floor(nextF64() * <f64>n);
}
