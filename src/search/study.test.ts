import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../data/errors.js';
import { SuccessiveHalvingPruner } from './pruner.js';
import { RandomSampler, TpeSampler, type Sampler } from './sampler.js';
import type { Params, Space } from './space.js';
import { Study } from './study.js';

const SPACE: Space = [
  { name: 'model', dist: { type: 'choice', values: ['gbdt', 'linear'] } },
  { name: 'rounds', dist: { type: 'int', low: 10, high: 500, log: true }, when: { name: 'model', values: ['gbdt'] } },
  { name: 'rate', dist: { type: 'float', low: 1e-3, high: 0.5, log: true }, when: { name: 'model', values: ['gbdt'] } },
  { name: 'lambda', dist: { type: 'float', low: 0, high: 10 }, when: { name: 'model', values: ['linear'] } },
];

/** A loss with a learning curve, so pruning has something to act on. */
function loss(p: Params, fraction = 1): number {
  const base =
    p.model === 'gbdt'
      ? (Math.log10(p.rate as number) + 1) ** 2 + (Math.log10(p.rounds as number) - 2) ** 2
      : 1 + ((p.lambda as number) - 3) ** 2 / 10;
  return base + 1 / fraction;
}

/** Runs `n` trials with a few pruned (via ASHA), one failed and one left running. */
function drive(study: Study, n: number, sign = 1): void {
  for (let t = 0; t < n; t++) {
    const { number, params } = study.ask();
    if (number === 7) {
      study.tell(number, { state: 'failed', error: 'out of memory' });
      continue;
    }
    if (number === n - 1) continue; // interrupted: stays running
    let pruned = false;
    for (const step of [1, 3, 9]) {
      if (study.report(number, step, sign * loss(params, step / 9))) {
        study.tell(number, { state: 'pruned' });
        pruned = true;
        break;
      }
    }
    if (!pruned) study.tell(number, { value: sign * loss(params) });
  }
}

const make = (seed: number, extra: { sampler?: Sampler; direction?: 'minimize' | 'maximize' } = {}) =>
  new Study({
    space: SPACE,
    seed,
    pruner: new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3 }),
    ...extra,
  });

