/** Public types of the classifier API (re-exported by `core/ml/index.ts`). */

/** One labelled document; the pipeline passes `text = title + ' ' + abstract`. */
export interface LabelledText {
  id: string;
  text: string;
  label: string;
  /**
   * Other labels the document is also filed under (an arXiv paper's cross-listed categories; the
   * label is its primary). Trainers with `crossListWeight` below 1 count such a document less, or
   * not at all, as a negative example of those classes. Labels unknown to the training set are ignored.
   */
  crossLists?: readonly string[];
}

export type ParamValue = string | number | boolean;

/** What to train: a trainer kind and its (possibly partial) parameters. */
export interface CandidateSpec {
  kind: string;
  params: Record<string, ParamValue>;
}

export interface TrainOptions {
  /** Seed of every random choice; the same data, spec and seed give byte-identical artifacts. */
  seed: number;
  /** Checked between epochs; training rejects with the signal's reason once it is aborted. */
  signal?: AbortSignal;
  /** Called with a fraction in [0, 1], non-decreasing, ending with 1. */
  onProgress?: (fraction: number) => void;
}

export interface Prediction {
  label: string;
  confidence: number;
  topK: { label: string; probability: number }[];
}

export interface Classifier {
  readonly kind: string;
  readonly labels: readonly string[];
  /** Fully resolved params including defaults (logged as run params). */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Label, its probability and the k most probable labels (default k = 3) for each text. */
  predict(texts: readonly string[], k?: number): Prediction[];
  /** Compact binary artifact: magic, format version, sha256 checksum, typed-array sections. */
  serialize(): Uint8Array;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  n: number;
  accuracy: number;
  f1Macro: number;
  /** Mean negative log-likelihood of the true label; null when a true label is unknown to the model. */
  logLoss: number | null;
  perClass: Record<string, ClassMetrics>;
  /** Rows = true label, columns = predicted label. */
  confusion: { labels: string[]; matrix: number[][] };
}
