/**
 * One-vs-rest linear SVM with squared hinge loss and L2 regularisation, solved in the dual by
 * coordinate descent (Hsieh et al., ICML 2008; liblinear's `L2R_L2LOSS_SVC_DUAL`), with the bias
 * as an extra constant feature (liblinear's `-B 1`, so the bias is regularised too).
 *
 * Each class solves  min_a  0.5 a'(Q + D)a - sum(a),  a >= 0,  Q_ij = y_i y_j (x_i.x_j + 1),
 * D_ii = 1 / (2 C_i), keeping w = sum_i a_i y_i x_i up to date so that a coordinate step costs
 * O(nnz of the row). Visiting order is a seeded shuffle per epoch, so results are deterministic.
 *
 * Cross-listed negatives (`crossListWeight` w): a row cross-listed in class k (see
 * TrainingSet.crossLists) enters k's problem with its class weight times w, i.e. D_ii = 1 / (2 C_i w);
 * at w = 0 it is left out of k's problem altogether (it is still scored for calibration).
 *
 * Probabilities: softmax of the margins with a temperature fitted on held-out margins that cost
 * nothing extra ("progressive validation"): the first epoch visits samples in one seeded order
 * shared by all classes, and the margin of a sample in the second half of that order is computed
 * before the sample has ever been used, by a model that has seen at least half the data once. This
 * is calibration of margins, not a probabilistic model; the calibrating model is weaker than the
 * final one, so confidences lean low rather than high. (Training margins gave temperatures 2-3x
 * too small; the classic leave-one-out approximation f(x_i) - a_i y_i |x_i|^2 gave far too large.)
 */
import { fitTemperature } from '../calibration.ts';
import type { TrainingContext } from '../training-context.ts';
import type { ParamValue } from '../types.ts';
import { classWeights, negativeWeights, type LinearFit, type TrainingSet } from './trainer.ts';

export async function trainLinearSvm(
  data: TrainingSet,
  params: Readonly<Record<string, ParamValue>>,
  ctx: TrainingContext,
): Promise<LinearFit> {
  const { weights, bias, heldOut, heldOutY } = await linearSvmWeights(data, params, ctx);
  return { weights, bias, link: { type: 'softmax', temperature: fitTemperature(heldOut, heldOutY, data.K) } };
}

/**
 * The SVM without its calibration: weights, bias, the dual variables (`alphas[k][i]`, row i's
 * weight in class k's solution), and the progressive-validation margins (row-major
 * `heldOutY.length x K`) that trainLinearSvm fits its temperature on. A caller that calibrates
 * differently (the blend) skips that fit.
 *
 * `warmStart`: dual variables to start class k from (`warmStart[k][i] >= 0`) instead of zero, for
 * example those of models trained on subsets of these rows: coordinate descent then begins near
 * the solution and needs fewer passes. The problem and its solution (to `tol`) are the same; the
 * held-out margins are then not held out and must not be used for calibration.
 */
