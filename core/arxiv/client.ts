import type { SourcePaper } from '../papers/types.ts';
import { ArxivHttpError, ArxivQueryError, MalformedFeedError } from './errors.ts';
import {
  backoffDelay,
  isTransientStatus,
  parseRetryAfter,
  requestWithRetries,
  type PoliteHttpOptions,
  type RequestStats,
  type Verdict,
} from './http.ts';
import { silentLog, type ArxivLog } from './log.ts';
import { parseAtomFeed, type AtomFeed, type RejectedEntry } from './parse-atom.ts';
import {
  ARXIV_MAX_PAGE_SIZE,
  ARXIV_RESULT_CAP,
  dayWindow,
  describeQuery,
  describeWindow,
  queryParams,
  splitWindow,
  windowQuery,
  type ArxivQuery,
  type SubmittedWindow,
} from './query.ts';
import type { RateGate } from './rate-gate.ts';
import { sleep } from './sleep.ts';
import { excerpt } from './xml.ts';

/** Where the Atom API lives unless `ARXIV_API_URL` says otherwise. */
export const ARXIV_API_URL = 'http://export.arxiv.org/api/query';

/** Every default of {@link ArxivClient}, in one place. */
export const ARXIV_CLIENT_DEFAULTS = Object.freeze({
  baseUrl: ARXIV_API_URL,
  pageSize: 1_000,
  maxRetries: 5,
  // Large pages of a busy day can take tens of seconds to render on arXiv's side.
  timeoutMs: 60_000,
  backoff: Object.freeze({ baseMs: 3_000, maxMs: 60_000 }),
  maxRetryAfterMs: 5 * 60_000,
  emptyPageRetries: 3,
  malformedRetries: 2,
});

/** What every client of arXiv (the Atom API, OAI-PMH) is configured with: who it is, its place in the shared rate limit, and how it retries. */
export interface ArxivTrafficOptions {
  /** A descriptive User-Agent naming the project and a contact, as arXiv asks. */
  userAgent: string;
  /** Shared by every process that talks to arXiv: a `RedisRateGate` in production. */
  rateGate: RateGate;
  /** Retries per request after the first attempt, for timeouts, connection errors, 5xx and 429. */
  maxRetries?: number;
  /** Per-request timeout, body included. */
  timeoutMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** The longest Retry-After honoured; a longer one fails the request as unavailable. */
  maxRetryAfterMs?: number;
  /** How often an unparseable (usually truncated) response is asked again before the error is permanent. */
  malformedRetries?: number;
  log?: ArxivLog;
  /** Source of backoff jitter in [0, 1); tests pin it. */
  random?: () => number;
}

export interface ArxivClientOptions extends ArxivTrafficOptions {
  /** The Atom API endpoint (`ARXIV_API_URL`); default {@link ARXIV_API_URL}. */
  baseUrl?: string;
  /** Entries per request, at most 2,000 (the API's limit). */
  pageSize?: number;
  /** How often a page that is unexpectedly empty in the middle of a result set is asked again. */
  emptyPageRetries?: number;
}

/** One page as fetched, with how it was obtained. */
export interface AtomPage extends AtomFeed {
  /** The `start` that was asked for. */
  start: number;
  /** The `max_results` that was asked for. */
  requested: number;
  url: string;
  /** The response body as received, for keeping the raw feed as a replayable artifact. */
  body: string;
  /** HTTP requests made for this page, retries and empty-page re-asks included. */
  requests: number;
  retries: number;
}

/** How a paging run ended; the return value of {@link ArxivClient.pages}. */
export interface PagingSummary {
  /** The last `totalResults` seen (it can drift while paging), or null if no page came back. */
  totalResults: number | null;
  /**
   * False when part of the result set could not be fetched (a page that stayed empty, the 30,000
   * cap; see `warnings`). Stopping at `max` does not count.
   */
  complete: boolean;
  warnings: string[];
  pages: number;
  requests: number;
  retries: number;
}

export interface PagesOptions {
  /** Stop after this many entries (the last page is shortened to fit). */
  max?: number;
  signal?: AbortSignal;
}

/** Everything a query returned, deduplicated. */
export interface FetchResult extends PagingSummary {
  /** One per arXiv id, the highest version seen, in the order first seen. */
  papers: SourcePaper[];
  rejected: RejectedEntry[];
  /** Entries dropped because their id had been seen already (pages overlap when results shift). */
  duplicates: number;
}

/** How a window fetch ended: a paging summary plus the windows actually queried after splitting. */
export interface WindowSummary extends PagingSummary {
  /** In time order; `totalResults` summed over them is the summary's `totalResults`. */
  windows: { from: string; to: string; query: string; totalResults: number }[];
}

