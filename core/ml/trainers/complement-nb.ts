/**
 * Complement naive Bayes (Rennie et al., ICML 2003; scikit-learn's `ComplementNB`) on TF-IDF
 * features: class k is scored by how badly the *other* classes' feature distribution explains the
 * document, w[f, k] = -ln((N_f - N_kf + alpha) / sum_f (N_f - N_kf + alpha)), which is much less
 * biased towards large classes than multinomial NB. One pass over the data, no randomness.
 *
 * Probabilities: softmax of the scores with a temperature fitted on the training scores (these are
 * optimistic, so confidences lean high): calibration of scores, not the NB posterior.
 */
import { fitTemperature } from '../calibration.ts';
import type { TrainingContext } from '../training-context.ts';
import type { ParamValue } from '../types.ts';
import { linearScores } from '../../text/sparse.ts';
import type { LinearFit, TrainingSet } from './trainer.ts';

export async function trainComplementNb(
  data: TrainingSet,
  params: Readonly<Record<string, ParamValue>>,
  ctx: TrainingContext,
): Promise<LinearFit> {
  const { weights, bias } = complementNbWeights(data, params);
  await ctx.checkpoint(0.8);
  const temperature = fitTemperature(linearScores(data.x, weights, bias, data.K), data.y, data.K);
  await ctx.checkpoint(1);
  return { weights, bias, link: { type: 'softmax', temperature } };
}

/** The complement NB weights (`alpha`, `normWeights` from params) and a zero bias; one pass. */
export function complementNbWeights(data: TrainingSet, params: Readonly<Record<string, ParamValue>>): { weights: Float32Array; bias: Float32Array } {
  const { x, y, K } = data;
  const F = x.cols;
  const alpha = params.alpha as number;
  const counts = new Float64Array(F * K);
  const total = new Float64Array(F);
  for (let i = 0; i < x.rows; i++) {
    const k = y[i]!;
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) {
      const f = x.indices[p]!;
      counts[f * K + k]! += x.data[p]!;
      total[f]! += x.data[p]!;
    }
  }
  const compSum = new Float64Array(K);
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < K; k++) compSum[k]! += total[f]! - counts[f * K + k]! + alpha;
  }
  const weights = new Float32Array(F * K);
  const logSum = compSum.map(Math.log);
  const l1 = new Float64Array(K);
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < K; k++) {
      const logged = Math.log(total[f]! - counts[f * K + k]! + alpha) - logSum[k]!;
      counts[f * K + k] = logged;
      l1[k]! += logged;
    }
  }
  const normWeights = params.normWeights as boolean;
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < K; k++) {
      const logged = counts[f * K + k]!;
      // scikit-learn: norm=True divides by the (negative) sum of logs, otherwise negates.
      weights[f * K + k] = normWeights ? logged / l1[k]! : -logged;
    }
  }
  return { weights, bias: new Float32Array(K) };
}
