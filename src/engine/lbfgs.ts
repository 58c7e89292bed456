/**
 * L-BFGS (Nocedal & Wright, Algorithm 7.4/7.5) with a line search satisfying the strong Wolfe
 * conditions (Algorithms 3.5 and 3.6, cubic interpolation inside the zoom). Converged when the
 * largest gradient component is at most `gtol`, so callers get a solution accurate to a stated
 * tolerance rather than the result of a fixed number of steps.
 */

export interface MinimizeOptions {
  readonly maxIter?: number;
  /** Stop when max |grad_i| <= gtol. */
  readonly gtol?: number;
  /** Also stop when an iteration improves f by less than ftol * max(1, |f|) (default 0: off, since a
   * minimum near f = 0 makes relative progress look negligible long before the gradient is small). */
  readonly ftol?: number;
  readonly memory?: number;
}

export interface MinimizeResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
  readonly gradMax: number;
}

/** f(x), writing the gradient into `grad`. */
export type ObjectiveFn = (x: Float64Array, grad: Float64Array) => number;

const C1 = 1e-4;
const C2 = 0.9;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m) m = v;
  }
  return m;
}

/** Minimiser of the cubic through (a, fa, da) and (b, fb, db), or NaN when it has none. */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (disc < 0) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}

/** f has stopped resolving progress: the change is at the level of rounding. */
function flat(f0: number, fa: number): boolean {
  return Math.abs(fa - f0) <= 1e-13 * Math.max(1, Math.abs(f0));
}

/**
 * Sufficient decrease (Armijo), or, once f no longer resolves the change, the slope test of
 * Hager & Zhang's approximate Wolfe conditions, so the last digits of the minimiser still improve.
 */
function decreases(f0: number, d0: number, a: number, fa: number, da: number): boolean {
  return fa <= f0 + C1 * a * d0 || (flat(f0, fa) && da <= (2 * C1 - 1) * d0);
}

/** phi(a) = f(x + a d) along one direction, remembering the last point evaluated. */
class Line {
  readonly xt: Float64Array;
  readonly gt: Float64Array;
  ft = 0;
  dt = 0;
  lastA = NaN;
  evaluations = 0;

  constructor(
    private readonly fg: ObjectiveFn,
    private readonly x: Float64Array,
    private readonly d: Float64Array,
  ) {
    this.xt = new Float64Array(x.length);
    this.gt = new Float64Array(x.length);
  }

  at(a: number): void {
    const { x, d, xt } = this;
    for (let i = 0; i < x.length; i++) xt[i] = x[i] + a * d[i];
    this.ft = this.fg(xt, this.gt);
    this.dt = dot(this.gt, d);
    this.lastA = a;
    this.evaluations++;
  }

  /** A step satisfying the strong Wolfe conditions, or -1; the line's last point is at that step. */
  search(f0: number, d0: number, a1: number): number {
    let aPrev = 0;
    let fPrev = f0;
    let dPrev = d0;
    let a = a1;
    for (let k = 0; k < 40; k++) {
      this.at(a);
      const fa = this.ft;
      const da = this.dt;
      if (!Number.isFinite(fa) || !decreases(f0, d0, a, fa, da) || (k > 0 && fa >= fPrev && !flat(f0, fa)))
        return this.zoom(f0, d0, aPrev, fPrev, dPrev, a, fa, da);
      if (Math.abs(da) <= -C2 * d0) return a;
      if (da >= 0) return this.zoom(f0, d0, a, fa, da, aPrev, fPrev, dPrev);
      aPrev = a;
      fPrev = fa;
      dPrev = da;
      a *= 2;
    }
    return -1;
  }

