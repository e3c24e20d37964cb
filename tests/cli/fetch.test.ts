import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAtomFeed } from '../../core/arxiv/parse-atom.ts';
import { readAtomFixture, startReplayServer, type ReplayServer } from '../helpers/arxiv-replay-server.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';
import { radar } from '../helpers/radar-cli.ts';

// `radar fetch` through the real client against a local server replaying arXiv's recorded
// answers to the search "testing" (pages of 10), with faults injected on the way.
describe('radar fetch', () => {
  let env: TestEnv;
  let server: ReplayServer;
  const expected = parseAtomFeed(readAtomFixture('q_testing_s0_m100')).papers.slice(0, 50);

  beforeAll(async () => {
    server = await startReplayServer({ warmUp: true });
    env = await createTestEnv({ ARXIV_API_URL: server.atomUrl, ARXIV_PAGE_SIZE: '10', ARXIV_RATE_INTERVAL_MS: '100', ARXIV_BACKOFF_MS: '20', ARXIV_MAX_RETRIES: '4' });
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('returns every paper exactly once despite a 503, a 429, a truncated page and an empty page', async () => {
    server.reset();
    server.setFaults([{ status: 503 }, { pass: true }, { status: 429, retryAfter: 0 }, { pass: true }, { truncate: true }, { pass: true }, { empty: true }]);
    const r = await radar(env, ['fetch', '--query', 'all:testing', '--max', '50', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const summary = lines.pop();
    expect(lines.map((p) => p.id)).toEqual(expected.map((p) => p.id));
    expect(new Set(lines.map((p) => p.id)).size).toBe(50);
    expect(lines[0]).toEqual({
      id: expected[0]!.id,
      version: expected[0]!.version,
      title: expected[0]!.title,
      authors: expected[0]!.authors,
      primaryCategory: expected[0]!.primaryCategory,
      categories: expected[0]!.categories,
      published: expected[0]!.published,
      updated: expected[0]!.updated,
      doi: expected[0]!.doi ?? null,
      journalRef: expected[0]!.journalRef ?? null,
      comment: expected[0]!.comment ?? null,
    });
    expect(summary).toMatchObject({ fetched: 50, pages: 5, complete: true, stored: 50 });
    // 5 pages + the 503, the 429, the truncated page and the empty page asked again.
    expect(summary.requests).toBe(server.requests.length);
    expect(server.requests).toHaveLength(9);
    expect(summary.retries).toBe(4);
    // Spaced by the shared gate (loosely: arrival times, not grant times).
    const at = server.requests.map((q) => q.at);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(75);
    expect(await env.db.paper.count({ where: { source: 'arxiv' } })).toBe(50);
  });

  it('stores nothing with --dry-run, and storing again changes nothing', async () => {
    server.reset();
    await env.db.paper.deleteMany({});
    const dry = await radar(env, ['fetch', '--query', 'all:testing', '--max', '20', '--json', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout.trim().split('\n').at(-1)!)).toMatchObject({ fetched: 20, pages: 2, retries: 0, stored: null });
    expect(await env.db.paper.count()).toBe(0);
    await radar(env, ['fetch', '--query', 'all:testing', '--max', '20', '--json']);
    const again = await radar(env, ['fetch', '--query', 'all:testing', '--max', '20', '--json']);
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1)!)).toMatchObject({ fetched: 20, stored: 0 });
    expect(await env.db.paper.count()).toBe(20);
  });

  it('the error feed is a clear, permanent error naming the query; bad arguments are usage errors', async () => {
    server.reset();
    server.setFaults([{ status: 400, fixture: 'id_abc' }]);
    const r = await radar(env, ['fetch', '--query', 'all:testing', '--max', '10']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/radar fetch: arXiv rejected the query search_query=all:testing/);
    expect(server.requests).toHaveLength(1); // not retried
    expect((await radar(env, ['fetch'])).code).toBe(2);
    expect((await radar(env, ['fetch', '--date', '2019-12-31', '--categories', 'cs.LG,not a cat'])).stderr).toContain('not an arXiv category');
  });
});

describe('radar harvest (OAI-PMH)', () => {
  let env: TestEnv;
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer();
    env = await createTestEnv({ ARXIV_OAI_URL: server.oaiUrl, ARXIV_RATE_INTERVAL_MS: '50' });
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('follows the resumption token, stores the records, and writes a snapshot the pipeline can read', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const out = join(mkdtempSync(join(tmpdir(), 'radar-harvest-')), 'cs.jsonl.gz');
    const r = await radar(env, ['harvest', '--from', '2024-05-22', '--until', '2024-05-23', '--set', 'cs', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ harvested: 4, deleted: 1, pages: 2, stored: 4, resumptionToken: null });
    expect(server.requests.map((q) => q.query.resumptionToken ?? q.query.set)).toEqual(['cs', '6894157|1001']);
    expect(await env.db.paper.count({ where: { source: 'oai' } })).toBe(4);
    const { JsonlSnapshotSource } = await import('../../core/sources/jsonl-snapshot.ts');
    const { silentLogger } = await import('../../core/log.ts');
    const ids: string[] = [];
    for await (const b of new JsonlSnapshotSource(`snapshot:${out}`, out).fetch('2030-01-01', { log: silentLogger })) ids.push(...b.papers.map((p) => p.id));
    expect(ids.sort()).toEqual((await env.db.paper.findMany({ select: { id: true } })).map((p) => p.id).sort());
  });
});
