/**
 * Cross-listed documents as negatives (`crossListWeight`): a paper whose primary category is k but
 * which is also listed in j is a weak (or no) negative example of j.
 */
import { describe, expect, it } from 'vitest';
import { trainClassifier, type LabelledText } from '../../core/ml/index.ts';
import { resolveParams } from '../../core/ml/params.ts';
import { labelIndices } from '../../core/ml/split.ts';
import { TrainingContext } from '../../core/ml/training-context.ts';
import { complementNbWeights } from '../../core/ml/trainers/complement-nb.ts';
import { linearSvmWeights } from '../../core/ml/trainers/linear-svm.ts';
import type { TrainingSet } from '../../core/ml/trainers/trainer.ts';
import { selectRows, type CsrMatrix } from '../../core/text/sparse.ts';
import { TfidfVectorizer } from '../../core/text/tfidf.ts';
import { loadArchives5Small } from './fixture.ts';

const { train } = loadArchives5Small();
const x = TfidfVectorizer.fit(train.map((d) => d.text), { analyzer: { stem: true, stopWords: true, symbols: false }, ngramMax: 2, minDf: 2, maxFeatures: 0, sublinearTf: true }).matrix;
const { y } = labelIndices(train);
const K = 5;
const classCounts = Int32Array.from({ length: K }, (_, k) => y.filter((c) => c === k).length);
// Every seventh paper is also listed in the next class.
const listedIn = (i: number): number => (i % 7 === 0 ? (y[i]! + 1) % K : -1);
const mask = new Uint8Array(x.rows * K);
for (let i = 0; i < x.rows; i++) if (listedIn(i) >= 0) mask[i * K + listedIn(i)] = 1;
const data: TrainingSet = { x, y, K, classCounts, crossLists: mask };

const svmParams = (crossListWeight: number) => ({ ...resolveParams({ kind: 'linear-svm', params: {} }), tol: 1e-4, maxEpochs: 1000, crossListWeight });

function column(weights: Float32Array, k: number): Float32Array {
  return Float32Array.from({ length: weights.length / K }, (_, f) => weights[f * K + k]!);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('linear SVM with cross-listed negatives', () => {
  it('at weight 0 solves each class as if its cross-listed rows were not there', async () => {
    // Unweighted classes: balanced weights depend on the row count, which the reference changes.
    const params = (w: number) => ({ ...svmParams(w), classWeight: 'none', tol: 1e-5 });
    const fit = await linearSvmWeights(data, params(0), new TrainingContext({ seed: 1 }));
    const scale = Math.max(...fit.weights.map(Math.abs));
    for (const k of [0, 3]) {
      // Reference: class k trained on the data without the rows listed in k.
      const kept = Array.from({ length: x.rows }, (_, i) => i).filter((i) => listedIn(i) !== k);
      const without: TrainingSet = { x: selectRows(x, kept), y: Int32Array.from(kept, (i) => y[i]!), K, classCounts };
      const ref = await linearSvmWeights(without, params(1), new TrainingContext({ seed: 1 }));
      expect(maxDiff(column(fit.weights, k), column(ref.weights, k))).toBeLessThan(1e-4 * scale);
      expect(Math.abs(fit.bias[k]! - ref.bias[k]!)).toBeLessThan(1e-4 * scale);
      // Those rows carry no weight in class k's solution.
      for (let i = 0; i < x.rows; i++) if (listedIn(i) === k) expect(fit.alphas[k]![i]).toBe(0);
    }
    // The listed rows still changed something: with weight 1 the solution differs.
    const plain = await linearSvmWeights(data, params(1), new TrainingContext({ seed: 1 }));
    expect(maxDiff(fit.weights, plain.weights)).toBeGreaterThan(0.01 * scale);
  });

  it('at weight 1, without the param, or without cross-lists, is exactly the plain SVM', async () => {
    const params = resolveParams({ kind: 'linear-svm', params: { crossListWeight: 1 } });
    const a = await linearSvmWeights(data, params, new TrainingContext({ seed: 3 }));
    const b = await linearSvmWeights({ x, y, K, classCounts }, { ...params, crossListWeight: 0.3 }, new TrainingContext({ seed: 3 }));
    const c = await linearSvmWeights({ x, y, K, classCounts }, params, new TrainingContext({ seed: 3 }));
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(c.weights.buffer))).toBe(true);
    expect(Buffer.from(b.weights.buffer).equals(Buffer.from(c.weights.buffer))).toBe(true);
    expect(Array.from(a.heldOut)).toEqual(Array.from(c.heldOut));
    const { crossListWeight: _, ...withoutKey } = params;
    const d = await linearSvmWeights(data, withoutKey, new TrainingContext({ seed: 3 }));
    expect(Buffer.from(d.weights.buffer).equals(Buffer.from(c.weights.buffer))).toBe(true);
  });

  it('a weight between 0 and 1 lands between the two, and every row keeps a held-out margin', async () => {
    const params = resolveParams({ kind: 'linear-svm', params: {} });
    const [w0, w03, w1] = await Promise.all([0, 0.3, 1].map((w) => linearSvmWeights(data, { ...params, crossListWeight: w }, new TrainingContext({ seed: 1 }))));
    const d = (a: typeof w0, b: typeof w0) => maxDiff(a!.weights, b!.weights);
    expect(d(w03, w0)).toBeLessThan(d(w1, w0));
    expect(d(w03, w1)).toBeLessThan(d(w1, w0));
    // Rows left out of a class's problem are still scored for calibration: no margin is missing.
    expect(w0!.heldOut.every((m) => Number.isFinite(m))).toBe(true);
    expect(w0!.heldOut.filter((m) => m === 0).length).toBe(0);
  });
});

