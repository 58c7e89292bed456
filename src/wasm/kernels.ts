import { WASM as FOREST } from './forest.generated.js';
import { WASM as MLP } from './mlp.generated.js';
import { WASM as ENET } from './enet.generated.js';

/** Offsets into a kernel module's memory below this are the module's own (its static data). */
export const RESERVED = 65536;

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
  /** The arrays and settings of a tree's node searches (see assembly/forest.ts). */
  bindSearch(
    cols: number,
    n: number,
    p: number,
    kinds: number,
    means: number,
    idx: number,
    gb: number,
    wa: number,
    ya: number,
    ca: number,
    binary: number,
    unit: number,
    maxFeatures: number,
    minLeaf: number,
    perm: number,
    mark: number,
    seen: number,
    order: number,
    cat: number,
    bestCat: number,
    hw: number,
    hc: number,
    hs: number,
    touched: number,
    key: number,
  ): void;
  /** The arrays growTree writes the tree to and keeps its stack in, and the partition's scratch. */
  bindGrowth(
    feature: number,
    bin: number,
    defaultLeft: number,
    gain: number,
    left: number,
    right: number,
    w: number,
    s0: number,
    s1: number,
    count: number,
    catOffset: number,
    catBits: number,
    stNode: number,
    stStart: number,
    stEnd: number,
    stDepth: number,
    stKnown: number,
    stW: number,
    stS0: number,
    stS1: number,
    stackCap: number,
    tmp: number,
    tw: number,
    ty: number,
    tc: number,
    cls: number,
    withY: number,
  ): void;
  /** Grows a tree (extra trees when randomSplits is 1) under the bound arrays; returns its node count, or -1 when deeper than the stack. */
  growTree(
    nRows: number,
    w: number,
    s0: number,
    s1: number,
    randomSplits: number,
    maxDepth: number,
    minSamplesSplit: number,
    minGain: number,
  ): number;
  /** Words of category sets the last growTree wrote (8 per categorical split). */
  lastCatWords(): number;
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
  /** One epoch of minibatch gradients and Adam updates, over the network its plan describes. */
  trainEpoch(
    plan: number,
    nFit: number,
    batch: number,
    lr: number,
    step: number,
    dropout: number,
    alpha: number,
    res: number,
  ): void;
  predict(plan: number, X: number, n: number, out: number, K: number): void;
  setRng(state: number): void;
  getRng(state: number): void;
}

const compiled = new Map<string, WebAssembly.Module>();

function decode(base64: string): Uint8Array {
  // Node's decoder is native; the loop serves browsers.
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return B.from(base64, 'base64');
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Starts compiling kernel modules on a background thread: a program imports the kernels, reads
 * its data, then fits, and the first fit would otherwise wait a few milliseconds for each module
 * it uses to compile. A module still compiling when first needed is compiled at once instead.
 */
export function precompile(...modules: readonly string[]): void {
  for (const base64 of modules) {
    if (compiled.has(base64)) continue;
    WebAssembly.compile(decode(base64)).then(
      (module) => {
        if (!compiled.has(base64)) compiled.set(base64, module);
      },
      () => undefined,
    );
  }
}

/** A kernel module's exports over the given memory (the module is compiled once per process). */
export function instantiate(
  base64: string,
  memory: WebAssembly.Memory,
  imports: Record<string, Record<string, unknown>> = {},
): unknown {
  let module = compiled.get(base64);
  if (!module) {
    module = new WebAssembly.Module(decode(base64));
    compiled.set(base64, module);
  }
  return new WebAssembly.Instance(module, { ...imports, env: { memory, abort: () => undefined } }).exports;
}

/** Where typed arrays come from: plain memory, or a kernel arena. */
export interface Alloc {
  f64(n: number): Float64Array;
  i32(n: number): Int32Array;
  u8(n: number): Uint8Array;
}

export const PLAIN: Alloc = {
  f64: (n) => new Float64Array(n),
  i32: (n) => new Int32Array(n),
  u8: (n) => new Uint8Array(n),
};

/** Every array starts on an 8-byte boundary, so f64 views and SIMD loads line up. */
const align = (bytes: number): number => Math.ceil(bytes / 8) * 8;

/** Counts the bytes a layout takes, handing out plain arrays so a layout may read their lengths. */
class Sizer implements Alloc {
  bytes = 0;
  f64(n: number): Float64Array {
    this.bytes = align(this.bytes) + 8 * n;
    return new Float64Array(n);
  }
  i32(n: number): Int32Array {
    this.bytes = align(this.bytes) + 4 * n;
    return new Int32Array(n);
  }
  u8(n: number): Uint8Array {
    this.bytes = align(this.bytes) + n;
    return new Uint8Array(n);
  }
}

/** The kernels of a module, and the arrays of a layout in their memory. */
export interface Placed<K, T> {
  readonly kernels: K;
  readonly arrays: T;
}

/**
 * A kernel module on a memory of its own holding the arrays a layout allocates. The layout runs
 * twice, first to count its bytes and then to place its arrays, so the memory is sized exactly
 * and never grown (growing would detach every view).
 */
class KernelArena implements Alloc {
  readonly kernels: unknown;
  private readonly memory: WebAssembly.Memory;
  private next = RESERVED;

  private constructor(base64: string, bytes: number, imports: Record<string, Record<string, unknown>>) {
    this.memory = new WebAssembly.Memory({ initial: Math.ceil((RESERVED + bytes) / 65536) });
    this.kernels = instantiate(base64, this.memory, imports);
  }

  static place<K, T>(
    base64: string,
    layout: (a: Alloc) => T,
    imports: Record<string, Record<string, unknown>> = {},
  ): Placed<K, T> {
    const sizer = new Sizer();
    layout(sizer);
    const arena = new KernelArena(base64, sizer.bytes, imports);
    return { kernels: arena.kernels as K, arrays: layout(arena) };
  }

  private take(bytes: number): number {
    const at = align(this.next);
    if (at + bytes > this.memory.buffer.byteLength)
      throw new Error('kernel arena: a layout asked for more the second time');
    this.next = at + bytes;
    return at;
  }

  f64(n: number): Float64Array {
    return new Float64Array(this.memory.buffer, this.take(8 * n), n);
  }

  i32(n: number): Int32Array {
    return new Int32Array(this.memory.buffer, this.take(4 * n), n);
  }

  u8(n: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, this.take(n), n);
  }
}

