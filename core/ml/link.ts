/**
 * How a linear model's scores become probabilities.
 * - `softmax`: p = softmax(scores / temperature). Native for multinomial logistic regression
 *   (temperature 1); for the SVM and naive Bayes the temperature is fitted (see calibration.ts),
 *   so their probabilities are calibrated softmaxed margins, not a probabilistic model.
 * - `ovr-sigmoid`: p_k = sigmoid(score_k), renormalised to sum to 1 (one-vs-rest logistic models).
 */
export type Link = { type: 'softmax'; temperature: number } | { type: 'ovr-sigmoid' };

/** Turns `scores` (length K) into probabilities in place. */
export function applyLink(link: Link, scores: Float64Array): void {
  const K = scores.length;
  if (link.type === 'softmax') {
    const invT = 1 / link.temperature;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (scores[k]! > max) max = scores[k]!;
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp((scores[k]! - max) * invT);
      scores[k] = e;
      sum += e;
    }
    for (let k = 0; k < K; k++) scores[k]! /= sum;
    return;
  }
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const p = 1 / (1 + Math.exp(-scores[k]!));
    scores[k] = p;
    sum += p;
  }
  if (sum > 0) for (let k = 0; k < K; k++) scores[k]! /= sum;
  else scores.fill(1 / K);
}
