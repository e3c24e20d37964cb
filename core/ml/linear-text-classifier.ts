/**
 * The one model shape every trainer produces: TF-IDF features, a linear score per class
 * (`score_k = b_k + sum_f x_f * w[f, k]`) and a link turning scores into probabilities. Keeping one
 * shape means one artifact format, one predictor and one place to optimise prediction speed.
 */
import type { CsrMatrix } from '../text/sparse.ts';
import { TfidfVectorizer } from '../text/tfidf.ts';
import { decodeModel, encodeModel, type ModelParts } from './artifact.ts';
import { rowScorer, scoreRows } from './kernels.ts';
import { applyLink, type Link } from './link.ts';
import type { Classifier, ParamValue, Prediction } from './types.ts';

export class LinearTextClassifier implements Classifier {
  readonly kind: string;
  readonly labels: readonly string[];
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly vectorizer: TfidfVectorizer;
  private readonly parts: ModelParts;

  constructor(parts: ModelParts, vectorizer?: TfidfVectorizer) {
    this.parts = parts;
    this.kind = parts.kind;
    this.labels = Object.freeze([...parts.labels]);
    this.params = Object.freeze({ ...parts.params });
    this.vectorizer = vectorizer ?? TfidfVectorizer.fromState(parts.vocabulary);
  }

  /** @throws ModelFormatError (see {@link decodeModel}). */
  static deserialize(bytes: Uint8Array): LinearTextClassifier {
    return new LinearTextClassifier(decodeModel(bytes));
  }

  get link(): Link {
    return this.parts.link;
  }

  /** Raw class scores of a TF-IDF matrix, row-major `rows x K` (before the link). */
  scoreMatrix(x: CsrMatrix): Float64Array {
    return scoreRows(x, this.parts.weights, this.parts.bias, this.labels.length);
  }

  /**
   * Class probabilities, row-major `texts.length x K`, in `labels` order. Each text's TF-IDF row
   * is scored as the vectorizer produces it (no matrix is built). Same sums as
   * `scoreMatrix(transform(texts))` in the same order, except that the row values stay float64
   * instead of being stored as float32 (probabilities agree to ~1e-7).
   */
  predictProba(texts: readonly string[]): Float64Array {
    const K = this.labels.length;
    const { weights, bias, link } = this.parts;
    const out = new Float64Array(texts.length * K);
    const score = rowScorer(K);
    this.vectorizer.forEachRow(texts, (row, cols, values, length) => {
      score(cols, values, length, weights, bias, out, row * K);
      applyLink(link, out.subarray(row * K, (row + 1) * K));
    });
    return out;
  }

  /** Never throws; `k` is clamped to [1, labels.length]. Ties go to the earlier label. */
  predict(texts: readonly string[], k = 3): Prediction[] {
    const K = this.labels.length;
    const kk = Math.max(1, Math.min(K, Math.floor(k) || 1));
    const proba = this.predictProba(texts);
    const taken = new Uint8Array(K);
    const out: Prediction[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const o = i * K;
      taken.fill(0);
      // Selection rather than a sort: k is small (1-5) and this runs once per document.
      const topK: { label: string; probability: number }[] = [];
      for (let r = 0; r < kk; r++) {
        let best = -1;
        for (let c = 0; c < K; c++) if (!taken[c] && (best < 0 || proba[o + c]! > proba[o + best]!)) best = c;
        taken[best] = 1;
        topK.push({ label: this.labels[best]!, probability: proba[o + best]! });
      }
      out[i] = { label: topK[0]!.label, confidence: topK[0]!.probability, topK };
    }
    return out;
  }

  serialize(): Uint8Array {
    return encodeModel(this.parts);
  }
}
