/**
 * Writes the small real-data fixture the ML unit tests use:
 * tests/fixtures/ml/archives5-small.jsonl, the first 60 papers of each archives5 class in sha256
 * order (the benchmark's order), fields {id, label, split, text}: 40 per class are `train`, 20 are
 * `test`. Run: npx tsx bench/make-fixtures.ts [--data FILE]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTask, readRows } from './tasks.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataArg = process.argv.indexOf('--data');
const data = dataArg >= 0 ? process.argv[dataArg + 1]! : resolve(root, '../shared/data/arxiv/abstracts.jsonl.gz');
const items = buildTask(await readRows(data), 'archives5', 0);
const perClass = new Map<string, number>();
const lines: string[] = [];
for (const it of items) {
  const n = perClass.get(it.label) ?? 0;
  if (n >= 60) continue;
  perClass.set(it.label, n + 1);
  lines.push(JSON.stringify({ id: it.id, label: it.label, split: n < 40 ? 'train' : 'test', text: it.text }));
}
const out = resolve(root, 'tests/fixtures/ml/archives5-small.jsonl');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${lines.length} papers to ${out}`);
