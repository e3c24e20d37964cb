import { describe, expect, it } from 'vitest';
import { evaluate, trainClassifier } from '../../core/ml/index.ts';
import { loopMatrixScorer, loopRowScorer, loopSoftmaxPass, MAX_UNROLLED, rowScorer, scoreRows, softmaxPass } from '../../core/ml/kernels.ts';
import { minimizeLbfgs } from '../../core/ml/lbfgs.ts';
import { LinearTextClassifier } from '../../core/ml/linear-text-classifier.ts';
import { labelIndices } from '../../core/ml/split.ts';
import { TfidfVectorizer } from '../../core/text/tfidf.ts';
import { loadArchives5Small } from './fixture.ts';

const { train, test } = loadArchives5Small();
const fitted = TfidfVectorizer.fit(train.map((d) => d.text), { analyzer: { stem: true, stopWords: true, symbols: false }, ngramMax: 2, minDf: 2, maxFeatures: 0, sublinearTf: true });
const x = fitted.matrix;

/** Seeded weights in (-0.5, 0.5) (a small LCG, so the test needs no random source). */
function weights64(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

/** Labels of the real rows folded into K classes (K may exceed the 5 real ones). */
function labelsFor(K: number): Int32Array {
  const { y } = labelIndices(train);
  return Int32Array.from(y, (c, i) => (c + 5 * (i % 3)) % K);
}

describe('softmax kernels', () => {
  it.each([2, 5, 20, MAX_UNROLLED + 3])('the pass for K=%i gives the loop version\'s loss and gradient exactly', (K) => {
    const y = labelsFor(K);
    const sw = Float64Array.from(y, (c) => 1 + c / K);
    const w = weights64(x.cols * K + K, K);
    const gGen = new Float64Array(w.length);
    const gLoop = new Float64Array(w.length);
    const lossGen = softmaxPass(K)(x, y, sw, w, gGen);
    const lossLoop = loopSoftmaxPass(K)(x, y, sw, w, gLoop);
    expect(lossGen).toBe(lossLoop);
    expect(Buffer.from(gGen.buffer).equals(Buffer.from(gLoop.buffer))).toBe(true);
    expect(gGen.some((g) => g !== 0)).toBe(true);
  });

  it('returns the cross-entropy and its gradient (finite differences)', () => {
    const K = 5;
    const y = labelsFor(K);
    const sw = Float64Array.from(y, (c) => (c === 0 ? 2 : 1));
    const w = weights64(x.cols * K + K, 11);
    const pass = softmaxPass(K);
    const grad = new Float64Array(w.length);
    const loss = pass(x, y, sw, w, grad);

    // Loss recomputed directly from its definition.
    let expected = 0;
    for (let i = 0; i < x.rows; i++) {
      const z = Array.from({ length: K }, (_, k) => w[x.cols * K + k]!);
      for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) for (let k = 0; k < K; k++) z[k]! += x.data[p]! * w[x.indices[p]! * K + k]!;
      const logSum = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
      expected += sw[i]! * (logSum - z[y[i]!]!);
    }
    expect(loss).toBeCloseTo(expected, 8);

    // Central differences on weights of frequent features and on every bias.
    const scratch = new Float64Array(w.length);
    const f = (v: Float64Array) => pass(x, y, sw, v, scratch.fill(0));
    const probes = [x.indices[0]! * K, x.indices[1]! * K + 3, x.indices[5]! * K + 4, x.cols * K, x.cols * K + 2];
    for (const j of probes) {
      const h = 1e-5;
      const plus = Float64Array.from(w);
      plus[j]! += h;
      const minus = Float64Array.from(w);
      minus[j]! -= h;
      const numeric = (f(plus) - f(minus)) / (2 * h);
      expect(grad[j]!).toBeCloseTo(numeric, 5);
    }
  });
});

describe('row scorer (prediction)', () => {
  it.each([2, 5, 20, MAX_UNROLLED + 3])('for K=%i gives the loop version\'s scores exactly', (K) => {
    const weights = Float32Array.from(weights64(x.cols * K, K));
    const bias = Float32Array.from(weights64(K, K + 1));
    const gen = new Float64Array(x.rows * K);
    const loop = new Float64Array(x.rows * K);
    const score = rowScorer(K);
    const reference = loopRowScorer(K);
    for (let i = 0; i < x.rows; i++) {
      const cols = x.indices.subarray(x.indptr[i]!, x.indptr[i + 1]!);
      const values = Float64Array.from(x.data.subarray(x.indptr[i]!, x.indptr[i + 1]!));
      score(cols, values, cols.length, weights, bias, gen, i * K);
      reference(cols, values, cols.length, weights, bias, loop, i * K);
    }
    expect(Buffer.from(gen.buffer).equals(Buffer.from(loop.buffer))).toBe(true);
    // And both are the plain definition (to rounding).
    const i = 7;
    for (let k = 0; k < K; k++) {
      let s = bias[k]!;
      for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) s += x.data[p]! * weights[x.indices[p]! * K + k]!;
      expect(gen[i * K + k]!).toBeCloseTo(s, 5);
    }
  });
});

