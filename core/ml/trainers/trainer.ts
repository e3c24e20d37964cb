/** The contract between `trainClassifier` and each trainer kind. */
import type { CsrMatrix } from '../../text/sparse.ts';
import type { Link } from '../link.ts';
import type { TrainingContext } from '../training-context.ts';
import type { LabelledText, ParamValue } from '../types.ts';

/** TF-IDF rows with class indices in [0, K); every class has at least one row. */
export interface TrainingSet {
  x: CsrMatrix;
  y: Int32Array;
  K: number;
  classCounts: Int32Array;
  /**
   * Row-major rows x K: 1 where row i is cross-listed in class k (never its own class), absent
   * when no row is. See {@link LabelledText.crossLists}.
   */
  crossLists?: Uint8Array;
  /** Each column's idf when `x` is TF-IDF (absent: not known, taken as 1). */
  idf?: Float32Array;
}

/** A trained linear scorer: feature-major weights `w[f * K + k]`, a bias per class, a link. */
export interface LinearFit {
  weights: Float32Array;
  bias: Float32Array;
  link: Link;
  /** Parameters the trainer chose itself (e.g. a blend's validated weight); reported as the model's. */
  params?: Record<string, ParamValue>;
}

export type Trainer = (data: TrainingSet, params: Readonly<Record<string, ParamValue>>, ctx: TrainingContext) => Promise<LinearFit>;

/**
 * Row i's weight as a negative of class k (rows of class k are positives, weight 1): `weight` when
 * the row is cross-listed in k, otherwise 1. Written into `into` (length rows).
 */
export function negativeWeights(data: TrainingSet, k: number, weight: number | undefined, into: Float64Array): Float64Array {
  into.fill(1);
  const listed = data.crossLists;
  // Params without the key (a caller that builds its own): cross-lists ignored, as in complement NB.
  if (!listed || weight === undefined || weight === 1) return into;
  for (let i = 0; i < into.length; i++) if (listed[i * data.K + k] === 1) into[i] = weight;
  return into;
}

/** Per-class sample weights: `balanced` gives n / (K * n_k) (scikit-learn's rule), `none` gives 1. */
export function classWeights(data: TrainingSet, mode: ParamValue | undefined): Float64Array {
  const w = new Float64Array(data.K).fill(1);
  if (mode === 'balanced') {
    const n = data.y.length;
    for (let k = 0; k < data.K; k++) w[k] = n / (data.K * Math.max(1, data.classCounts[k]!));
  }
  return w;
}
