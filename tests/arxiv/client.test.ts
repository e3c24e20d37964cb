import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, test as base } from 'vitest';
import { ArxivClient, type ArxivClientOptions } from '../../core/arxiv/client.ts';
import { ArxivHttpError, ArxivQueryError, ArxivUnavailableError, MalformedFeedError } from '../../core/arxiv/errors.ts';
import type { ArxivLog } from '../../core/arxiv/log.ts';
import { parseAtomFeed } from '../../core/arxiv/parse-atom.ts';
import { LocalRateGate, RedisRateGate } from '../../core/arxiv/rate-gate.ts';
import {
  arrivalGaps,
  readAtomFixture,
  recordingGate,
  renderAtomEntry,
  renderAtomFeed,
  startReplayServer,
  type RecordedRequest,
  type ReplayServer,
  type SyntheticEntry,
} from '../helpers/arxiv-replay-server.ts';

const INTERVAL = 100;
const USER_AGENT = 'arxiv-radar-tests/0.1 (+https://example.org/arxiv-radar; mailto:radar@example.org)';
const TESTING = { searchQuery: 'all:testing' };

interface LogLine {
  level: 'debug' | 'info' | 'warn';
  message: string;
  meta?: Record<string, unknown>;
}

const test = base.extend<{
  server: ReplayServer;
  logs: LogLine[];
  grants: number[];
  client: (o?: Partial<ArxivClientOptions>) => ArxivClient;
}>({
  // eslint-disable-next-line no-empty-pattern
  server: async ({}, use) => {
    // Warm: arrivals then measure the rate gate, not connection set-up (see the option).
    const server = await startReplayServer({ warmUp: true });
    await use(server);
    await server.close();
  },
  // eslint-disable-next-line no-empty-pattern
  logs: async ({}, use) => {
    await use([]);
  },
  // eslint-disable-next-line no-empty-pattern
  grants: async ({}, use) => {
    await use([]);
  },
  client: async ({ server, logs, grants }, use) => {
    const log: ArxivLog = {
      debug: (message, meta) => void logs.push({ level: 'debug', message, meta }),
      info: (message, meta) => void logs.push({ level: 'info', message, meta }),
      warn: (message, meta) => void logs.push({ level: 'warn', message, meta }),
    };
    await use(
      (overrides = {}) =>
        new ArxivClient({
          baseUrl: server.atomUrl,
          userAgent: USER_AGENT,
          pageSize: 10,
          maxRetries: 3,
          timeoutMs: 2_000,
          backoff: { baseMs: 20, maxMs: 200 },
          random: () => 0.5,
          log,
          ...overrides,
          rateGate: recordingGate(overrides.rateGate ?? new LocalRateGate(INTERVAL), grants),
        }),
    );
  },
});

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const RATE_KEY = `arxiv-radar-test:client:${randomUUID()}`;
afterAll(async () => {
  await redis.del(RATE_KEY);
  redis.disconnect();
});

const starts = (requests: RecordedRequest[]) => requests.map((r) => Number(r.query.start));
const statuses = (requests: RecordedRequest[]) => requests.map((r) => r.status);
/**
 * Every request took a turn of the gate, turns were at least `atLeast` apart by the gate's clock,
 * and the server saw the spacing. Arrivals are checked loosely: on two shared cores a request can
 * leave a few ms (rarely tens of ms) after its turn; without the gate they would be ~1 ms apart.
 */
function expectSpaced(requests: RecordedRequest[], grants: number[], atLeast = INTERVAL) {
  expect(grants).toHaveLength(requests.length);
  for (const gap of arrivalGaps(grants.map((at) => ({ at }) as RecordedRequest))) expect(gap).toBeGreaterThanOrEqual(atLeast);
  for (const gap of arrivalGaps(requests)) expect(gap).toBeGreaterThanOrEqual(atLeast * 0.75);
}

/** Serves a synthetic result set of `entries` for any query, paged by start/max_results. */
function serveList(entries: SyntheticEntry[], totalFor: (start: number) => number = () => entries.length) {
  return (request: RecordedRequest) => {
    if (request.path !== '/api/query') return undefined;
    const start = Number(request.query.start ?? 0);
    const max = Number(request.query.max_results ?? 10);
    return {
      body: renderAtomFeed({
        totalResults: totalFor(start),
        startIndex: start,
        itemsPerPage: max,
        entries: entries.slice(start, start + max).map(renderAtomEntry),
      }),
    };
  };
}

