/**
 * Complement naive Bayes (Rennie et al., ICML 2003; scikit-learn's `ComplementNB`) on TF-IDF
 * features: class k is scored by how badly the *other* classes' feature distribution explains the
 * document, w[f, k] = -ln((N_f - N_kf + alpha) / sum_f (N_f - N_kf + alpha)), which is much less
 * biased towards large classes than multinomial NB. One pass over the data, no randomness. With
 * `crossListWeight` w < 1, a document cross-listed in class k counts only w of its mass in k's
 * complement: the other classes' distribution should not be made of k's own papers.
 *
 * Probabilities: softmax of the scores with a temperature fitted on the training scores (these are
 * optimistic, so confidences lean high): calibration of scores, not the NB posterior.
 */
import { fitTemperature } from '../calibration.ts';
import type { TrainingContext } from '../training-context.ts';
import type { ParamValue } from '../types.ts';
import type { CsrMatrix } from '../../text/sparse.ts';
import { scoreRows } from '../kernels.ts';
import type { LinearFit, TrainingSet } from './trainer.ts';

export async function trainComplementNb(
  data: TrainingSet,
  params: Readonly<Record<string, ParamValue>>,
  ctx: TrainingContext,
): Promise<LinearFit> {
  const { weights, bias } = complementNbWeights(data, params);
  await ctx.checkpoint(0.8);
  const temperature = fitTemperature(scoreRows(data.x, weights, bias, data.K), data.y, data.K);
  await ctx.checkpoint(1);
  return { weights, bias, link: { type: 'softmax', temperature } };
}

/**
 * The complement NB weights (`alpha`, `normWeights` from params) and a zero bias; one pass. Its
 * loops are separate functions so that V8 optimises each whole (see linear-svm.ts).
 */
export function complementNbWeights(data: TrainingSet, params: Readonly<Record<string, ParamValue>>): { weights: Float32Array; bias: Float32Array } {
  const { x, y, K } = data;
  const { counts, total } = featureMassByClass(x, y, K);
  const crossListWeight = (params.crossListWeight as number | undefined) ?? 1;
  if (data.crossLists && crossListWeight < 1) leaveOutOfComplements(data, counts, 1 - crossListWeight);
  const logged = complementLogProbabilities(counts, total, K, params.alpha as number);
  return { weights: toWeights(logged, K, params.normWeights as boolean), bias: new Float32Array(K) };
}

/** Sum of each feature's values per class (`counts[f * K + k]`) and over all classes. */
function featureMassByClass(x: CsrMatrix, y: Int32Array, K: number): { counts: Float64Array; total: Float64Array } {
  const counts = new Float64Array(x.cols * K);
  const total = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) {
    const k = y[i]!;
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) {
      const f = x.indices[p]!;
      counts[f * K + k]! += x.data[p]!;
      total[f]! += x.data[p]!;
    }
  }
  return { counts, total };
}

/**
 * Takes `share` of each cross-listed row's mass out of the complement of the classes it is
 * cross-listed in, by adding it to that class's own mass (the complement is total minus own).
 */
function leaveOutOfComplements(data: TrainingSet, counts: Float64Array, share: number): void {
  const { x, K } = data;
  const listed = data.crossLists!;
  for (let i = 0; i < x.rows; i++) {
    for (let k = 0; k < K; k++) {
      if (listed[i * K + k] !== 1) continue;
      for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) counts[x.indices[p]! * K + k]! += share * x.data[p]!;
    }
  }
}

/** ln of each feature's smoothed share of the complement of each class, in place of `counts`. */
function complementLogProbabilities(counts: Float64Array, total: Float64Array, K: number, alpha: number): Float64Array {
  const F = total.length;
  const compSum = new Float64Array(K);
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < K; k++) compSum[k]! += total[f]! - counts[f * K + k]! + alpha;
  }
  const logSum = compSum.map(Math.log);
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < K; k++) counts[f * K + k] = Math.log(total[f]! - counts[f * K + k]! + alpha) - logSum[k]!;
  }
  return counts;
}

/** scikit-learn: norm=True divides by the (negative) sum of logs per class, otherwise negates. */
function toWeights(logged: Float64Array, K: number, normWeights: boolean): Float32Array {
  const weights = new Float32Array(logged.length);
  if (!normWeights) {
    for (let j = 0; j < logged.length; j++) weights[j] = -logged[j]!;
    return weights;
  }
  const l1 = new Float64Array(K);
  for (let j = 0; j < logged.length; j++) l1[j % K]! += logged[j]!;
  for (let j = 0; j < logged.length; j++) weights[j] = logged[j]! / l1[j % K]!;
  return weights;
}
