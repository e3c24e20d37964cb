/**
 * Multinomial NB over word presence (the blend's default NB member), served on TF-IDF features.
 */
import { describe, expect, it } from 'vitest';
import { trainClassifier } from '../../core/ml/index.ts';
import { scoreRows } from '../../core/ml/kernels.ts';
import { presenceNbWeights } from '../../core/ml/trainers/presence-nb.ts';
import type { TrainingSet } from '../../core/ml/trainers/trainer.ts';
import type { CsrMatrix } from '../../core/text/sparse.ts';
import { TfidfVectorizer } from '../../core/text/tfidf.ts';
import { loadArchives5Small } from './fixture.ts';

const csr = (rows: number[][][], cols: number): CsrMatrix => {
  const indptr = [0];
  const indices: number[] = [];
  const data: number[] = [];
  for (const row of rows) {
    for (const [c, v] of row) indices.push(c!), data.push(v!);
    indptr.push(indices.length);
  }
  return { rows: rows.length, cols, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), data: Float32Array.from(data) };
};

describe('presence NB', () => {
  // Three documents, three features, two classes; values differ, presences are what count.
  // A stored zero (doc 1, feature 2) is not a presence.
  const x = csr([[[0, 0.5], [1, 0.8]], [[0, 0.9], [2, 0]], [[1, 0.3], [2, 0.7]]], 3);
  const set = (idf?: Float32Array): TrainingSet => ({ x, y: Int32Array.from([0, 0, 1]), K: 2, classCounts: Int32Array.from([2, 1]), ...(idf ? { idf } : {}) });

  it('weights are ln of smoothed presence shares per class, divided by idf, with no prior', () => {
    // Presences: class 0 has f0 twice, f1 once, f2 never (sum 3 + 3 alpha = 4.5); class 1 has f1
    // and f2 once (sum 2 + 1.5 = 3.5). alpha = 0.5.
    const idf = Float32Array.from([1, 2, 4]);
    const { weights, bias } = presenceNbWeights(set(idf), 0.5);
    const expected = [
      Math.log(2.5 / 4.5) / 1, Math.log(0.5 / 3.5) / 1,
      Math.log(1.5 / 4.5) / 2, Math.log(1.5 / 3.5) / 2,
      Math.log(0.5 / 4.5) / 4, Math.log(1.5 / 3.5) / 4,
    ];
    expected.forEach((e, j) => expect(weights[j]).toBeCloseTo(e, 6));
    expect(Array.from(bias)).toEqual([0, 0]);
    // Without idf the shares are the weights.
    expect(presenceNbWeights(set(), 0.5).weights[2]).toBeCloseTo(Math.log(1.5 / 4.5), 6);
  });

  it('on TF-IDF rows whose terms occur once, scores are the presence log-likelihood times one factor per document', () => {
    // Made-up two-letter words, no repeats in a document: every tf is 1.
    const words = Array.from({ length: 40 }, (_, i) => String.fromCharCode(97 + (i % 26)) + String.fromCharCode(97 + Math.floor(i / 26) + 10));
    const texts = Array.from({ length: 30 }, (_, d) => words.filter((_, w) => (w * 7 + d * 3) % 5 < 2 + (d % 2)).join(' '));
    const fitted = TfidfVectorizer.fit(texts, { analyzer: { stem: false, stopWords: false, symbols: false }, ngramMax: 1, minDf: 1, maxFeatures: 0, sublinearTf: true });
    const K = 3;
    const y = Int32Array.from(texts, (_, d) => d % K);
    const data: TrainingSet = { x: fitted.matrix, y, K, classCounts: Int32Array.from([10, 10, 10]), idf: fitted.vectorizer.state.idf };
    const { weights, bias } = presenceNbWeights(data, 0.1);
    const served = scoreRows(data.x, weights, bias, K);
    const { indptr, indices } = data.x;
    for (let i = 0; i < data.x.rows; i++) {
      // ln p(f | k) summed over the document's features, from the weights times idf.
      const exact = Array.from({ length: K }, (_, k) => {
        let s = 0;
        for (let p = indptr[i]!; p < indptr[i + 1]!; p++) s += weights[indices[p]! * K + k]! * data.idf![indices[p]!]!;
        return s;
      });
      const ratios = exact.map((e, k) => served[i * K + k]! / e);
      expect(ratios[0]!).toBeGreaterThan(0);
      for (const r of ratios) expect(r / ratios[0]!).toBeCloseTo(1, 5);
    }
  });

  it('is the blend default; complement NB stays selectable and both blends learn the real fixture', async () => {
    const { train, test } = loadArchives5Small();
    const presence = await trainClassifier(train, { kind: 'svm-nb-blend', params: {} }, { seed: 1 });
    const complement = await trainClassifier(train, { kind: 'svm-nb-blend', params: { nb: 'complement' } }, { seed: 1 });
    expect(presence.params.nb).toBe('presence');
    expect(presence.params.presenceAlpha).toBe(0.03);
    expect(complement.params.nb).toBe('complement');
    const texts = test.map((d) => d.text);
    const accuracy = (c: typeof presence) => c.predict(texts, 1).filter((p, i) => p.label === test[i]!.label).length / test.length;
    expect(accuracy(presence)).toBeGreaterThan(0.75);
    expect(accuracy(complement)).toBeGreaterThan(0.75);
    // A different member gives a different model.
    expect(Buffer.from(presence.serialize()).equals(Buffer.from(complement.serialize()))).toBe(false);
  });
});
