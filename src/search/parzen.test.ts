import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random.js';
import { categoricalParzen, defaultWeights, numericParzen } from './parzen.js';

const gauss = (x: number, mu: number, s: number) => Math.exp(-0.5 * ((x - mu) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));

/** ∫ f over [a, b] by composite Simpson: an oracle that never touches erf. */
function simpson(f: (x: number) => number, a: number, b: number, n = 4000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

/** A mixture of truncated normals computed the slow, obvious way: density, and mass of [a, b]. */
function naiveMixture(w: number[], mus: number[], sigmas: number[], low: number, high: number) {
  const total = w.reduce((a, b) => a + b, 0);
  const norms = mus.map((mu, k) => simpson((x) => gauss(x, mu, sigmas[k]), low, high));
  const pdf = (x: number) => mus.reduce((acc, mu, k) => acc + ((w[k] / total) * gauss(x, mu, sigmas[k])) / norms[k], 0);
  const mass = (a: number, b: number) => simpson(pdf, a, b, 400);
  return { pdf, mass };
}

/**
 * Tabulated from Optuna 5.0.0's own `_ParzenEstimator` (univariate, default settings) for the
 * same observations: an independent check that this is Optuna's estimator and not a look-alike.
 */
const OPTUNA = {
  float: [
    -2.0369247096410836, -1.8885650896353625, -1.7940459703735796, -1.79617235918086, -2.243682079829169,
    -2.7540471361379106, -3.0841174812503738, -3.085527562899092,
  ],
  logFloatObs: [
    0.156767, 0.725701, 0.257664, 0.151193, 0.049502, 0.383333, 0.056279, 3.690558, 7.155682, 0.03418, 1.468589,
    0.130491, 0.187145, 5.03949, 0.001924, 0.002231, 0.001205, 2.140323, 1.296066, 3.02029, 8.212462, 1.572658,
    0.070132, 1.324697, 0.002972, 0.362814, 0.003745, 6.007249, 0.122291, 0.045567,
  ],
  logFloat: [-2.6887170178985906, -4.039131264895542, -2.186360066357025, -1.768834989157313, -2.324927551160642],
  int: [
    -1.7319199559903442, -1.525076160716592, -1.6047469037990651, -1.831404914585477, -2.025006354702403,
    -2.186319744979521,
  ],
  logInt: [
    -2.1141242461432865, -2.511788582546985, -2.8005846412047104, -3.950854696563595, -5.982543586051053,
    -9.586285888610249, -9.587480240428311,
  ],
  categorical: [-0.7419373447293773, -1.6582280766035324, -1.0986122886681098],
};

describe('Parzen estimator', () => {
  it('takes bandwidths from neighbour gaps, clips them, and adds a prior kernel over the whole range', () => {
    // On [0, 10] the observations sort to 1, 2, 2.5, 7. The ends take their inner gap only
    // (1 → 1, 7 → 4.5); 2 → max(1, 0.5) = 1; 2.5 → max(0.5, 4.5) = 4.5. The magic clip lifts
    // everything to at least 10 / min(100, 4 + 2).
    const pe = numericParzen([7, 2, 1, 2.5], 0, 10);
    expect([...pe.mus]).toEqual([7, 2, 1, 2.5, 5]);
    [4.5, 10 / 6, 10 / 6, 4.5, 10].forEach((s, i) => expect(pe.sigmas[i]).toBeCloseTo(s, 14));
    expect([...pe.weights]).toEqual([0.2, 0.2, 0.2, 0.2, 0.2]);
  });

  it('continuous density equals a brute-force mixture of truncated normals, integrates to 1, and matches Optuna', () => {
    const pe = numericParzen([7, 2, 1, 2.5], 0, 10);
    const oracle = naiveMixture([1, 1, 1, 1, 1], [7, 2, 1, 2.5, 5], [4.5, 10 / 6, 10 / 6, 4.5, 10], 0, 10);
    for (let x = 0; x <= 10; x += 0.37) expect(Math.exp(pe.logPdf(x))).toBeCloseTo(oracle.pdf(x), 10);
    expect(simpson((x) => Math.exp(pe.logPdf(x)), 0, 10)).toBeCloseTo(1, 9);
    expect(pe.logPdf(-0.1)).toBe(-Infinity);
    expect(pe.logPdf(10.1)).toBe(-Infinity);
    [0, 0.5, 1, 2.2, 4, 6.9, 9.99, 10].forEach((x, i) => expect(pe.logPdf(x)).toBeCloseTo(OPTUNA.float[i], 12));
  });

  it('on a log scale with 30 observations (ramped weights) it matches both oracles', () => {
    const low = Math.log(1e-3);
    const high = Math.log(10);
    const pe = numericParzen(OPTUNA.logFloatObs.map(Math.log), low, high);
    const w = [...defaultWeights(30), 1];
    const oracle = naiveMixture(w, [...pe.mus], [...pe.sigmas], low, high);
    for (let x = low; x <= high; x += 0.173) expect(Math.exp(pe.logPdf(x)) / oracle.pdf(x)).toBeCloseTo(1, 8);
    [1e-3, 0.01, 0.3, 2, 10].forEach((v, i) => expect(pe.logPdf(Math.log(v))).toBeCloseTo(OPTUNA.logFloat[i], 10));
  });

  it('integers: each grid point gets the mass of its cell, brute-force and Optuna agree, masses sum to 1', () => {
    // Ints 1..6 live on [0.5, 6.5]. Sorted 2, 2, 5: the first 2 takes its inner gap 0 (lifted to
    // 6 / 5 = 1.2), the second max(0, 3) = 3, and 5 its inner gap 3. Prior N(3.5, 6).
    const pe = numericParzen([2, 2, 5], 0.5, 6.5);
    expect([...pe.mus]).toEqual([2, 2, 5, 3.5]);
    [1.2, 3, 3, 6].forEach((s, i) => expect(pe.sigmas[i]).toBeCloseTo(s, 14));
    const oracle = naiveMixture([1, 1, 1, 1], [2, 2, 5, 3.5], [1.2, 3, 3, 6], 0.5, 6.5);
    let total = 0;
    for (let k = 1; k <= 6; k++) {
      const logMass = pe.logMass(k - 0.5, k + 0.5);
      expect(Math.exp(logMass)).toBeCloseTo(oracle.mass(k - 0.5, k + 0.5), 10);
      expect(logMass).toBeCloseTo(OPTUNA.int[k - 1], 12);
      total += Math.exp(logMass);
    }
    expect(total).toBeCloseTo(1, 13);
  });

  it('log-scaled integers: cells [log(k - ½), log(k + ½)], as Optuna 5 scores them', () => {
    const pe = numericParzen([3, 10, 10, 200].map(Math.log), Math.log(0.5), Math.log(1000.5));
    [1, 2, 3, 10, 50, 999, 1000].forEach((k, i) =>
      expect(pe.logMass(Math.log(k - 0.5), Math.log(k + 0.5))).toBeCloseTo(OPTUNA.logInt[i], 11),
    );
  });

  it('draws follow the density: empirical CDF within the Kolmogorov bound of the integrated density', () => {
    const pe = numericParzen([0.2, 0.25, 0.9], 0, 1);
    const rng = new Rng(11);
    const n = 20000;
    const xs = Float64Array.from({ length: n }, () => pe.sample(rng)).sort();
    expect(xs[0]).toBeGreaterThanOrEqual(0);
    expect(xs[n - 1]).toBeLessThanOrEqual(1);
    let worst = 0;
    let below = 0;
    for (let q = 1; q < 50; q++) {
      const x = q / 50;
      while (below < n && xs[below] <= x) below++;
      worst = Math.max(worst, Math.abs(below / n - Math.exp(pe.logMass(0, x))));
    }
    // 1.95 / √n is the 0.1 % Kolmogorov critical value.
    expect(worst).toBeLessThan(1.95 / Math.sqrt(n));
  });

  it('categorical: smoothed counts plus a uniform prior kernel, as Optuna', () => {
    // Three choices, observations [0, 0, 2]: each observation's kernel puts 1 on its choice and
    // 1/4 on every choice (prior weight 1 over 4 kernels), normalised by 1.75; weights 1/4 each.
    const pe = categoricalParzen([0, 0, 2], 3);
    const obsRow = (c: number, o: number) => (0.25 + (c === o ? 1 : 0)) / 1.75;
    for (let c = 0; c < 3; c++) {
      const want = 0.25 * (obsRow(c, 0) + obsRow(c, 0) + obsRow(c, 2)) + 0.25 / 3;
      expect(Math.exp(pe.logPdf(c))).toBeCloseTo(want, 15);
      expect(pe.logPdf(c)).toBeCloseTo(OPTUNA.categorical[c], 14);
    }
    expect([...categoricalParzen([], 4).probs]).toEqual([0.25, 0.25, 0.25, 0.25]);
    const rng = new Rng(4);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) counts[pe.sample(rng)]++;
    for (let c = 0; c < 3; c++) expect(counts[c] / 30000).toBeCloseTo(pe.probs[c], 1);
  });

  it('Optuna weights: flat for 25 or fewer, a linear ramp from 1/n for the older ones', () => {
    expect([...defaultWeights(0)]).toEqual([]);
    expect([...defaultWeights(25)]).toEqual(new Array(25).fill(1));
    const w = defaultWeights(30);
    // numpy.linspace(1/30, 1, 5)
    [1 / 30, 0.275, 0.5166666666666667, 0.7583333333333333, 1].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 14));
    expect([...w.subarray(5)]).toEqual(new Array(25).fill(1));
    expect(defaultWeights(26)[0]).toBeCloseTo(1 / 26, 15);
  });

  it('without observations only the prior kernel remains; one observation spans to the far bound', () => {
    const prior = numericParzen([], -2, 2);
    expect([...prior.mus]).toEqual([0]);
    expect([...prior.sigmas]).toEqual([4]);
    expect(Math.exp(prior.logPdf(1.5))).toBeCloseTo(naiveMixture([1], [0], [4], -2, 2).pdf(1.5), 12);
    const one = numericParzen([-1.5], -2, 2);
    expect([...one.sigmas]).toEqual([3.5, 4]);
  });
});