function syntheticServer(entries: SyntheticEntry[], totalFor?: (start: number) => number): Promise<ReplayServer> {
  return startReplayServer({ handler: serveList(entries, totalFor) });
}

const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => ({ id: `2401.${String(from + i).padStart(5, '0')}` }));

describe('ArxivClient paging', () => {
  test('pages a search in order through the shared Redis gate, one request per interval, with its User-Agent', async ({ server, client, grants }) => {
    const arxiv = client({ rateGate: new RedisRateGate(redis, { key: RATE_KEY, intervalMs: INTERVAL }) });
    const result = await arxiv.fetchAll(TESTING, { max: 60 });

    expect(server.requests.map((r) => [r.query.search_query, r.query.start, r.query.max_results])).toEqual(
      [0, 10, 20, 30, 40, 50].map((s) => ['all:testing', String(s), '10']),
    );
    expect(statuses(server.requests)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(server.requests.every((r) => r.userAgent === USER_AGENT)).toBe(true);
    expectSpaced(server.requests, grants);
    expect(result).toMatchObject({ pages: 6, requests: 6, retries: 0, duplicates: 0, totalResults: 214_881, complete: true, warnings: [], rejected: [] });
    // Six pages of ten are the first sixty of the one-page recording of the same search.
    const oneBigPage = parseAtomFeed(readAtomFixture('q_testing_s0_m100')).papers.slice(0, 60);
    expect(result.papers.map((p) => p.id)).toEqual(oneBigPage.map((p) => p.id));
    expect(result.papers[25]).toEqual(oneBigPage[25]);
  });

  test('two clients on two Redis connections (two workers) share the 1-per-interval budget', async ({ server, client, grants }) => {
    const second = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const gateA = new RedisRateGate(redis, { key: `${RATE_KEY}:shared`, intervalMs: INTERVAL });
      const gateB = new RedisRateGate(second, { key: `${RATE_KEY}:shared`, intervalMs: INTERVAL });
      const [search, lookups] = await Promise.all([
        client({ rateGate: gateA }).fetchAll(TESTING, { max: 40 }),
        (async () => {
          const b = client({ rateGate: gateB, pageSize: 100 });
          const found = [];
          for (const id of ['1605.08386', '1707.08567', '2104.12255v1', 'astro-ph/0601001']) found.push(...(await b.fetchAll({ idList: [id] })).papers);
          return found;
        })(),
      ]);
      expect(search.papers).toHaveLength(40);
      expect(lookups.map((p) => p.id)).toEqual(['1605.08386', '1707.08567', '2104.12255', 'astro-ph/0601001']);
      expect(server.requests).toHaveLength(8);
      // Both clients' requests interleave, yet the server sees one per interval overall.
      const byClient = server.requests.map((r) => (r.query.id_list ? 'B' : 'A')).join('');
      expect(byClient).toMatch(/AB|BA/);
      grants.sort((x, y) => x - y);
      expectSpaced(server.requests, grants);
    } finally {
      await redis.del(`${RATE_KEY}:shared`);
      second.disconnect();
    }
  });

  test('pages() yields pages as they come and returns a summary', async ({ client }) => {
    const server = await syntheticServer(ids(40));
    try {
      const pages = client({ baseUrl: server.atomUrl }).pages(TESTING, { max: 25 });
      const seen: [number, number, number][] = [];
      let step = await pages.next();
      while (!step.done) {
        seen.push([step.value.start, step.value.requested, step.value.papers.length]);
        step = await pages.next();
      }
      // The last page is shortened to what `max` still allows.
      expect(seen).toEqual([
        [0, 10, 10],
        [10, 10, 10],
        [20, 5, 5],
      ]);
      expect(server.requests.map((r) => r.query.max_results)).toEqual(['10', '10', '5']);
      expect(step.value).toMatchObject({ pages: 3, requests: 3, retries: 0, totalResults: 40, complete: true });
    } finally {
      await server.close();
    }
  });

  test('an id list is sent as one comma-separated id_list', async ({ server, client }) => {
    const result = await client({ pageSize: 100 }).fetchAll({ idList: ['0808.05394', '1707.08567'] });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.query).toMatchObject({ id_list: '0808.05394,1707.08567', search_query: '', start: '0', max_results: '100' });
    expect(result.papers.map((p) => p.id)).toEqual(['1707.08567']);
    expect(result.totalResults).toBe(1);
  });

  test('an empty result set is one request and no papers', async ({ server, client }) => {
    const result = await client({ pageSize: 100 }).fetchAll({ idList: ['0000.0000'] });
    expect(server.requests).toHaveLength(1);
    expect(result).toMatchObject({ papers: [], pages: 0, totalResults: 0, complete: true, warnings: [] });
  });
});

