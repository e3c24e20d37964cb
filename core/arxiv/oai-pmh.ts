import type { SourcePaper } from '../papers/types.ts';
import { isCalendarDay } from '../calendar-day.ts';
import { ArxivHttpError, MalformedFeedError, OaiPmhError } from './errors.ts';
import {
  isTransientStatus,
  parseRetryAfter,
  requestWithRetries,
  type PoliteHttpOptions,
  type RequestStats,
  type Verdict,
} from './http.ts';
import { silentLog, type ArxivLog } from './log.ts';
import type { RejectedEntry } from './parse-atom.ts';
import { parseOaiListRecords, type OaiListRecords, type OaiRecordHeader } from './parse-oai.ts';
import type { ArxivTrafficOptions } from './client.ts';
import { excerpt } from './xml.ts';

/** arXiv's OAI-PMH endpoint unless configured otherwise. */
export const ARXIV_OAI_URL = 'http://export.arxiv.org/oai2';

/** Every default of {@link OaiPmhHarvester}, in one place. */
export const OAI_HARVESTER_DEFAULTS = Object.freeze({
  baseUrl: ARXIV_OAI_URL,
  // OAI-PMH uses 503 + Retry-After for flow control, so a long harvest meets several of them.
  maxRetries: 8,
  timeoutMs: 120_000,
  backoff: Object.freeze({ baseMs: 5_000, maxMs: 120_000 }),
  maxRetryAfterMs: 10 * 60_000,
  malformedRetries: 2,
});

export interface OaiPmhHarvesterOptions extends ArxivTrafficOptions {
  /** The OAI-PMH endpoint (`ARXIV_OAI_URL`); default {@link ARXIV_OAI_URL}. */
  baseUrl?: string;
}

/**
 * A `ListRecords` harvest. `from`/`until` (`YYYY-MM-DD`, inclusive) select on the records'
 * datestamps, i.e. the day their metadata last changed (new version, new DOI, ...), not the
 * submission date: a harvest of one day returns new papers and revised old ones alike.
 */
export interface ListRecordsRequest {
  from?: string;
  until?: string;
  /** An arXiv set: an archive (`cs`, `math`, `stat`) or `physics:hep-th`-style sub-archive. */
  set?: string;
  /** Only `arXiv` is mapped onto {@link SourcePaper}. */
  metadataPrefix?: 'arXiv';
  /** Resume an interrupted harvest from a token (the other fields are then ignored). */
  resumptionToken?: string;
}

/** One response of a harvest, with how it was obtained. */
export interface OaiPage extends OaiListRecords {
  url: string;
  body: string;
  requests: number;
  retries: number;
}

export interface HarvestSummary {
  pages: number;
  requests: number;
  retries: number;
  /** The last resumption token received, to resume after an interruption; null when finished. */
  resumptionToken: string | null;
}

export interface HarvestResult extends HarvestSummary {
  /** One per id (a record repeated later in the list replaces the earlier one). */
  papers: SourcePaper[];
  /** Headers of withdrawn records. */
  deleted: OaiRecordHeader[];
  /** Headers of every record, for the datestamps. */
  headers: OaiRecordHeader[];
  rejected: RejectedEntry[];
}

const SET = /^[A-Za-z0-9-]+(:[A-Za-z0-9.-]+)*$/;

/**
 * Harvests arXiv metadata over OAI-PMH for bulk backfills and training data: `ListRecords` with
 * `metadataPrefix=arXiv`, paged by resumption token, through the same rate gate, User-Agent and
 * retry policy as the Atom client (503 with `Retry-After` is OAI-PMH's flow control and waits
 * exactly as long as asked).
 */
export class OaiPmhHarvester {
  private readonly baseUrl: string;
  private readonly malformedRetries: number;
  private readonly http: PoliteHttpOptions;
  private readonly log: ArxivLog;

  constructor(options: OaiPmhHarvesterOptions) {
    const d = OAI_HARVESTER_DEFAULTS;
    if (!options.userAgent?.trim()) throw new RangeError('a descriptive userAgent is required');
    this.baseUrl = options.baseUrl ?? d.baseUrl;
    this.malformedRetries = options.malformedRetries ?? d.malformedRetries;
    this.log = options.log ?? silentLog;
    this.http = {
      userAgent: options.userAgent,
      rateGate: options.rateGate,
      timeoutMs: options.timeoutMs ?? d.timeoutMs,
      retry: {
        maxRetries: options.maxRetries ?? d.maxRetries,
        backoff: options.backoff ?? d.backoff,
        maxRetryAfterMs: options.maxRetryAfterMs ?? d.maxRetryAfterMs,
      },
      log: this.log,
      random: options.random,
    };
  }

