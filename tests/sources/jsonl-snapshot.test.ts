import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.ts';
import { canonicalSnapshotId, JsonlSnapshotSource, parseSnapshotLine } from '../../core/sources/jsonl-snapshot.ts';
import { resolveSource, SAMPLE_PATH } from '../../core/sources/index.ts';
import type { SourcePaper } from '../../core/papers/types.ts';

async function collect(source: JsonlSnapshotSource, date: string) {
  const papers: SourcePaper[] = [];
  const rejected = [];
  for await (const b of source.fetch(date, { log: silentLogger })) {
    papers.push(...b.papers);
    rejected.push(...b.rejected);
  }
  return { papers, rejected };
}

describe('JSONL snapshot source', () => {
  it('repairs ids that the harvest stored as floating-point numbers', () => {
    expect(canonicalSnapshotId('1501.0025699999999')).toBe('1501.00257');
    expect(canonicalSnapshotId('1912.1319899999999')).toBe('1912.13199');
    expect(canonicalSnapshotId('1001.021')).toBe('1001.0210');
    expect(canonicalSnapshotId('912.5409')).toBe('0912.5409');
    expect(canonicalSnapshotId('0704.0551')).toBe('0704.0551');
    expect(canonicalSnapshotId('math/0601001')).toBe('math/0601001');
    expect(canonicalSnapshotId('hep-th/9901001v2')).toBe('hep-th/9901001');
    expect(canonicalSnapshotId('not-an-id')).toBeNull();
  });

  it('parses a real line and normalises its whitespace', () => {
    const line = JSON.stringify({
      id: '0704.0664',
      title: 'Stock market return distributions:\n  from past to present',
      abstract: '  We show that recent stock market fluctuations\nare characterized ',
      categories: 'q-fin.ST physics.data-an physics.soc-ph',
      primary_category: 'q-fin.ST',
      published: '2007-04-05',
    });
    const r = parseSnapshotLine(line);
    expect('paper' in r && r.paper).toEqual({
      id: '0704.0664',
      version: 1,
      title: 'Stock market return distributions: from past to present',
      abstract: 'We show that recent stock market fluctuations are characterized',
      authors: [],
      primaryCategory: 'q-fin.ST',
      categories: ['q-fin.ST', 'physics.data-an', 'physics.soc-ph'],
      published: '2007-04-05T00:00:00.000Z',
      updated: '2007-04-05T00:00:00.000Z',
    });
  });

  it('rejects bad lines with a reason and keeps the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'radar-snap-'));
    const file = join(dir, 'mixed.jsonl');
    const good = { id: '1912.00001', title: 'A title', abstract: 'An abstract', categories: 'cs.LG stat.ML', published: '2019-12-01' };
    writeFileSync(
      file,
      [
        JSON.stringify(good),
        '{"id": "1912.00002", "title": "no abstract", "categories": "cs.LG", "published": "2019-12-01"}',
        '{not json',
        JSON.stringify({ ...good, id: '1912.00003', published: '2019-13-01' }),
        JSON.stringify({ ...good, id: '1912.00004', primary_category: 'cs.AI' }),
        JSON.stringify({ ...good, id: '1912.00006', published: '2019-02-30' }),
        JSON.stringify({ ...good, id: '1912.00005', published: '2019-12-02' }),
        '',
      ].join('\n'),
    );
    const source = new JsonlSnapshotSource(`snapshot:${file}`, file);
    const { papers, rejected } = await collect(source, '2019-12-01');
    expect(papers.map((p) => p.id)).toEqual(['1912.00001']);
    expect(rejected.map((r) => [r.where.split(':').at(-1), r.id, r.reason])).toEqual([
      ['2', '1912.00002', 'missing abstract'],
      ['3', null, expect.stringMatching(/^not valid JSON/)],
      ['4', '1912.00003', 'published "2019-13-01" is not YYYY-MM-DD'],
      ['5', '1912.00004', 'primary_category cs.AI is not the first of categories "cs.LG stat.ML"'],
      ['6', '1912.00006', 'published "2019-02-30" is not YYYY-MM-DD'],
    ]);
    expect(await source.lastDate()).toBe('2019-12-02');
  });

  it('gives a clear error for a missing or corrupt file', async () => {
    await expect(collect(new JsonlSnapshotSource('snapshot:/nope.jsonl', '/nope.jsonl'), '2019-12-01')).rejects.toThrow(/cannot read snapshot \/nope.jsonl/);
    const dir = mkdtempSync(join(tmpdir(), 'radar-snap-'));
    writeFileSync(join(dir, 'bad.jsonl.gz'), 'not gzip at all');
    await expect(collect(new JsonlSnapshotSource('x', join(dir, 'bad.jsonl.gz')), '2019-12-01')).rejects.toThrow(/not valid gzip/);
    expect(() => resolveSource('ftp://x')).toThrow(/unknown source/);
    expect(() => resolveSource('arxiv')).toThrow(/not available/);
  });

  it('serves the bundled sample: several archives, every paper up to the date, and the raw file once', async () => {
    const sample = resolveSource('sample') as JsonlSnapshotSource;
    expect(await sample.lastDate()).toBe('2019-12-31');
    const batches = [];
    for await (const b of sample.fetch('2019-12-30', { log: silentLogger })) batches.push(b);
    const papers = batches.flatMap((b) => b.papers);
    expect(batches.filter((b) => b.raw)).toHaveLength(1);
    expect(batches[0]!.raw!.name).toBe('source.jsonl.gz');
    expect(papers.length).toBeGreaterThan(2500);
    expect(papers.every((p) => p.published <= '2019-12-30T23:59:59.999Z')).toBe(true);
    expect(papers.some((p) => p.published.startsWith('2019-12-31'))).toBe(false);
    const archives = new Set(papers.map((p) => p.primaryCategory.split('.')[0]));
    for (const a of ['cs', 'stat', 'math', 'astro-ph', 'hep-th', 'quant-ph']) expect(archives).toContain(a);
    expect(SAMPLE_PATH.endsWith('data/sample.jsonl.gz')).toBe(true);
  });
});