describe('ArxivClient retries', () => {
  test('503 then success: one retry, spaced by the gate', async ({ server, client, grants }) => {
    server.setFaults([{ status: 503 }]);
    const result = await client({ pageSize: 100 }).fetchAll({ idList: ['1605.08386'] });
    expect(statuses(server.requests)).toEqual([503, 200]);
    expect(result).toMatchObject({ requests: 2, retries: 1 });
    expect(result.papers.map((p) => p.id)).toEqual(['1605.08386']);
    expectSpaced(server.requests, grants);
  });

  test('429 with Retry-After waits as long as asked', async ({ server, client, grants }) => {
    server.setFaults([{ status: 429, retryAfter: 1 }]);
    const result = await client({ pageSize: 100 }).fetchAll({ idList: ['1605.08386'] });
    expect(statuses(server.requests)).toEqual([429, 200]);
    expect(result.retries).toBe(1);
    expectSpaced(server.requests, grants, 1_000);
  });

  test('a timeout is retried', async ({ server, client }) => {
    server.setFaults([{ delayMs: 1_500 }]);
    const started = performance.now();
    const result = await client({ pageSize: 100, timeoutMs: 300 }).fetchAll({ idList: ['1605.08386'] });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.status).toBeNull(); // the client hung up before the answer
    expect(server.requests[1]!.status).toBe(200);
    expect(result).toMatchObject({ requests: 2, retries: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    expect(result.papers).toHaveLength(1);
  });

  test('a connection reset mid-body is retried', async ({ server, client }) => {
    server.setFaults([{ destroy: true }]);
    const result = await client({ pageSize: 100 }).fetchAll({ idList: ['1605.08386'] });
    expect(server.requests).toHaveLength(2);
    expect(result).toMatchObject({ requests: 2, retries: 1 });
    expect(result.papers).toHaveLength(1);
  });

  test('truncated XML is retried, and succeeds when the next answer is whole', async ({ server, client, logs }) => {
    server.setFaults([{ truncate: true }]);
    const result = await client().fetchAll(TESTING, { max: 20 });
    expect(starts(server.requests)).toEqual([0, 0, 10]);
    expect(result).toMatchObject({ requests: 3, retries: 1, pages: 2 });
    expect(result.papers).toHaveLength(20);
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.meta?.reason)).toEqual([expect.stringMatching(/not well-formed XML/)]);
  });

  test('XML that stays truncated becomes a permanent MalformedFeedError after the bounded retries', async ({ server, client, grants }) => {
    server.addRule({ match: { start: '0' }, fault: { truncate: 3_000 } });
    const error = await client({ malformedRetries: 2 }).fetchAll(TESTING, { max: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedFeedError);
    expect((error as MalformedFeedError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/still unreadable after 3 attempts/);
    expect(server.requests).toHaveLength(3);
    expectSpaced(server.requests, grants);
  });

  test('retries are bounded: persistent 5xx ends in a retryable ArxivUnavailableError', async ({ server, client }) => {
    server.addRule({ match: () => true, fault: { status: 502 } });
    const error = await client({ maxRetries: 2 }).fetchAll(TESTING, { max: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArxivUnavailableError);
    expect((error as ArxivUnavailableError).retryable).toBe(true);
    expect((error as ArxivUnavailableError).attempts).toBe(3);
    expect((error as Error).message).toMatch(/gave up after 3 attempts: HTTP 502/);
    expect(server.requests).toHaveLength(3);
  });

  test('a Retry-After beyond the allowed wait fails at once, carrying the wait', async ({ server, client }) => {
    server.setFaults([{ status: 503, retryAfter: 3_600 }]);
    const error = await client({ maxRetryAfterMs: 60_000 }).fetchAll(TESTING, { max: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArxivUnavailableError);
    expect((error as ArxivUnavailableError).retryAfterMs).toBe(3_600_000);
    expect(server.requests).toHaveLength(1);
  });

  test('an abort stops a retry wait at once', async ({ server, client }) => {
    server.setFaults([{ status: 429, retryAfter: 30 }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('worker shutting down')), 200);
    const started = performance.now();
    await expect(client().fetchAll(TESTING, { max: 10, signal: controller.signal })).rejects.toThrow('worker shutting down');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(server.requests).toHaveLength(1);
  });
});

describe('ArxivClient permanent errors', () => {
  test('the error feed (HTTP 400) is an ArxivQueryError naming the query, never retried', async ({ server, client }) => {
    const error = await client({ pageSize: 100 }).fetchAll({ idList: ['abc'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArxivQueryError);
    expect((error as ArxivQueryError).retryable).toBe(false);
    expect((error as Error).message).toBe('arXiv rejected the query id_list=abc: incorrect id format for abc');
    expect((error as ArxivQueryError).status).toBe(400);
    expect(server.requests).toHaveLength(1);
  });

  test('the error feed is recognised with HTTP 200 too', async ({ server, client }) => {
    server.setFaults([{ fixture: 'id_abc', status: 200 }]);
    await expect(client({ pageSize: 100 }).fetchAll({ idList: ['1605.08386'] })).rejects.toBeInstanceOf(ArxivQueryError);
    expect(server.requests).toHaveLength(1);
  });

  test('a bare HTTP 400 is an ArxivQueryError; a 404 is a permanent ArxivHttpError', async ({ server, client }) => {
    server.setFaults([{ status: 400, body: 'bad request' }]);
    await expect(client().fetchAll(TESTING, { max: 10 })).rejects.toThrow(/arXiv rejected the query search_query=all:testing: HTTP 400: bad request/);
    const error = await client().fetchAll({ searchQuery: 'all:nobody-recorded-this' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArxivHttpError);
    expect((error as ArxivHttpError).status).toBe(404);
    expect((error as ArxivHttpError).retryable).toBe(false);
    expect(server.requests).toHaveLength(2);
  });

  test('configuration errors are caught at construction', ({ client }) => {
    expect(() => client({ pageSize: 2_001 })).toThrow(/pageSize/);
    expect(() => client({ pageSize: 0 })).toThrow(/pageSize/);
    expect(() => client({ userAgent: ' ' })).toThrow(/userAgent/);
  });
});

describe('ArxivClient quirks of the API', () => {
  test('an empty page in the middle of the result set is asked again', async ({ server, client, logs, grants }) => {
    server.addRule({ match: { start: '20' }, fault: { empty: true }, times: 1 });
    const result = await client().fetchAll(TESTING, { max: 40 });
    expect(starts(server.requests)).toEqual([0, 10, 20, 20, 30]);
    expect(result).toMatchObject({ pages: 4, requests: 5, retries: 1, complete: true, warnings: [] });
    expect(result.papers).toHaveLength(40);
    expect(logs.some((l) => l.level === 'warn' && /empty page inside the result set/.test(l.message))).toBe(true);
    expectSpaced(server.requests, grants);
  });

  test('a page that stays empty is skipped with a warning, and the result says it is incomplete', async ({ client }) => {
    const server = await syntheticServer(ids(30));
    try {
      server.addRule({ match: { start: '10' }, fault: { empty: true } });
      const result = await client({ baseUrl: server.atomUrl, emptyPageRetries: 2 }).fetchAll(TESTING);
      expect(starts(server.requests)).toEqual([0, 10, 10, 10, 20]);
      expect(result.papers.map((p) => p.id)).toEqual([...ids(10, 1), ...ids(10, 21)].map((e) => e.id));
      expect(result.complete).toBe(false);
      expect(result.warnings).toEqual(['search_query=all:testing: entries 10..19 stayed empty after 2 retries; skipped']);
    } finally {
      await server.close();
    }
  });

  test('totalResults shrinking between pages is followed: paging ends at the new total', async ({ server, client, logs }) => {
    server.addRule({ match: (r) => Number(r.query.start) >= 20, fault: { totalResults: 40 } });
    const result = await client().fetchAll(TESTING);
    expect(starts(server.requests)).toEqual([0, 10, 20, 30]);
    expect(result).toMatchObject({ totalResults: 40, pages: 4, complete: true });
    expect(result.papers).toHaveLength(40);
    expect(logs.find((l) => /totalResults changed/.test(l.message))?.meta).toMatchObject({ start: 20, from: 214_881, to: 40 });
  });

  test('totalResults growing between pages is followed too', async ({ client }) => {
    // 25 results at first; from the second page on arXiv knows of 35.
    const server = await syntheticServer(ids(35), (start) => (start === 0 ? 25 : 35));
    try {
      const result = await client({ baseUrl: server.atomUrl }).fetchAll(TESTING);
      expect(starts(server.requests)).toEqual([0, 10, 20, 30]);
      expect(result.papers).toHaveLength(35);
      expect(result.totalResults).toBe(35);
    } finally {
      await server.close();
    }
  });

  test('entries repeated across pages (results shifted) are kept once', async ({ server, client }) => {
    // The page at start=10 comes back shifted by five, as when papers are added while paging.
    server.addRule({ match: { start: '10' }, fault: { fixture: 'q_testing_s5_m10' } });
    const result = await client().fetchAll(TESTING, { max: 30 });
    expect(starts(server.requests)).toEqual([0, 10, 20]);
    expect(result.duplicates).toBe(5);
    expect(result.papers).toHaveLength(25);
    expect(new Set(result.papers.map((p) => p.id)).size).toBe(25);
  });

  test('a repeated id keeps the highest version', async ({ client }) => {
    const entries: SyntheticEntry[] = [{ id: '2401.00001v1' }, { id: '2401.00002v3', title: 'v3' }, { id: '2401.00002v2', title: 'v2' }, { id: '2401.00001v4', title: 'v4' }];
    const server = await syntheticServer(entries);
    try {
      const result = await client({ baseUrl: server.atomUrl, pageSize: 2 }).fetchAll(TESTING);
      expect(result.papers.map((p) => [p.id, p.version, p.title])).toEqual([
        ['2401.00001', 4, 'v4'],
        ['2401.00002', 3, 'v3'],
      ]);
      expect(result.duplicates).toBe(2);
    } finally {
      await server.close();
    }
  });

  test('rejected entries are reported and the rest of the page kept', async ({ client }) => {
    const server = await startReplayServer({
      handler: () => ({
        body: renderAtomFeed({
          totalResults: 2,
          startIndex: 0,
          itemsPerPage: 10,
          entries: [renderAtomEntry({ id: '2401.00001' }), renderAtomEntry({ id: '2401.00002' }).replace(/<title>.*<\/title>/, '')],
        }),
      }),
    });
    try {
      const result = await client({ baseUrl: server.atomUrl }).fetchAll(TESTING);
      expect(result.papers.map((p) => p.id)).toEqual(['2401.00001']);
      expect(result.rejected).toEqual([{ index: 1, id: '2401.00002', reason: 'missing or empty <title>' }]);
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

/** Windows of 12 hours or more claim 40,000 results; shorter ones have three papers each. */
function overTheCapUnder12Hours(request: RecordedRequest) {
  const m = /submittedDate:\[(\d{12}) TO (\d{12})\]/.exec(request.query.search_query ?? '');
  if (!m) return undefined;
  const toDate = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12));
  const minutes = (toDate(m[2]!) - toDate(m[1]!)) / 60_000 + 1;
  const total = minutes >= 720 ? 40_000 : 3;
  const entries = minutes >= 720 ? [] : [0, 1, 2].map((i) => renderAtomEntry({ id: `2401.${m[1]!.slice(8, 12)}${i}` }));
  return { body: renderAtomFeed({ totalResults: total, startIndex: 0, itemsPerPage: 2000, entries }) };
}

describe('ArxivClient.fetchWindow', () => {
  test('a logical date is one query over its UTC day, sorted by submission date', async ({ client }) => {
    const server = await syntheticServer(ids(3));
    try {
      const result = await client({ baseUrl: server.atomUrl, pageSize: 500 }).fetchWindow({
        categories: ['cs.LG', 'stat.ML'],
        day: '2024-01-02',
      });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]!.query).toEqual({
        search_query: '(cat:cs.LG OR cat:stat.ML) AND submittedDate:[202401020000 TO 202401022359]',
        id_list: '',
        sortBy: 'submittedDate',
        sortOrder: 'ascending',
        start: '0',
        max_results: '500',
      });
      expect(result).toMatchObject({ totalResults: 3, pages: 1, requests: 1, complete: true });
      expect(result.windows).toEqual([
        {
          from: '2024-01-02T00:00:00.000Z',
          to: '2024-01-03T00:00:00.000Z',
          query: '(cat:cs.LG OR cat:stat.ML) AND submittedDate:[202401020000 TO 202401022359]',
          totalResults: 3,
        },
      ]);
    } finally {
      await server.close();
    }
  });

  test('a window over the 30,000 cap is split in halves until each part fits', async ({ client, logs }) => {
    const server = await startReplayServer({ handler: overTheCapUnder12Hours });
    try {
      const result = await client({ baseUrl: server.atomUrl, pageSize: 2_000, rateGate: new LocalRateGate(10) }).fetchWindow({
        categories: ['cs.LG'],
        day: '2024-01-02',
      });
      const ranges = server.requests.map((r) => /submittedDate:\[(.*)\]/.exec(r.query.search_query!)![1]);
      expect(ranges).toEqual([
        '202401020000 TO 202401022359', // the day: over the cap
        '202401020000 TO 202401021159', // first half: still over
        '202401020000 TO 202401020559',
        '202401020600 TO 202401021159',
        '202401021200 TO 202401022359', // second half: still over
        '202401021200 TO 202401021759',
        '202401021800 TO 202401022359',
      ]);
      expect(result.windows.map((w) => [w.from.slice(11, 16), w.to.slice(11, 16), w.totalResults])).toEqual([
        ['00:00', '06:00', 3],
        ['06:00', '12:00', 3],
        ['12:00', '18:00', 3],
        ['18:00', '00:00', 3],
      ]);
      expect(result).toMatchObject({ totalResults: 12, requests: 7, pages: 4, complete: true });
      expect(result.papers).toHaveLength(12);
      expect(logs.filter((l) => /splitting/.test(l.message))).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  test('windowPages() streams the pages tagged with their window, raw body included', async ({ client }) => {
    const server = await startReplayServer({ handler: overTheCapUnder12Hours });
    try {
      const pages = client({ baseUrl: server.atomUrl, pageSize: 2_000, rateGate: new LocalRateGate(10) }).windowPages({
        categories: ['cs.LG'],
        from: new Date('2024-01-02T00:00:00Z'),
        to: new Date('2024-01-03T00:00:00Z'),
      });
      const seen: string[] = [];
      let step = await pages.next();
      while (!step.done) {
        const page = step.value;
        expect(parseAtomFeed(page.body).papers.map((p) => p.id)).toEqual(page.papers.map((p) => p.id));
        seen.push(`${page.window.from.slice(11, 16)}-${page.window.to.slice(11, 16)}:${page.papers.length}`);
        step = await pages.next();
      }
      expect(seen).toEqual(['00:00-06:00:3', '06:00-12:00:3', '12:00-18:00:3', '18:00-00:00:3']);
      expect(step.value).toMatchObject({ totalResults: 12, pages: 4, requests: 7, complete: true });
      expect(step.value.windows).toHaveLength(4);
    } finally {
      await server.close();
    }
  });

  test('bad input is refused before any request', async ({ server, client }) => {
    await expect(client().fetchWindow({ categories: ['cs.LG OR all:x'], day: '2024-01-02' })).rejects.toThrow(RangeError);
    await expect(client().fetchWindow({ categories: ['cs.LG'], day: '2024-13-01' })).rejects.toThrow(RangeError);
    await expect(client().fetchWindow({ categories: ['cs.LG'] })).rejects.toThrow(RangeError);
    expect(server.requests).toHaveLength(0);
  });
});