describe('study', () => {
  it('the same seed gives the same proposals, another seed others', () => {
    const a = make(11);
    const b = make(11);
    const c = make(12);
    drive(a, 25);
    drive(b, 25);
    drive(c, 25);
    expect(a.trials).toEqual(b.trials);
    expect(a.trials.map((t) => t.params)).not.toEqual(c.trials.map((t) => t.params));
    expect(a.trials.some((t) => t.state === 'pruned')).toBe(true);
  });

  it('resumes from JSON: the next proposals equal those of the uninterrupted study', () => {
    const original = make(5);
    drive(original, 24);
    const text = JSON.stringify(original.toJSON());
    const resumed = Study.fromJSON(JSON.parse(text), {
      pruner: new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3 }),
    });
    expect(resumed.trials).toEqual(original.trials);
    expect(new Set(resumed.trials.map((t) => t.state))).toEqual(new Set(['complete', 'pruned', 'failed', 'running']));
    expect(resumed.best).toEqual(original.best);
    // The interrupted trial is still running in both, so the constant liar sees it in both.
    expect(resumed.trials[23].state).toBe('running');
    for (let k = 0; k < 3; k++) {
      const next = original.ask();
      expect(resumed.ask()).toEqual(next);
      const v = loss(next.params);
      original.tell(next.number, { value: v });
      resumed.tell(next.number, { value: v });
    }
    // Pruning decisions continue identically from the stored history too.
    const n = original.ask().number;
    resumed.ask();
    const decisions = [1, 3, 9].map((step) => original.report(n, step, 50));
    expect(decisions[0]).toBe(true);
    expect([1, 3, 9].map((step) => resumed.report(n, step, 50))).toEqual(decisions);
  });

  it('round-trips non-finite values through JSON', () => {
    const study = new Study({ space: SPACE, sampler: new RandomSampler(), seed: 1 });
    const a = study.ask().number;
    study.report(a, 1, Infinity);
    study.report(a, 2, NaN);
    study.tell(a, { value: -Infinity });
    const back = Study.fromJSON(JSON.parse(JSON.stringify(study.toJSON())));
    expect(back.trials[0].intermediate).toEqual([
      [1, Infinity],
      [2, NaN],
    ]);
    expect(back.trials[0].value).toBe(-Infinity);
  });

  it('maximize proposes what minimize proposes on the negated objective, and reports in the user direction', () => {
    const max = make(3, { direction: 'maximize' });
    const min = make(3);
    drive(max, 30, -1);
    drive(min, 30);
    expect(max.trials.map((t) => t.params)).toEqual(min.trials.map((t) => t.params));
    expect(max.trials.map((t) => t.state)).toEqual(min.trials.map((t) => t.state));
    expect(max.best!.number).toBe(min.best!.number);
    expect(max.best!.value).toBe(-min.best!.value);
    const values = max.trials.filter((t) => t.state === 'complete').map((t) => t.value as number);
    expect(max.best!.value).toBe(Math.max(...values));
    const pruned = max.trials.find((t) => t.state === 'pruned')!;
    expect(pruned.intermediate.every(([, v]) => v < 0)).toBe(true);
    expect(pruned.value).toBe(pruned.intermediate[pruned.intermediate.length - 1][1]);
  });

  it('maximize finds a maximum with TPE', () => {
    const space: Space = [{ name: 'x', dist: { type: 'float', low: -10, high: 10 } }];
    const study = new Study({ space, direction: 'maximize', seed: 2 });
    for (let t = 0; t < 40; t++) {
      const { number, params } = study.ask();
      study.tell(number, { value: -(((params.x as number) - 2) ** 2) });
    }
    expect(Math.abs((study.best!.params.x as number) - 2)).toBeLessThan(0.3);
    expect(study.best!.value).toBeLessThanOrEqual(0);
  });

  it('records outcomes: NaN fails a trial, pruning keeps the last value, errors are kept', () => {
    const study = new Study({ space: SPACE, sampler: new RandomSampler() });
    expect(study.best).toBeUndefined();
    const a = study.ask().number;
    const b = study.ask().number;
    const c = study.ask().number;
    expect(study.trials.map((t) => t.state)).toEqual(['running', 'running', 'running']);
    study.tell(a, { value: NaN });
    study.report(b, 5, 0.7);
    study.report(b, 2, 0.9);
    study.tell(b, { state: 'pruned' });
    study.tell(c, { state: 'failed', error: 'boom' });
    expect(study.trials[a]).toMatchObject({ state: 'failed', error: 'the objective returned NaN' });
    expect(study.trials[b]).toMatchObject({ state: 'pruned', value: 0.7 });
    expect(study.trials[c]).toMatchObject({ state: 'failed', error: 'boom' });
    expect(study.best).toBeUndefined();
    expect(Object.isFrozen(study.trials)).toBe(true);
    expect(Object.isFrozen(study.trials[0].params)).toBe(true);
  });

  it('rejects misuse with errors that say what went wrong', () => {
    const study = new Study({ space: SPACE, sampler: new RandomSampler() });
    const n = study.ask().number;
    study.report(n, 1, 0.5);
    expect(() => study.report(n, 1, 0.4)).toThrow(/trial 0 already reported step 1/);
    expect(() => study.report(n, NaN, 0.4)).toThrow(/non-finite step/);
    study.tell(n, { value: 1 });
    expect(() => study.tell(n, { value: 2 })).toThrow(/cannot tell trial 0: it is already complete/);
    expect(() => study.report(n, 2, 0.1)).toThrow(/cannot report trial 0: it is already complete/);
    expect(() => study.tell(9, { value: 1 })).toThrow(/no such trial/);
    const rogue: Sampler = { sample: () => ({ model: 'svm' }) };
    expect(() => new Study({ space: SPACE, sampler: rogue }).ask()).toThrow(/outside the search space/);
    expect(() => new Study({ space: SPACE, seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => new Study({ space: [{ name: 'x', dist: { type: 'float', low: 1, high: 0 } }] })).toThrow(
      GlassboxError,
    );
  });

  it('rejects malformed JSON with a message naming the problem', () => {
    const good = make(1);
    drive(good, 3);
    const json = JSON.parse(JSON.stringify(good.toJSON()));
    expect(() => Study.fromJSON(null)).toThrow(/study JSON: expected an object/);
    expect(() => Study.fromJSON({ ...json, format: 'other' })).toThrow(/unknown format "other"/);
    expect(() => Study.fromJSON({ ...json, version: 2 })).toThrow(/unsupported version 2/);
    const renumbered = { ...json, trials: [{ ...json.trials[0], number: 4 }] };
    expect(() => Study.fromJSON(renumbered)).toThrow(/trial 0 has number 4/);
    const outside = { ...json, trials: [{ ...json.trials[0], params: { model: 'linear', lambda: 99 } }] };
    expect(() => Study.fromJSON(outside)).toThrow(/trial 0 has params .* outside the search space/);
    const noValue = { ...json, trials: [{ ...json.trials[0], state: 'complete', value: undefined }] };
    expect(() => Study.fromJSON(noValue)).toThrow(/trial 0 is complete but has no value/);
    expect(() => Study.fromJSON(json)).not.toThrow();
  });

  it('four workers asking at once get four different proposals', () => {
    const study = new Study({ space: SPACE, sampler: new TpeSampler(), seed: 9 });
    for (let t = 0; t < 20; t++) {
      const { number, params } = study.ask();
      study.tell(number, { value: loss(params) });
    }
    const asked = [0, 1, 2, 3].map(() => JSON.stringify(study.ask().params));
    expect(new Set(asked).size).toBe(4);
  });
});
