import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.ts';
import type { IngestOutput } from '../../core/queues.ts';
import type { SourcePaper } from '../../core/papers/types.ts';
import { resolveSource } from '../../core/sources/index.ts';
import { renderAtomEntry, renderAtomFeed, startReplayServer, type ReplayServer } from '../helpers/arxiv-replay-server.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';
import { startTestFleet, waitForNight } from '../helpers/fleet.ts';

// A night on the live arXiv source, served by a local server that answers D's window query
// with the sample's real papers of that day as arXiv's current Atom format (with a 503 on the
// way), then the same night replayed from the raw pages it stored.
describe('a night on the arxiv source, and its replay', () => {
  let env: TestEnv;
  let server: ReplayServer;
  let fleet: ReturnType<typeof startTestFleet>;
  const D = '2019-12-31';
  let dayPapers: SourcePaper[] = [];

  beforeAll(async () => {
    for await (const b of resolveSource('sample').fetch(D, { log: silentLogger })) dayPapers.push(...b.papers.filter((p) => p.published.startsWith(D)));
    dayPapers = dayPapers.map((p, i) => ({ ...p, published: `${D}T1${i % 10}:00:00Z` }));
    expect(dayPapers.length).toBeGreaterThan(3);
    server = await startReplayServer({
      handler: (req) => {
        const q = req.query.search_query ?? '';
        if (!q.includes(`submittedDate:[${D.replaceAll('-', '')}0000 TO ${D.replaceAll('-', '')}2359]`)) return undefined;
        const start = Number(req.query.start ?? 0);
        const max = Number(req.query.max_results ?? 10);
        const entries = dayPapers.slice(start, start + max).map((p) =>
          renderAtomEntry({ id: `${p.id}v2`, title: p.title, abstract: p.abstract, categories: p.categories, primaryCategory: p.primaryCategory, published: p.published, authors: [{ name: 'Ada Lovelace', affiliations: ['Analytical Engines Ltd'] }] }),
        );
        return { body: renderAtomFeed({ totalResults: dayPapers.length, startIndex: start, itemsPerPage: max, entries }) };
      },
    });
    env = await createTestEnv({ ARXIV_API_URL: server.atomUrl, ARXIV_PAGE_SIZE: '2', ARXIV_RATE_INTERVAL_MS: '50', ARXIV_BACKOFF_MS: '20' });
    fleet = startTestFleet(env);
  });
  afterAll(async () => {
    await fleet?.close();
    await server?.close();
    await env?.cleanup();
  });

  it('ingests D from arXiv (through a 503), keeps the raw pages, trains, classifies; the replay reproduces the input without a request', async () => {
    // Training data up to the day before, from the sample.
    const first = await waitForNight(env.db, (await fleet.start({ logicalDate: '2019-12-30', source: 'sample', trigger: 'manual' })).pipelineRunId);
    expect(first.status).toBe('succeeded');

    server.setFaults([{ status: 503 }]);
    const night = await waitForNight(env.db, (await fleet.start({ logicalDate: D, source: 'arxiv', trigger: 'schedule' })).pipelineRunId);
    expect(night.error).toBeNull();
    expect(night.status).toBe('succeeded');
    const pages = Math.ceil(dayPapers.length / 2);
    expect(server.requests).toHaveLength(pages + 1);
    expect(server.requests.every((r) => r.userAgent?.startsWith('arxiv-radar/'))).toBe(true);

    const ingest = (await env.db.taskRun.findFirstOrThrow({ where: { pipelineRunId: night.id, stage: 'ingest', status: 'succeeded' } })).output as unknown as IngestOutput;
    expect(ingest).toMatchObject({ fetched: dayPapers.length, newOnDate: dayPapers.length, complete: true, duplicates: 0, rejected: 0, stats: { pages, requests: pages + 1, retries: 1 } });
    expect(ingest.raw).toHaveLength(pages);
    expect(ingest.raw[0]).toMatchObject({ name: `arxiv/${D}/page-0001.xml`, mediaType: 'application/atom+xml' });
    // arXiv's version 2 replaced the sample's version 1; authors came with it.
    const stored = await env.db.paper.findMany({ where: { id: { in: dayPapers.map((p) => p.id) } } });
    expect(stored).toHaveLength(dayPapers.length);
    for (const p of stored) {
      expect(p).toMatchObject({ version: 2, source: 'arxiv', authors: [{ name: 'Ada Lovelace', affiliations: ['Analytical Engines Ltd'] }] });
      expect(p.topic).toBeTruthy();
    }

    const before = server.requests.length;
    const replay = await waitForNight(env.db, (await fleet.start({ logicalDate: D, source: `replay:${night.id}`, trigger: 'manual' })).pipelineRunId);
    expect(replay.status).toBe('succeeded');
    expect(server.requests).toHaveLength(before);
    const again = (await env.db.taskRun.findFirstOrThrow({ where: { pipelineRunId: replay.id, stage: 'ingest', status: 'succeeded' } })).output as unknown as IngestOutput;
    expect(again).toMatchObject({ fetched: ingest.fetched, newOnDate: ingest.newOnDate, upserted: 0 });
    // Same input, same training data: the replay reuses the night's snapshot.
    const snaps = await env.db.datasetSnapshot.findMany({ where: { asOf: new Date(`${D}T00:00:00Z`) } });
    expect(snaps).toHaveLength(1);
  });
});
