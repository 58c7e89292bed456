import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import { RandomSampler, TpeSampler, splitTrials, type Sampler, type TrialRecord } from './sampler.js';
import { sampleRandom, type Params, type Space } from './space.js';
import { Study } from './study.js';

const BOX: Space = ['x', 'y', 'z'].map((name) => ({ name, dist: { type: 'float', low: -5, high: 5 } }));
const CENTRE = [1.3, -2.1, 0.7];
const quadratic = (p: Params) => ['x', 'y', 'z'].reduce((s, k, i) => s + ((p[k] as number) - CENTRE[i]) ** 2, 0);

const BRANIN_SPACE: Space = [
  { name: 'x1', dist: { type: 'float', low: -5, high: 10 } },
  { name: 'x2', dist: { type: 'float', low: 0, high: 15 } },
];
function branin(p: Params): number {
  const x1 = p.x1 as number;
  const x2 = p.x2 as number;
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
}

/** Branch "a" reaches 0; branch "b" can do no better than 3. */
const BRANCHES: Space = [
  { name: 'family', dist: { type: 'choice', values: ['a', 'b'] } },
  { name: 'x', dist: { type: 'float', low: -5, high: 5 }, when: { name: 'family', values: ['a'] } },
  { name: 'y', dist: { type: 'float', low: 1e-3, high: 1e3, log: true }, when: { name: 'family', values: ['a'] } },
  { name: 'z', dist: { type: 'int', low: 0, high: 100 }, when: { name: 'family', values: ['b'] } },
];
const branches = (p: Params) =>
  p.family === 'a'
    ? ((p.x as number) - 1) ** 2 + Math.log10(p.y as number) ** 2
    : 3 + ((p.z as number) - 50) ** 2 / 100;

function bestAfter(sampler: Sampler, space: Space, f: (p: Params) => number, seed: number, n: number): number {
  const study = new Study({ space, sampler, seed });
  for (let t = 0; t < n; t++) {
    const { number, params } = study.ask();
    study.tell(number, { value: f(params) });
  }
  return study.best!.value;
}

function meanBest(make: () => Sampler, space: Space, f: (p: Params) => number, seeds: number, n: number): number {
  let sum = 0;
  for (let seed = 1; seed <= seeds; seed++) sum += bestAfter(make(), space, f, seed, n);
  return sum / seeds;
}

const done = (number: number, params: Params, value: number): TrialRecord => ({
  number,
  params,
  state: 'complete',
  value,
});

