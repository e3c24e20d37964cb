/**
 * Temperature scaling: the T > 0 minimising the mean negative log-likelihood of
 * softmax(scores / T) on scores held out from the model's own fit. Used for the margin-based
 * trainers (SVM, naive Bayes), whose raw scores are not probabilities.
 */

const MAX_ROWS = 3000;

/**
 * @param scores row-major `n x K` scores
 * @param y true class index per row
 * @returns the fitted temperature, in [0.01, 100]; 1 when there are no rows
 */
export function fitTemperature(scores: Float64Array, y: Int32Array, K: number): number {
  if (y.length === 0) return 1;
  // A one-parameter fit needs few rows: at most MAX_ROWS, evenly spaced (deterministic).
  const step = Math.max(1, Math.ceil(y.length / MAX_ROWS));
  const n = Math.ceil(y.length / step);
  const nll = (logT: number): number => {
    const invT = Math.exp(-logT);
    let total = 0;
    for (let r = 0; r < n; r++) {
      const i = r * step;
      const o = i * K;
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, scores[o + k]! * invT);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(scores[o + k]! * invT - max);
      total += Math.log(sum) + max - scores[o + y[i]!]! * invT;
    }
    return total / n;
  };
  // The NLL is unimodal in log T for practical score sets; golden-section search is robust
  // and needs no derivatives.
  let lo = Math.log(0.01);
  let hi = Math.log(100);
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = nll(a);
  let fb = nll(b);
  // 30 golden-section steps shrink the bracket (ln 0.01 .. ln 100) below 1e-5 in log T.
  for (let it = 0; it < 30; it++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = nll(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = nll(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}
