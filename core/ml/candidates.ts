/**
 * The candidates the nightly train stage fans out, and how to pick among them. Selection uses a
 * validation split of the training data (see splitForValidation); the test split is only for the
 * final report.
 */
import type { CandidateSpec, Evaluation } from './types.ts';

/**
 * The nightly fan-out: the benchmark winner (the SVM + complement NB blend, whose NB weight is
 * chosen per training set and can be 0, i.e. the SVM alone), the plain SVM, and complement NB as a
 * fast baseline. Every spec is complete enough to run as is; params left out take the kind's
 * defaults (see params.ts).
 */
export function defaultCandidates(): CandidateSpec[] {
  return [
    { kind: 'svm-nb-blend', params: { C: 0.5, alpha: 0.3, ngramMax: 2, minDf: 2, stem: true, stopWords: true, classWeight: 'balanced' } },
    { kind: 'linear-svm', params: { C: 0.5, ngramMax: 2, minDf: 2, stem: true, stopWords: true, classWeight: 'balanced' } },
    { kind: 'complement-nb', params: { alpha: 0.3, ngramMax: 2, minDf: 2, stem: true, stopWords: true } },
  ];
}

/**
 * A small hyper-parameter grid for a wider search: linear SVM over C and n-gram range, the blend
 * over C, softmax regression over C. Each spec is independent, so a caller can train them in parallel jobs.
 */
export function searchSpace(): CandidateSpec[] {
  const specs: CandidateSpec[] = [];
  for (const ngramMax of [1, 2]) {
    for (const C of [0.25, 0.5, 1]) specs.push({ kind: 'linear-svm', params: { C, ngramMax, classWeight: 'balanced' } });
  }
  for (const C of [0.25, 0.5, 1]) specs.push({ kind: 'svm-nb-blend', params: { C, ngramMax: 2 } });
  for (const C of [10, 30]) specs.push({ kind: 'softmax', params: { C, ngramMax: 2 } });
  specs.push({ kind: 'complement-nb', params: { alpha: 0.3, ngramMax: 2 } });
  return specs;
}

/**
 * The best candidate by validation macro-F1 (ties: higher accuracy, then the earlier candidate,
 * so the order of `results` is a deterministic preference).
 * @throws RangeError when `results` is empty
 */
export function selectBest<T extends { spec: CandidateSpec; validation: Evaluation }>(results: readonly T[]): T {
  if (results.length === 0) throw new RangeError('no candidate results to choose from');
  let best = results[0]!;
  for (const r of results.slice(1)) {
    const d = r.validation.f1Macro - best.validation.f1Macro;
    if (d > 1e-12 || (Math.abs(d) <= 1e-12 && r.validation.accuracy > best.validation.accuracy + 1e-12)) best = r;
  }
  return best;
}
