/**
 * Multinomial (softmax) logistic regression with L2 regularisation, trained by per-sample
 * AdaGrad (Duchi et al., 2011) over seeded shuffles. Sparse updates only touch the weights of a
 * sample's non-zero features; the L2 term is applied to those same weights when they are touched
 * ("lazy" regularisation), which keeps an epoch at O(nnz x K) instead of O(n x features x K).
 *
 * Objective: mean_i s_i * CE(softmax(W x_i + b), y_i) + lambda/2 |W|^2 with lambda = 1 / (C n),
 * s_i the class weight of y_i. Probabilities are the model's own softmax (temperature 1).
 */
import type { TrainingContext } from '../training-context.ts';
import type { ParamValue } from '../types.ts';
import { classWeights, type LinearFit, type TrainingSet } from './trainer.ts';

export async function trainSoftmax(
  data: TrainingSet,
  params: Readonly<Record<string, ParamValue>>,
  ctx: TrainingContext,
): Promise<LinearFit> {
  const { x, y, K } = data;
  const n = x.rows;
  const F = x.cols;
  const epochs = params.epochs as number;
  const eta = params.learningRate as number;
  const lambda = 1 / ((params.C as number) * n);
  const cw = classWeights(data, params.classWeight);
  const { indptr, indices, data: values } = x;

  const W = new Float64Array(F * K);
  const GW = new Float64Array(F * K);
  const b = new Float64Array(K);
  const Gb = new Float64Array(K);
  const p = new Float64Array(K);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const EPS = 1e-8;

  for (let epoch = 0; epoch < epochs; epoch++) {
    ctx.random.shuffle(order);
    for (let r = 0; r < n; r++) {
      const i = order[r]!;
      const start = indptr[i]!;
      const end = indptr[i + 1]!;
      for (let k = 0; k < K; k++) p[k] = b[k]!;
      for (let q = start; q < end; q++) {
        const v = values[q]!;
        const o = indices[q]! * K;
        for (let k = 0; k < K; k++) p[k]! += v * W[o + k]!;
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (p[k]! > max) max = p[k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(p[k]! - max);
        p[k] = e;
        sum += e;
      }
      const s = cw[y[i]!]!;
      // p becomes the gradient of the loss w.r.t. the scores: s * (softmax - onehot).
      for (let k = 0; k < K; k++) p[k] = (s * p[k]!) / sum;
      p[y[i]!]! -= s;
      for (let k = 0; k < K; k++) {
        const g = p[k]!;
        Gb[k]! += g * g;
        b[k]! -= (eta * g) / (Math.sqrt(Gb[k]!) + EPS);
      }
      for (let q = start; q < end; q++) {
        const v = values[q]!;
        const o = indices[q]! * K;
        for (let k = 0; k < K; k++) {
          const j = o + k;
          const g = p[k]! * v + lambda * W[j]!;
          const G = GW[j]! + g * g;
          GW[j] = G;
          W[j]! -= (eta * g) / (Math.sqrt(G) + EPS);
        }
      }
    }
    await ctx.checkpoint((epoch + 1) / epochs);
  }
  return { weights: Float32Array.from(W), bias: Float32Array.from(b), link: { type: 'softmax', temperature: 1 } };
}