  /**
   * The URL of a `ListRecords` request. A resumption token is an exclusive argument in OAI-PMH,
   * so with one nothing else but the verb is sent.
   *
   * @throws RangeError for a malformed date or set.
   */
  listRecordsUrl(request: ListRecordsRequest): string {
    const url = new URL(this.baseUrl);
    url.searchParams.set('verb', 'ListRecords');
    if (request.resumptionToken) {
      url.searchParams.set('resumptionToken', request.resumptionToken);
      return url.toString();
    }
    for (const key of ['from', 'until'] as const) {
      const value = request[key];
      if (value !== undefined && !isCalendarDay(value)) throw new RangeError(`${key} must be YYYY-MM-DD, got ${JSON.stringify(value)}`);
    }
    if (request.set !== undefined && !SET.test(request.set)) throw new RangeError(`not an OAI-PMH set: ${JSON.stringify(request.set)}`);
    url.searchParams.set('metadataPrefix', request.metadataPrefix ?? 'arXiv');
    if (request.from) url.searchParams.set('from', request.from);
    if (request.until) url.searchParams.set('until', request.until);
    if (request.set) url.searchParams.set('set', request.set);
    return url.toString();
  }

  /**
   * Fetches one `ListRecords` response.
   *
   * @throws OaiPmhError for an OAI-PMH error other than `noRecordsMatch`.
   * @throws MalformedFeedError (permanent) when a response stays unparseable after `malformedRetries`.
   * @throws ArxivHttpError for a non-retryable HTTP status.
   * @throws ArxivUnavailableError when transient failures outlast `maxRetries`.
   */
  async listRecordsPage(request: ListRecordsRequest, signal?: AbortSignal): Promise<OaiPage> {
    const url = this.listRecordsUrl(request);
    const stats: RequestStats = { requests: 0, retries: 0 };
    let malformed = 0;
    const interpret = (res: { status: number; headers: Headers; body: string }): Verdict<OaiListRecords & { body: string }> => {
      if (isTransientStatus(res.status)) {
        return { retry: new Error(`HTTP ${res.status}`), retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
      }
      // OAI-PMH reports its own errors in a 200 body; some servers use 400 with the same body.
      if (res.status === 200 || res.status === 400) {
        try {
          return { ok: { ...parseOaiListRecords(res.body, { request: url, log: this.log }), body: res.body } };
        } catch (err) {
          if (err instanceof OaiPmhError) throw err;
          if (!(err instanceof MalformedFeedError) || res.status === 400) throw new ArxivHttpError(url, res.status, excerpt(res.body));
          malformed++;
          if (malformed > this.malformedRetries) throw err.asPermanent(`${url} still unreadable after ${malformed} attempts`);
          return { retry: err };
        }
      }
      throw new ArxivHttpError(url, res.status, excerpt(res.body));
    };
    const page = await requestWithRetries(url, { ...this.http, signal, accept: 'text/xml' }, interpret, stats);
    this.log.debug('OAI-PMH page fetched', { url, records: page.headers.length, completeListSize: page.completeListSize });
    return { ...page, url, ...stats };
  }

  /**
   * Pages through a harvest by resumption token, yielding each response.
   *
   * @returns a {@link HarvestSummary} as the generator's return value.
   * @throws as {@link listRecordsPage}; MalformedFeedError (permanent) if a token repeats, which
   *   would otherwise loop for ever.
   */
  async *pages(request: ListRecordsRequest, options: { signal?: AbortSignal; maxPages?: number } = {}): AsyncGenerator<OaiPage, HarvestSummary> {
    const summary: HarvestSummary = { pages: 0, requests: 0, retries: 0, resumptionToken: request.resumptionToken ?? null };
    const seenTokens = new Set<string>();
    let next: ListRecordsRequest = request;
    while (summary.pages < (options.maxPages ?? Number.POSITIVE_INFINITY)) {
      const page = await this.listRecordsPage(next, options.signal);
      summary.pages++;
      summary.requests += page.requests;
      summary.retries += page.retries;
      summary.resumptionToken = page.resumptionToken;
      yield page;
      const token = page.resumptionToken;
      if (token === null) break;
      if (seenTokens.has(token)) throw new MalformedFeedError(`OAI-PMH resumption token ${JSON.stringify(token)} repeated`, false);
      seenTokens.add(token);
      next = { resumptionToken: token };
    }
    return summary;
  }

  /** Runs a whole harvest (or its first `maxPages` pages) and gathers the result. */
  async harvest(request: ListRecordsRequest, options: { signal?: AbortSignal; maxPages?: number } = {}): Promise<HarvestResult> {
    const byId = new Map<string, SourcePaper>();
    const headers: OaiRecordHeader[] = [];
    const rejected: RejectedEntry[] = [];
    const iterator = this.pages(request, options);
    let step = await iterator.next();
    while (!step.done) {
      for (const paper of step.value.papers) {
        byId.delete(paper.id); // keep the later record, in its later position
        byId.set(paper.id, paper);
      }
      for (const header of step.value.headers) if (header.deleted) byId.delete(header.id);
      headers.push(...step.value.headers);
      rejected.push(...step.value.rejected);
      step = await iterator.next();
    }
    const deleted = headers.filter((h) => h.deleted);
    this.log.info('OAI-PMH harvest finished', { papers: byId.size, deleted: deleted.length, pages: step.value.pages });
    return { ...step.value, papers: [...byId.values()], deleted, headers, rejected };
  }
}