/** The forest kernels with a layout's arrays in their memory. */
export function placeForest<T>(layout: (a: Alloc) => T): Placed<ForestKernels, T> {
  return KernelArena.place<ForestKernels, T>(FOREST, layout);
}

/** The elastic-net kernels of assembly/enet.ts; pointer arguments are byte offsets into `memory`. */
export interface EnetKernels {
  buildGram(
    X: number,
    ptr: number,
    idx: number,
    val: number,
    n: number,
    p: number,
    v: number,
    r: number,
    G: number,
    xv: number,
    q: number,
    scal: number,
  ): void;
  predictors(X: number, n: number, p: number, K: number, beta: number, b0: number, eta: number): void;
  coordinateDescent(
    p: number,
    beta: number,
    b0: number,
    k: number,
    fitIntercept: number,
    l1: number,
    l2: number,
    tol: number,
    maxPasses: number,
    G: number,
    xv: number,
    q: number,
    scal: number,
    sys: number,
    rhs: number,
    active: number,
    exactMax: number,
  ): number;
  converged(): number;
  /** The smallest l1 that zeroes every coefficient; res (n) and g (p) are scratch. */
  l1Max(
    X: number,
    y: number,
    w: number,
    n: number,
    p: number,
    K: number,
    multinomial: number,
    fitIntercept: number,
    centre: number,
    res: number,
    g: number,
  ): number;
  irlsWeights(eta: number, y: number, w: number, n: number, K: number, c: number, v: number, r: number): void;
  objective(
    eta: number,
    y: number,
    w: number,
    n: number,
    K: number,
    beta: number,
    len: number,
    l1: number,
    l2: number,
  ): number;
  /** V8's Math.exp, Math.log and Math.log1p, bit for bit (assembly/shared/fdlibm.ts). */
  exp(x: number): number;
  log(x: number): number;
  log1p(x: number): number;
}

/** The elastic-net kernels with a layout's arrays in their memory. */
export function placeEnet<T>(layout: (a: Alloc) => T): Placed<EnetKernels, T> {
  return KernelArena.place<EnetKernels, T>(ENET, layout);
}

/** The MLP kernels with a layout's arrays in their memory. */
export function placeMlp<T>(layout: (a: Alloc) => T): Placed<MlpKernels, T> {
  // pow is JavaScript's own, so Adam's bias correction rounds as the JavaScript twin's does.
  return KernelArena.place<MlpKernels, T>(MLP, layout, { mlp: { jsPow: Math.pow } });
}

/** Byte offsets, the kernels' pointer arguments, of a layout's arrays (for the ones a loop passes often). */
export function byteOffsets<T extends Record<string, { readonly byteOffset: number }>>(
  arrays: T,
): { readonly [K in keyof T]: number } {
  const out: Record<string, number> = {};
  for (const [name, a] of Object.entries(arrays)) out[name] = a.byteOffset;
  return out as { readonly [K in keyof T]: number };
}

precompile(FOREST, MLP, ENET);
