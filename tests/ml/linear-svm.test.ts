import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../core/ml/params.ts';
import { labelIndices } from '../../core/ml/split.ts';
import { TrainingContext } from '../../core/ml/training-context.ts';
import { linearSvmWeights } from '../../core/ml/trainers/linear-svm.ts';
import type { TrainingSet } from '../../core/ml/trainers/trainer.ts';
import { selectRows } from '../../core/text/sparse.ts';
import { TfidfVectorizer } from '../../core/text/tfidf.ts';
import { loadArchives5Small } from './fixture.ts';

const { train } = loadArchives5Small();
const { x } = { x: TfidfVectorizer.fit(train.map((d) => d.text), { analyzer: { stem: true, stopWords: true, symbols: false }, ngramMax: 2, minDf: 2, maxFeatures: 0, sublinearTf: true }).matrix };
const { y } = labelIndices(train);
const K = 5;
const data: TrainingSet = { x, y, K, classCounts: Int32Array.from({ length: K }, (_, k) => y.filter((c) => c === k).length) };
// A tight tolerance and enough passes, so that both runs reach the same optimum.
const params = { ...resolveParams({ kind: 'linear-svm', params: {} }), tol: 1e-4, maxEpochs: 1000 };

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('linear SVM warm start', () => {
  it('converges to the cold solution from the dual variables of a model trained on half the rows', async () => {
    const cold = await linearSvmWeights(data, params, new TrainingContext({ seed: 1 }));
    const half = Array.from({ length: x.rows }, (_, i) => i).filter((i) => i % 2 === 0);
    const sub: TrainingSet = { x: selectRows(x, half), y: Int32Array.from(half, (i) => y[i]!), K, classCounts: data.classCounts.map((c) => c >> 1) };
    const partial = await linearSvmWeights(sub, params, new TrainingContext({ seed: 1 }));
    const start = partial.alphas.map((a) => {
      const full = new Float64Array(x.rows);
      half.forEach((i, r) => (full[i] = a[r]!));
      return full;
    });
    const warm = await linearSvmWeights(data, params, new TrainingContext({ seed: 1 }), start);
    const scale = Math.max(...cold.weights.map(Math.abs));
    expect(maxDiff(warm.weights, cold.weights)).toBeLessThan(0.01 * scale);
    expect(maxDiff(warm.bias, cold.bias)).toBeLessThan(0.01 * scale);
    // The start was not already the answer: the half model's weights are far from the full ones.
    expect(maxDiff(partial.weights, cold.weights)).toBeGreaterThan(0.1 * scale);
  });

  it('starting from the solution itself stays there', async () => {
    const cold = await linearSvmWeights(data, params, new TrainingContext({ seed: 1 }));
    const again = await linearSvmWeights(data, params, new TrainingContext({ seed: 2 }), cold.alphas);
    const scale = Math.max(...cold.weights.map(Math.abs));
    expect(maxDiff(again.weights, cold.weights)).toBeLessThan(1e-3 * scale);
  });

  it('refuses a warm start of the wrong size', async () => {
    await expect(linearSvmWeights(data, params, new TrainingContext({ seed: 1 }), [new Float64Array(3)])).rejects.toThrow(RangeError);
  });
});
