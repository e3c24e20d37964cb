/**
 * Parameter schemas of every trainer kind: defaults, types and ranges in one place. A candidate
 * spec is resolved against its kind's schema before training; the resolved record (every key, in
 * schema order) is what a classifier reports as `params` and what the artifact stores.
 */
import type { TfidfConfig } from '../text/tfidf.ts';
import { UnknownCandidateError } from './errors/unknown-candidate-error.ts';
import type { CandidateSpec, ParamValue } from './types.ts';

type Rule =
  | { type: 'number'; default: number; min: number; max: number; integer?: boolean; doc: string }
  | { type: 'boolean'; default: boolean; doc: string }
  | { type: 'enum'; default: string; values: readonly string[]; doc: string };

type Schema = Record<string, Rule>;

/** Text features shared by every kind (see {@link TfidfConfig}). */
const TEXT: Schema = {
  ngramMax: { type: 'number', default: 2, min: 1, max: 3, integer: true, doc: 'longest word n-gram' },
  minDf: { type: 'number', default: 2, min: 1, max: 1_000_000, integer: true, doc: 'minimum document frequency' },
  maxFeatures: { type: 'number', default: 0, min: 0, max: 10_000_000, integer: true, doc: 'vocabulary cap (0 = none)' },
  sublinearTf: { type: 'boolean', default: true, doc: 'tf = 1 + ln(count)' },
  stem: { type: 'boolean', default: true, doc: 'Porter stemming (natural)' },
  stopWords: { type: 'boolean', default: true, doc: "drop natural's English stop words" },
  // Off by default: in repeated cross-validation on the training splits (npm run bench:cv) the
  // markers gained nothing (blend macro-F1 0.7198 without vs 0.7187 with on fine20, 0.8728 vs
  // 0.8701 on archives5; linear SVM 0.7157 vs 0.7143 on fine20).
  symbols: { type: 'boolean', default: false, doc: 'maths markers ($ ^ _ = \\ {) as terms' },
};

const CLASS_WEIGHT: Rule = {
  type: 'enum', default: 'balanced', values: ['balanced', 'none'],
  doc: 'balanced: weight each class by n / (classes * n_class)',
};

/** The linear SVM's own parameters, shared by the SVM and the blend that trains it. */
const SVM: Schema = {
  C: { type: 'number', default: 0.5, min: 1e-6, max: 1e6, doc: 'SVM inverse regularisation strength' },
  classWeight: CLASS_WEIGHT,
  // Training usually stops on `tol` (liblinear's default 0.1) after 10-30 passes; the cap of 20
  // left validation macro-F1 unchanged on both tasks (8 to 50 passes all within 0.002) and
  // bounds the fit time.
  maxEpochs: { type: 'number', default: 20, min: 1, max: 10_000, integer: true, doc: 'SVM dual coordinate descent passes per class' },
  tol: { type: 'number', default: 0.1, min: 1e-9, max: 10, doc: 'SVM: stop when the projected-gradient spread is below this' },
  // A paper cross-listed in j is a doubtful negative of j (its primary could have been j). In
  // repeated cross-validation on fine20's training split (bench/README.md) 0.3 raised the blend's
  // macro-F1 from 0.7199 to 0.7242 (0: 0.7217, 0.15: 0.7235, 0.5: 0.7222), the SVM's from 0.7146
  // to 0.7159 and complement NB's from 0.6858 to 0.6928. One value for all three, chosen on the
  // blend (the default candidate): the SVM alone does as well at 0 (0.7171), within its spread.
  // No effect on documents without cross-lists. The blend's default NB member (presence NB) takes
  // no cross-list rule (presence-nb.ts); with `nb: complement` its complement NB does.
  crossListWeight: { type: 'number', default: 0.3, min: 0, max: 1, doc: "weight of a document as a negative of a class it is cross-listed in (1: like any other, 0: left out of that class's problem)" },
};

const NB_ALPHA: Rule = { type: 'number', default: 0.3, min: 1e-9, max: 100, doc: 'complement NB additive smoothing' };