export async function linearSvmWeights(
  data: TrainingSet,
  params: Readonly<Record<string, ParamValue>>,
  ctx: TrainingContext,
  warmStart?: readonly Float64Array[],
): Promise<{ weights: Float32Array; bias: Float32Array; alphas: Float64Array[]; heldOut: Float64Array; heldOutY: Int32Array }> {
  const { x, y, K } = data;
  const n = x.rows;
  const F = x.cols;
  const C = params.C as number;
  const maxEpochs = params.maxEpochs as number;
  const tol = params.tol as number;
  const cw = classWeights(data, params.classWeight);
  const { indptr, indices, data: values } = x;

  const sqNorm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 1; // the bias feature
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) s += values[p]! * values[p]!;
    sqNorm[i] = s;
  }

  const weights = new Float32Array(F * K);
  const bias = new Float32Array(K);
  // Held-out margins of the samples in the second half of the shared first-epoch order, stored
  // by their position there (heldOutAt[i], -1 for the first half).
  const firstOrder = new Int32Array(n);
  for (let i = 0; i < n; i++) firstOrder[i] = i;
  ctx.random.shuffle(firstOrder);
  const heldOutFrom = Math.floor(n / 2);
  const heldOut = new Float64Array((n - heldOutFrom) * K);
  const heldOutAt = new Int32Array(n).fill(-1);
  for (let r = heldOutFrom; r < n; r++) heldOutAt[firstOrder[r]!] = r - heldOutFrom;
  const w = new Float64Array(F);
  const alpha = new Float64Array(n);
  const order = new Int32Array(n);
  const diag = new Float64Array(n);
  const sign = new Int8Array(n);
  const negWeight = new Float64Array(n);

  const problem: ClassProblem = { indptr, indices, values, sqNorm, w, alpha, order, diag, sign, heldOut, heldOutAt, rows: n, K, maxEpochs, tol };
  const alphas: Float64Array[] = [];
  for (let k = 0; k < K; k++) {
    negativeWeights(data, k, params.crossListWeight as number, negWeight);
    for (let i = 0; i < n; i++) {
      // A row with weight 0 is not part of this class's problem (sign 0): it is only scored.
      sign[i] = y[i] === k ? 1 : negWeight[i]! > 0 ? -1 : 0;
      diag[i] = sign[i] === 0 ? 0 : 0.5 / (C * cw[y[i]!]! * negWeight[i]!);
    }
    problem.rows = orderRows(order, firstOrder, sign);
    const start = warmStart?.[k];
    if (start && start.length !== n) throw new RangeError(`warm start for class ${k} has ${start.length} rows, expected ${n}`);
    const b = await solveClass(problem, k, ctx, start);
    for (let f = 0; f < F; f++) weights[f * K + k] = w[f]!;
    bias[k] = b;
    alphas.push(Float64Array.from(alpha));
    await ctx.checkpoint((k + 1) / K);
  }
  const heldOutY = Int32Array.from(firstOrder.subarray(heldOutFrom), (i) => y[i]!);
  return { weights, bias, alphas, heldOut, heldOutY };
}

/** One class's binary problem; arrays are shared between classes and reset by solveClass. */
interface ClassProblem {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
  sqNorm: Float64Array;
  w: Float64Array;
  alpha: Float64Array;
  order: Int32Array;
  diag: Float64Array;
  sign: Int8Array;
  heldOut: Float64Array;
  heldOutAt: Int32Array;
  /** Rows in this class's problem: `order[0 .. rows)`; the rest (sign 0) are only scored. */
  rows: number;
  K: number;
  maxEpochs: number;
  tol: number;
}

/**
 * Dual coordinate descent for class k (sign and diag already set for it), from alpha = 0 or from
 * `start`; leaves the weights in `w` and returns the bias. Kept apart from the trainer, with the epoch pass in
 * its own function, so that V8 optimises each as a whole: one long function with its hot loops
 * inside was compiled on-stack and deoptimised repeatedly on first use (about +50% on a cold fit).
 */