describe('TPE sampler', () => {
  it('splits complete trials by value, then pruned ones by how far they got; failed never count', () => {
    const p = {};
    const trials: TrialRecord[] = [
      done(0, p, 5),
      done(1, p, 1),
      {
        number: 2,
        params: p,
        state: 'pruned',
        intermediate: [
          [1, 0.5],
          [2, 3],
        ],
      },
      { number: 3, params: p, state: 'failed' },
      { number: 4, params: p, state: 'pruned', intermediate: [[1, 0.1]] },
      { number: 5, params: p, state: 'running' },
      done(6, p, 2),
      { number: 7, params: p, state: 'pruned' },
      {
        number: 8,
        params: p,
        state: 'pruned',
        intermediate: [
          [1, 0.2],
          [2, 9],
        ],
      },
    ];
    const nums = (ts: TrialRecord[]) => ts.map((t) => t.number);
    // Three complete fill three places; the fourth goes to the pruned trial that reached step 2
    // with the better value, even though trial 4 had a better value at an earlier step.
    let s = splitTrials(trials, 4, true);
    expect(nums(s.below)).toEqual([0, 1, 2, 6]);
    expect(nums(s.above)).toEqual([4, 5, 7, 8]);
    s = splitTrials(trials, 4, false);
    expect(nums(s.above)).toEqual([4, 7, 8]);
    s = splitTrials(trials, 2, true);
    expect(nums(s.below)).toEqual([1, 6]);
    expect(nums(s.above)).toEqual([0, 2, 4, 5, 7, 8]);
    s = splitTrials(trials, 6, false);
    expect(nums(s.below)).toEqual([0, 1, 2, 4, 6, 8]);
    expect(nums(s.above)).toEqual([7]);
  });

  it('draws at random until nStartupTrials have finished (running and failed ones do not count)', () => {
    const rng = () => new Rng(42);
    const history: TrialRecord[] = [];
    const r = new Rng(9);
    for (let i = 0; i < 9; i++) history.push(done(i, sampleRandom(BOX, r), i));
    history.push({ number: 9, params: sampleRandom(BOX, r), state: 'failed' });
    history.push({ number: 10, params: sampleRandom(BOX, r), state: 'running' });
    const tpe = new TpeSampler();
    expect(tpe.sample(BOX, history, rng())).toEqual(sampleRandom(BOX, rng()));
    history.push(done(11, sampleRandom(BOX, r), 0.5));
    expect(tpe.sample(BOX, history, rng())).not.toEqual(sampleRandom(BOX, rng()));
  });

  it('ignores failed trials', () => {
    const r = new Rng(1);
    const history = Array.from({ length: 15 }, (_, i) =>
      done(i, sampleRandom(BOX, r), quadratic(sampleRandom(BOX, r))),
    );
    const withFailures = [
      ...history,
      ...[15, 16, 17].map((number) => ({ number, params: sampleRandom(BOX, r), state: 'failed' as const })),
    ];
    const tpe = new TpeSampler();
    expect(tpe.sample(BOX, withFailures, new Rng(3))).toEqual(tpe.sample(BOX, history, new Rng(3)));
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const run = (seed: number) => {
      const study = new Study({ space: BRANCHES, seed });
      for (let t = 0; t < 30; t++) {
        const { number, params } = study.ask();
        study.tell(number, { value: branches(params) });
      }
      return study.trials.map((t) => t.params);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('beats random search on average: 3-D shifted quadratic, a conditional space, Branin', () => {
    const tpe = () => new TpeSampler();
    const random = () => new RandomSampler();
    // Ten seeds, 60 trials: TPE's mean best is several times lower where random search must cover 3 dimensions...
    expect(meanBest(tpe, BOX, quadratic, 10, 60)).toBeLessThan(meanBest(random, BOX, quadratic, 10, 60) / 3);
    // ...or half its trials go to the branch that cannot win.
    expect(meanBest(tpe, BRANCHES, branches, 10, 60)).toBeLessThan(meanBest(random, BRANCHES, branches, 10, 60) / 2);
    // Branin is 2-D with three optima, easy for random search at first; with 20 seeds and 100 trials TPE wins.
    expect(meanBest(tpe, BRANIN_SPACE, branin, 20, 100)).toBeLessThan(meanBest(random, BRANIN_SPACE, branin, 20, 100));
  });

  it('on the conditional space, most TPE proposals after start-up take the better branch', () => {
    const study = new Study({ space: BRANCHES, seed: 3 });
    for (let t = 0; t < 60; t++) {
      const { number, params } = study.ask();
      study.tell(number, { value: branches(params) });
    }
    const later = study.trials.slice(20);
    const good = later.filter((t) => t.params.family === 'a').length;
    expect(good / later.length).toBeGreaterThan(0.8);
  });

  it('constant liar: four simultaneous asks with the same random stream give four different points', () => {
    const r = new Rng(8);
    const history = Array.from({ length: 20 }, (_, i) => {
      const params = sampleRandom(BOX, r);
      return done(i, params, quadratic(params));
    });
    const propose = (constantLiar: boolean) => {
      const tpe = new TpeSampler({ constantLiar });
      const trials = [...history];
      const out: Params[] = [];
      for (let k = 0; k < 4; k++) {
        // The same stream on purpose: only the running trials can make the proposals differ.
        const params = tpe.sample(BOX, trials, new Rng(77));
        out.push(params);
        trials.push({ number: trials.length, params, state: 'running' });
      }
      return out.map((p) => JSON.stringify(p));
    };
    expect(new Set(propose(true)).size).toBe(4);
    expect(new Set(propose(false)).size).toBe(1);
  });

  it('constant liar through a study: asks on a small integer grid stay apart', () => {
    const grid: Space = [
      { name: 'i', dist: { type: 'int', low: 0, high: 6 } },
      { name: 'j', dist: { type: 'int', low: 0, high: 6 } },
    ];
    const f = (p: Params) => ((p.i as number) - 2) ** 2 + ((p.j as number) - 4) ** 2;
    const collisions = (constantLiar: boolean) => {
      let total = 0;
      for (let seed = 0; seed < 10; seed++) {
        const study = new Study({ space: grid, seed, sampler: new TpeSampler({ constantLiar }) });
        for (let t = 0; t < 20; t++) {
          const { number, params } = study.ask();
          study.tell(number, { value: f(params) });
        }
        const asked = [0, 1, 2, 3].map(() => JSON.stringify(study.ask().params));
        total += 4 - new Set(asked).size;
      }
      return total;
    };
    const liar = collisions(true);
    const honest = collisions(false);
    expect(liar).toBeLessThan(honest);
    expect(liar).toBeLessThanOrEqual(2);
  });

  it('proposes valid values for every kind of dimension', () => {
    const space: Space = [
      { name: 'kind', dist: { type: 'choice', values: [1, 'two', true] } },
      { name: 'rounds', dist: { type: 'int', low: 1, high: 2000, log: true } },
      { name: 'depth', dist: { type: 'int', low: -3, high: 3 }, when: { name: 'kind', values: [1, true] } },
      {
        name: 'rate',
        dist: { type: 'float', low: 1e-5, high: 1, log: true },
        when: { name: 'depth', values: [0, 1, 2] },
      },
      { name: 'fixed', dist: { type: 'float', low: 2, high: 2 } },
      { name: 'one', dist: { type: 'choice', values: ['only'] } },
    ];
    const f = (p: Params) => Math.log(p.rounds as number) + (p.kind === 'two' ? 1 : 0) + ((p.rate as number) ?? 0.5);
    // Study.ask itself throws when a proposal is outside the space.
    const study = new Study({ space, seed: 1, sampler: new TpeSampler({ nStartupTrials: 5 }) });
    for (let t = 0; t < 50; t++) {
      const { number, params } = study.ask();
      expect(params.fixed).toBe(2);
      expect(params.one).toBe('only');
      study.tell(number, { value: f(params) });
    }
    expect(study.best!.params.rounds).toBeLessThan(20);
  });
});