export const SCHEMAS: Readonly<Record<string, Schema>> = {
  'linear-svm': { ...TEXT, ...SVM },
  softmax: {
    ...TEXT,
    C: { type: 'number', default: 10, min: 1e-6, max: 1e6, doc: 'inverse L2 strength (scikit-learn\'s C)' },
    classWeight: CLASS_WEIGHT,
    maxIterations: { type: 'number', default: 100, min: 1, max: 10_000, integer: true, doc: 'L-BFGS iteration cap' },
    tol: { type: 'number', default: 1e-4, min: 0, max: 1, doc: 'L-BFGS: stop when an iteration lowers the objective by less than this fraction' },
    memory: { type: 'number', default: 5, min: 1, max: 50, integer: true, doc: 'L-BFGS correction pairs kept' },
  },
  'complement-nb': {
    ...TEXT,
    alpha: NB_ALPHA,
    normWeights: { type: 'boolean', default: false, doc: 'L1-normalise each class weight vector (Rennie et al. 2003)' },
    crossListWeight: SVM.crossListWeight!,
  },
  'svm-nb-blend': {
    ...TEXT,
    ...SVM,
    // Presence NB by default: in 4-fold x 4 cross-validation on the training splits (bench:cv)
    // 0.8809 against complement NB's 0.8753 on archives5 and 0.7242 against 0.7240 on fine20.
    nb: { type: 'enum', default: 'presence', values: ['presence', 'complement'], doc: 'NB member: multinomial NB over word presence, or complement NB' },
    alpha: { ...(NB_ALPHA as Extract<Rule, { type: 'number' }>), doc: 'complement NB additive smoothing (nb: complement)' },
    presenceAlpha: { type: 'number', default: 0.03, min: 1e-9, max: 100, doc: 'presence NB additive smoothing (nb: presence)' },
    nbWeight: { type: 'number', default: 1, min: 0, max: 100, doc: 'weight of the NB scores (members scaled to unit score spread); replaced by the validated choice with tuneWeight' },
    tuneWeight: { type: 'boolean', default: true, doc: 'choose nbWeight from 0 to 2.5 by cross-fitting on the training rows' },
    tuneFolds: { type: 'number', default: 2, min: 2, max: 10, integer: true, doc: 'folds of the cross-fitting that chooses nbWeight and calibrates' },
  },
  'ml-logistic-regression': {
    ...TEXT,
    // The package trains dense one-vs-all gradient descent: cost grows with n x features x steps.
    maxFeatures: { ...(TEXT.maxFeatures as Extract<Rule, { type: 'number' }>), default: 1000, min: 1, max: 20_000 },
    numSteps: { type: 'number', default: 300, min: 1, max: 100_000, integer: true, doc: 'gradient steps per class' },
    learningRate: { type: 'number', default: 5, min: 1e-6, max: 1000, doc: 'gradient step size' },
  },
};

/** Every trainer kind `trainClassifier` accepts. */
export const KINDS: readonly string[] = Object.keys(SCHEMAS);

/**
 * Resolves a spec to a complete parameter record in schema order.
 * @throws UnknownCandidateError for an unknown kind, an unknown parameter, a wrong type or an
 * out-of-range value (the message names the parameter and what is allowed).
 */
export function resolveParams(spec: CandidateSpec): Record<string, ParamValue> {
  const schema = SCHEMAS[spec.kind];
  if (!schema) throw new UnknownCandidateError(`unknown candidate kind "${spec.kind}" (known: ${KINDS.join(', ')})`);
  const given = spec.params ?? {};
  for (const key of Object.keys(given)) {
    if (!(key in schema)) {
      throw new UnknownCandidateError(`unknown parameter "${key}" for ${spec.kind} (known: ${Object.keys(schema).join(', ')})`);
    }
  }
  const out: Record<string, ParamValue> = {};
  for (const [key, rule] of Object.entries(schema)) {
    const value = given[key] ?? rule.default;
    out[key] = checkValue(spec.kind, key, rule, value);
  }
  return out;
}

function checkValue(kind: string, key: string, rule: Rule, value: ParamValue): ParamValue {
  const bad = (why: string) => new UnknownCandidateError(`invalid ${kind} parameter ${key}=${JSON.stringify(value)}: ${why}`);
  switch (rule.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad('expected a finite number');
      if (rule.integer && !Number.isInteger(value)) throw bad('expected an integer');
      if (value < rule.min || value > rule.max) throw bad(`expected ${rule.min} to ${rule.max}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('expected true or false');
      return value;
    case 'enum':
      if (typeof value !== 'string' || !rule.values.includes(value)) throw bad(`expected one of ${rule.values.join(', ')}`);
      return value;
  }
}

/** The TF-IDF configuration encoded in resolved params. */
export function tfidfConfigOf(params: Readonly<Record<string, ParamValue>>): TfidfConfig {
  return {
    analyzer: { stem: params.stem as boolean, stopWords: params.stopWords as boolean, symbols: params.symbols as boolean },
    ngramMax: params.ngramMax as number,
    minDf: params.minDf as number,
    maxFeatures: params.maxFeatures as number,
    sublinearTf: params.sublinearTf as boolean,
  };
}
