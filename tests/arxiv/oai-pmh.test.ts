import { readFileSync } from 'node:fs';
import { describe, expect, test as base } from 'vitest';
import { ArxivHttpError, MalformedFeedError, OaiPmhError } from '../../core/arxiv/errors.ts';
import { OaiPmhHarvester, type OaiPmhHarvesterOptions } from '../../core/arxiv/oai-pmh.ts';
import { parseOaiListRecords } from '../../core/arxiv/parse-oai.ts';
import { LocalRateGate } from '../../core/arxiv/rate-gate.ts';
import {
  OAI_FIXTURES_DIR,
  arrivalGaps,
  recordingGate,
  startReplayServer,
  type ReplayServer,
} from '../helpers/arxiv-replay-server.ts';

const INTERVAL = 100;
const USER_AGENT = 'arxiv-radar-tests/0.1 (+https://example.org/arxiv-radar; mailto:radar@example.org)';
const fixture = (name: string) => readFileSync(OAI_FIXTURES_DIR + name, 'utf8');
const CS_DAY = { from: '2024-05-22', until: '2024-05-23', set: 'cs' };

const test = base.extend<{ server: ReplayServer; grants: number[]; harvester: (o?: Partial<OaiPmhHarvesterOptions>) => OaiPmhHarvester }>({
  // eslint-disable-next-line no-empty-pattern
  server: async ({}, use) => {
    // Warm: arrivals then measure the rate gate, not connection set-up (see the option).
    const server = await startReplayServer({ warmUp: true });
    await use(server);
    await server.close();
  },
  // eslint-disable-next-line no-empty-pattern
  grants: async ({}, use) => {
    await use([]);
  },
  harvester: async ({ server, grants }, use) => {
    await use(
      (overrides = {}) =>
        new OaiPmhHarvester({
          baseUrl: server.oaiUrl,
          userAgent: USER_AGENT,
          maxRetries: 3,
          timeoutMs: 2_000,
          backoff: { baseMs: 20, maxMs: 200 },
          random: () => 0.5,
          ...overrides,
          rateGate: recordingGate(overrides.rateGate ?? new LocalRateGate(INTERVAL), grants),
        }),
    );
  },
});

