/** Validation splits for model selection (never the test split). */
import { Random } from './random.ts';
import type { LabelledText } from './types.ts';

/**
 * Stratified, seeded split: for each label, `round(fraction * count)` documents chosen by a seeded
 * shuffle go to `validation`, except that a label always keeps at least one training document.
 * Both parts keep the input order. Deterministic for the same documents, fraction and seed.
 * @throws RangeError when fraction is not in (0, 1)
 */
export function splitForValidation<T extends LabelledText>(docs: readonly T[], fraction: number, seed: number): { train: T[]; validation: T[] } {
  const { labels, y } = labelIndices(docs);
  const inValidation = stratifiedHoldOut(y, labels.length, fraction, new Random(seed));
  const train: T[] = [];
  const validation: T[] = [];
  docs.forEach((d, i) => (inValidation[i] ? validation : train).push(d));
  return { train, validation };
}

/** The distinct labels sorted by code unit, and each document's index into them. */
export function labelIndices(docs: readonly LabelledText[]): { labels: string[]; y: Int32Array } {
  const labels = [...new Set(docs.map((d) => d.label))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  return { labels, y: Int32Array.from(docs, (d) => index.get(d.label)!) };
}

/**
 * The index form of {@link splitForValidation}: `y[i]` in [0, K) is row i's class; returns 1 for
 * the rows held out. Classes are visited in index order, each shuffled with `random`.
 * @throws RangeError when fraction is not in (0, 1)
 */
export function stratifiedHoldOut(y: Int32Array, K: number, fraction: number, random: Random): Uint8Array {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`validation fraction must be in (0, 1), got ${fraction}`);
  const byClass: number[][] = Array.from({ length: K }, () => []);
  y.forEach((k, i) => byClass[k]!.push(i));
  const heldOut = new Uint8Array(y.length);
  for (const rows of byClass) {
    if (rows.length === 0) continue;
    const idx = random.shuffle(Int32Array.from(rows));
    const take = Math.min(idx.length - 1, Math.round(fraction * idx.length));
    for (let r = 0; r < take; r++) heldOut[idx[r]!] = 1;
  }
  return heldOut;
}

/**
 * Stratified, seeded k-fold assignment: the fold of row i, in [0, k). Each class's rows are
 * shuffled with `random` (classes in index order) and dealt round-robin, so fold sizes per class
 * differ by at most one.
 * @throws RangeError when k < 2
 */
export function stratifiedFolds(y: Int32Array, K: number, k: number, random: Random): Int32Array {
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`folds must be an integer >= 2, got ${k}`);
  const byClass: number[][] = Array.from({ length: K }, () => []);
  y.forEach((c, i) => byClass[c]!.push(i));
  const fold = new Int32Array(y.length);
  for (const rows of byClass) {
    const idx = random.shuffle(Int32Array.from(rows));
    idx.forEach((row, rank) => (fold[row] = rank % k));
  }
  return fold;
}