/** A page of a window fetch, with the (possibly split) window it belongs to (ISO bounds, `[from, to)`). */
export interface WindowPage extends AtomPage {
  window: { from: string; to: string };
}

/** A window fetch, deduplicated. */
export interface FetchWindowResult extends FetchResult, WindowSummary {}

export interface FetchWindowInput {
  categories: readonly string[];
  /** Either a window `[from, to)` in whole UTC minutes ... */
  from?: Date;
  to?: Date;
  /** ... or a logical date D (`YYYY-MM-DD`): the whole UTC day. */
  day?: string;
}

interface Run extends RequestStats {
  pages: number;
  totalResults: number | null;
  complete: boolean;
  warnings: string[];
}

/**
 * A client of arXiv's Atom API (`/api/query`) that is polite by construction: every request goes
 * through the shared rate gate and carries the User-Agent; transient failures are retried with
 * backoff; the API's paging quirks (an empty page in the middle of a result set, a total that
 * changes between pages, entries repeated across pages, the 30,000-result cap) are handled.
 */
export class ArxivClient {
  private readonly baseUrl: string;
  private readonly pageSize: number;
  private readonly emptyPageRetries: number;
  private readonly malformedRetries: number;
  private readonly http: PoliteHttpOptions;
  private readonly log: ArxivLog;
  private readonly random: () => number;

