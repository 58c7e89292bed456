/**
 * Objectives: the starting score and, each round, the gradient and hessian of the loss with
 * respect to the raw score. Raw scores and gradients for K outputs are stored output-major
 * (all rows of output 0, then output 1...), so each tree reads one contiguous block.
 */
export type ObjectiveName = 'binary' | 'multiclass' | 'l2' | 'l1' | 'huber' | 'poisson';

export interface Objective {
  readonly name: ObjectiveName;
  /** Raw outputs per row: K for multiclass, else 1. */
  readonly k: number;
  /** Best constant raw score per output. */
  init(y: Float64Array, w: Float64Array | undefined): Float64Array;
  /** Fills grad and hess (n * k, output-major) at raw scores `raw` (n * k, output-major). */
  gradients(
    y: Float64Array,
    raw: Float64Array,
    w: Float64Array | undefined,
    grad: Float64Array,
    hess: Float64Array,
  ): void;
  /** Mean loss, for early stopping. */
  loss(y: Float64Array, raw: Float64Array, w: Float64Array | undefined): number;
  /** L1: leaf values are re-fitted as weighted medians of residuals, not Newton steps. */
  readonly medianLeaves?: boolean;
}

function weightedMean(y: Float64Array, w: Float64Array | undefined): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    s += wi * y[i];
    sw += wi;
  }
  return s / sw;
}

/** Weighted median: the smallest value where the cumulative weight reaches half. */
export function weightedMedian(values: Float64Array, w: Float64Array | undefined): number {
  const order = Int32Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  let total = 0;
  for (let i = 0; i < values.length; i++) total += w ? w[i] : 1;
  let acc = 0;
  for (const i of order) {
    acc += w ? w[i] : 1;
    if (acc >= total / 2) return values[i];
  }
  return values.length ? values[order[order.length - 1]] : 0;
}

/** log(1 + exp(x)) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

const binary: Objective = {
  name: 'binary',
  k: 1,
  init(y, w) {
    const p = Math.min(Math.max(weightedMean(y, w), 1e-15), 1 - 1e-15);
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  gradients(y, raw, w, grad, hess) {
    for (let i = 0; i < y.length; i++) {
      const p = sigmoid(raw[i]);
      const wi = w ? w[i] : 1;
      grad[i] = wi * (p - y[i]);
      hess[i] = wi * Math.max(p * (1 - p), 1e-16);
    }
  },
  loss(y, raw, w) {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i] : 1;
      // -log p(y) = softplus(-m) for y = 1, softplus(m) for y = 0.
      s += wi * softplus(y[i] === 1 ? -raw[i] : raw[i]);
      sw += wi;
    }
    return s / sw;
  },
};

function multiclass(k: number): Objective {
  const prob = new Float64Array(k);
  return {
    name: 'multiclass',
    k,
    init(y, w) {
      const counts = new Float64Array(k);
      let total = 0;
      for (let i = 0; i < y.length; i++) {
        const wi = w ? w[i] : 1;
        counts[y[i]] += wi;
        total += wi;
      }
      const out = new Float64Array(k);
      let meanLog = 0;
      for (let c = 0; c < k; c++) meanLog += (out[c] = Math.log(Math.max(counts[c] / total, 1e-15))) / k;
      for (let c = 0; c < k; c++) out[c] -= meanLog;
      return out;
    },
    gradients(y, raw, w, grad, hess) {
      const n = y.length;
      for (let i = 0; i < n; i++) {
        softmaxRow(raw, i, n, k, prob);
        const wi = w ? w[i] : 1;
        for (let c = 0; c < k; c++) {
          const pc = prob[c];
          grad[c * n + i] = wi * (pc - (y[i] === c ? 1 : 0));
          hess[c * n + i] = wi * Math.max(pc * (1 - pc), 1e-16);
        }
      }
    },
    loss(y, raw, w) {
      const n = y.length;
      let s = 0;
      let sw = 0;
      for (let i = 0; i < n; i++) {
        let max = -Infinity;
        for (let c = 0; c < k; c++) max = Math.max(max, raw[c * n + i]);
        let z = 0;
        for (let c = 0; c < k; c++) z += Math.exp(raw[c * n + i] - max);
        const wi = w ? w[i] : 1;
        s += wi * (Math.log(z) + max - raw[y[i] * n + i]);
        sw += wi;
      }
      return s / sw;
    },
  };
}

/** Softmax of row i of output-major raw scores into `out`, stable by subtracting the max. */
export function softmaxRow(raw: Float64Array, i: number, n: number, k: number, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, raw[c * n + i]);
  let z = 0;
  for (let c = 0; c < k; c++) z += out[c] = Math.exp(raw[c * n + i] - max);
  for (let c = 0; c < k; c++) out[c] /= z;
}

const l2: Objective = {
  name: 'l2',
  k: 1,
  init: (y, w) => Float64Array.of(weightedMean(y, w)),
  gradients(y, raw, w, grad, hess) {
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i] : 1;
      grad[i] = wi * (raw[i] - y[i]);
      hess[i] = wi;
    }
  },
  loss(y, raw, w) {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i] : 1;
      s += wi * 0.5 * (raw[i] - y[i]) ** 2;
      sw += wi;
    }
    return s / sw;
  },
};

const l1: Objective = {
  name: 'l1',
  k: 1,
  medianLeaves: true,
  init: (y, w) => Float64Array.of(weightedMedian(y, w)),
  gradients(y, raw, w, grad, hess) {
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i] : 1;
      grad[i] = wi * Math.sign(raw[i] - y[i]);
      hess[i] = wi;
    }
  },
  loss(y, raw, w) {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i] : 1;
      s += wi * Math.abs(raw[i] - y[i]);
      sw += wi;
    }
    return s / sw;
  },
};

function huber(delta: number): Objective {
  return {
    name: 'huber',
    k: 1,
    init: (y, w) => Float64Array.of(weightedMedian(y, w)),
    gradients(y, raw, w, grad, hess) {
      for (let i = 0; i < y.length; i++) {
        const wi = w ? w[i] : 1;
        const r = raw[i] - y[i];
        grad[i] = wi * Math.max(-delta, Math.min(delta, r));
        hess[i] = wi;
      }
    },
    loss(y, raw, w) {
      let s = 0;
      let sw = 0;
      for (let i = 0; i < y.length; i++) {
        const wi = w ? w[i] : 1;
        const a = Math.abs(raw[i] - y[i]);
        s += wi * (a <= delta ? 0.5 * a * a : delta * (a - 0.5 * delta));
        sw += wi;
      }
      return s / sw;
    },
  };
}

/** Poisson deviance with a log link: raw = log(mean). */
const poisson: Objective = {
  name: 'poisson',
  k: 1,
  init: (y, w) => Float64Array.of(Math.log(Math.max(weightedMean(y, w), 1e-15))),
  gradients(y, raw, w, grad, hess) {
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i] : 1;
      const mu = Math.exp(raw[i]);
      grad[i] = wi * (mu - y[i]);
      hess[i] = wi * mu;
    }
  },
  loss(y, raw, w) {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i] : 1;
      s += wi * (Math.exp(raw[i]) - y[i] * raw[i]);
      sw += wi;
    }
    return s / sw;
  },
};

export function objective(name: ObjectiveName, k: number, huberDelta = 1): Objective {
  switch (name) {
    case 'binary':
      return binary;
    case 'multiclass':
      return multiclass(k);
    case 'l2':
      return l2;
    case 'l1':
      return l1;
    case 'huber':
      return huber(huberDelta);
    case 'poisson':
      return poisson;
  }
}
