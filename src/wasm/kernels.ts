import { WASM as FOREST } from './forest.generated.js';
import { WASM as MLP } from './mlp.generated.js';

/** Offsets into a kernel module's memory below this are the module's own (its static data). */
const RESERVED = 65536;

/** The forest kernels of assembly/forest.ts; pointer arguments are byte offsets into `memory`. */
export interface ForestKernels {
  gatherRange(col: number, base: number, idx: number, gb: number, start: number, end: number): number;
  lastMissing(): number;
  leftSums(
    gb: number,
    wa: number,
    ya: number,
    start: number,
    end: number,
    thr: number,
    ml: number,
    unit: number,
  ): number;
  lastLeftWeight(): number;
  setRng(state: number): void;
  getRng(state: number): void;
  extraTreesSplit(
    cols: number,
    n: number,
    p: number,
    kinds: number,
    means: number,
    idx: number,
    gb: number,
    wa: number,
    ya: number,
    start: number,
    end: number,
    w: number,
    s0: number,
    s1: number,
    binary: number,
    unit: number,
    maxFeatures: number,
    minLeaf: number,
    perm: number,
    mark: number,
    known: number,
    nKnown: number,
    seen: number,
    order: number,
    cat: number,
    bestCat: number,
    res: number,
  ): number;
  accumulate(
    col: number,
    base: number,
    idx: number,
    wa: number,
    ya: number,
    ca: number,
    start: number,
    end: number,
    D: number,
    cls: number,
    hw: number,
    hc: number,
    hs: number,
    touched: number,
  ): number;
  lastLeftSum(): number;
  partition(
    col: number,
    base: number,
    idx: number,
    tmp: number,
    wa: number,
    tw: number,
    ya: number,
    ty: number,
    ca: number,
    tc: number,
    start: number,
    end: number,
    thr: number,
    dl: number,
    cat: number,
    categorical: number,
    unit: number,
    cls: number,
    withY: number,
  ): number;
}

/** The MLP kernels of assembly/mlp.ts; pointer arguments are byte offsets into `memory`. */
export interface MlpKernels {
  sparseForward(
    rows: number,
    start: number,
    count: number,
    ptr: number,
    val: number,
    off: number,
    W: number,
    b: number,
    nOut: number,
    z: number,
  ): void;
  sparseWeightGradient(
    rows: number,
    start: number,
    count: number,
    ptr: number,
    idx: number,
    val: number,
    dz: number,
    nIn: number,
    nOut: number,
    gW: number,
    gb: number,
    cp: number,
    cur: number,
    crow: number,
    cval: number,
  ): void;
  dense(a: number, rows: number, nIn: number, nOut: number, W: number, b: number, z: number, skipZeros: number): void;
  weightGradient(a: number, dz: number, rows: number, nIn: number, nOut: number, gW: number, gb: number): void;
  adamStep(P: number, G: number, M: number, V: number, n: number, lr: number, c1: number, c2: number): void;
}

const compiled = new Map<string, WebAssembly.Module>();

function decode(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * A kernel module with a memory of its own, and a bump allocator handing out typed arrays in it.
 * The memory is sized once and never grown, so the arrays stay valid for the arena's life.
 */
export class KernelArena<K> {
  readonly kernels: K;
  readonly memory: WebAssembly.Memory;
  private next = RESERVED;

  private constructor(base64: string, bytes: number) {
    let module = compiled.get(base64);
    if (!module) {
      module = new WebAssembly.Module(decode(base64));
      compiled.set(base64, module);
    }
    this.memory = new WebAssembly.Memory({ initial: Math.ceil((RESERVED + bytes) / 65536) + 1 });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory, abort: () => undefined } });
    this.kernels = instance.exports as unknown as K;
  }

  static forest(bytes: number): KernelArena<ForestKernels> {
    return new KernelArena<ForestKernels>(FOREST, bytes);
  }

  static mlp(bytes: number): KernelArena<MlpKernels> {
    return new KernelArena<MlpKernels>(MLP, bytes);
  }

  private take(bytes: number, align: number): number {
    const at = Math.ceil(this.next / align) * align;
    if (at + bytes > this.memory.buffer.byteLength) throw new Error('kernel arena: out of reserved memory');
    this.next = at + bytes;
    return at;
  }

  f64(n: number): Float64Array {
    return new Float64Array(this.memory.buffer, this.take(8 * n, 8), n);
  }

  i32(n: number): Int32Array {
    return new Int32Array(this.memory.buffer, this.take(4 * n, 8), n);
  }

  u8(n: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, this.take(n, 8), n);
  }
}

/** Where typed arrays come from: plain memory, or a kernel arena. */
export interface Alloc {
  f64(n: number): Float64Array;
  i32(n: number): Int32Array;
}

export const PLAIN: Alloc = { f64: (n) => new Float64Array(n), i32: (n) => new Int32Array(n) };

/** Bytes a set of arrays needs in an arena, alignment included. */
export function arenaBytes(f64: number, i32: number, u8: number): number {
  return 8 * f64 + 4 * i32 + u8 + 64;
}
