/**
 * A time budget. Every stage of a run asks the same clock, so the whole run — search, ensembling,
 * refit and report — ends within one promise. `now` is injectable so tests need not sleep.
 */
export class BudgetClock {
  readonly start: number;
  /** The moment the budget runs out, on `now`'s scale. */
  readonly deadline: number;

  constructor(
    readonly budgetMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(budgetMs >= 0))
      throw new Error(`budget clock: budget must be a non-negative number of milliseconds (${budgetMs})`);
    this.start = now();
    this.deadline = this.start + budgetMs;
  }

  /** Milliseconds since the clock started. */
  elapsed(): number {
    return this.now() - this.start;
  }

  /** Milliseconds left, never below zero. */
  remaining(): number {
    return Math.max(0, this.deadline - this.now());
  }

  expired(): boolean {
    return this.now() >= this.deadline;
  }

  /** Share of the budget used, in [0, 1]; a zero budget is all used. */
  fraction(): number {
    if (this.budgetMs === 0) return 1;
    return Math.min(1, Math.max(0, this.elapsed() / this.budgetMs));
  }
}
