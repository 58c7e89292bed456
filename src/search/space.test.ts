import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import { contains, isActive, sampleRandom, validateSpace, type Space } from './space.js';

/** model family → its own hyperparameters, one of which has a further condition of its own. */
const CONDITIONAL: Space = [
  { name: 'model', dist: { type: 'choice', values: ['gbdt', 'linear', 'knn'] } },
  {
    name: 'numRounds',
    dist: { type: 'int', low: 10, high: 1000, log: true },
    when: { name: 'model', values: ['gbdt'] },
  },
  {
    name: 'learningRate',
    dist: { type: 'float', low: 1e-3, high: 0.3, log: true },
    when: { name: 'model', values: ['gbdt'] },
  },
  {
    name: 'penalty',
    dist: { type: 'choice', values: ['l1', 'l2', 'none'] },
    when: { name: 'model', values: ['linear'] },
  },
  {
    name: 'lambda',
    dist: { type: 'float', low: 1e-6, high: 10, log: true },
    when: { name: 'penalty', values: ['l1', 'l2'] },
  },
  { name: 'k', dist: { type: 'int', low: 1, high: 50 }, when: { name: 'model', values: ['knn'] } },
  { name: 'weights', dist: { type: 'choice', values: [true, false] }, when: { name: 'k', values: [1, 2, 3] } },
];