  private zoom(
    f0: number,
    d0: number,
    lo: number,
    fLo: number,
    dLo: number,
    hi: number,
    fHi: number,
    dHi: number,
  ): number {
    for (let k = 0; k < 60; k++) {
      const left = Math.min(lo, hi);
      const width = Math.abs(hi - lo);
      let a = Number.isFinite(fHi) ? cubicMin(lo, fLo, dLo, hi, fHi, dHi) : NaN;
      // Keep the trial well inside the bracket, else bisect.
      if (!(a > left + 0.1 * width && a < left + 0.9 * width)) a = (lo + hi) / 2;
      this.at(a);
      const fa = this.ft;
      const da = this.dt;
      if (!Number.isFinite(fa) || !decreases(f0, d0, a, fa, da) || (fa >= fLo && !flat(f0, fa))) {
        hi = a;
        fHi = fa;
        dHi = da;
      } else {
        if (Math.abs(da) <= -C2 * d0) return a;
        if (da * (hi - lo) >= 0) {
          hi = lo;
          fHi = fLo;
          dHi = dLo;
        }
        lo = a;
        fLo = fa;
        dLo = da;
      }
      if (Math.abs(hi - lo) <= 1e-16 * Math.max(1, Math.abs(lo))) break;
    }
    // The bracket collapsed: the best point found with sufficient decrease, if any.
    return lo > 0 ? lo : -1;
  }
}

export function minimize(fg: ObjectiveFn, x0: Float64Array, options: MinimizeOptions = {}): MinimizeResult {
  const maxIter = options.maxIter ?? 1000;
  const gtol = options.gtol ?? 1e-8;
  const ftol = options.ftol ?? 0;
  const m = options.memory ?? 10;
  const n = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const d = new Float64Array(n);
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  const line = new Line(fg, x, d);
  let f = fg(x, g);
  let stored = 0;
  let head = 0;
  let iterations = 0;
  let converged = maxAbs(g) <= gtol;
  let stalled = 0;

  while (!converged && iterations < maxIter) {
    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = 0; k < stored; k++) {
      const j = (head - 1 - k + m) % m;
      alpha[j] = rho[j] * dot(S[j], d);
      const yj = Y[j];
      for (let i = 0; i < n; i++) d[i] -= alpha[j] * yj[i];
    }
    if (stored > 0) {
      const j = (head - 1 + m) % m;
      const gamma = dot(S[j], Y[j]) / dot(Y[j], Y[j]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let k = stored - 1; k >= 0; k--) {
      const j = (head - 1 - k + m) % m;
      const beta = rho[j] * dot(Y[j], d);
      const sj = S[j];
      for (let i = 0; i < n; i++) d[i] += sj[i] * (alpha[j] - beta);
    }
    let d0 = dot(g, d);
    if (!(d0 < 0)) {
      // Curvature pairs no longer give a descent direction: restart from steepest descent.
      for (let i = 0; i < n; i++) d[i] = -g[i];
      d0 = dot(g, d);
      stored = 0;
    }
    // The first step is scaled so it moves by at most 1; quasi-Newton steps then try a = 1.
    const a1 = stored === 0 ? Math.min(1, 1 / Math.max(maxAbs(g), 1e-12)) : 1;
    const a = line.search(f, d0, a1);
    if (a <= 0) break;
    if (line.lastA !== a) line.at(a);
    const f0 = f;
    const s = S[head];
    const y = Y[head];
    for (let i = 0; i < n; i++) {
      s[i] = line.xt[i] - x[i];
      y[i] = line.gt[i] - g[i];
      x[i] = line.xt[i];
      g[i] = line.gt[i];
    }
    f = line.ft;
    const sy = dot(s, y);
    if (sy > 0) {
      rho[head] = 1 / sy;
      head = (head + 1) % m;
      stored = Math.min(stored + 1, m);
    }
    iterations++;
    // Progress only in the last digits for many steps in a row: rounding has the final word.
    stalled = flat(f0, f) ? stalled + 1 : 0;
    if (maxAbs(g) <= gtol) converged = true;
    else if (stalled >= 20) {
      // At the rounding floor of f: within a decade of the tolerance counts as reaching it, since
      // no further step can be measured to help.
      converged = maxAbs(g) <= 10 * gtol;
      break;
    } else if (ftol > 0 && f0 - f <= ftol * Math.max(1, Math.abs(f))) break;
  }
  return { x, f, iterations, evaluations: line.evaluations + 1, converged, gradMax: maxAbs(g) };
}
