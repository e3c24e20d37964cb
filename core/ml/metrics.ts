/** Classification metrics: accuracy, macro-F1, per-class precision/recall/F1, confusion, log loss. */
import { Random } from './random.ts';
import type { Classifier, ClassMetrics, Evaluation, LabelledText, Prediction } from './types.ts';

/** Probabilities are clipped to [1e-15, 1] before the log, as scikit-learn's `log_loss` does. */
const MIN_PROBABILITY = 1e-15;

/**
 * Metrics from true and predicted labels. The label set is the model's labels followed by any
 * other true label (sorted), so classes the model never saw still count in macro-F1 (with F1 0).
 * A class with no true and no predicted documents has precision = recall = F1 = 0 and is left out
 * of the macro average (scikit-learn averages over labels present in either list).
 *
 * @param trueProbabilities probability the model gave each document's true label, or null for
 * documents whose true label the model does not know (then logLoss is null)
 */
export function computeMetrics(
  modelLabels: readonly string[],
  truth: readonly string[],
  predicted: readonly string[],
  trueProbabilities: readonly (number | null)[] | null,
): Evaluation {
  if (truth.length !== predicted.length) throw new RangeError('truth and predictions differ in length');
  const extra = [...new Set(truth.filter((t) => !modelLabels.includes(t)))].sort();
  const labels = [...modelLabels, ...extra];
  const index = new Map(labels.map((l, i) => [l, i]));
  const L = labels.length;
  const matrix = Array.from({ length: L }, () => new Array<number>(L).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = index.get(truth[i]!)!;
    const p = index.get(predicted[i]!);
    if (p === undefined) throw new RangeError(`prediction "${predicted[i]}" is not a model label`);
    matrix[t]![p]!++;
    if (t === p) correct++;
  }
  const perClass: Record<string, ClassMetrics> = {};
  let f1Sum = 0;
  let present = 0;
  for (let c = 0; c < L; c++) {
    const tp = matrix[c]![c]!;
    let support = 0;
    let predictedCount = 0;
    for (let o = 0; o < L; o++) {
      support += matrix[c]![o]!;
      predictedCount += matrix[o]![c]!;
    }
    const precision = predictedCount > 0 ? tp / predictedCount : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[labels[c]!] = { precision, recall, f1, support };
    if (support > 0 || predictedCount > 0) {
      f1Sum += f1;
      present++;
    }
  }
  let logLoss: number | null = null;
  if (trueProbabilities && truth.length > 0 && trueProbabilities.every((p) => p !== null)) {
    let sum = 0;
    for (const p of trueProbabilities as number[]) sum -= Math.log(Math.min(1, Math.max(MIN_PROBABILITY, p)));
    logLoss = sum / truth.length;
  }
  return {
    n: truth.length,
    accuracy: truth.length > 0 ? correct / truth.length : 0,
    f1Macro: present > 0 ? f1Sum / present : 0,
    logLoss,
    perClass,
    confusion: { labels, matrix },
  };
}

/**
 * Evaluates `clf` on labelled documents. logLoss uses the probability of the true label from a
 * full-length top-K; it is null if some true label is unknown to the model. A caller that needs
 * the predictions too passes them (`clf.predict(texts, clf.labels.length)`), so they are made once.
 */
export function evaluate(
  clf: Classifier,
  docs: readonly LabelledText[],
  predictions: readonly Prediction[] = clf.predict(docs.map((d) => d.text), clf.labels.length),
): Evaluation {
  const trueProbabilities = docs.map((d, i) => predictions[i]!.topK.find((t) => t.label === d.label)?.probability ?? null);
  return computeMetrics(
    clf.labels,
    docs.map((d) => d.label),
    predictions.map((p) => p.label),
    trueProbabilities,
  );
}

/**
 * Macro-F1 of class indices in [0, K), with computeMetrics' definition (classes with neither true
 * nor predicted rows are left out). For model selection inside training, where labels are indices.
 */