describe('parseOaiListRecords', () => {
  test('maps arXiv-format records onto SourcePaper, exactly', () => {
    const page = parseOaiListRecords(fixture('list-records-cs-2024-05-22-page1.xml'));
    expect(page.resumptionToken).toBe('6894157|1001');
    expect(page.completeListSize).toBe(5);
    expect(page.cursor).toBe(0);
    expect(page.rejected).toEqual([]);
    expect(page.headers).toEqual([
      { id: '2405.13786', datestamp: '2024-05-23', sets: ['cs'], deleted: false },
      { id: '2202.12139', datestamp: '2024-05-22', sets: ['cs'], deleted: false },
      { id: '2405.00001', datestamp: '2024-05-23', sets: ['cs'], deleted: true },
    ]);
    expect(page.papers).toHaveLength(2);
    const [tcp, dl] = page.papers;
    expect(tcp).toMatchObject({
      id: '2405.13786',
      version: 1,
      title: 'Towards Explainable Test Case Prioritisation with Learning-to-Rank Models',
      authors: [
        { name: 'Aurora Ramírez', affiliations: [] },
        { name: 'Mario Berrios', affiliations: [] },
        { name: 'José Raúl Romero', affiliations: [] },
        { name: 'Robert Feldt', affiliations: [] },
      ],
      primaryCategory: 'cs.SE',
      categories: ['cs.SE', 'cs.AI'],
      published: '2024-05-22T00:00:00.000Z',
      updated: '2024-05-22T00:00:00.000Z',
      doi: '10.1109/ICSTW58534.2023.00023',
      journalRef: 'Proc. 2023 IEEE International Conference on Software Testing, Verification and Validation Workshops (ICSTW), pp. 66-69',
      comment:
        '3rd International Workshop on Artificial Intelligence in Software Testing (AIST) - International Conference on Software Testing and Validation (ICST)',
      links: [{ href: 'https://arxiv.org/abs/2405.13786', rel: 'alternate', type: 'text/html' }],
    });
    // Wrapped at 80 columns in the response, one line here.
    expect(tcp!.abstract.startsWith('Test case prioritisation (TCP) is a critical task in regression testing to ensure quality')).toBe(true);
    expect(tcp!.abstract).not.toMatch(/\n| {2}/);
    expect(dl).toMatchObject({ id: '2202.12139', published: '2022-02-24T00:00:00.000Z', updated: '2024-05-22T00:00:00.000Z', categories: ['cs.SE', 'cs.LG'] });
  });

  test('the same paper reads the same from OAI-PMH and from the Atom API (dates aside)', () => {
    const oai = parseOaiListRecords(fixture('list-records-cs-2024-05-22-page1.xml')).papers[0]!;
    const atom = {
      title: 'Towards Explainable Test Case Prioritisation with Learning-to-Rank Models',
      authors: ['Aurora Ramírez', 'Mario Berrios', 'José Raúl Romero', 'Robert Feldt'],
    };
    expect(oai.title).toBe(atom.title);
    expect(oai.authors.map((a) => a.name)).toEqual(atom.authors);
  });

  test('affiliations, old-style ids and the last page of a list', () => {
    const astro = parseOaiListRecords(fixture('list-records-astro-ph-2006-01-02.xml'));
    expect(astro.resumptionToken).toBeNull();
    expect(astro.papers[0]).toMatchObject({
      id: 'astro-ph/0601001',
      primaryCategory: 'astro-ph',
      journalRef: 'ActaAstron.56:1-50,2006',
      authors: [
        { name: 'Andrew Gould', affiliations: ['Ohio State'] },
        { name: 'Susan Dorsher', affiliations: ['Ohio State'] },
        { name: 'B. Scott Gaudi', affiliations: ['CfA'] },
        { name: 'Andrzej Udalski', affiliations: ['Warsaw University Observatory'] },
      ],
    });
    expect(astro.papers[0]!.abstract).toContain('following Gould & Morgan (2003)');
    const last = parseOaiListRecords(fixture('list-records-cs-2024-05-22-page2.xml'));
    expect(last).toMatchObject({ resumptionToken: null, completeListSize: 5, cursor: 3 });
    expect(last.papers.map((p) => [p.id, p.title])).toEqual([
      ['cs/0503050', 'Systematic Method for Path-Complete White Box Testing'],
      ['2104.12255', '0'],
    ]);
  });

  test('noRecordsMatch is an empty result; other protocol errors throw', () => {
    expect(parseOaiListRecords(fixture('no-records-match.xml'))).toEqual({
      papers: [],
      headers: [],
      rejected: [],
      resumptionToken: null,
      completeListSize: null,
      cursor: null,
    });
    const error = (() => {
      try {
        parseOaiListRecords(fixture('bad-resumption-token.xml'), { request: 'resumptionToken=6894156|2001' });
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(OaiPmhError);
    expect(error).toMatchObject({ code: 'badResumptionToken', retryable: true });
    expect((error as Error).message).toBe(
      'OAI-PMH error badResumptionToken for resumptionToken=6894156|2001: The value of the resumptionToken argument is invalid or expired',
    );
    const badArgument = fixture('no-records-match.xml').replace('code="noRecordsMatch"', 'code="badArgument"');
    expect(() => parseOaiListRecords(badArgument)).toThrow(expect.objectContaining({ code: 'badArgument', retryable: false }));
  });

  test('a record missing a required field is rejected; suffixes join the name', () => {
    const xml = fixture('list-records-astro-ph-2006-01-02.xml')
      .replace('<keyname>Gould</keyname><forenames>Andrew</forenames>', '<keyname>Gould</keyname><forenames>Andrew</forenames><suffix>Jr</suffix>')
      .replace('</ListRecords>', `<record><header><identifier>oai:arXiv.org:0704.0001</identifier><datestamp>2008-11-13</datestamp></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>0704.0001</id><created>2007-04-02</created><authors><author><keyname>Balázs</keyname><forenames>C.</forenames></author></authors><title>Calculation of prompt diphoton production cross sections</title><categories>hep-ph</categories></arXiv></metadata></record>
</ListRecords>`);
    const page = parseOaiListRecords(xml);
    expect(page.papers.map((p) => p.id)).toEqual(['astro-ph/0601001']);
    expect(page.papers[0]!.authors[0]!.name).toBe('Andrew Gould Jr');
    expect(page.rejected).toEqual([{ index: 1, id: '0704.0001', reason: 'missing or empty <abstract>' }]);
  });

  test('truncated responses are malformed (retryable)', () => {
    const xml = fixture('list-records-cs-2024-05-22-page1.xml');
    expect(() => parseOaiListRecords(xml.slice(0, 1500))).toThrow(MalformedFeedError);
  });
});

describe('OaiPmhHarvester', () => {
  test('harvests a set and a date range by resumption token', async ({ server, harvester, grants }) => {
    const result = await harvester().harvest(CS_DAY);
    expect(server.requests.map((r) => r.query)).toEqual([
      { verb: 'ListRecords', metadataPrefix: 'arXiv', from: '2024-05-22', until: '2024-05-23', set: 'cs' },
      // A resumption token is exclusive: nothing else is sent with it.
      { verb: 'ListRecords', resumptionToken: '6894157|1001' },
    ]);
    expect(server.requests.every((r) => r.userAgent === USER_AGENT)).toBe(true);
    expect(result.papers.map((p) => p.id)).toEqual(['2405.13786', '2202.12139', 'cs/0503050', '2104.12255']);
    expect(result.deleted.map((h) => h.id)).toEqual(['2405.00001']);
    expect(result.headers).toHaveLength(5);
    expect(result).toMatchObject({ pages: 2, requests: 2, retries: 0, resumptionToken: null, rejected: [] });
    // Every request took a turn; turns are an interval apart; the server saw the spacing (loosely:
    // on shared cores a request can leave a few ms after its turn).
    expect(grants).toHaveLength(2);
    expect(grants[1]! - grants[0]!).toBeGreaterThanOrEqual(INTERVAL);
    for (const gap of arrivalGaps(server.requests)) expect(gap).toBeGreaterThanOrEqual(INTERVAL * 0.75);
  });

  test('503 with Retry-After (flow control) waits as asked and carries on', async ({ server, harvester }) => {
    server.addRule({ match: { resumptionToken: '6894157|1001' }, fault: { status: 503, retryAfter: 1 }, times: 1 });
    const result = await harvester().harvest(CS_DAY);
    expect(server.requests.map((r) => [r.query.resumptionToken ?? 'first', r.status])).toEqual([
      ['first', 200],
      ['6894157|1001', 503],
      ['6894157|1001', 200],
    ]);
    expect(arrivalGaps(server.requests)[1]).toBeGreaterThanOrEqual(1_000);
    expect(result).toMatchObject({ pages: 2, requests: 3, retries: 1 });
    expect(result.papers).toHaveLength(4);
  });

  test('a truncated page is fetched again', async ({ server, harvester }) => {
    server.setFaults([{ truncate: true }]);
    const result = await harvester().harvest(CS_DAY);
    expect(server.requests).toHaveLength(3);
    expect(result.papers).toHaveLength(4);
  });

  test('noRecordsMatch is an empty harvest in one request', async ({ server, harvester }) => {
    const result = await harvester().harvest({ from: '2030-01-01', until: '2030-01-01', set: 'cs' });
    expect(result).toMatchObject({ papers: [], deleted: [], pages: 1, requests: 1, resumptionToken: null });
    expect(server.requests).toHaveLength(1);
  });

  test('an expired token is a retryable OaiPmhError (the cure is to start over)', async ({ server, harvester }) => {
    const error = await harvester().harvest({ resumptionToken: '6894156|2001' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OaiPmhError);
    expect(error).toMatchObject({ code: 'badResumptionToken', retryable: true });
    expect(server.requests).toHaveLength(1);
  });

  test('pages() can stop early and hands back the token to resume from', async ({ server, harvester }) => {
    const pages = harvester().pages(CS_DAY, { maxPages: 1 });
    const first = await pages.next();
    expect(first.done).toBe(false);
    const end = await pages.next();
    expect(end).toEqual({ done: true, value: { pages: 1, requests: 1, retries: 0, resumptionToken: '6894157|1001' } });
    const rest = await harvester().harvest({ resumptionToken: end.value!.resumptionToken! });
    expect(rest.papers.map((p) => p.id)).toEqual(['cs/0503050', '2104.12255']);
    expect(server.requests).toHaveLength(2);
  });

  test('a repeated resumption token stops the harvest instead of looping', async ({ server, harvester }) => {
    server.addRule({ match: { resumptionToken: '6894157|1001' }, fault: { fixture: 'list-records-cs-2024-05-22-page1.xml' } });
    const error = await harvester().harvest(CS_DAY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedFeedError);
    expect((error as Error).message).toMatch(/repeated/);
    expect(server.requests).toHaveLength(2);
  });

  test('bad arguments are refused before any request; unknown paths are permanent HTTP errors', async ({ server, harvester }) => {
    await expect(harvester().harvest({ from: '22 May 2024' })).rejects.toThrow(RangeError);
    await expect(harvester().harvest({ until: '2024-02-30' })).rejects.toThrow(/until must be YYYY-MM-DD/);
    await expect(harvester().harvest({ set: 'cs&verb=Identify' })).rejects.toThrow(RangeError);
    expect(server.requests).toHaveLength(0);
    const error = await harvester({ baseUrl: `${server.url}/nowhere` }).harvest(CS_DAY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArxivHttpError);
    expect(error).toMatchObject({ status: 404, retryable: false });
  });
});
