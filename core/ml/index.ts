/**
 * arXiv text classifiers: public API used by the pipeline's train, evaluate and serve stages.
 *
 * Every classifier is a linear model over our own sparse TF-IDF (word n-grams), trained by one of
 * the candidate kinds (`svm-nb-blend`, `linear-svm`, `softmax`, `complement-nb`,
 * `ml-logistic-regression`), with a compact checksummed binary artifact. See bench/README.md for measured figures.
 */
import { LinearTextClassifier } from './linear-text-classifier.ts';
import type { Classifier } from './types.ts';

export type {
  CandidateSpec,
  Classifier,
  ClassMetrics,
  Evaluation,
  LabelledText,
  ParamValue,
  Prediction,
  TrainOptions,
} from './types.ts';
export { UnknownCandidateError } from './errors/unknown-candidate-error.ts';
export { ModelFormatError } from './errors/model-format-error.ts';
export { TrainingDataError } from './errors/training-data-error.ts';
export { trainClassifier } from './train.ts';
export { evaluate, computeMetrics, bootstrapF1Macro, pairedBootstrapF1Macro, type PairedComparison } from './metrics.ts';
export { CANDIDATE_SETS, checkCandidateNames, defaultCandidates, expandCandidates, searchSpace, selectBest } from './candidates.ts';
export { splitForValidation } from './split.ts';
export { KINDS, resolveParams } from './params.ts';
export { FORMAT_VERSION } from './artifact.ts';

/**
 * Loads a classifier from `serialize()` bytes (any kind). Takes milliseconds: the vocabulary and
 * weights are typed-array copies.
 * @throws ModelFormatError bad magic, unsupported format version, checksum mismatch or truncation
 */
export function loadClassifier(bytes: Uint8Array): Classifier {
  return LinearTextClassifier.deserialize(bytes);
}
