import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LabelledText } from '../../core/ml/index.ts';

/**
 * 300 real arXiv abstracts, 60 per archives5 class (astro-ph, cond-mat, cs, math, physics):
 * 40 train + 20 test each. Regenerate with `npx tsx bench/make-fixtures.ts`.
 */
export function loadArchives5Small(): { train: LabelledText[]; test: LabelledText[] } {
  const path = fileURLToPath(new URL('../fixtures/ml/archives5-small.jsonl', import.meta.url));
  const rows = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LabelledText & { split: 'train' | 'test' });
  const strip = ({ id, text, label }: LabelledText): LabelledText => ({ id, text, label });
  return { train: rows.filter((r) => r.split === 'train').map(strip), test: rows.filter((r) => r.split === 'test').map(strip) };
}
