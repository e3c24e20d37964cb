import { ArxivUnavailableError } from './errors.ts';
import type { ArxivLog } from './log.ts';
import type { RateGate } from './rate-gate.ts';
import { sleep } from './sleep.ts';

/** How transient failures are retried. */
export interface RetryPolicy {
  /** Retries after the first attempt (so at most `maxRetries + 1` requests). */
  maxRetries: number;
  /** Exponential backoff: attempt n waits about `baseMs * 2^(n-1)`, capped at `maxMs`, with jitter. */
  backoff: { baseMs: number; maxMs: number };
  /**
   * The longest `Retry-After` honoured. A longer one ends the request with
   * {@link ArxivUnavailableError} carrying the wait, rather than holding a worker for it.
   */
  maxRetryAfterMs: number;
}

/** What every polite request needs. */
export interface PoliteHttpOptions {
  /** Sent on every request; arXiv asks clients to identify themselves. */
  userAgent: string;
  /** Acquired before every request, retries included. */
  rateGate: RateGate;
  /** Per-request limit, body included. */
  timeoutMs: number;
  retry: RetryPolicy;
  log: ArxivLog;
  /** Source of jitter in [0, 1); tests pin it. */
  random?: () => number;
}

/** A response read to the end. */
export interface TextResponse {
  url: string;
  status: number;
  headers: Headers;
  body: string;
  /** 1 for the first request of this logical request. */
  attempt: number;
}

/**
 * The caller's reading of a response: a result, or a transient failure to retry (optionally after
 * a wait the server named). A permanent failure is thrown from the interpreter instead.
 */
export type Verdict<T> = { ok: T } | { retry: Error; retryAfterMs?: number | null };

/** Counters a caller accumulates across requests. */
export interface RequestStats {
  requests: number;
  retries: number;
}

/**
 * GETs `url` through the rate gate, with a timeout, retrying timeouts, connection errors and
 * whatever `interpret` declares transient, with exponential backoff and jitter, or exactly the
 * server's `Retry-After` when it gave one.
 *
 * @throws ArxivUnavailableError when the retry budget is spent or the server asks for a wait
 *   longer than `retry.maxRetryAfterMs`.
 * @throws whatever `interpret` throws (permanent errors), and the signal's reason on abort.
 */
export async function requestWithRetries<T>(
  url: string,
  options: PoliteHttpOptions & { signal?: AbortSignal; accept: string },
  interpret: (response: TextResponse) => Verdict<T>,
  stats: RequestStats,
): Promise<T> {
  const { retry, log, signal } = options;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    await options.rateGate.acquire(signal);
    stats.requests++;
    let received: TextResponse | Error;
    try {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const response = await fetch(url, {
        headers: { 'User-Agent': options.userAgent, Accept: options.accept },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      // The same signal bounds the body: a server that stalls mid-body times out too.
      const body = await response.text();
      received = { url, status: response.status, headers: response.headers, body, attempt };
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      received = describeTransportError(err, options.timeoutMs);
    }
    // Outside the try: what the interpreter throws is permanent (or a bug) and must not pass for
    // a network error and be retried.
    const verdict: Verdict<T> = received instanceof Error ? { retry: received } : interpret(received);
    if ('ok' in verdict) return verdict.ok;

    const reason = verdict.retry;
    const retryAfterMs = verdict.retryAfterMs ?? null;
    if (retryAfterMs !== null && retryAfterMs > retry.maxRetryAfterMs) {
      throw new ArxivUnavailableError(
        `${url}: server asked to retry after ${retryAfterMs} ms, more than the ${retry.maxRetryAfterMs} ms allowed (${reason.message})`,
        attempt,
        retryAfterMs,
        { cause: reason },
      );
    }
    if (attempt > retry.maxRetries) {
      throw new ArxivUnavailableError(`${url}: gave up after ${attempt} attempts: ${reason.message}`, attempt, null, { cause: reason });
    }
    const delayMs = retryAfterMs ?? backoffDelay(attempt, retry.backoff, random);
    stats.retries++;
    log.warn('arXiv request failed, retrying', { url, attempt, of: retry.maxRetries + 1, delayMs, reason: reason.message });
    await sleep(delayMs, signal);
  }
}

/**
 * Backoff before retry number `attempt` (1-based): `min(maxMs, baseMs * 2^(attempt-1))`, of which
 * the upper half is random ("equal jitter"), so that workers that failed together do not retry
 * together, yet none retries almost at once.
 */
export function backoffDelay(attempt: number, backoff: { baseMs: number; maxMs: number }, random: () => number = Math.random): number {
  const nominal = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + random() * (nominal / 2));
}

/**
 * `Retry-After` in ms: delta-seconds (`120`) or an HTTP date. Null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** True for the statuses worth retrying: 429 and every 5xx. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

function describeTransportError(err: unknown, timeoutMs: number): Error {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return new Error(`timed out after ${timeoutMs} ms`, { cause: err });
  const detail = e?.cause?.code ?? e?.cause?.message;
  return new Error(`${e?.message ?? String(err)}${detail ? ` (${detail})` : ''}`, { cause: err });
}
