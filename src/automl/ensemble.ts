/** Options for `ensembleSelection`. */
export interface EnsembleSelectionOptions {
  /** Rounds of selection, each adding one member (with replacement); auto-sklearn's default is 50. */
  readonly size?: number;
  /** Values per row in every candidate: the class count for probabilities, 1 (or 0) for regression. */
  readonly k: number;
  /** Asked before each round after the first; true ends the selection early to keep a time budget. */
  readonly shouldStop?: () => boolean;
}

export interface EnsembleSelection {
  /** Per candidate, the share of the kept members it provides; sums to 1. */
  readonly weights: Float64Array;
  /** Candidate indices in the order they were chosen, up to the best-scoring round. */
  readonly members: number[];
  /** Loss of the kept ensemble: the lowest of `trace`. */
  readonly loss: number;
  /** Loss after each round run, including rounds after the kept one. */
  readonly trace: number[];
}

/**
 * Greedy ensemble selection with replacement (Caruana et al. 2004, as auto-sklearn runs it): each
 * round adds the candidate whose inclusion gives the lowest loss of the averaged predictions, and a
 * candidate may be added again, which is how weights other than 1/m arise. Round one picks the best
 * single model. All `size` rounds run (a round can lose ground and a later one win it back), then
 * the rounds up to the lowest loss are kept, the earliest on a tie, so the ensemble is never worse
 * on these rows than the best single candidate. Ties between candidates go to the lowest index, and
 * a NaN loss never wins, so the result is deterministic.
 *
 * `candidates` are out-of-fold predictions for the same rows as `y` (n x k row-major probabilities,
 * or n values); `y` fixes n. `loss` is called with one reused buffer holding the trial average: it
 * must read it, not keep it.
 */
export function ensembleSelection(
  candidates: readonly Float64Array[],
  y: ArrayLike<number>,
  loss: (pred: Float64Array) => number,
  options: EnsembleSelectionOptions,
): EnsembleSelection {
  const count = candidates.length;
  if (count === 0) throw new Error('ensemble selection needs at least one candidate');
  const size = options.size ?? 50;
  if (!Number.isInteger(size) || size < 1) throw new Error(`ensemble size must be a whole number >= 1, got ${size}`);
  const width = Math.max(1, options.k);
  const m = y.length * width;
  for (let c = 0; c < count; c++)
    if (candidates[c].length !== m)
      throw new Error(`candidate ${c} has ${candidates[c].length} values; expected ${y.length} rows x ${width}`);

  const sum = new Float64Array(m);
  const trial = new Float64Array(m);
  const chosen: number[] = [];
  const trace: number[] = [];
  // With one candidate every round adds the same model again: the average never changes.
  const rounds = count === 1 ? 1 : size;
  for (let r = 0; r < rounds; r++) {
    if (r > 0 && options.shouldStop?.()) break;
    const members = r + 1;
    let best = -1;
    let bestLoss = NaN;
    for (let c = 0; c < count; c++) {
      const candidate = candidates[c];
      for (let i = 0; i < m; i++) trial[i] = (sum[i] + candidate[i]) / members;
      const l = loss(trial);
      if (!Number.isNaN(l) && (best < 0 || l < bestLoss)) {
        best = c;
        bestLoss = l;
      }
    }
    if (best < 0) throw new Error(`ensemble selection: every candidate gives a NaN loss in round ${r + 1}`);
    const added = candidates[best];
    for (let i = 0; i < m; i++) sum[i] += added[i];
    chosen.push(best);
    trace.push(bestLoss);
  }

  let keep = 0;
  for (let r = 1; r < trace.length; r++) if (trace[r] < trace[keep]) keep = r;
  const members = chosen.slice(0, keep + 1);
  const weights = new Float64Array(count);
  for (const c of members) weights[c] += 1;
  for (let c = 0; c < count; c++) weights[c] /= members.length;
  return { weights, members, loss: trace[keep], trace };
}
