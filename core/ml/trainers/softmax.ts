/**
 * Multinomial (softmax) logistic regression with L2 regularisation, minimised by L-BFGS on the
 * full batch: scikit-learn's `LogisticRegression(solver='lbfgs')` objective,
 *
 *   C * sum_i s_i * CE(softmax(W x_i + b), y_i) + 1/2 |W|^2,
 *
 * s_i the class weight of y_i, the bias not regularised. It is minimised divided by C * n, so that
 * its size (and so the stopping tolerance) does not depend on the data size or C.
 *
 * One evaluation is one pass over the non-zeros for the scores and one for the gradient, in code
 * unrolled over the classes (kernels.ts). A run starts from zero weights and usually stops on
 * `tol` (a relative decrease per iteration) before `maxIterations`.
 *
 * Probabilities are the model's own softmax (temperature 1).
 */
import { softmaxPass } from '../kernels.ts';
import { minimizeLbfgs } from '../lbfgs.ts';
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
  const FK = x.cols * K;
  const maxIterations = params.maxIterations as number;
  const cw = classWeights(data, params.classWeight);
  const sampleWeight = Float64Array.from(y, (c) => cw[c]!);
  const pass = softmaxPass(K);
  const lossScale = 1 / n;
  const lambda = 1 / ((params.C as number) * n);

  const objective = (w: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    const loss = pass(x, y, sampleWeight, w, grad);
    return loss * lossScale + regularise(w, grad, FK, lossScale, lambda);
  };

  // Feature-major weights w[f * K + k], then the K biases.
  const w = new Float64Array(FK + K);
  await minimizeLbfgs(objective, w, {
    memory: params.memory as number,
    maxIterations,
    tol: params.tol as number,
    onIteration: (it) => ctx.checkpoint(it / maxIterations),
  });
  return { weights: Float32Array.from(w.subarray(0, FK)), bias: Float32Array.from(w.subarray(FK)), link: { type: 'softmax', temperature: 1 } };
}

/**
 * Scales the summed loss gradient by `lossScale` and adds the L2 term to the weights (not the
 * biases, from `FK` on); returns the penalty `lambda / 2 |W|^2`. Its own function so that V8
 * optimises the loop (see lbfgs.ts).
 */
function regularise(w: Float64Array, grad: Float64Array, FK: number, lossScale: number, lambda: number): number {
  let sq = 0;
  for (let j = 0; j < FK; j++) {
    const wj = w[j]!;
    sq += wj * wj;
    grad[j] = grad[j]! * lossScale + lambda * wj;
  }
  for (let j = FK; j < grad.length; j++) grad[j]! *= lossScale;
  return 0.5 * lambda * sq;
}
