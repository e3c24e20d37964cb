/**
 * The `ml-logistic-regression` package (2.0.0) as a candidate kind: one-vs-all logistic
 * regression by full-batch gradient descent on a dense `ml-matrix` matrix, no regularisation, no
 * intercept (we append a constant-1 column so it gets one).
 *
 * Its cost is n x features x steps x classes dense multiply-adds, so it runs on a small vocabulary
 * (`maxFeatures`, default 1,000) and few steps. It is kept as a baseline the user asked for; the
 * sparse trainers beat it on quality and speed (see bench/README.md).
 *
 * The package's `train` fits all classes in one synchronous call; we drive its per-class
 * two-class models (built by its public `load`) one class at a time so that progress and aborts
 * are honoured between classes. Its gradient is a sum over samples, so the `learningRate`
 * parameter here is a step on the *mean* gradient (we pass learningRate / n to the package).
 */
import LogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import type { TrainingContext } from '../training-context.ts';
import type { ParamValue } from '../types.ts';
import type { LinearFit, TrainingSet } from './trainer.ts';

export async function trainMlLogisticRegression(
  data: TrainingSet,
  params: Readonly<Record<string, ParamValue>>,
  ctx: TrainingContext,
): Promise<LinearFit> {
  const { x, y, K } = data;
  const n = x.rows;
  const F = x.cols;
  const numSteps = params.numSteps as number;
  const learningRate = (params.learningRate as number) / n;

  const X = Matrix.zeros(n, F + 1);
  for (let i = 0; i < n; i++) {
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) X.set(i, x.indices[p]!, x.data[p]!);
    X.set(i, F, 1);
  }
  const model = LogisticRegression.load({
    name: 'LogisticRegression',
    numSteps,
    learningRate,
    numberClasses: K,
    classifiers: Array.from({ length: K }, () => ({ numSteps, learningRate, weights: null })),
  });

  const weights = new Float32Array(F * K);
  const bias = new Float32Array(K);
  for (let k = 0; k < K; k++) {
    await ctx.checkpoint(k / K);
    // The package's convention: target 0 for the class, 1 for the rest (it models "not k").
    const target = Matrix.columnVector(Array.from(y, (c) => (c === k ? 0 : 1)));
    const two = model.classifiers[k]!;
    two.train(X, target);
    const w = two.weights!.getRow(0);
    for (let f = 0; f < F; f++) weights[f * K + k] = -w[f]!;
    bias[k] = -w[F]!;
  }
  await ctx.checkpoint(1);
  return { weights, bias, link: { type: 'ovr-sigmoid' } };
}
