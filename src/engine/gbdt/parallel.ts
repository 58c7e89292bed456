import type { Packing } from './histogram.js';

/**
 * Histogram building across threads. The engine only sees this interface; a Node adapter
 * (src/node/histogram-pool.ts) implements it with worker threads. Arrays the workers read must
 * live in SharedArrayBuffers, so the engine allocates them with `sharedArray` when a pool is used.
 */
export interface HistogramPool {
  /** Threads working on one histogram, the caller included. */
  readonly threads: number;
  /** Shares the binned matrix, the row index array and the gradient buffers for the coming trees. */
  attach(bins: Uint8Array, p: number, idx: Int32Array, grad: Float64Array, hess: Float64Array, histSize: number): void;
  /**
   * Builds rows idx[start..end) into `hist` (zeroed); `grad`/`hess` are views into the attached
   * buffers. With a packing, hessians are constant and slots are built packed (see `Packing`).
   */
  build(
    start: number,
    end: number,
    grad: Float64Array,
    hess: Float64Array,
    hist: Float64Array,
    scratch: Float64Array,
    pk: Packing | undefined,
  ): void;
  detach(): void;
}

/** Below this many histogram updates a node is built on one thread: waking workers costs more. */
export const PARALLEL_MIN_UPDATES = 1 << 16;

export function sharedFloat64(n: number, shared: boolean): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
}

export function sharedInt32(n: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(n * 4)) : new Int32Array(n);
}

export function sharedUint8(n: number, shared: boolean): Uint8Array {
  return shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n);
}
