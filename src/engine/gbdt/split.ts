import type { FeatureBins } from './binning.js';
import { FEATURE_STRIDE, SLOT } from './histogram.js';
import { MISSING_BIN } from './binning.js';

export interface SplitParams {
  readonly l2: number;
  readonly minSamplesLeaf: number;
  /** Minimum hessian sum in a child (XGBoost's min_child_weight). */
  readonly minChildWeight: number;
  readonly minGainToSplit: number;
  /** Added to the hessian when ordering categories by gradient ratio (LightGBM's cat_smooth). */
  readonly catSmooth: number;
}

/** The best split found for one node; `gain` is -Infinity when none is allowed. */
export class SplitCandidate {
  gain = -Infinity;
  feature = -1;
  /** Numeric: rows with bin <= binThreshold go left. */
  binThreshold = 0;
  defaultLeft = false;
  categorical = false;
  /** Categorical: bins going left (a bitset over 256 bins). */
  readonly catLeft = new Uint32Array(8);
  leftG = 0;
  leftH = 0;
  leftCount = 0;

  reset(): void {
    this.gain = -Infinity;
    this.feature = -1;
    this.categorical = false;
  }

  copyFrom(o: SplitCandidate): void {
    this.gain = o.gain;
    this.feature = o.feature;
    this.binThreshold = o.binThreshold;
    this.defaultLeft = o.defaultLeft;
    this.categorical = o.categorical;
    this.catLeft.set(o.catLeft);
    this.leftG = o.leftG;
    this.leftH = o.leftH;
    this.leftCount = o.leftCount;
  }
}

/** -(loss reduction) of a leaf holding gradient sum g and hessian sum h: g²/(h+λ). */
function score(g: number, h: number, l2: number): number {
  return (g * g) / (h + l2);
}

/** Leaf value that minimises the second-order loss: -g/(h+λ). */
export function leafValue(g: number, h: number, l2: number): number {
  return -g / (h + l2);
}

/**
 * Best split of a node over `features[0..nFeatures)`, from the node's histogram. Numeric
 * features scan bins in order twice (missing values right, then left) and keep the better
 * direction; categorical features order their categories by gradient ratio (Fisher's trick, as
 * LightGBM and scikit-learn do) and scan prefixes of that order. Writes into `best`.
 */
