/**
 * The benchmark tasks, built exactly as bench/reference/reference_sklearn.py defines them:
 *
 *   archives5  papers whose categories string holds exactly one category, labelled by its archive
 *              (the part before the first '.'), kept for astro-ph, cond-mat, cs, math, physics;
 *              text = abstract.
 *   fine20     every paper labelled by its primary category (first in the categories string), the
 *              20 most frequent kept (ties broken by name); text = title + ' ' + abstract.
 *              Each paper also carries its other categories as `crossLists` (training metadata
 *              only: trainers may use a training paper's; prediction sees the text alone).
 *
 * Order: sha256(id) as lowercase hex, ascending; `limit` keeps the first N; a paper is a test paper
 * when parseInt(h[:8], 16) % 5 == 0. With a separate test file, all eligible papers of the data
 * file train and the eligible papers of the test file (with a training label) test.
 *
 * The reference cleans text with its own regexes before vectorising; we hand raw text to our
 * analyzer (which does its own normalisation), inside the timed fit like the reference's.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { LabelledText } from '../core/ml/index.ts';

/** The shared labelled abstracts, next to the repository (see ../shared/data/arxiv). */
export const DEFAULT_DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/data/arxiv/abstracts.jsonl.gz');

export type TaskName = 'archives5' | 'fine20';
export const TASKS: readonly TaskName[] = ['archives5', 'fine20'];

/** `--data` (default: the shared abstracts, when present) and `--task` of a bench script, checked. */
export function taskArgs(args: ReadonlyMap<string, string>, defaultTask: TaskName): { data: string; task: TaskName } {
  const data = args.get('data') ?? (existsSync(DEFAULT_DATA) ? DEFAULT_DATA : undefined);
  if (!data) throw new Error(`--data is required (no ${DEFAULT_DATA})`);
  const task = (args.get('task') ?? defaultTask) as TaskName;
  if (!TASKS.includes(task)) throw new Error(`--task must be one of ${TASKS.join(', ')}`);
  return { data, task };
}
const ARCHIVES5 = new Set(['astro-ph', 'cond-mat', 'cs', 'math', 'physics']);

/** The only fields a task needs; the rest of each row is dropped while streaming. */
interface Row {
  id: string;
  title: string;
  abstract: string;
  categories: string;
}

interface Item extends LabelledText {
  hash: string;
}

/**
 * Streams a JSONL (optionally gzipped) file and calls `visit` with four fields of each row. Only
 * what `visit` keeps stays in memory: peak RSS is part of the benchmark, and holding all 41k
 * papers as objects would cost ~100 MB that the model never needs.
 */
export async function forEachRow(path: string, visit: (row: Row) => void): Promise<void> {
  const input = createReadStream(path);
  const stream = path.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as Row;
    visit({ id: r.id, title: r.title, abstract: r.abstract, categories: r.categories });
  }
}

/** Every row of a JSONL(.gz) file (four fields each). */
export async function readRows(path: string): Promise<Row[]> {
  const rows: Row[] = [];
  await forEachRow(path, (r) => rows.push(r));
  return rows;
}

/** Python's str.split(): split on runs of whitespace, no empty strings. */
function pySplit(s: string): string[] {
  return s.split(/\s+/).filter((x) => x.length > 0);
}

function idHash(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

/** The fine20 label set of a file: the 20 most frequent primary categories (ties by name). */
export async function topPrimaryCategories(path: string): Promise<Set<string>> {
  const counts = new Map<string, number>();
  await forEachRow(path, (r) => {
    const p = pySplit(r.categories)[0]!;
    counts.set(p, (counts.get(p) ?? 0) + 1);
  });
  return new Set(topOf(counts));
}

function topOf(counts: Map<string, number>): string[] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, 20).map(([c]) => c);
}

/** The task's item for a row, or null when the row is not eligible (the reference's build_task). */
function itemOf(r: Row, task: TaskName, keep: ReadonlySet<string> | undefined): Item | null {
  if (task === 'archives5') {
    const parts = pySplit(r.categories);
    if (parts.length !== 1) return null;
    const archive = parts[0]!.split('.')[0]!;
    if (!ARCHIVES5.has(archive)) return null;
    return { id: r.id, hash: idHash(r.id), text: r.abstract, label: archive };
  }
  const [primary, ...crossLists] = pySplit(r.categories);
  if (!keep!.has(primary!)) return null;
  return { id: r.id, hash: idHash(r.id), text: `${r.title} ${r.abstract}`, label: primary!, crossLists };
}

function sortAndLimit(items: Item[], limit: number): Item[] {
  // Python sorts the (h, text, label) tuples; hashes are unique per id, so h alone decides.
  items.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  return limit > 0 ? items.slice(0, limit) : items;
}

/** Eligible items of a task in sha256 order, from rows in memory (fixtures, tests). */
export function buildTask(rows: readonly Row[], task: TaskName, limit: number, keep?: ReadonlySet<string>): Item[] {
  let labels = keep;
  if (task === 'fine20' && !labels) {
    const counts = new Map<string, number>();
    for (const r of rows) {
      const p = pySplit(r.categories)[0]!;
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    labels = new Set(topOf(counts));
  }
  const items: Item[] = [];
  for (const r of rows) {
    const it = itemOf(r, task, labels);
    if (it) items.push(it);
  }
  return sortAndLimit(items, limit);
}

/** Eligible items of a task in sha256 order, streamed from a file (fine20 reads it twice). */
export async function buildTaskFromFile(path: string, task: TaskName, limit: number, keep?: ReadonlySet<string>): Promise<Item[]> {
  const labels = task === 'fine20' && !keep ? await topPrimaryCategories(path) : keep;
  const items: Item[] = [];
  await forEachRow(path, (r) => {
    const it = itemOf(r, task, labels);
    if (it) items.push(it);
  });
  return sortAndLimit(items, limit);
}

export function isTest(hash: string): boolean {
  return parseInt(hash.slice(0, 8), 16) % 5 === 0;
}

/** Train and test documents of a task, as the reference splits them. */
export async function loadTask(
  dataPath: string,
  task: TaskName,
  options: { limit?: number; testDataPath?: string } = {},
): Promise<{ train: LabelledText[]; test: LabelledText[] }> {
  const strip = ({ id, text, label, crossLists }: Item): LabelledText => (crossLists?.length ? { id, text, label, crossLists } : { id, text, label });
  const items = await buildTaskFromFile(dataPath, task, options.limit ?? 0);
  if (options.testDataPath) {
    const labels = new Set(items.map((d) => d.label));
    const testItems = (await buildTaskFromFile(options.testDataPath, task, 0, labels)).filter((d) => labels.has(d.label));
    return { train: items.map(strip), test: testItems.map(strip) };
  }
  return { train: items.filter((d) => !isTest(d.hash)).map(strip), test: items.filter((d) => isTest(d.hash)).map(strip) };
}