describe('matrix scorer (trainers\' held-out scores)', () => {
  it.each([2, 5, 20, MAX_UNROLLED + 3])('for K=%i gives the loop version\'s and the row scorer\'s scores exactly', (K) => {
    const weights = Float32Array.from(weights64(x.cols * K, K + 2));
    const bias = Float32Array.from(weights64(K, K + 3));
    const gen = scoreRows(x, weights, bias, K);
    const loop = new Float64Array(x.rows * K);
    loopMatrixScorer(K)(x, weights, bias, loop);
    expect(Buffer.from(gen.buffer).equals(Buffer.from(loop.buffer))).toBe(true);
    // Prediction scores a row the vectorizer hands over; the same row gives the same numbers.
    const byRow = new Float64Array(x.rows * K);
    const score = rowScorer(K);
    for (let i = 0; i < x.rows; i++) {
      const cols = x.indices.subarray(x.indptr[i]!, x.indptr[i + 1]!);
      score(cols, Float64Array.from(x.data.subarray(x.indptr[i]!, x.indptr[i + 1]!)), cols.length, weights, bias, byRow, i * K);
    }
    expect(Buffer.from(gen.buffer).equals(Buffer.from(byRow.buffer))).toBe(true);
    expect(gen.some((v, j) => v !== bias[j % K])).toBe(true);
  });
});

describe('minimizeLbfgs', () => {
  it('finds the minimum of an ill-conditioned quadratic and never raises the objective', async () => {
    const D = 1000;
    const scale = Float64Array.from({ length: D }, (_, i) => 1 + (i % 100) * 10); // condition 991
    const target = weights64(D, 3);
    const fs: number[] = [];
    const x = new Float64Array(D);
    const result = await minimizeLbfgs(
      (v, g) => {
        let f = 0;
        for (let i = 0; i < D; i++) {
          const d = v[i]! - target[i]!;
          f += 0.5 * scale[i]! * d * d;
          g[i] = scale[i]! * d;
        }
        return f;
      },
      x,
      { memory: 5, maxIterations: 500, tol: 1e-14, onIteration: (_, f) => void fs.push(f) },
    );
    expect(result.converged).toBe(true);
    expect(result.iterations).toBeLessThan(500);
    for (let i = 0; i < D; i++) expect(x[i]!).toBeCloseTo(target[i]!, 5);
    for (let i = 1; i < fs.length; i++) expect(fs[i]!).toBeLessThanOrEqual(fs[i - 1]!);
    expect(result.f).toBeLessThan(1e-10);
  });

  it('stops at maxIterations without claiming convergence', async () => {
    const x = new Float64Array([3, -4]);
    const result = await minimizeLbfgs((v, g) => {
      // Rosenbrock: curved valley, needs dozens of iterations.
      const [a, b] = [v[0]!, v[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    }, x, { memory: 5, maxIterations: 3, tol: 0 });
    expect(result).toMatchObject({ iterations: 3, converged: false });
  });

  it('solves Rosenbrock from a standard start', async () => {
    const x = new Float64Array([-1.2, 1]);
    const result = await minimizeLbfgs((v, g) => {
      const [a, b] = [v[0]!, v[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    }, x, { memory: 5, maxIterations: 1000, tol: 1e-16 });
    expect(x[0]!).toBeCloseTo(1, 3);
    expect(x[1]!).toBeCloseTo(1, 3);
    expect(result.f).toBeLessThan(1e-6);
  });
});

describe('softmax trainer (L-BFGS)', () => {
  it('reaches a small gradient: the trained model is at the regularised optimum', async () => {
    const clf = await trainClassifier(train, { kind: 'softmax', params: { tol: 1e-10, maxIterations: 2000 } }, { seed: 1 });
    // Optimality of the bias: the summed residuals per class vanish, i.e. predicted class
    // probabilities (class-weighted) sum to the weighted class counts on the training rows.
    expect(clf).toBeInstanceOf(LinearTextClassifier);
    const proba = (clf as LinearTextClassifier).predictProba(train.map((d) => d.text));
    const { y } = labelIndices(train);
    const K = clf.labels.length;
    for (let k = 0; k < K; k++) {
      let predicted = 0;
      let actual = 0;
      for (let i = 0; i < y.length; i++) {
        predicted += proba[i * K + k]!;
        actual += y[i] === k ? 1 : 0;
      }
      // Balanced weights with 40 rows per class are all 1: the sums match.
      expect(predicted).toBeCloseTo(actual, 2);
    }
    expect(evaluate(clf, test).f1Macro).toBeGreaterThanOrEqual(0.8);
  });
});
