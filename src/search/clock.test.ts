import { describe, expect, it } from 'vitest';
import { BudgetClock } from './clock.js';

describe('budget clock', () => {
  it('tracks elapsed, remaining, fraction and expiry against an injected clock', () => {
    let t = 1000;
    const clock = new BudgetClock(500, () => t);
    expect(clock.deadline).toBe(1500);
    expect([clock.elapsed(), clock.remaining(), clock.fraction(), clock.expired()]).toEqual([0, 500, 0, false]);
    t = 1125;
    expect([clock.elapsed(), clock.remaining(), clock.fraction(), clock.expired()]).toEqual([125, 375, 0.25, false]);
    t = 1500;
    expect([clock.remaining(), clock.fraction(), clock.expired()]).toEqual([0, 1, true]);
    t = 2000;
    // Overrun is reported as elapsed time but never as negative time left or more than the budget.
    expect([clock.elapsed(), clock.remaining(), clock.fraction(), clock.expired()]).toEqual([1000, 0, 1, true]);
  });

  it('a zero budget is spent at once; an infinite one never runs out', () => {
    const zero = new BudgetClock(0, () => 7);
    expect([zero.expired(), zero.fraction(), zero.remaining()]).toEqual([true, 1, 0]);
    let t = 0;
    const open = new BudgetClock(Infinity, () => t);
    t = 1e12;
    expect([open.expired(), open.fraction(), open.remaining()]).toEqual([false, 0, Infinity]);
  });

  it('rejects negative or NaN budgets, and defaults to the real clock', () => {
    expect(() => new BudgetClock(-1)).toThrow(/non-negative/);
    expect(() => new BudgetClock(NaN)).toThrow(/non-negative/);
    const real = new BudgetClock(60_000);
    expect(real.elapsed()).toBeGreaterThanOrEqual(0);
    expect(real.elapsed()).toBeLessThan(60_000);
    expect(real.expired()).toBe(false);
  });
});
