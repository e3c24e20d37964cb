/**
 * The candidates the nightly train stage fans out, and how to pick among them. Selection uses a
 * validation split of the training data (see splitForValidation); the test split is only for the
 * final report.
 */
import { UnknownCandidateError } from './errors/unknown-candidate-error.ts';
import { KINDS, resolveParams } from './params.ts';
import type { CandidateSpec, Evaluation } from './types.ts';

/**
 * The nightly fan-out: the benchmark winner (the SVM + presence NB blend, whose NB weight is
 * chosen per training set and can be 0, i.e. the SVM alone), the plain SVM, and complement NB as a
 * fast baseline. Every spec is complete enough to run as is; params left out take the kind's
 * defaults (see params.ts).
 */
export function defaultCandidates(): CandidateSpec[] {
  return [
    { kind: 'svm-nb-blend', params: { C: 0.5, nb: 'presence', presenceAlpha: 0.03, ngramMax: 2, minDf: 2, stem: true, stopWords: true, classWeight: 'balanced', crossListWeight: 0.3 } },
    { kind: 'linear-svm', params: { C: 0.5, ngramMax: 2, minDf: 2, stem: true, stopWords: true, classWeight: 'balanced', crossListWeight: 0.3 } },
    { kind: 'complement-nb', params: { alpha: 0.3, ngramMax: 2, minDf: 2, stem: true, stopWords: true, crossListWeight: 0.3 } },
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

/** Names a candidate list may hold besides kinds: whole sets of specs. */
export const CANDIDATE_SETS: Readonly<Record<string, () => CandidateSpec[]>> = {
  default: defaultCandidates,
  search: searchSpace,
};

/**
 * The specs a list of candidate names stands for, in order: `default` is defaultCandidates(),
 * `search` is searchSpace() (the hyper-parameter grid, one training job per spec), a kind is its
 * default spec(s) if the default set has one, otherwise the kind with its own defaults. Specs that
 * resolve to the same params are trained once (the first spelling is kept). An empty list means `default`.
 * @throws UnknownCandidateError when a name is neither a kind nor a set (the message lists both)
 */
export function expandCandidates(names: readonly string[]): CandidateSpec[] {
  checkCandidateNames(names);
  if (names.length === 0) return defaultCandidates();
  const defaults = defaultCandidates();
  const out: CandidateSpec[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const set = Object.hasOwn(CANDIDATE_SETS, name) ? CANDIDATE_SETS[name] : undefined;
    const matching = defaults.filter((d) => d.kind === name);
    const specs = set ? set() : matching.length ? matching : [{ kind: name, params: {} }];
    for (const spec of specs) {
      // Same kind and same resolved params = the same model, however the spec spelled it.
      const key = `${spec.kind} ${JSON.stringify(resolveParams(spec))}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(spec);
      }
    }
  }
  return out;
}

/** @throws UnknownCandidateError when a name is neither a trainer kind nor a candidate set */
export function checkCandidateNames(names: readonly string[]): void {
  const unknown = names.filter((n) => !KINDS.includes(n) && !Object.hasOwn(CANDIDATE_SETS, n));
  if (unknown.length > 0) {
    throw new UnknownCandidateError(
      `unknown candidate ${unknown.map((n) => JSON.stringify(n)).join(', ')} (kinds: ${KINDS.join(', ')}; sets: ${Object.keys(CANDIDATE_SETS).join(', ')})`,
    );
  }
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
