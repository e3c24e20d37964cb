/**
 * `trainClassifier`: resolve the spec, check the data, fit the vocabulary, run the kind's trainer,
 * assemble a {@link LinearTextClassifier}.
 */
import { EmptyVocabularyError, TfidfVectorizer } from '../text/tfidf.ts';
import { TrainingDataError } from './errors/training-data-error.ts';
import { LinearTextClassifier } from './linear-text-classifier.ts';
import { resolveParams, tfidfConfigOf } from './params.ts';
import { labelIndices } from './split.ts';
import { TrainingContext } from './training-context.ts';
import { trainComplementNb } from './trainers/complement-nb.ts';
import { trainLinearSvm } from './trainers/linear-svm.ts';
import { trainMlLogisticRegression } from './trainers/ml-logistic-regression.ts';
import { trainSoftmax } from './trainers/softmax.ts';
import { trainSvmNbBlend } from './trainers/svm-nb-blend.ts';
import type { Trainer, TrainingSet } from './trainers/trainer.ts';
import type { CandidateSpec, Classifier, LabelledText, TrainOptions } from './types.ts';

const TRAINERS: Readonly<Record<string, Trainer>> = {
  'linear-svm': trainLinearSvm,
  softmax: trainSoftmax,
  'complement-nb': trainComplementNb,
  'ml-logistic-regression': trainMlLogisticRegression,
  'svm-nb-blend': trainSvmNbBlend,
};

/**
 * Trains one candidate on `train`. Deterministic: the same documents (in the same order), spec and
 * seed give a classifier whose `serialize()` bytes are identical. Labels are sorted by code unit.
 *
 * @throws UnknownCandidateError unknown kind or invalid params (permanent; thrown before any work)
 * @throws TrainingDataError fewer than two distinct labels, no usable vocabulary, or a non-finite
 * weight (permanent)
 * @throws the abort reason of `opts.signal` once it is aborted (checked between epochs)
 */
export async function trainClassifier(train: readonly LabelledText[], spec: CandidateSpec, opts: TrainOptions): Promise<Classifier> {
  const params = resolveParams(spec);
  const trainer = TRAINERS[spec.kind]!;
  const ctx = new TrainingContext(opts);
  ctx.throwIfAborted();

  const { labels, y } = labelIndices(train);
  if (labels.length < 2) {
    throw new TrainingDataError(`need documents of at least 2 labels to train a classifier, got ${labels.length} (${train.length} documents)`);
  }
  const classCounts = new Int32Array(labels.length);
  for (const c of y) classCounts[c]!++;

  let fitted: ReturnType<typeof TfidfVectorizer.fit>;
  try {
    fitted = TfidfVectorizer.fit(train.map((d) => d.text), tfidfConfigOf(params));
  } catch (err) {
    if (err instanceof EmptyVocabularyError) throw new TrainingDataError(err.message);
    throw err;
  }
  await ctx.checkpoint(0);
  const data: TrainingSet = { x: fitted.matrix, y, K: labels.length, classCounts, idf: fitted.vectorizer.state.idf, ...crossListMask(train, labels, y) };
  const fit = await trainer(data, params, ctx);
  // A model with a NaN or infinite weight would predict garbage with full confidence: refuse it.
  const bad = fit.weights.findIndex((w) => !Number.isFinite(w));
  if (bad >= 0 || fit.bias.some((b) => !Number.isFinite(b))) {
    throw new TrainingDataError(`${spec.kind} produced a non-finite weight${bad >= 0 ? ` (feature ${Math.floor(bad / labels.length)})` : ' (bias)'}: not a usable model`);
  }
  await ctx.checkpoint(1);
  return new LinearTextClassifier(
    { kind: spec.kind, labels, params: { ...params, ...fit.params }, link: fit.link, vocabulary: fitted.vectorizer.state, weights: fit.weights, bias: fit.bias },
    fitted.vectorizer,
  );
}

/** The rows x K cross-list mask of {@link TrainingSet}, or nothing when no document has one. */
function crossListMask(train: readonly LabelledText[], labels: readonly string[], y: Int32Array): { crossLists?: Uint8Array } {
  if (!train.some((d) => d.crossLists?.length)) return {};
  const K = labels.length;
  const index = new Map(labels.map((l, k) => [l, k]));
  const mask = new Uint8Array(train.length * K);
  train.forEach((d, i) => {
    for (const l of d.crossLists ?? []) {
      const k = index.get(l);
      if (k !== undefined && k !== y[i]) mask[i * K + k] = 1;
    }
  });
  return { crossLists: mask };
}