describe('search space', () => {
  it('accepts a valid conditional space', () => {
    expect(() => validateSpace(CONDITIONAL)).not.toThrow();
    expect(() => validateSpace([])).not.toThrow();
  });

  it('rejects broken spaces with a message naming the dimension and the problem', () => {
    const cases: [Space, RegExp][] = [
      [[{ name: 'x', dist: { type: 'float', low: 2, high: 1 } }], /"x": low \(2\) is greater than high \(1\)/],
      [
        [{ name: 'x', dist: { type: 'float', low: 0, high: 1, log: true } }],
        /"x": a log-scaled dimension needs low > 0/,
      ],
      [
        [{ name: 'n', dist: { type: 'int', low: -3, high: 10, log: true } }],
        /"n": a log-scaled dimension needs low > 0/,
      ],
      [[{ name: 'n', dist: { type: 'int', low: 0.5, high: 10 } }], /"n": an int dimension needs integer bounds/],
      [[{ name: 'c', dist: { type: 'choice', values: [] } }], /"c": a choice needs at least one value/],
      [[{ name: 'c', dist: { type: 'choice', values: ['a', 'a'] } }], /"c": choice value "a" is listed twice/],
      [[{ name: 'x', dist: { type: 'float', low: 0, high: Infinity } }], /"x": bounds must be finite/],
      [
        [
          { name: 'x', dist: { type: 'float', low: 0, high: 1 } },
          { name: 'x', dist: { type: 'float', low: 0, high: 1 } },
        ],
        /"x": the name is used twice/,
      ],
      [
        [{ name: 'lr', dist: { type: 'float', low: 0, high: 1 }, when: { name: 'model', values: ['gbdt'] } }],
        /"lr": its condition refers to "model", which is not a dimension/,
      ],
      [
        [
          { name: 'lr', dist: { type: 'float', low: 0, high: 1 }, when: { name: 'model', values: ['gbdt'] } },
          { name: 'model', dist: { type: 'choice', values: ['gbdt'] } },
        ],
        /"lr": its condition refers to "model", which comes later/,
      ],
      [
        [
          { name: 'model', dist: { type: 'choice', values: ['gbdt'] } },
          { name: 'lr', dist: { type: 'float', low: 0, high: 1 }, when: { name: 'model', values: ['xgb'] } },
        ],
        /"lr": its condition on "model" lists "xgb", which "model" can never take/,
      ],
      [
        [
          { name: 'a', dist: { type: 'float', low: 0, high: 1 } },
          { name: 'b', dist: { type: 'float', low: 0, high: 1 }, when: { name: 'a', values: [0.5] } },
        ],
        /"b": its condition is on "a", a continuous dimension/,
      ],
    ];
    for (const [space, message] of cases) expect(() => validateSpace(space)).toThrow(message);
  });

  it('activity follows the chain of conditions', () => {
    const i = (name: string) => CONDITIONAL.findIndex((d) => d.name === name);
    expect(isActive(CONDITIONAL, i('numRounds'), { model: 'gbdt' })).toBe(true);
    expect(isActive(CONDITIONAL, i('numRounds'), { model: 'knn' })).toBe(false);
    expect(isActive(CONDITIONAL, i('lambda'), { model: 'linear', penalty: 'l2' })).toBe(true);
    expect(isActive(CONDITIONAL, i('lambda'), { model: 'linear', penalty: 'none' })).toBe(false);
    // A stale value of an inactive parent does not activate its child.
    expect(isActive(CONDITIONAL, i('lambda'), { model: 'gbdt', penalty: 'l1' })).toBe(false);
    expect(isActive(CONDITIONAL, i('weights'), { model: 'knn', k: 2 })).toBe(true);
    expect(isActive(CONDITIONAL, i('weights'), { model: 'knn', k: 4 })).toBe(false);
    // Names that exist on Object.prototype are not values.
    const proto: Space = [
      { name: 'constructor', dist: { type: 'choice', values: ['a'] } },
      { name: 'x', dist: { type: 'float', low: 0, high: 1 }, when: { name: 'constructor', values: ['a'] } },
    ];
    expect(isActive(proto, 1, {})).toBe(false);
    expect(contains(proto, { x: 0.5 })).toBe(false);
  });

  it('random draws hold exactly the active dimensions, within bounds, ints integral', () => {
    const rng = new Rng(1);
    const seen = new Set<string>();
    for (let t = 0; t < 3000; t++) {
      const p = sampleRandom(CONDITIONAL, rng);
      expect(contains(CONDITIONAL, p)).toBe(true);
      seen.add(Object.keys(p).sort().join(','));
      if (p.model === 'gbdt') {
        expect(Number.isInteger(p.numRounds)).toBe(true);
        expect(p.numRounds).toBeGreaterThanOrEqual(10);
        expect(p.numRounds).toBeLessThanOrEqual(1000);
        expect(p.learningRate).toBeGreaterThanOrEqual(1e-3);
        expect(p.learningRate).toBeLessThanOrEqual(0.3);
      }
      if (p.model === 'knn') expect('weights' in p).toBe([1, 2, 3].includes(p.k as number));
      if (p.model === 'linear') expect('lambda' in p).toBe(p.penalty !== 'none');
    }
    // Every branch of the tree, nested ones included, shows up.
    expect([...seen].sort()).toEqual(
      ['learningRate,model,numRounds', 'model,penalty', 'lambda,model,penalty', 'k,model', 'k,model,weights'].sort(),
    );
  });

  it('log-uniform: half the draws fall below the geometric midpoint, and each decade gets its share', () => {
    const space: Space = [{ name: 'x', dist: { type: 'float', low: 1e-4, high: 1, log: true } }];
    const rng = new Rng(7);
    const n = 40000;
    let below = 0;
    const decades = new Array<number>(4).fill(0);
    for (let t = 0; t < n; t++) {
      const x = sampleRandom(space, rng).x as number;
      if (x < 1e-2) below++;
      decades[Math.min(3, Math.floor(-Math.log10(x)))]++;
    }
    // Binomial sd at n = 40000 is 0.0025: 0.01 is four of them.
    expect(Math.abs(below / n - 0.5)).toBeLessThan(0.01);
    for (const d of decades) expect(Math.abs(d / n - 0.25)).toBeLessThan(0.01);
  });

  it('log-scaled ints follow the log-uniform mass of [k - ½, k + ½]; plain ints are uniform', () => {
    const rng = new Rng(3);
    const n = 40000;
    const logCounts = new Map<number, number>();
    const flatCounts = new Map<number, number>();
    const space: Space = [
      { name: 'a', dist: { type: 'int', low: 1, high: 8, log: true } },
      { name: 'b', dist: { type: 'int', low: -2, high: 2 } },
    ];
    for (let t = 0; t < n; t++) {
      const p = sampleRandom(space, rng);
      logCounts.set(p.a as number, (logCounts.get(p.a as number) ?? 0) + 1);
      flatCounts.set(p.b as number, (flatCounts.get(p.b as number) ?? 0) + 1);
    }
    const total = Math.log(8.5 / 0.5);
    for (let k = 1; k <= 8; k++) {
      const p = Math.log((k + 0.5) / (k - 0.5)) / total;
      const sd = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs((logCounts.get(k) ?? 0) / n - p)).toBeLessThan(4 * sd);
    }
    expect([...flatCounts.keys()].sort()).toEqual([-1, -2, 0, 1, 2]);
    for (const c of flatCounts.values()) expect(Math.abs(c / n - 0.2)).toBeLessThan(0.01);
  });

  it('contains rejects missing, extra, inactive and out-of-range values', () => {
    expect(contains(CONDITIONAL, { model: 'gbdt', numRounds: 100, learningRate: 0.1 })).toBe(true);
    expect(contains(CONDITIONAL, { model: 'gbdt', numRounds: 100 })).toBe(false);
    expect(contains(CONDITIONAL, { model: 'gbdt', numRounds: 100, learningRate: 0.1, k: 3 })).toBe(false);
    expect(contains(CONDITIONAL, { model: 'gbdt', numRounds: 100, learningRate: 0.1, extra: 1 })).toBe(false);
    expect(contains(CONDITIONAL, { model: 'gbdt', numRounds: 100.5, learningRate: 0.1 })).toBe(false);
    expect(contains(CONDITIONAL, { model: 'gbdt', numRounds: 5, learningRate: 0.1 })).toBe(false);
    expect(contains(CONDITIONAL, { model: 'gbdt', numRounds: 100, learningRate: NaN })).toBe(false);
    expect(contains(CONDITIONAL, { model: 'svm' })).toBe(false);
    expect(contains(CONDITIONAL, { model: 'knn', k: 2, weights: 'true' })).toBe(false);
    expect(contains(CONDITIONAL, { model: 'knn', k: 2, weights: true })).toBe(true);
  });

  it('single-value dimensions return their value', () => {
    const space: Space = [
      { name: 'a', dist: { type: 'float', low: 0.5, high: 0.5 } },
      { name: 'b', dist: { type: 'int', low: 3, high: 3, log: true } },
      { name: 'c', dist: { type: 'choice', values: ['only'] } },
    ];
    expect(sampleRandom(space, new Rng(0))).toEqual({ a: 0.5, b: 3, c: 'only' });
  });
});
