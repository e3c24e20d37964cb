/**
 * The arXiv source layer: the Atom API client, the OAI-PMH harvester, their parsers, the query
 * builders and the global rate gate. Nothing here knows BullMQ, Prisma or the pipeline.
 */
export { parseArxivId, type ParsedArxivId } from './arxiv-id.ts';
export {
  ARXIV_API_URL,
  ARXIV_CLIENT_DEFAULTS,
  ArxivClient,
  type ArxivClientOptions,
  type AtomPage,
  type FetchResult,
  type FetchWindowInput,
  type FetchWindowResult,
  type PagesOptions,
  type PagingSummary,
  type WindowPage,
  type WindowSummary,
} from './client.ts';
export {
  ArxivError,
  ArxivHttpError,
  ArxivQueryError,
  ArxivUnavailableError,
  MalformedFeedError,
  OaiPmhError,
  isArxivError,
} from './errors.ts';
export { backoffDelay, parseRetryAfter, type RetryPolicy } from './http.ts';
export { silentLog, type ArxivLog } from './log.ts';
export {
  ARXIV_OAI_URL,
  OAI_HARVESTER_DEFAULTS,
  OaiPmhHarvester,
  type HarvestResult,
  type HarvestSummary,
  type ListRecordsRequest,
  type OaiPage,
  type OaiPmhHarvesterOptions,
} from './oai-pmh.ts';
export { parseAtomFeed, type AtomFeed, type ParseAtomOptions, type RejectedEntry } from './parse-atom.ts';
export { parseOaiListRecords, type OaiListRecords, type OaiRecordHeader, type ParseOaiOptions } from './parse-oai.ts';
export {
  ARXIV_MAX_PAGE_SIZE,
  ARXIV_RESULT_CAP,
  categoriesClause,
  dayWindow,
  describeQuery,
  describeWindow,
  formatArxivTimestamp,
  isArxivCategory,
  queryParams,
  splitWindow,
  submittedDateClause,
  windowQuery,
  type ArxivQuery,
  type SubmittedWindow,
} from './query.ts';
export { LocalRateGate, RedisRateGate, unlimitedRateGate, type RateGate, type RedisRateGateOptions } from './rate-gate.ts';
export { cleanText, normaliseWhitespace, repairMojibake, toIsoUtc } from './text.ts';
