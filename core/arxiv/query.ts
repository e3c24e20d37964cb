/**
 * Building arXiv API queries: category lists, submission-date windows (GMT, minute precision)
 * and the window splitting that keeps each query under the API's result cap.
 */

import { isCalendarDay } from '../calendar-day.ts';

/** The API serves at most this many results of one query, however it is paged. */
export const ARXIV_RESULT_CAP = 30_000;
/** The API's largest page (`max_results`). */
export const ARXIV_MAX_PAGE_SIZE = 2_000;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** A query of the Atom API: `search_query`, `id_list`, or both (ids filtered by the search). */
export interface ArxivQuery {
  searchQuery?: string;
  /** Ids with or without version (`2104.12255v1`, `math/0601001`). */
  idList?: string[];
  sortBy?: 'relevance' | 'lastUpdatedDate' | 'submittedDate';
  sortOrder?: 'ascending' | 'descending';
}

/**
 * A half-open submission-time window `[from, to)`. Bounds are whole UTC minutes, the precision of
 * arXiv's `submittedDate`.
 */
export interface SubmittedWindow {
  from: Date;
  to: Date;
}

// archive or archive.SUBJECT (cs.LG, math.OC, hep-th, q-bio.NC, physics.comp-ph). Checked because a
// category is pasted into the query string: anything else could change the query's meaning.
const CATEGORY = /^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$/;

/** True for a syntactically valid arXiv category (`cs.LG`, `hep-th`, `physics.comp-ph`). */
export function isArxivCategory(category: string): boolean {
  return CATEGORY.test(category);
}

/**
 * `(cat:cs.LG OR cat:stat.ML)`.
 *
 * @throws RangeError for an empty list or a string that is not a category.
 */
export function categoriesClause(categories: readonly string[]): string {
  if (categories.length === 0) throw new RangeError('at least one arXiv category is needed');
  for (const c of categories) {
    if (!isArxivCategory(c)) throw new RangeError(`not an arXiv category: ${JSON.stringify(c)}`);
  }
  const unique = [...new Set(categories)];
  return unique.length === 1 ? `cat:${unique[0]}` : `(${unique.map((c) => `cat:${c}`).join(' OR ')})`;
}

/** `YYYYMMDDHHMM` in GMT, the format of `submittedDate` ranges. */
export function formatArxivTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2024-01-02T03:04:05.000Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16);
}

/**
 * `submittedDate:[202401020000 TO 202401022359]` for the window `[from, to)`. arXiv's range is
 * inclusive at both ends, so the upper bound is the last minute inside the window; consecutive
 * windows therefore never share a minute.
 *
 * @throws RangeError when the window is not whole minutes or is empty.
 */
export function submittedDateClause(window: SubmittedWindow): string {
  assertWindow(window);
  const last = new Date(window.to.getTime() - MINUTE_MS);
  return `submittedDate:[${formatArxivTimestamp(window.from)} TO ${formatArxivTimestamp(last)}]`;
}

/**
 * The query for papers in any of `categories` submitted in `window`, sorted by submission date
 * ascending so that paging is stable while new papers arrive.
 */
export function windowQuery(categories: readonly string[], window: SubmittedWindow): ArxivQuery {
  return {
    searchQuery: `${categoriesClause(categories)} AND ${submittedDateClause(window)}`,
    sortBy: 'submittedDate',
    sortOrder: 'ascending',
  };
}

/**
 * The window of logical date D: the whole UTC day `[D 00:00, D+1 00:00)`.
 *
 * @throws RangeError unless `day` is a real `YYYY-MM-DD` date.
 */
export function dayWindow(day: string): SubmittedWindow {
  if (!isCalendarDay(day)) throw new RangeError(`not a calendar day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  const from = new Date(`${day}T00:00:00Z`);
  return { from, to: new Date(from.getTime() + DAY_MS) };
}

/**
 * Splits a window into two halves at a whole minute, for a query whose total exceeds
 * {@link ARXIV_RESULT_CAP}. Returns null for a one-minute window, which cannot be split further.
 */
export function splitWindow(window: SubmittedWindow): [SubmittedWindow, SubmittedWindow] | null {
  assertWindow(window);
  const minutes = (window.to.getTime() - window.from.getTime()) / MINUTE_MS;
  if (minutes < 2) return null;
  const mid = new Date(window.from.getTime() + Math.floor(minutes / 2) * MINUTE_MS);
  return [
    { from: window.from, to: mid },
    { from: mid, to: window.to },
  ];
}

/** `[2024-01-02T00:00Z, 2024-01-03T00:00Z)`, for logs. */
export function describeWindow(window: SubmittedWindow): string {
  return `[${window.from.toISOString().slice(0, 16)}Z, ${window.to.toISOString().slice(0, 16)}Z)`;
}

/**
 * The query-string parameters of one page, in the order arXiv echoes them. `search_query` and
 * `id_list` are always present (possibly empty), as the official clients send them.
 */
export function queryParams(query: ArxivQuery, start: number, maxResults: number): URLSearchParams {
  const params = new URLSearchParams();
  params.set('search_query', query.searchQuery ?? '');
  params.set('id_list', (query.idList ?? []).join(','));
  if (query.sortBy) params.set('sortBy', query.sortBy);
  if (query.sortOrder) params.set('sortOrder', query.sortOrder);
  params.set('start', String(start));
  params.set('max_results', String(maxResults));
  return params;
}

/** `search_query=... id_list=...`: how errors and logs name a query. */
export function describeQuery(query: ArxivQuery): string {
  const parts: string[] = [];
  if (query.searchQuery) parts.push(`search_query=${query.searchQuery}`);
  if (query.idList?.length) parts.push(`id_list=${query.idList.join(',')}`);
  return parts.join('&') || '(empty query)';
}

function assertWindow(window: SubmittedWindow): void {
  const from = window.from.getTime();
  const to = window.to.getTime();
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) {
    throw new RangeError(`empty or invalid window ${String(window.from)} – ${String(window.to)}`);
  }
  if (from % MINUTE_MS !== 0 || to % MINUTE_MS !== 0) {
    throw new RangeError('window bounds must be whole minutes (the precision of submittedDate)');
  }
}
