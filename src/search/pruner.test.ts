import { describe, expect, it } from 'vitest';
import { NopPruner, SuccessiveHalvingPruner, rungs } from './pruner.js';
import { RandomSampler, type TrialRecord } from './sampler.js';
import type { Space } from './space.js';
import { Study } from './study.js';

const SPACE: Space = [{ name: 'x', dist: { type: 'float', low: 0, high: 1 } }];

/**
 * Rungs at 1, 2, 4 (minResource 1, reductionFactor 2), pruning from 2 values at a rung on. Each
 * row: trial, step, value, the decision worked out by hand. A trial keeps its place at a rung
 * when its value is at most the ⌊n/2⌋-th best of the n values there (the best while n < 2).
 */
const SCENARIO: [number, number, number, boolean][] = [
  [0, 1, 0.5, false], // rung 1 holds only [0.5]: too few to prune
  [0, 2, 0.4, false], // rung 2: [0.4]
  [0, 4, 0.3, false], // rung 4: [0.3]
  [1, 1, 0.6, true], // rung 1: [0.5, 0.6], keep the best 1 → 0.5; 0.6 is out
  [2, 1, 0.45, false], // rung 1: [0.45, 0.5, 0.6], keep 1 → 0.45 is it
  [2, 2, 0.42, true], // rung 2: [0.4, 0.42], keep 1 → 0.4
  [3, 0.5, 0.9, false], // below the first rung: nothing to decide
  [3, 3, 0.41, true], // passes rungs 1 and 2 at once: rung 1 [0.41 .45 .5 .6] keeps 2, so 0.41 stays; rung 2 [0.4 .41 .42] keeps 1, 0.41 is out
  [4, 1, 0.55, true], // rung 1: [.41 .45 .5 .55 .6] keeps 2 → .41, .45
  [5, 1, 0.47, false], // rung 1: [.41 .45 .47 .5 .55 .6] keeps 3 → .47 ties the third: kept
  [5, 1.5, 0.2, false], // between rungs
  [5, 2, NaN, true], // a NaN at a rung is always pruned
];

function play(direction: 'minimize' | 'maximize', sign: number): boolean[] {
  const pruner = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2, minTrialsAtRung: 2 });
  const study = new Study({ space: SPACE, sampler: new RandomSampler(), direction, pruner });
  const decisions: boolean[] = [];
  let current = -1;
  for (const [trial, step, value] of SCENARIO) {
    if (trial !== current) {
      if (current >= 0 && study.trials[current].state === 'running') study.tell(current, { value: 0 });
      current = study.ask().number;
      expect(current).toBe(trial);
    }
    const prune = study.report(trial, step, sign * value);
    decisions.push(prune);
    if (prune) study.tell(trial, { state: 'pruned' });
  }
  return decisions;
}

describe('successive halving pruner', () => {
  it('prunes exactly the hand-worked scenario', () => {
    expect(play('minimize', 1)).toEqual(SCENARIO.map((r) => r[3]));
  });

  it('prunes the same trials when the study maximises the negated values', () => {
    expect(play('maximize', -1)).toEqual(SCENARIO.map((r) => r[3]));
  });

  it('by default waits for reductionFactor values at a rung, then keeps the top 1/reductionFactor', () => {
    const pruner = new SuccessiveHalvingPruner({ reductionFactor: 3 });
    const record = (number: number, value: number): TrialRecord => ({
      number,
      params: {},
      state: 'running',
      intermediate: [[1, value]],
    });
    const history: TrialRecord[] = [];
    const decide = (value: number) => {
      const t = record(history.length, value);
      history.push(t);
      return pruner.shouldPrune(t, history);
    };
    expect(decide(5)).toBe(false); // 1 value: too few
    expect(decide(9)).toBe(false); // 2 values: too few
    expect(decide(7)).toBe(true); // [5, 7, 9]: top third is 5
    expect(decide(4)).toBe(false); // [4, 5, 7, 9]: 4 is the best
    expect(decide(6)).toBe(true); // 5 values: the top 1 is 4
    expect(decide(4.5)).toBe(false); // 6 values: the top 2 are 4, 4.5
  });

  it('counts a data-fraction rung as reached despite float noise in the product', () => {
    const pruner = new SuccessiveHalvingPruner({ minResource: 0.1, reductionFactor: 3, minTrialsAtRung: 1 });
    expect(pruner.rung(1)).toBe(0.30000000000000004);
    const a = { number: 0, params: {}, state: 'running' as const, intermediate: [[0.1, 1]] as [number, number][] };
    const b = { number: 1, params: {}, state: 'running' as const, intermediate: [[0.1, 1]] as [number, number][] };
    expect(pruner.shouldPrune(b, [a, b])).toBe(false);
    // Only the report at 0.3 can reach the second rung; b's 2 is worse than a's 1 there.
    a.intermediate.push([0.3, 1]);
    b.intermediate.push([0.3, 2]);
    expect(pruner.shouldPrune(b, [a, b])).toBe(true);
  });

  it('minEarlyStoppingRate skips the lowest rungs', () => {
    const pruner = new SuccessiveHalvingPruner({
      minResource: 1,
      reductionFactor: 3,
      minEarlyStoppingRate: 1,
      minTrialsAtRung: 1,
    });
    expect(pruner.rungs(100)).toEqual([3, 9, 27, 81]);
    const a: TrialRecord = { number: 0, params: {}, state: 'running', intermediate: [[1, 1]] };
    const b: TrialRecord = { number: 1, params: {}, state: 'running', intermediate: [[1, 2]] };
    expect(pruner.shouldPrune(b, [a, b])).toBe(false);
  });

  it('lists rung resources for boosting rounds and data fractions', () => {
    expect(rungs(1, 100, 3)).toEqual([1, 3, 9, 27, 81]);
    expect(rungs(10, 1000, 4)).toEqual([10, 40, 160, 640]);
    expect(rungs(0.1, 1, 2)).toEqual([0.1, 0.2, 0.4, 0.8]);
    expect(rungs(0.1, 0.3, 3)).toEqual([0.1, 0.3]);
    expect(rungs(5, 5, 2)).toEqual([5]);
    expect(() => rungs(0, 10, 2)).toThrow(/minResource must be a positive number/);
    expect(() => rungs(1, 10, 1)).toThrow(/reductionFactor must be greater than 1/);
    expect(() => rungs(4, 2, 2)).toThrow(/maxResource \(2\) is below minResource \(4\)/);
  });

  it('the no-op pruner never prunes', () => {
    const t: TrialRecord = { number: 0, params: {}, state: 'running', intermediate: [[1, NaN]] };
    expect(new NopPruner().shouldPrune(t, [t])).toBe(false);
  });
});