export function findBestSplit(
  hist: Float64Array,
  features: Int32Array,
  nFeatures: number,
  featureBins: readonly FeatureBins[],
  G: number,
  H: number,
  C: number,
  params: SplitParams,
  best: SplitCandidate,
  order: Int32Array,
  ratio: Float64Array,
): void {
  best.reset();
  const { l2, minSamplesLeaf: minLeaf, minChildWeight: minHess } = params;
  const parent = score(G, H, l2);
  const minGain = params.minGainToSplit;
  for (let t = 0; t < nFeatures; t++) {
    const f = features[t];
    const fb = featureBins[f];
    const base = f * FEATURE_STRIDE;
    const mBase = base + MISSING_BIN * SLOT;
    const gM = hist[mBase];
    const hM = hist[mBase + 1];
    const cM = hist[mBase + 2];
    if (fb.kind === 'numeric') {
      const last = fb.nBins - 1;
      let gL = 0;
      let hL = 0;
      let cL = 0;
      for (let b = 0; b < last; b++) {
        const s = base + b * SLOT;
        gL += hist[s];
        hL += hist[s + 1];
        cL += hist[s + 2];
        if (hist[s + 2] === 0) continue; // same partition as the previous bin
        // Missing values go right.
        let gR = G - gL;
        let hR = H - hL;
        let cR = C - cL;
        if (cL >= minLeaf && cR >= minLeaf && hL >= minHess && hR >= minHess) {
          const gain = score(gL, hL, l2) + score(gR, hR, l2) - parent;
          if (gain > best.gain && gain > minGain) {
            best.gain = gain;
            best.feature = f;
            best.binThreshold = b;
            // Without missing values here, unseen missing values follow the larger child.
            best.defaultLeft = cM === 0 ? cL >= cR : false;
            best.categorical = false;
            best.leftG = gL;
            best.leftH = hL;
            best.leftCount = cL;
          }
        }
        if (cM === 0) continue;
        // Missing values go left.
        const gL2 = gL + gM;
        const hL2 = hL + hM;
        const cL2 = cL + cM;
        gR = G - gL2;
        hR = H - hL2;
        cR = C - cL2;
        if (cL2 >= minLeaf && cR >= minLeaf && hL2 >= minHess && hR >= minHess) {
          const gain = score(gL2, hL2, l2) + score(gR, hR, l2) - parent;
          if (gain > best.gain && gain > minGain) {
            best.gain = gain;
            best.feature = f;
            best.binThreshold = b;
            best.defaultLeft = true;
            best.categorical = false;
            best.leftG = gL2;
            best.leftH = hL2;
            best.leftCount = cL2;
          }
        }
      }
      // All present values on one side, missing values on the other.
      if (cM > 0 && cM < C) {
        const gL = G - gM;
        const hL = H - hM;
        const cL = C - cM;
        if (cL >= minLeaf && cM >= minLeaf && hL >= minHess && hM >= minHess) {
          const gain = score(gL, hL, l2) + score(gM, hM, l2) - parent;
          if (gain > best.gain && gain > minGain) {
            best.gain = gain;
            best.feature = f;
            best.binThreshold = last;
            best.defaultLeft = false;
            best.categorical = false;
            best.leftG = gL;
            best.leftH = hL;
            best.leftCount = cL;
          }
        }
      }
    } else {
      // Categorical: present categories (and missing as one more) ordered by g/(h + smooth).
      let m = 0;
      for (let b = 0; b < fb.nBins; b++) {
        const s = base + b * SLOT;
        if (hist[s + 2] > 0) {
          order[m] = b;
          ratio[b] = hist[s] / (hist[s + 1] + params.catSmooth);
          m++;
        }
      }
      if (cM > 0) {
        order[m++] = MISSING_BIN;
        ratio[MISSING_BIN] = gM / (hM + params.catSmooth);
      }
      if (m < 2) continue;
      sortByRatio(order, m, ratio);
      let gL = 0;
      let hL = 0;
      let cL = 0;
      let bestK = -1;
      for (let k = 0; k < m - 1; k++) {
        const s = base + order[k] * SLOT;
        gL += hist[s];
        hL += hist[s + 1];
        cL += hist[s + 2];
        const gR = G - gL;
        const hR = H - hL;
        const cR = C - cL;
        if (cL < minLeaf || cR < minLeaf || hL < minHess || hR < minHess) continue;
        const gain = score(gL, hL, l2) + score(gR, hR, l2) - parent;
        if (gain > best.gain && gain > minGain) {
          best.gain = gain;
          best.feature = f;
          best.categorical = true;
          best.leftG = gL;
          best.leftH = hL;
          best.leftCount = cL;
          bestK = k;
        }
      }
      if (bestK >= 0 && best.feature === f) {
        best.catLeft.fill(0);
        let missingLeft = false;
        for (let k = 0; k <= bestK; k++) {
          const b = order[k];
          best.catLeft[b >>> 5] |= 1 << (b & 31);
          if (b === MISSING_BIN) missingLeft = true;
        }
        best.defaultLeft = cM === 0 ? best.leftCount >= C - best.leftCount : missingLeft;
      }
    }
  }
}

/** Insertion sort of order[0..m) by ratio: m is at most 256 and usually small. */
function sortByRatio(order: Int32Array, m: number, ratio: Float64Array): void {
  for (let i = 1; i < m; i++) {
    const v = order[i];
    const r = ratio[v];
    let j = i - 1;
    while (j >= 0 && (ratio[order[j]] > r || (ratio[order[j]] === r && order[j] > v))) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = v;
  }
}
