import { describe, expect, it } from 'vitest';
import { bootstrapF1Macro, computeMetrics, pairedBootstrapF1Macro } from '../../core/ml/index.ts';
import { f1MacroOf } from '../../core/ml/metrics.ts';
import { Random } from '../../core/ml/random.ts';

describe('computeMetrics', () => {
  // Hand-worked example, labels a, b, c:
  //   truth:     a a a b b c
  //   predicted: a a b b c c
  // confusion (rows truth, cols predicted): a: [2 1 0], b: [0 1 1], c: [0 0 1]
  // a: P = 2/2 = 1,   R = 2/3,  F1 = 2*(1*2/3)/(1+2/3) = 0.8
  // b: P = 1/2,       R = 1/2,  F1 = 0.5
  // c: P = 1/2,       R = 1/1,  F1 = 2*(0.5*1)/1.5 = 2/3
  // accuracy 4/6; macro-F1 = (0.8 + 0.5 + 2/3) / 3 = 0.65555...
  const truth = ['a', 'a', 'a', 'b', 'b', 'c'];
  const predicted = ['a', 'a', 'b', 'b', 'c', 'c'];

  it('matches hand-computed accuracy, per-class P/R/F1, macro-F1 and confusion', () => {
    const m = computeMetrics(['a', 'b', 'c'], truth, predicted, null);
    expect(m.n).toBe(6);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.confusion).toEqual({ labels: ['a', 'b', 'c'], matrix: [[2, 1, 0], [0, 1, 1], [0, 0, 1]] });
    expect(m.perClass.a).toEqual({ precision: 1, recall: 2 / 3, f1: expect.closeTo(0.8, 12), support: 3 });
    expect(m.perClass.b).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(m.perClass.c!.f1).toBeCloseTo(2 / 3, 12);
    expect(m.f1Macro).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
    expect(m.logLoss).toBeNull();
  });

  it('computes log loss as the mean -ln p(true label), clipped at 1e-15', () => {
    const m = computeMetrics(['a', 'b'], ['a', 'b', 'a'], ['a', 'a', 'a'], [0.5, 0.25, 0]);
    expect(m.logLoss).toBeCloseTo((Math.log(2) + Math.log(4) - Math.log(1e-15)) / 3, 9);
  });

  it('counts true labels unknown to the model, and leaves empty classes out of the macro average', () => {
    const m = computeMetrics(['a', 'b', 'z'], ['a', 'x'], ['a', 'a'], [0.9, null]);
    expect(m.confusion.labels).toEqual(['a', 'b', 'z', 'x']);
    // a: P = 1/2, R = 1 -> F1 2/3; x: F1 0; b and z never occur -> not averaged.
    expect(m.f1Macro).toBeCloseTo((2 / 3 + 0) / 2, 12);
    expect(m.perClass.b).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(m.logLoss).toBeNull();
  });
});

describe('bootstrapF1Macro', () => {
  /** n documents over 2 balanced classes, each predicted wrongly with probability `error`. */
  function noisy(n: number, error: number, seed: number): { truth: Int32Array; predicted: Int32Array } {
    const random = new Random(seed);
    const truth = Int32Array.from({ length: n }, (_, i) => i % 2);
    const predicted = truth.map((c) => (random.next() < error ? 1 - c : c));
    return { truth, predicted };
  }

  it('is [1, 1] for perfect predictions and reproducible for a seed', () => {
    const truth = Int32Array.from({ length: 50 }, (_, i) => i % 3);
    expect(bootstrapF1Macro(truth, truth, 3)).toEqual([1, 1]);
    const { truth: t, predicted: p } = noisy(500, 0.3, 2);
    expect(bootstrapF1Macro(t, p, 2, { seed: 5 })).toEqual(bootstrapF1Macro(t, p, 2, { seed: 5 }));
  });

  it('has the width sampling theory predicts, shrinking as 1 / sqrt(n)', () => {
    // Two balanced classes with 20% errors: macro-F1 ~ accuracy ~ 0.8, standard error
    // sqrt(0.8 * 0.2 / n): a 95% interval of half-width 1.96 * 0.0126 = 0.025 at n = 1000.
    const big = noisy(1000, 0.2, 1);
    const [lo, hi] = bootstrapF1Macro(big.truth, big.predicted, 2);
    const point = f1MacroOf(big.truth, big.predicted, 2);
    expect(lo).toBeLessThan(point);
    expect(hi).toBeGreaterThan(point);
    expect((hi - lo) / 2).toBeGreaterThan(0.019);
    expect((hi - lo) / 2).toBeLessThan(0.031);
    const small = noisy(100, 0.2, 1);
    const [slo, shi] = bootstrapF1Macro(small.truth, small.predicted, 2);
    // sqrt(1000 / 100) = 3.16
    expect((shi - slo) / (hi - lo)).toBeGreaterThan(2.2);
    expect((shi - slo) / (hi - lo)).toBeLessThan(4.5);
  });
});

describe('pairedBootstrapF1Macro', () => {
  const random = new Random(9);
  const n = 1000;
  const truth = Int32Array.from({ length: n }, (_, i) => i % 4);
  /** Predictions right with probability `p`, otherwise the next class. */
  const model = (p: number) => truth.map((c) => (random.next() < p ? c : (c + 1) % 4));

  it('a model against itself: no difference, never better', () => {
    const a = model(0.7);
    expect(pairedBootstrapF1Macro(truth, a, a, 4)).toEqual({ delta: 0, ci95: [0, 0], pBetter: 0, resamples: 1000 });
  });

  it('a clearly better model: the whole interval above 0; a near tie: the interval straddles 0', () => {
    const strong = model(0.9);
    const weak = model(0.6);
    const clear = pairedBootstrapF1Macro(truth, strong, weak, 4);
    expect(clear.delta).toBeCloseTo(f1MacroOf(truth, strong, 4) - f1MacroOf(truth, weak, 4), 12);
    expect(clear.ci95[0]).toBeGreaterThan(0.2);
    expect(clear.pBetter).toBe(1);

    // Two models that differ on 20 of the 1000 papers, 10 each way: the data cannot rank them.
    const base = model(0.8);
    const other = Int32Array.from(base);
    let fixed = 0;
    let broken = 0;
    for (let i = 0; i < n; i++) {
      if (base[i] === truth[i] && broken < 10) (other[i] = (truth[i]! + 1) % 4), broken++;
      else if (base[i] !== truth[i] && fixed < 10) (other[i] = truth[i]!), fixed++;
    }
    const tie = pairedBootstrapF1Macro(truth, base, other, 4);
    expect(Math.abs(tie.delta)).toBeLessThan(0.005);
    expect(tie.ci95[0]).toBeLessThan(0);
    expect(tie.ci95[1]).toBeGreaterThan(0);
    expect(tie.pBetter).toBeGreaterThan(0.1);
    expect(tie.pBetter).toBeLessThan(0.9);
  });
});
