/**
 * Source of small functions shared by emitted code. Each must compute exactly what its library
 * twin computes (same operations, same order), so exported code reproduces predictions bit for bit.
 */

/** Twin of sigmoid in engine/linear-loss.ts and engine/gbdt/loss.ts. */
export const SIGMOID_SOURCE = `function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}`;

/** Softmax of raw scores with the maximum subtracted first; twin of the models' softmax. */
export const SOFTMAX_SOURCE = `function softmax(raw: number[]): number[] {
  let max = -Infinity;
  for (let c = 0; c < raw.length; c++) max = Math.max(max, raw[c]);
  const e: number[] = [];
  let z = 0;
  for (let c = 0; c < raw.length; c++) z += e[c] = Math.exp(raw[c] - max);
  return e.map((v) => v / z);
}`;
