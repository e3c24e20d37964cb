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
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`validation fraction must be in (0, 1), got ${fraction}`);
  const byLabel = new Map<string, number[]>();
  docs.forEach((d, i) => {
    const list = byLabel.get(d.label);
    if (list) list.push(i);
    else byLabel.set(d.label, [i]);
  });
  const random = new Random(seed);
  const inValidation = new Uint8Array(docs.length);
  for (const label of [...byLabel.keys()].sort()) {
    const idx = Int32Array.from(byLabel.get(label)!);
    random.shuffle(idx);
    const take = Math.min(idx.length - 1, Math.round(fraction * idx.length));
    for (let r = 0; r < take; r++) inValidation[idx[r]!] = 1;
  }
  const train: T[] = [];
  const validation: T[] = [];
  docs.forEach((d, i) => (inValidation[i] ? validation : train).push(d));
  return { train, validation };
}
