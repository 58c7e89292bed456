// AssemblyScript, imported by the kernel modules that need exp and log (not a module of its own:
// scripts/build-wasm.mjs compiles only assembly/*.ts).
//
// exp, log and log1p as V8's Math.exp, Math.log and Math.log1p compute them: V8 runs fdlibm's
// algorithms (Sun, 1993; its exp returns e exactly at 1 and scales by 2^k with a multiply), and
// these follow the same operations in the same order, so a kernel gives the same bits as its
// JavaScript twin without a call out of WebAssembly per value. AssemblyScript's own Math.exp and
// Math.log are musl's table-driven versions, which round differently in the last place.
// src/wasm/fdlibm.test.ts compares all three with Math on millions of arguments.

const LN2_HI: f64 = reinterpret<f64>(0x3fe62e42fee00000);
const LN2_LO: f64 = reinterpret<f64>(0x3dea39ef35793c76);
const TWO54: f64 = reinterpret<f64>(0x4350000000000000);
const TWOM1000: f64 = reinterpret<f64>(0x0170000000000000);
const TWO1023: f64 = reinterpret<f64>(0x7fe0000000000000);

// Coefficients of exp's rational approximation on [-0.5 ln2, 0.5 ln2].
const P1: f64 = reinterpret<f64>(0x3fc555555555553e);
const P2: f64 = reinterpret<f64>(0xbf66c16c16bebd93);
const P3: f64 = reinterpret<f64>(0x3f11566aaf25de2c);
const P4: f64 = reinterpret<f64>(0xbebbbd41c5d26bf1);
const P5: f64 = reinterpret<f64>(0x3e66376972bea4d0);

// Coefficients of log(1 + f) = f - s (f - R(s²)), s = f / (2 + f), shared by log and log1p.
const L1: f64 = reinterpret<f64>(0x3fe5555555555593);
const L2: f64 = reinterpret<f64>(0x3fd999999997fa04);
const L3: f64 = reinterpret<f64>(0x3fd2492494229359);
const L4: f64 = reinterpret<f64>(0x3fcc71c51d8e78af);
const L5: f64 = reinterpret<f64>(0x3fc7466496cb03de);
const L6: f64 = reinterpret<f64>(0x3fc39a09d078c69f);
const L7: f64 = reinterpret<f64>(0x3fc2f112df3e5244);

function high(x: f64): i32 {
  return <i32>(reinterpret<u64>(x) >>> 32);
}

function low(x: f64): u32 {
  return <u32>reinterpret<u64>(x);
}

function withHigh(x: f64, hi: i32): f64 {
  return reinterpret<f64>(((<u64>(<u32>hi)) << 32) | (<u64>low(x)));
}

/** 2^k as a double from its exponent bits (-1022 <= k <= 1023). */
function pow2(k: i32): f64 {
  return reinterpret<f64>((<u64>(<u32>(0x3ff00000 + (k << 20)))) << 32);
}

export function exp(x: f64): f64 {
  let hx = high(x);
  const neg = (hx >>> 31) & 1;
  hx &= 0x7fffffff;
  if (hx >= 0x40862e42) {
    // |x| >= 709.78: NaN, infinities, overflow and underflow.
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | low(x)) != 0) return x + x;
      return neg == 0 ? x : 0;
    }
    if (x > reinterpret<f64>(0x40862e42fefa39ef)) return Infinity;
    if (x < reinterpret<f64>(0xc0874910d52d3051)) return 0;
  }
  let hi: f64 = 0;
  let lo: f64 = 0;
  let k: i32 = 0;
  if (hx > 0x3fd62e42) {
    // x = k ln2 + r with |r| <= 0.5 ln2; hi - lo is r to more than double precision.
    if (hx < 0x3ff0a2b2) {
      if (x == 1) return reinterpret<f64>(0x4005bf0a8b145769);
      if (neg) {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      } else {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      }
    } else {
      k = <i32>(reinterpret<f64>(0x3ff71547652b82fe) * x + (neg ? -0.5 : 0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  if (k >= -1021) return k == 1024 ? y * 2 * TWO1023 : y * pow2(k);
  return y * pow2(k + 1000) * TWOM1000;
}

export function log(x: f64): f64 {
  let hx = high(x);
  let k: i32 = 0;
  if (hx < 0x00100000) {
    // Zero, negative or subnormal.
    if (((hx & 0x7fffffff) | low(x)) == 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    hx = high(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  // Scale x into [sqrt(2)/2, sqrt(2)), moving a factor 2 into k when needed.
  let i = (hx + 0x95f64) & 0x100000;
  x = withHigh(x, hx | (i ^ 0x3ff00000));
  k += i >> 20;
  const f = x - 1;
  const dk = <f64>k;
  if ((0x000fffff & (2 + hx)) < 3) {
    // |f| < 2^-20
    if (f == 0) return k == 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    return k == 0 ? f - R : dk * LN2_HI - (R - dk * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (L2 + w * (L4 + w * L6));
  const t2 = z * (L1 + w * (L3 + w * (L5 + w * L7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    return k == 0 ? f - (hfsq - s * (hfsq + R)) : dk * LN2_HI - (hfsq - (s * (hfsq + R) + dk * LN2_LO) - f);
  }
  return k == 0 ? f - s * (f - R) : dk * LN2_HI - (s * (f - R) - dk * LN2_LO - f);
}

export function log1p(x: f64): f64 {
  const hx = high(x);
  const ax = hx & 0x7fffffff;
  let k: i32 = 1;
  let f: f64 = 0;
  let c: f64 = 0;
  let hu: i32 = 0;
  if (hx < 0x3fda827a) {
    // 1 + x < sqrt(2)
    if (ax >= 0x3ff00000) return x == -1 ? -Infinity : NaN;
    if (ax < 0x3e200000) return ax < 0x3c900000 ? x : x - x * x * 0.5;
    if (hx > 0 || hx <= <i32>0xbfd2bec4) {
      k = 0;
      f = x;
      hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k != 0) {
    let u: f64;
    if (hx < 0x43400000) {
      u = 1 + x;
      hu = high(u);
      k = (hu >> 20) - 1023;
      // 1 + x rounded; c is what the rounding lost, relative to u.
      c = k > 0 ? 1 - (u - x) : x - (u - 1);
      c /= u;
    } else {
      u = x;
      hu = high(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    if (hu < 0x6a09e) {
      u = withHigh(u, hu | 0x3ff00000);
    } else {
      k += 1;
      u = withHigh(u, hu | 0x3fe00000);
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1;
  }
  const hfsq = 0.5 * f * f;
  const dk = <f64>k;
  if (hu == 0) {
    // |f| < 2^-20
    if (f == 0) {
      if (k == 0) return 0;
      c += dk * LN2_LO;
      return dk * LN2_HI + c;
    }
    const R = hfsq * (1 - 0.66666666666666666 * f);
    return k == 0 ? f - R : dk * LN2_HI - (R - (dk * LN2_LO + c) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const R = z * (L1 + z * (L2 + z * (L3 + z * (L4 + z * (L5 + z * (L6 + z * L7))))));
  return k == 0 ? f - (hfsq - s * (hfsq + R)) : dk * LN2_HI - (hfsq - (s * (hfsq + R) + (dk * LN2_LO + c)) - f);
}
