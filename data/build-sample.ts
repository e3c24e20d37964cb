/**
 * Rebuilds data/sample.jsonl.gz, the bundled offline sample, from the full labelled set
 * (../shared/data/arxiv/abstracts.jsonl.gz, or the path given as the first argument).
 *
 * Deterministic: papers are taken in sha256(id) order, so the same input gives the same sample.
 * It keeps every paper of the chosen categories published in the sample's last month (so the
 * last nights have real new papers to label) and, before that, at most PER_DEFAULT papers of each
 * category the pipeline follows by default and PER_OTHER of a few other archives.
 *
 *   npx tsx data/build-sample.ts [../shared/data/arxiv/abstracts.jsonl.gz]
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const DEFAULT_CATEGORIES = ['cs.AI', 'cs.LG', 'cs.CL', 'cs.CV', 'stat.ML', 'math.OC'];
const OTHER_CATEGORIES = ['astro-ph', 'hep-th', 'quant-ph', 'math.PR', 'cond-mat.mes-hall', 'q-bio.NC', 'econ.EM', 'physics.optics'];
const PER_DEFAULT = 300;
const PER_OTHER = 110;
const RECENT_FROM = '2019-12-01';

interface Row { id: string; primary_category: string; published: string }

const here = dirname(fileURLToPath(import.meta.url));
const input = process.argv[2] ?? join(here, '..', '..', 'shared', 'data', 'arxiv', 'abstracts.jsonl.gz');
const lines = gunzipSync(readFileSync(input)).toString('utf8').split('\n').filter((l) => l.trim());
const rows = lines.map((line) => ({ line, row: JSON.parse(line) as Row }));
const hash = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');
rows.sort((a, b) => (hash(a.row.id) < hash(b.row.id) ? -1 : 1));

const quota = new Map<string, number>();
for (const c of DEFAULT_CATEGORIES) quota.set(c, PER_DEFAULT);
for (const c of OTHER_CATEGORIES) quota.set(c, PER_OTHER);

const kept: typeof rows = [];
for (const r of rows) {
  const left = quota.get(r.row.primary_category);
  if (left === undefined) continue;
  if (r.row.published >= RECENT_FROM) {
    kept.push(r);
  } else if (left > 0) {
    kept.push(r);
    quota.set(r.row.primary_category, left - 1);
  }
}
kept.sort((a, b) => (a.row.published === b.row.published ? (a.row.id < b.row.id ? -1 : 1) : a.row.published < b.row.published ? -1 : 1));
const out = join(here, 'sample.jsonl.gz');
writeFileSync(out, gzipSync(kept.map((r) => r.line).join('\n') + '\n', { level: 9 }));
console.log(`wrote ${kept.length} papers to ${out}; last day ${kept.at(-1)?.row.published}`);
