/**
 * Multinomial naive Bayes over word *presence* ("binarized" multinomial NB: Metsis et al. 2006;
 * the NB half of Wang & Manning's NBSVM, 2012), served on the TF-IDF features the other models
 * read, so that it stays one linear weight matrix.
 *
 * Fit: for class k, p(f | k) = (d_kf + alpha) / sum_f' (d_kf' + alpha), where d_kf is the number of
 * training documents of class k that contain feature f (each document counts a feature once,
 * however often it repeats). No class prior (the blend's members are balanced, and macro-F1 asks
 * for every class alike).
 *
 * Serve: the NB score of a document is sum over its distinct features of ln p(f | k). Its TF-IDF
 * row holds x_f = tf'_f idf_f / |r|, with tf'_f = 1 + ln tf_f (= 1 for a feature seen once, as
 * most n-grams of an abstract are) and |r| the row's norm before normalisation, so with weights
 * ln p(f | k) / idf_f the linear score is sum_f tf'_f ln p(f | k) / |r|: the presence score up to
 * one positive factor per document (which no decision within that document depends on) and the
 * sublinear tf of repeated terms. The blend rescales members per data set, not per document; in
 * scikit-learn, the exact presence score and this single-matrix form blended with the SVM to the
 * same cross-validated macro-F1 (bench/README.md).
 *
 * Cross-lists: none. Counting a cross-listed document as 0.3 or 0.7 of a document of the classes it
 * is cross-listed in (the presence analogue of complement NB's `crossListWeight`, on a build patched
 * for the run) gave fine20 cross-validated macro-F1 0.7238 / 0.7224 against 0.7242 without.
 */
import type { TrainingSet } from './trainer.ts';

/**
 * The presence NB weights (feature-major, `w[f * K + k] = ln p(f | k) / idf_f`) and a zero bias.
 * `data.idf` absent means idf 1 (features that are not TF-IDF).
 */
export function presenceNbWeights(data: TrainingSet, alpha: number): { weights: Float32Array; bias: Float32Array } {
  const { K } = data;
  const counts = documentCounts(data);
  const logged = logShares(counts, data.x.cols, K, alpha);
  const weights = new Float32Array(logged.length);
  const idf = data.idf;
  for (let f = 0, j = 0; f < data.x.cols; f++) {
    const scale = idf ? 1 / idf[f]! : 1;
    for (let k = 0; k < K; k++, j++) weights[j] = logged[j]! * scale;
  }
  return { weights, bias: new Float32Array(K) };
}

/** d_kf: documents of class k holding feature f (a stored zero is not a presence). */
function documentCounts(data: TrainingSet): Float64Array {
  const { x, y, K } = data;
  const counts = new Float64Array(x.cols * K);
  for (let i = 0; i < x.rows; i++) {
    const k = y[i]!;
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) if (x.data[p] !== 0) counts[x.indices[p]! * K + k]! += 1;
  }
  return counts;
}

/** ln of each feature's smoothed share of its class's presences, in place of `counts`. */
function logShares(counts: Float64Array, F: number, K: number, alpha: number): Float64Array {
  const sums = new Float64Array(K);
  for (let f = 0; f < F; f++) for (let k = 0; k < K; k++) sums[k]! += counts[f * K + k]! + alpha;
  const logSums = sums.map(Math.log);
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < K; k++) counts[f * K + k] = Math.log(counts[f * K + k]! + alpha) - logSums[k]!;
  }
  return counts;
}
