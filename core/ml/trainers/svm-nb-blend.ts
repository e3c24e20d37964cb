/**
 * A blend of the linear SVM and a naive Bayes model on the same TF-IDF features: the score of
 * class k is `svm_k(x) / s_svm + nbWeight * nb_k(x) / s_nb`, each member's scores centred over
 * the classes and divided by their spread `s` (root mean square), so that `nbWeight` means the same
 * on every data set. A sum of linear scores is linear, so the blend is stored and served as one
 * weight matrix: prediction costs exactly what a single model costs.
 *
 * Why: the two models err differently (the SVM fits margins on discriminative n-grams, NB pools
 * evidence from every word). In repeated 4-fold cross-validation on the training split
 * (`npm run bench:cv`, see bench/README.md) the blend with complement NB reached macro-F1 0.720
 * on fine20 against the SVM's 0.714-0.716, and 0.873 on archives5 against 0.870; the best fixed NB
 * weight differs between the tasks (about 1 on fine20, 0.25 on archives5, where weight 1 hurts).
 * The SVM takes `crossListWeight` (cross-listed papers as weak negatives), which raised fine20's
 * CV macro-F1 to 0.724.
 *
 * The NB member (`nb`) is multinomial NB over word presence (presence-nb.ts) by default, or
 * complement NB (complement-nb.ts, which also takes `crossListWeight`). 4 folds x 4 repeats:
 * presence 0.8809 against complement 0.8753 on archives5, 0.7242 against 0.7240 on fine20.
 *
 * So with `tuneWeight` the weight is chosen per training set by cross-fitting: the rows are split
 * into `tuneFolds` stratified folds, both members are trained on all folds but one and score that
 * one, so every training row gets scores from models that did not train on it; the weight with
 * the best macro-F1 over all rows wins (ties: the smaller weight; 0 is the SVM alone). The spreads
 * and the softmax temperature come from those held-out scores. Then both members are retrained on
 * every row. Caveats: the vocabulary and IDF of the cross-fitted members were fitted on all rows,
 * and the final members see twice the data of the cross-fitted ones, so the held-out scores are
 * slightly optimistic and the temperature a little off for the final model; it is a calibration
 * of scores, not a probability model. The chosen weight is reported in the model's params.
 */
import { fitTemperature } from '../calibration.ts';
import { f1MacroOf } from '../metrics.ts';
import { stratifiedFolds } from '../split.ts';
import { selectRows, type CsrMatrix } from '../../text/sparse.ts';
import { scoreRows } from '../kernels.ts';
import type { TrainingContext } from '../training-context.ts';
import type { ParamValue } from '../types.ts';
import { complementNbWeights } from './complement-nb.ts';
import { linearSvmWeights } from './linear-svm.ts';
import { presenceNbWeights } from './presence-nb.ts';
import type { LinearFit, TrainingSet } from './trainer.ts';

/** NB weights tried when tuning (up to 2.5: presence NB's best weight in scikit-learn was 1.5-2). */
export const NB_WEIGHT_GRID: readonly number[] = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5];

/** A member's raw linear model. */
interface Member {
  weights: Float32Array;
  bias: Float32Array;
  /** The SVM's dual variables per class (absent for NB). */
  alphas?: Float64Array[];
}