export function f1MacroOf(truth: Int32Array, predicted: Int32Array, K: number): number {
  const tp = new Float64Array(K);
  const support = new Float64Array(K);
  const predictedCount = new Float64Array(K);
  for (let i = 0; i < truth.length; i++) {
    support[truth[i]!]!++;
    predictedCount[predicted[i]!]!++;
    if (truth[i] === predicted[i]) tp[truth[i]!]!++;
  }
  let sum = 0;
  let present = 0;
  for (let k = 0; k < K; k++) {
    if (support[k] === 0 && predictedCount[k] === 0) continue;
    present++;
    // F1 = 2 tp / (support + predicted), the harmonic mean of precision and recall.
    sum += tp[k]! > 0 ? (2 * tp[k]!) / (support[k]! + predictedCount[k]!) : 0;
  }
  return present > 0 ? sum / present : 0;
}

/**
 * Percentile bootstrap interval of macro-F1 over documents: `resamples` draws of n documents with
 * replacement (seeded, so the interval is reproducible), the central `level` of their macro-F1s.
 * It measures how much the figure moves with the choice of test documents alone: two models
 * whose test macro-F1s differ by less than the interval's half-width are not told apart by that
 * test set.
 */
export function bootstrapF1Macro(
  truth: Int32Array,
  predicted: Int32Array,
  K: number,
  options: { resamples?: number; level?: number; seed?: number } = {},
): [number, number] {
  const level = options.level ?? 0.95;
  if (truth.length === 0) return [0, 0];
  const f1s = resampled([truth, predicted], options, ([t, p]) => f1MacroOf(t!, p!, K));
  return [percentile(f1s, (1 - level) / 2), percentile(f1s, (1 + level) / 2)];
}

/** How two models' macro-F1s on the same documents compare, resampling the documents. */
export interface PairedComparison {
  /** F1(a) - F1(b) on the documents themselves. */
  delta: number;
  /** 95% percentile bootstrap interval of the difference. */
  ci95: [number, number];
  /** Fraction of resamples in which a scored strictly higher than b. */
  pBetter: number;
  resamples: number;
}

/**
 * Paired bootstrap of the macro-F1 difference between two models' predictions of the same
 * documents: each resample draws n documents with replacement (seeded) and scores both models on
 * that same draw, so what the two models share (easy and hard papers) cancels out and the interval
 * measures the difference itself. A promotion decided by a difference whose interval straddles 0
 * could as well have gone the other way on other papers.
 */
export function pairedBootstrapF1Macro(
  truth: Int32Array,
  a: Int32Array,
  b: Int32Array,
  K: number,
  options: { resamples?: number; seed?: number } = {},
): PairedComparison {
  const resamples = options.resamples ?? 1000;
  if (truth.length === 0) return { delta: 0, ci95: [0, 0], pBetter: 0, resamples };
  const delta = f1MacroOf(truth, a, K) - f1MacroOf(truth, b, K);
  const deltas = resampled([truth, a, b], options, ([t, pa, pb]) => f1MacroOf(t!, pa!, K) - f1MacroOf(t!, pb!, K));
  const better = deltas.filter((d) => d > 0).length;
  return { delta, ci95: [percentile(deltas, 0.025), percentile(deltas, 0.975)], pBetter: better / resamples, resamples };
}

/**
 * The bootstrap both intervals share: `resamples` seeded draws of n rows with replacement, the same
 * rows taken from every one of the parallel `columns`, and `statistic` of each draw; sorted.
 */
function resampled(
  columns: readonly Int32Array[],
  options: { resamples?: number; seed?: number },
  statistic: (drawn: readonly Int32Array[]) => number,
): Float64Array {
  const resamples = options.resamples ?? 1000;
  const random = new Random(options.seed ?? 1);
  const n = columns[0]!.length;
  const drawn = columns.map(() => new Int32Array(n));
  const out = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const j = random.int(n);
      for (let c = 0; c < columns.length; c++) drawn[c]![i] = columns[c]![j]!;
    }
    out[r] = statistic(drawn);
  }
  return out.sort();
}

/** The value at quantile q of ascending `sorted` (nearest rank). */
function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}
