/**
 * Errors of the arXiv source layer. Every one carries `retryable`, so the queue layer can turn a
 * permanent one into BullMQ's `UnrecoverableError` instead of burning attempts on it:
 *
 * ```ts
 * catch (err) { if (isArxivError(err) && !err.retryable) throw new UnrecoverableError(err.message); throw err; }
 * ```
 */

/** Base class: a problem talking to arXiv or reading what it sent. */
export abstract class ArxivError extends Error {
  /** True when trying the same request again later may succeed. */
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * arXiv rejected the query itself: its error feed (an entry whose id is
 * `http://arxiv.org/api/errors#...`, normally served with HTTP 400) or a bare HTTP 400.
 * Permanent: the same query fails the same way every time.
 */
export class ArxivQueryError extends ArxivError {
  readonly retryable = false;

  constructor(
    /** The query as sent (`search_query=...&id_list=...`), so the message names the culprit. */
    readonly query: string,
    /** arXiv's own explanation, e.g. `incorrect id format for abc`. */
    readonly reason: string,
    /** The error entry id, e.g. `https://arxiv.org/api/errors#incorrect_id_format_for_abc`. */
    readonly errorId: string | null = null,
    readonly status: number | null = null,
  ) {
    super(`arXiv rejected the query ${query}: ${reason}`);
  }
}

/**
 * A response that is not a readable feed (truncated or otherwise invalid XML, wrong root element,
 * missing paging counters). Truncation is usually transient, so the client retries a bounded number
 * of times with `retryable: true` and then gives up with `retryable: false`.
 */
export class MalformedFeedError extends ArxivError {
  constructor(
    message: string,
    readonly retryable: boolean = true,
    /** The first bytes of the body, for the log. */
    readonly excerpt: string = '',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The same error, now marked permanent (the retry budget for malformed feeds is spent). */
  asPermanent(context: string): MalformedFeedError {
    return new MalformedFeedError(`${context}: ${this.message}`, false, this.excerpt, { cause: this });
  }
}

/**
 * arXiv (or the network in between) kept failing with transient errors (timeouts, connection
 * errors, HTTP 5xx/429) until the retry budget ran out, or asked us to wait longer than we may.
 * Retryable: a later attempt of the job may well succeed.
 */
export class ArxivUnavailableError extends ArxivError {
  readonly retryable = true;

  constructor(
    message: string,
    /** How many HTTP requests were made for this one logical request. */
    readonly attempts: number,
    /** When the server named a wait (Retry-After) we did not honour, in ms. */
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An HTTP status that neither retrying nor changing the query would fix on our side
 * (404, 403, 401, other unexpected 4xx). Permanent.
 */
export class ArxivHttpError extends ArxivError {
  readonly retryable = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly bodyExcerpt: string,
  ) {
    super(`arXiv answered HTTP ${status} for ${url}${bodyExcerpt ? `: ${bodyExcerpt}` : ''}`);
  }
}

/**
 * An OAI-PMH protocol error (`<error code="...">`) other than `noRecordsMatch`, which is an
 * empty result and not an error. `badResumptionToken` is retryable (a token expires; starting
 * the harvest again is the cure); the others (`badArgument`, `badVerb`, `cannotDisseminateFormat`,
 * `noSetHierarchy`, ...) are permanent.
 */
export class OaiPmhError extends ArxivError {
  readonly retryable: boolean;

  constructor(
    readonly code: string,
    readonly detail: string,
    readonly request: string,
  ) {
    super(`OAI-PMH error ${code} for ${request}${detail ? `: ${detail}` : ''}`);
    this.retryable = code === 'badResumptionToken';
  }
}

/** Narrows an unknown thrown value to an {@link ArxivError}. */
export function isArxivError(err: unknown): err is ArxivError {
  return err instanceof ArxivError;
}
