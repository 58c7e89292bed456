import type { Tree } from './tree.js';

/** A tree as JSON-safe arrays (thresholds may be ±Infinity, stored as strings). */
export interface TreeJSON {
  readonly feature: number[];
  readonly threshold: (number | string)[];
  readonly defaultLeft: number[];
  readonly left: number[];
  readonly right: number[];
  readonly value: number[];
  readonly gain: number[];
  readonly count: number[];
  readonly catOffset: number[];
  readonly catBits: number[];
}

export function treeToJSON(t: Tree): TreeJSON {
  return {
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold, (v) => (Number.isFinite(v) ? v : String(v))),
    defaultLeft: Array.from(t.defaultLeft),
    left: Array.from(t.left),
    right: Array.from(t.right),
    value: Array.from(t.value),
    gain: Array.from(t.gain),
    count: Array.from(t.count),
    catOffset: Array.from(t.catOffset),
    catBits: Array.from(t.catBits),
  };
}

export function treeFromJSON(j: TreeJSON): Tree {
  const n = j.feature.length;
  for (const key of ['threshold', 'defaultLeft', 'left', 'right', 'value', 'gain', 'count', 'catOffset'] as const) {
    if (!Array.isArray(j[key]) || j[key].length !== n) throw new Error(`tree: "${key}" must have ${n} entries`);
  }
  return {
    nNodes: n,
    feature: Int32Array.from(j.feature),
    threshold: Float64Array.from(j.threshold, (v) => Number(v)),
    binThreshold: new Uint8Array(n),
    defaultLeft: Uint8Array.from(j.defaultLeft),
    left: Int32Array.from(j.left),
    right: Int32Array.from(j.right),
    value: Float64Array.from(j.value),
    gain: Float64Array.from(j.gain),
    count: Float64Array.from(j.count),
    hessian: new Float64Array(n),
    catOffset: Int32Array.from(j.catOffset),
    catBits: Uint32Array.from(j.catBits),
  };
}
