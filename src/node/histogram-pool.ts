import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  buildHistogram,
  buildHistogramPacked,
  packingUnit,
  unpackHistogram,
  type Packing,
} from '../engine/gbdt/histogram.js';
import type { HistogramPool } from '../engine/gbdt/parallel.js';

// Control block: an Int32Array over a SharedArrayBuffer.
const GEN = 0; // bumped to wake the workers
const DONE = 1; // workers finished with the current generation
const OP = 2; // 1 = build, 2 = detach, 3 = build packed (constant hessian)
const ACK = 3; // attach acknowledgements
const FAILED = 4; // set by a worker whose kernel threw
const PARAMS = 5; // then per worker: start, end, gradient offset

/** The worker runs the engine's own kernel, handed over as source (it refers to no outside names). */
const workerSource = (kernel: string, packedKernel: string): string => `
const { parentPort, workerData } = require('node:worker_threads');
const buildHistogram = ${kernel};
const buildHistogramPacked = ${packedKernel};
const unit = new Float64Array(workerData.unit);
const ctrl = new Int32Array(workerData.ctrl);
const id = workerData.id;
parentPort.on('message', (m) => {
  const bins = new Uint8Array(m.bins);
  const idx = new Int32Array(m.idx);
  const grad = new Float64Array(m.grad);
  const hess = new Float64Array(m.hess);
  const hist = new Float64Array(m.hist);
  const scratch = new Float64Array(m.scratch);
  const p = m.p;
  let gen = Atomics.load(ctrl, ${GEN});
  Atomics.add(ctrl, ${ACK}, 1);
  Atomics.notify(ctrl, ${ACK});
  for (;;) {
    Atomics.wait(ctrl, ${GEN}, gen);
    gen = Atomics.load(ctrl, ${GEN});
    const op = Atomics.load(ctrl, ${OP});
    if (op === 2) {
      Atomics.add(ctrl, ${DONE}, 1);
      Atomics.notify(ctrl, ${DONE});
      return;
    }
    const base = ${PARAMS} + 3 * id;
    const start = ctrl[base], end = ctrl[base + 1], off = ctrl[base + 2];
    try {
      hist.fill(0);
      if (op === 3) buildHistogramPacked(bins, p, idx, start, end, grad.subarray(off), unit[0], hist, scratch);
      else buildHistogram(bins, p, idx, start, end, grad.subarray(off), hess.subarray(off), hist, scratch);
    } catch (e) {
      Atomics.store(ctrl, ${FAILED}, 1);
    }
    Atomics.add(ctrl, ${DONE}, 1);
    Atomics.notify(ctrl, ${DONE});
  }
});
`;

/**
 * Worker threads that each build the histogram of a slice of a node's rows; the caller builds
 * the first slice and adds the others in. With exact (quantized) gradients the sum does not
 * depend on the slicing, so models are identical for any thread count.
 */
export class WorkerHistogramPool implements HistogramPool {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly ctrl: Int32Array;
  /** The packed kernel's per-row unit, read by workers after the generation bump. */
  private readonly unit = new Float64Array(new SharedArrayBuffer(8));
  private hists: Float64Array[] = [];
  private attached = false;
  private bins: Uint8Array = new Uint8Array(0);
  private idx: Int32Array = new Int32Array(0);
  private p = 0;

  constructor(threads = availableParallelism()) {
    this.threads = Math.max(1, Math.floor(threads));
    this.ctrl = new Int32Array(new SharedArrayBuffer((PARAMS + 3 * this.threads) * 4));
    const source = workerSource(buildHistogram.toString(), buildHistogramPacked.toString());
    for (let id = 0; id < this.threads - 1; id++) {
      const w = new Worker(source, { eval: true, workerData: { ctrl: this.ctrl.buffer, unit: this.unit.buffer, id } });
      w.unref();
      this.workers.push(w);
    }
  }

  attach(bins: Uint8Array, p: number, idx: Int32Array, grad: Float64Array, hess: Float64Array, histSize: number): void {
    if (this.attached) this.detach();
    this.hists = this.workers.map(() => new Float64Array(new SharedArrayBuffer(histSize * 8)));
    Atomics.store(this.ctrl, ACK, 0);
    Atomics.store(this.ctrl, FAILED, 0);
    this.workers.forEach((w, id) =>
      w.postMessage({
        bins: bins.buffer,
        idx: idx.buffer,
        grad: grad.buffer,
        hess: hess.buffer,
        hist: this.hists[id].buffer,
        scratch: new SharedArrayBuffer(16 * idx.length + 16),
        p,
      }),
    );
    this.waitFor(ACK, this.workers.length);
    this.bins = bins;
    this.idx = idx;
    this.p = p;
    this.attached = true;
  }

  build(
    start: number,
    end: number,
    grad: Float64Array,
    hess: Float64Array,
    hist: Float64Array,
    scratch: Float64Array,
    pk: Packing | undefined,
  ): void {
    const nw = this.workers.length;
    const chunk = Math.ceil((end - start) / (nw + 1));
    const off = grad.byteOffset / 8;
    for (let id = 0; id < nw; id++) {
      const base = PARAMS + 3 * id;
      this.ctrl[base] = Math.min(end, start + chunk * (id + 1));
      this.ctrl[base + 1] = Math.min(end, start + chunk * (id + 2));
      this.ctrl[base + 2] = off;
    }
    const unit = pk ? packingUnit(pk) : 0;
    this.unit[0] = unit;
    Atomics.store(this.ctrl, OP, pk ? 3 : 1);
    Atomics.store(this.ctrl, DONE, 0);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    const mine = Math.min(end, start + chunk);
    if (pk) buildHistogramPacked(this.bins, this.p, this.idx, start, mine, grad, unit, hist, scratch);
    else buildHistogram(this.bins, this.p, this.idx, start, mine, grad, hess, hist, scratch);
    this.waitFor(DONE, nw);
    if (Atomics.load(this.ctrl, FAILED)) throw new Error('a histogram worker failed');
    const len = hist.length;
    for (const h of this.hists) for (let i = 0; i < len; i++) hist[i] += h[i];
    if (pk) unpackHistogram(hist, len, pk);
  }

  detach(): void {
    if (!this.attached) return;
    Atomics.store(this.ctrl, OP, 2);
    Atomics.store(this.ctrl, DONE, 0);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    this.waitFor(DONE, this.workers.length);
    this.attached = false;
  }

  async close(): Promise<void> {
    this.detach();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Blocks until ctrl[slot] reaches `target`; dead workers surface as an error, not a hang. */
  private waitFor(slot: number, target: number): void {
    const started = Date.now();
    for (let v = Atomics.load(this.ctrl, slot); v < target; v = Atomics.load(this.ctrl, slot)) {
      if (Atomics.wait(this.ctrl, slot, v, 5_000) === 'timed-out' && Date.now() - started > 60_000)
        throw new Error('histogram workers stopped answering');
    }
  }
}