  /** @throws RangeError for a page size outside 1..2000 or an empty User-Agent. */
  constructor(options: ArxivClientOptions) {
    const d = ARXIV_CLIENT_DEFAULTS;
    this.baseUrl = options.baseUrl ?? d.baseUrl;
    this.pageSize = options.pageSize ?? d.pageSize;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > ARXIV_MAX_PAGE_SIZE) {
      throw new RangeError(`pageSize must be an integer in 1..${ARXIV_MAX_PAGE_SIZE}, got ${this.pageSize}`);
    }
    if (!options.userAgent?.trim()) throw new RangeError('a descriptive userAgent is required (arXiv asks clients to identify themselves)');
    this.emptyPageRetries = options.emptyPageRetries ?? d.emptyPageRetries;
    this.malformedRetries = options.malformedRetries ?? d.malformedRetries;
    this.log = options.log ?? silentLog;
    this.random = options.random ?? Math.random;
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
      random: this.random,
    };
  }

  /** The URL of one page of `query`. */
  pageUrl(query: ArxivQuery, start: number, maxResults: number): string {
    const url = new URL(this.baseUrl);
    for (const [k, v] of queryParams(query, start, maxResults)) url.searchParams.set(k, v);
    return url.toString();
  }

  /**
   * Fetches one page, retrying transient failures.
   *
   * @throws ArxivQueryError for arXiv's error feed or HTTP 400 (permanent).
   * @throws MalformedFeedError (permanent) when the page stays unparseable after `malformedRetries`.
   * @throws ArxivHttpError for other 4xx statuses (permanent).
   * @throws ArxivUnavailableError when transient failures outlast `maxRetries` (retryable).
   */
  async fetchPage(query: ArxivQuery, start: number, maxResults: number, signal?: AbortSignal): Promise<AtomPage> {
    const stats: RequestStats = { requests: 0, retries: 0 };
    const page = await this.requestPage(query, start, maxResults, stats, signal);
    return { ...page, ...stats };
  }

  /**
   * Pages through `query` from the start, yielding each non-empty page as it arrives. Stops at the
   * end of the result set (following `totalResults` as it drifts), at `max` entries, or at the
   * API's 30,000-result cap (with a warning; split the query instead, as {@link fetchWindow} does).
   * Entries may repeat across pages when results shift; {@link fetchAll} removes the repeats.
   *
   * @returns a {@link PagingSummary} as the generator's return value.
   * @throws as {@link fetchPage}.
   */
  async *pages(query: ArxivQuery, options: PagesOptions = {}): AsyncGenerator<AtomPage, PagingSummary> {
    const run = newRun();
    yield* this.paginate(query, options, run, undefined);
    return summary(run);
  }

  /**
   * Fetches the whole result set of `query` (or its first `max` entries), deduplicated by id
   * keeping the highest version.
   *
   * @throws as {@link fetchPage}.
   */
  async fetchAll(query: ArxivQuery, options: PagesOptions = {}): Promise<FetchResult> {
    const run = newRun();
    const collector = new Collector();
    for await (const page of this.paginate(query, options, run, undefined)) collector.add(page);
    return { ...summary(run), ...collector.result() };
  }

  /**
   * Pages through every paper in `categories` submitted in a window (the nightly ingest of
   * logical date D passes `day: D`), yielding each page as it arrives, tagged with the window it
   * belongs to, so that a caller can store each raw page as it goes. A window whose result set
   * passes the 30,000 cap is split in halves, again and again, until each part fits (the probe
   * page of a window that gets split is not yielded); only a one-minute window that still does not
   * fit is fetched up to the cap, with a warning and `complete: false`. Pages are not
   * deduplicated: {@link fetchWindow} does that.
   *
   * @returns a {@link WindowSummary} as the generator's return value.
   * @throws RangeError for bad categories or a bad window; otherwise as {@link fetchPage}.
   */
  async *windowPages(input: FetchWindowInput, options: { signal?: AbortSignal } = {}): AsyncGenerator<WindowPage, WindowSummary> {
    const window = resolveWindow(input);
    const run = newRun();
    const windows: WindowSummary['windows'] = [];
    const queue: SubmittedWindow[] = [window];
    let total = 0;
    while (queue.length > 0) {
      const w = queue.shift()!;
      const query = windowQuery(input.categories, w);
      const first = await this.fetchPageInto(query, 0, Math.min(this.pageSize, ARXIV_RESULT_CAP), run, options.signal);
      if (first.totalResults > ARXIV_RESULT_CAP) {
        const halves = splitWindow(w);
        if (halves) {
          // The probe page is dropped: its entries belong to the first half and come back there.
          this.log.info('arXiv window over the result cap, splitting', { window: describeWindow(w), totalResults: first.totalResults });
          queue.unshift(...halves);
          continue;
        }
        const warning = `window ${describeWindow(w)} has ${first.totalResults} results in one minute, over the ${ARXIV_RESULT_CAP} cap; only the first ${ARXIV_RESULT_CAP} can be fetched`;
        this.log.warn(warning);
        run.warnings.push(warning);
        run.complete = false;
      }
      const tag = { from: w.from.toISOString(), to: w.to.toISOString() };
      run.totalResults = null;
      for await (const page of this.paginate(query, {}, run, first, options.signal)) yield { ...page, window: tag };
      const windowTotal = run.totalResults ?? first.totalResults;
      windows.push({ ...tag, query: query.searchQuery!, totalResults: windowTotal });
      total += windowTotal;
    }
    run.totalResults = total;
    return { ...summary(run), windows };
  }

  /**
   * Fetches every paper in `categories` submitted in a window, as {@link windowPages} pages them,
   * deduplicated by id keeping the highest version.
   *
   * @throws RangeError for bad categories or a bad window; otherwise as {@link fetchPage}.
   */
  async fetchWindow(input: FetchWindowInput, options: { signal?: AbortSignal } = {}): Promise<FetchWindowResult> {
    const collector = new Collector();
    const pages = this.windowPages(input, options);
    let step = await pages.next();
    while (!step.done) {
      collector.add(step.value);
      step = await pages.next();
    }
    return { ...step.value, ...collector.result() };
  }

  private async *paginate(
    query: ArxivQuery,
    options: PagesOptions,
    run: Run,
    firstPage: AtomPage | undefined,
    signal: AbortSignal | undefined = options.signal,
  ): AsyncGenerator<AtomPage> {
    const described = describeQuery(query);
    const max = options.max ?? Number.POSITIVE_INFINITY;
    let prefetched = firstPage;
    let start = 0;
    let fetched = 0;
    let total: number | null = null;

    while (fetched < max && (total === null || start < total)) {
      if (start >= ARXIV_RESULT_CAP) {
        const warning = `${described}: ${total} results, but the API serves only the first ${ARXIV_RESULT_CAP}; split the query`;
        this.log.warn(warning);
        run.warnings.push(warning);
        run.complete = false;
        break;
      }
      const size = Math.min(this.pageSize, ARXIV_RESULT_CAP - start, max - fetched);
      let page = prefetched ?? (await this.fetchPageInto(query, start, size, run, signal));
      prefetched = undefined;
      if (total !== null && page.totalResults !== total) {
        this.log.info('arXiv totalResults changed between pages', { query: described, start, from: total, to: page.totalResults });
      }

      // An empty page while earlier pages (or this one) promise more: a known arXiv hiccup that
      // usually clears when the page is asked again.
      for (let i = 1; entryCount(page) === 0 && start < Math.max(total ?? 0, page.totalResults) && i <= this.emptyPageRetries; i++) {
        const delayMs = backoffDelay(i, this.http.retry.backoff, this.random);
        this.log.warn('arXiv returned an empty page inside the result set, asking again', {
          query: described, start, totalResults: Math.max(total ?? 0, page.totalResults), attempt: i, of: this.emptyPageRetries, delayMs,
        });
        run.retries++;
        await sleep(delayMs, signal);
        const again = await this.fetchPageInto(query, start, size, run, signal);
        page = { ...again, requests: page.requests + again.requests, retries: page.retries + again.retries + 1 };
      }

      if (entryCount(page) === 0) {
        const promised = Math.max(total ?? 0, page.totalResults);
        total = page.totalResults;
        if (start < promised && start < page.totalResults) {
          // Still empty, yet arXiv keeps promising more: skip this page, and say what is missing.
          const warning = `${described}: entries ${start}..${start + size - 1} stayed empty after ${this.emptyPageRetries} retries; skipped`;
          this.log.warn(warning);
          run.warnings.push(warning);
          run.complete = false;
          start += size;
          continue;
        }
        if (start < promised) {
          const warning = `${described}: result set shrank from ${promised} to ${page.totalResults} while paging; ending at ${start}`;
          this.log.warn(warning);
          run.warnings.push(warning);
        }
        break;
      }

      total = page.totalResults;
      run.totalResults = total;
      run.pages++;
      yield page;
      // Advance by what came back, not by what was asked: a short page must not open a gap.
      start += entryCount(page);
      fetched += entryCount(page);
    }
    if (total !== null) run.totalResults = total;
  }

  private async fetchPageInto(query: ArxivQuery, start: number, maxResults: number, run: Run, signal?: AbortSignal): Promise<AtomPage> {
    const stats: RequestStats = { requests: 0, retries: 0 };
    try {
      const page = await this.requestPage(query, start, maxResults, stats, signal);
      return { ...page, ...stats };
    } finally {
      run.requests += stats.requests;
      run.retries += stats.retries;
    }
  }

  private async requestPage(
    query: ArxivQuery,
    start: number,
    maxResults: number,
    stats: RequestStats,
    signal?: AbortSignal,
  ): Promise<Omit<AtomPage, 'requests' | 'retries'>> {
    const url = this.pageUrl(query, start, maxResults);
    const described = describeQuery(query);
    let malformed = 0;
    const interpret = (res: { status: number; headers: Headers; body: string }): Verdict<AtomFeed & { body: string }> => {
      if (res.status === 200) {
        try {
          return { ok: { ...parseAtomFeed(res.body, { query: described, status: res.status, log: this.log }), body: res.body } };
        } catch (err) {
          if (!(err instanceof MalformedFeedError)) throw err;
          malformed++;
          if (malformed > this.malformedRetries) throw err.asPermanent(`${url} still unreadable after ${malformed} attempts`);
          return { retry: err };
        }
      }
      if (res.status === 400) {
        // Normally the error feed, which parseAtomFeed turns into an ArxivQueryError naming arXiv's reason.
        try {
          parseAtomFeed(res.body, { query: described, status: 400 });
        } catch (err) {
          if (err instanceof ArxivQueryError) throw err;
        }
        throw new ArxivQueryError(described, `HTTP 400: ${excerpt(res.body) || 'no body'}`, null, 400);
      }
      if (isTransientStatus(res.status)) {
        return { retry: new Error(`HTTP ${res.status}`), retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
      }
      throw new ArxivHttpError(url, res.status, excerpt(res.body));
    };
    const feed = await requestWithRetries(url, { ...this.http, signal, accept: 'application/atom+xml' }, interpret, stats);
    this.log.debug('arXiv page fetched', { query: described, start, maxResults, entries: entryCount(feed), totalResults: feed.totalResults });
    return { ...feed, start, requested: maxResults, url };
  }
}