describe('complement NB with cross-listed negatives', () => {
  // 4 documents, 2 features, 3 classes; document 1 (class 0) is also listed in class 2.
  const tiny: CsrMatrix = { rows: 4, cols: 2, indptr: Int32Array.from([0, 1, 2, 4, 5]), indices: Int32Array.from([0, 1, 0, 1, 1]), data: Float32Array.from([1, 2, 3, 4, 5]) };
  const tinyY = Int32Array.from([0, 0, 1, 2]);
  const listed = new Uint8Array(12);
  listed[1 * 3 + 2] = 1;
  const set: TrainingSet = { x: tiny, y: tinyY, K: 3, classCounts: Int32Array.from([2, 1, 1]), crossLists: listed };
  // Feature mass per class: f0 = [1, 3, 0], f1 = [2, 4, 5]; totals 4 and 11.
  const expected = (comp: number[][], alpha: number) =>
    comp.flatMap((row) => row).map((_, j) => {
      const f = Math.floor(j / 3);
      const k = j % 3;
      const sum = comp.reduce((s, r) => s + r[k]! + alpha, 0);
      return -Math.log((comp[f]![k]! + alpha) / sum);
    });

  it('leaves the listed share of a document out of the complements of the classes it is listed in', () => {
    const alpha = 0.5;
    // Complements (total minus own): f0 = [3, 1, 4], f1 = [9, 7, 6]; at weight 0 class 2's also
    // loses document 1 (f1 mass 2): f1 = 4; at weight 0.25 it loses 0.75 of it: 4.5.
    const at = (w: number) => Array.from(complementNbWeights(set, { alpha, normWeights: false, crossListWeight: w }).weights);
    for (const [w, c12] of [[1, 6], [0, 4], [0.25, 4.5]] as const) {
      const got = at(w);
      expected([[3, 1, 4], [9, 7, c12]], alpha).forEach((e, j) => expect(got[j]).toBeCloseTo(e, 5));
    }
  });
});

describe('trainClassifier with cross-lists', () => {
  const docs: LabelledText[] = train.map((d, i) => (i % 7 === 0 ? { ...d, crossLists: ['no-such-label', d.label, train[(i + 40) % train.length]!.label] } : d));

  it('uses labels it knows, ignores unknown ones and the document\'s own, and is deterministic', async () => {
    const spec = { kind: 'svm-nb-blend', params: { crossListWeight: 0 } };
    const a = await trainClassifier(docs, spec, { seed: 2 });
    const b = await trainClassifier(docs, spec, { seed: 2 });
    expect(Buffer.from(a.serialize()).equals(Buffer.from(b.serialize()))).toBe(true);
    // Only the unknown label and the own label: the same model as without cross-lists.
    const own = train.map((d, i) => (i % 7 === 0 ? { ...d, crossLists: ['no-such-label', d.label] } : d));
    const plain = await trainClassifier(train, spec, { seed: 2 });
    expect(Buffer.from((await trainClassifier(own, spec, { seed: 2 })).serialize()).equals(Buffer.from(plain.serialize()))).toBe(true);
    // A known other label changes the model.
    expect(Buffer.from(a.serialize()).equals(Buffer.from(plain.serialize()))).toBe(false);
  });
});