async function solveClass(pr: ClassProblem, k: number, ctx: TrainingContext, start?: Float64Array): Promise<number> {
  const { w, alpha, order, maxEpochs, tol } = pr;
  const n = pr.rows;
  w.fill(0);
  alpha.fill(0);
  const b0 = start ? startFrom(pr, start) : 0;
  // [bias, active count, max PG, min PG]: a typed array, so its fields never change
  // representation (an object's would go from small integers to doubles and deoptimise). The
  // first epoch also visits the rows outside the problem, for their held-out margins.
  const state = new Float64Array([b0, alpha.length, 0, 0]);
  // liblinear's shrinking: a sample at the bound (a = 0) whose gradient exceeds the previous
  // epoch's largest projected gradient is unlikely to move, so it leaves the active set. In
  // one-vs-rest most samples are far on the right side of the margin, so epochs soon touch
  // only a small fraction of the data. Convergence is re-checked on the full set before stopping.
  let pgMaxOld = Infinity;
  for (let epoch = 0; epoch < maxEpochs; epoch++) {
    const active = state[1]!;
    for (let r = 0; epoch > 0 && r < active - 1; r++) {
      const j = r + ctx.random.int(active - r);
      const t = order[r]!;
      order[r] = order[j]!;
      order[j] = t;
    }
    epochPass(pr, k, epoch, pgMaxOld, state);
    if (state[1]! > n) state[1] = n;
    await ctx.checkpoint((k + (epoch + 1) / maxEpochs) / pr.K);
    const pgMax = state[2]!;
    if (pgMax - state[3]! <= tol) {
      if (state[1] === n) break;
      state[1] = n;
      pgMaxOld = Infinity;
      continue;
    }
    pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
  }
  return state[0]!;
}

/**
 * `order` = `firstOrder` with the rows outside the class's problem (sign 0) moved to the end,
 * the others keeping their order; returns how many are in the problem.
 */
function orderRows(order: Int32Array, firstOrder: Int32Array, sign: Int8Array): number {
  let r = 0;
  for (const i of firstOrder) if (sign[i] !== 0) order[r++] = i;
  const rows = r;
  for (const i of firstOrder) if (sign[i] === 0) order[r++] = i;
  return rows;
}

/** alpha = start (clipped at 0), w = sum_i alpha_i y_i x_i; returns the bias sum_i alpha_i y_i. */
function startFrom(pr: ClassProblem, start: Float64Array): number {
  const { indptr, indices, values, w, alpha, sign } = pr;
  let b = 0;
  for (let i = 0; i < alpha.length; i++) {
    const a = start[i]! > 0 && sign[i] !== 0 ? start[i]! : 0;
    alpha[i] = a;
    if (a === 0) continue;
    const d = a * sign[i]!;
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) w[indices[p]!]! += d * values[p]!;
    b += d;
  }
  return b;
}

/** One pass over the active samples in `order`; updates `state` (bias, active count, PG range). */
function epochPass(pr: ClassProblem, k: number, epoch: number, pgMaxOld: number, state: Float64Array): void {
  const { indptr, indices, values, sqNorm, w, alpha, order, diag, sign, heldOut, heldOutAt, K } = pr;
  let b = state[0]!;
  let active = state[1]!;
  let pgMax = -Infinity;
  let pgMin = Infinity;
  for (let r = 0; r < active; r++) {
    const i = order[r]!;
    const yi = sign[i]!;
    const h = epoch === 0 ? heldOutAt[i]! : -1;
    if (yi === 0 && h < 0) continue;
    const start = indptr[i]!;
    const end = indptr[i + 1]!;
    let dot = b;
    for (let p = start; p < end; p++) dot += w[indices[p]!]! * values[p]!;
    if (h >= 0) heldOut[h * K + k] = dot;
    if (yi === 0) continue;
    const ai = alpha[i]!;
    const G = yi * dot - 1 + diag[i]! * ai;
    let PG = G;
    if (ai === 0) {
      if (G > pgMaxOld) {
        active--;
        order[r] = order[active]!;
        order[active] = i;
        r--;
        continue;
      }
      // Projected gradient: at the bound only a negative gradient can move a.
      if (G > 0) PG = 0;
    }
    if (PG > pgMax) pgMax = PG;
    if (PG < pgMin) pgMin = PG;
    if (PG > 1e-12 || PG < -1e-12) {
      const next = Math.max(ai - G / (sqNorm[i]! + diag[i]!), 0);
      const d = (next - ai) * yi;
      alpha[i] = next;
      for (let p = start; p < end; p++) w[indices[p]!]! += d * values[p]!;
      b += d;
    }
  }
  state[0] = b;
  state[1] = active;
  state[2] = pgMax;
  state[3] = pgMin;
}