/** Deduplicates across pages: one paper per id, the highest version, in first-seen order. */
class Collector {
  private readonly byId = new Map<string, SourcePaper>();
  private readonly rejected: RejectedEntry[] = [];
  private duplicates = 0;

  add(page: AtomFeed): void {
    this.rejected.push(...page.rejected);
    for (const paper of page.papers) {
      const seen = this.byId.get(paper.id);
      if (seen) {
        this.duplicates++;
        if (paper.version > seen.version) this.byId.set(paper.id, paper);
      } else {
        this.byId.set(paper.id, paper);
      }
    }
  }

  result(): Pick<FetchResult, 'papers' | 'rejected' | 'duplicates'> {
    return { papers: [...this.byId.values()], rejected: this.rejected, duplicates: this.duplicates };
  }
}

function entryCount(feed: AtomFeed): number {
  return feed.papers.length + feed.rejected.length;
}

function newRun(): Run {
  return { requests: 0, retries: 0, pages: 0, totalResults: null, complete: true, warnings: [] };
}

function summary(run: Run): PagingSummary {
  const { totalResults, complete, warnings, pages, requests, retries } = run;
  return { totalResults, complete, warnings, pages, requests, retries };
}

function resolveWindow(input: FetchWindowInput): SubmittedWindow {
  if (input.day !== undefined) {
    if (input.from || input.to) throw new RangeError('give either day or from/to, not both');
    return dayWindow(input.day);
  }
  if (!input.from || !input.to) throw new RangeError('a window needs day, or both from and to');
  return { from: input.from, to: input.to };
}