export async function trainSvmNbBlend(
  data: TrainingSet,
  params: Readonly<Record<string, ParamValue>>,
  ctx: TrainingContext,
): Promise<LinearFit> {
  const { K } = data;
  let nbWeight = params.nbWeight as number;
  let temperature: number | null = null;
  // Score spreads of the members, measured on held-out rows when tuning (on training rows
  // otherwise): the blend is svm / spreadSvm + nbWeight * nb / spreadNb.
  let spreads: [number, number] | null = null;
  let warmStart: Float64Array[] | undefined;

  if (params.tuneWeight) {
    // Cross-fitting: each fold's members are trained on the other folds and score it, so every
    // training row gets held-out scores from both members.
    const folds = params.tuneFolds as number;
    const fold = stratifiedFolds(data.y, K, folds, ctx.random);
    const svmScores = new Float64Array(data.x.rows * K);
    const nbScores = new Float64Array(data.x.rows * K);
    // The final SVM starts from the folds' dual variables, averaged over the folds that trained
    // on each row (each row's weight in the solution changes little when the other rows double).
    warmStart = Array.from({ length: K }, () => new Float64Array(data.x.rows));
    for (let f = 0; f < folds; f++) {
      const fitRows: number[] = [];
      const valRows: number[] = [];
      fold.forEach((g, i) => (g === f ? valRows : fitRows).push(i));
      const [svm, nb] = await trainMembers(subset(data, fitRows), params, ctx.part((0.6 * f) / folds, (0.6 * (f + 1)) / folds));
      for (let k = 0; k < K; k++) fitRows.forEach((i, r) => (warmStart![k]![i]! += svm.alphas![k]![r]! / (folds - 1)));
      const xVal = selectRows(data.x, valRows);
      scatterRows(svmScores, centredScores(xVal, svm, K), valRows, K);
      scatterRows(nbScores, centredScores(xVal, nb, K), valRows, K);
    }
    spreads = [spread(svmScores), spread(nbScores)];
    let best = -1;
    let bestScores = svmScores;
    for (const w of NB_WEIGHT_GRID) {
      const a = 1 / spreads[0];
      const b = w / spreads[1];
      const blended = svmScores.map((s, j) => a * s + b * nbScores[j]!);
      const f1 = f1MacroOf(data.y, argmaxRows(blended, K), K);
      if (f1 > best + 1e-12) {
        best = f1;
        nbWeight = w;
        bestScores = blended;
      }
    }
    temperature = fitTemperature(bestScores, data.y, K);
  }

  const [svm, nb] = await trainMembers(data, params, params.tuneWeight ? ctx.part(0.6, 1) : ctx, warmStart);
  if (!spreads) {
    const sample = selectRows(data.x, evenlySpaced(data.x.rows, 2000));
    spreads = [spread(centredScores(sample, svm, K)), spread(centredScores(sample, nb, K))];
  }
  const a = 1 / spreads[0];
  const b = nbWeight / spreads[1];
  const weights = new Float32Array(svm.weights.length);
  for (let j = 0; j < weights.length; j++) weights[j] = a * svm.weights[j]! + b * nb.weights[j]!;
  const bias = new Float32Array(K);
  for (let k = 0; k < K; k++) bias[k] = a * svm.bias[k]! + b * nb.bias[k]!;
  // Without a held-out split the temperature is fitted on training scores (confidences lean high).
  temperature ??= fitTemperature(scoreRows(data.x, weights, bias, K), data.y, K);
  await ctx.checkpoint(1);
  return { weights, bias, link: { type: 'softmax', temperature }, params: { nbWeight } };
}

async function trainMembers(
  data: TrainingSet,
  params: Readonly<Record<string, ParamValue>>,
  ctx: TrainingContext,
  warmStart?: readonly Float64Array[],
): Promise<[Member, Member]> {
  const svm = await linearSvmWeights(data, params, ctx.part(0, 0.9), warmStart);
  const nb =
    params.nb === 'complement'
      ? complementNbWeights(data, { alpha: params.alpha as number, normWeights: false, crossListWeight: params.crossListWeight as number })
      : presenceNbWeights(data, params.presenceAlpha as number);
  await ctx.checkpoint(1);
  return [svm, nb];
}

/**
 * Scores centred over the classes, row-major: adding the same amount to every class's score
 * changes no decision, so only the centred part is compared between members.
 */
function centredScores(x: CsrMatrix, m: Member, K: number): Float64Array {
  const scores = scoreRows(x, m.weights, m.bias, K);
  for (let o = 0; o < scores.length; o += K) {
    let mean = 0;
    for (let k = 0; k < K; k++) mean += scores[o + k]!;
    mean /= K;
    for (let k = 0; k < K; k++) scores[o + k]! -= mean;
  }
  return scores;
}

/** Root mean square of centred scores (1 for all-zero scores, which then stay zero). */
function spread(centred: Float64Array): number {
  let sq = 0;
  for (const s of centred) sq += s * s;
  return sq > 0 ? Math.sqrt(sq / centred.length) : 1;
}

function evenlySpaced(n: number, most: number): number[] {
  const step = Math.max(1, Math.ceil(n / most));
  const rows: number[] = [];
  for (let i = 0; i < n; i += step) rows.push(i);
  return rows;
}

function scatterRows(into: Float64Array, rows: Float64Array, at: readonly number[], K: number): void {
  at.forEach((i, r) => into.set(rows.subarray(r * K, (r + 1) * K), i * K));
}

/** The given rows of `data`; per-column fields (K, idf) carry over as they are. */
function subset(data: TrainingSet, rows: number[]): TrainingSet {
  const { K, crossLists } = data;
  const y = Int32Array.from(rows, (i) => data.y[i]!);
  const classCounts = new Int32Array(K);
  for (const c of y) classCounts[c]!++;
  const out: TrainingSet = { ...data, x: selectRows(data.x, rows), y, classCounts };
  if (crossLists) {
    const mask = new Uint8Array(rows.length * K);
    rows.forEach((i, r) => mask.set(crossLists.subarray(i * K, (i + 1) * K), r * K));
    out.crossLists = mask;
  }
  return out;
}

function argmaxRows(scores: Float64Array, K: number): Int32Array {
  const out = new Int32Array(scores.length / K);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (scores[i * K + k]! > scores[i * K + best]!) best = k;
    out[i] = best;
  }
  return out;
}
