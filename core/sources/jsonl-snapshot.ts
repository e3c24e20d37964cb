import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { BadInputError } from '../errors.ts';
import { isCalendarDay } from '../calendar-day.ts';
import { parseArxivId } from '../arxiv/arxiv-id.ts';
import type { SourcePaper } from '../papers/types.ts';
import { normaliseWhitespace } from '../papers/normalise.ts';
import type { FetchContext, PaperSource, RejectedRecord, SourceBatch } from './types.ts';

const BATCH = 1000;

/**
 * The canonical arXiv id (no version) of a snapshot id, or null. Some harvests stored new-style
 * ids as floating-point numbers, losing digits: `1501.0025699999999` is 1501.00257 and
 * `1001.021` is 1001.0210, `912.5409` is 0912.5409 (a quarter of the shared labelled set looks like this). New-style ids
 * have 4 digits after the dot until 1412 and 5 from 1501, which makes the repair exact.
 */
export function canonicalSnapshotId(raw: string): string | null {
  // Leading zeros go too: `912.5409` is 0912.5409.
  const numeric = /^(\d{1,2})(\d{2})\.(\d+)$/.exec(raw);
  if (numeric) {
    const digits = Number(numeric[1]) >= 15 ? 5 : 4;
    const fraction = Number(`0.${numeric[3]}`);
    const n = Math.round(fraction * 10 ** digits);
    // A repair must only restore lost digits, never change the number.
    if (n >= 10 ** digits || Math.abs(n / 10 ** digits - fraction) > 1e-6) return null;
    const fixed = `${numeric[1]!.padStart(2, '0')}${numeric[2]}.${String(n).padStart(digits, '0')}`;
    return parseArxivId(fixed)?.id ?? null;
  }
  return parseArxivId(raw)?.id ?? null;
}

/** One line of the JSONL format of shared/data/arxiv/abstracts.jsonl.gz. */
interface SnapshotRow {
  id?: unknown;
  title?: unknown;
  abstract?: unknown;
  categories?: unknown;
  primary_category?: unknown;
  published?: unknown;
}

/**
 * Parse one JSONL line into a paper, or say why not. Required: id, title, abstract, categories
 * (space separated, primary first), published (YYYY-MM-DD). `primary_category`, when present,
 * must agree with the first category.
 */
export function parseSnapshotLine(line: string): { paper: SourcePaper } | { reason: string; id: string | null } {
  let row: SnapshotRow;
  try {
    row = JSON.parse(line) as SnapshotRow;
  } catch (e) {
    return { reason: `not valid JSON (${(e as Error).message})`, id: null };
  }
  if (typeof row !== 'object' || row === null) return { reason: 'not a JSON object', id: null };
  const rawId = typeof row.id === 'string' && row.id.trim() ? row.id.trim() : null;
  if (!rawId) return { reason: 'missing id', id: null };
  const id = canonicalSnapshotId(rawId);
  if (!id) return { reason: `"${rawId}" is not an arXiv id`, id: rawId };
  for (const field of ['title', 'abstract', 'categories', 'published'] as const) {
    if (typeof row[field] !== 'string' || !(row[field] as string).trim()) {
      return { reason: `missing ${field}`, id };
    }
  }
  const published = (row.published as string).trim();
  if (!isCalendarDay(published)) {
    return { reason: `published "${published}" is not YYYY-MM-DD`, id };
  }
  const categories = [...new Set((row.categories as string).split(/\s+/).filter(Boolean))];
  const primary = typeof row.primary_category === 'string' && row.primary_category ? row.primary_category : categories[0]!;
  if (primary !== categories[0]) {
    return { reason: `primary_category ${primary} is not the first of categories "${row.categories as string}"`, id };
  }
  const at = `${published}T00:00:00.000Z`;
  return {
    paper: {
      id,
      version: 1,
      title: normaliseWhitespace(row.title as string),
      abstract: normaliseWhitespace(row.abstract as string),
      authors: [],
      primaryCategory: primary,
      categories,
      published: at,
      updated: at,
    },
  };
}

/**
 * A JSONL(.gz) file of labelled papers. For logical date D it yields every valid paper published
 * up to and including D, in batches; invalid lines are reported, not fatal.
 */
export class JsonlSnapshotSource implements PaperSource {
  readonly name: string;
  private readonly path: string;
  private cache?: Promise<{ papers: SourcePaper[]; rejected: RejectedRecord[]; bytes: Uint8Array }>;

  constructor(name: string, path: string) {
    this.name = name;
    this.path = path;
  }

  private load() {
    this.cache ??= (async () => {
      let bytes: Buffer;
      try {
        bytes = await readFile(this.path);
      } catch (e) {
        throw new BadInputError(`cannot read snapshot ${this.path}: ${(e as Error).message}`);
      }
      let text: string;
      try {
        text = (this.path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
      } catch (e) {
        throw new BadInputError(`snapshot ${this.path} is not valid gzip: ${(e as Error).message}`);
      }
      const papers: SourcePaper[] = [];
      const rejected: RejectedRecord[] = [];
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (!line.trim()) continue;
        const r = parseSnapshotLine(line);
        if ('paper' in r) papers.push(r.paper);
        else rejected.push({ where: `${this.path}:${i + 1}`, id: r.id, reason: r.reason });
      }
      return { papers, rejected, bytes };
    })();
    return this.cache;
  }

  async lastDate(): Promise<string> {
    const { papers } = await this.load();
    if (papers.length === 0) throw new BadInputError(`snapshot ${this.path} has no valid papers`);
    let last = '';
    for (const p of papers) if (p.published > last) last = p.published;
    return last.slice(0, 10);
  }

  async *fetch(logicalDate: string, ctx: FetchContext): AsyncIterable<SourceBatch> {
    const { papers, rejected, bytes } = await this.load();
    const upTo = `${logicalDate}T23:59:59.999Z`;
    const due = papers.filter((p) => p.published <= upTo);
    if (rejected.length) ctx.log.warn('snapshot lines rejected', { source: this.name, count: rejected.length });
    const raw = {
      name: 'source.jsonl' + (this.path.endsWith('.gz') ? '.gz' : ''),
      mediaType: this.path.endsWith('.gz') ? 'application/gzip' : 'application/x-ndjson',
      bytes,
    };
    // The first batch carries the file itself (the night's raw input, stored content-addressed
    // so it is kept once however many nights read it) and the rejected lines.
    yield { papers: due.slice(0, BATCH), rejected, raw };
    for (let i = BATCH; i < due.length; i += BATCH) {
      ctx.signal?.throwIfAborted();
      yield { papers: due.slice(i, i + BATCH), rejected: [] };
    }
  }
}
