/**
 * Named errors shared by stages, the registry and the API. `permanent` errors are not retried
 * (the worker turns them into BullMQ's UnrecoverableError so no attempts are wasted); anything
 * else is treated as transient and retried with backoff.
 */
export class RadarError extends Error {
  /** Stable machine-readable code, also used as the API error code. */
  readonly code: string;
  readonly permanent: boolean;
  readonly details?: unknown;
  constructor(code: string, message: string, opts: { permanent?: boolean; details?: unknown; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.permanent = opts.permanent ?? true;
    this.details = opts.details;
  }
}

/** An entity that does not exist (unknown model, version, run, pipeline run). */
export class NotFoundError extends RadarError {
  constructor(message: string, details?: unknown) {
    super('not_found', message, { details });
  }
}

/** A request that conflicts with the current state (e.g. promoting an archived version). */
export class ConflictError extends RadarError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, { details });
  }
}

/** Malformed input: a request body, a CLI argument, a source file line. */
export class BadInputError extends RadarError {
  constructor(message: string, details?: unknown) {
    super('bad_request', message, { details });
  }
}

/** The training data failed a validation check: the night stops before training. */
export class DataValidationError extends RadarError {
  constructor(message: string, details?: unknown) {
    super('data_validation_failed', message, { details });
  }
}

/** A transient failure worth retrying (network, a dead service that may come back). */
export class TransientError extends RadarError {
  constructor(message: string, opts: { details?: unknown; cause?: unknown } = {}) {
    super('transient', message, { ...opts, permanent: false });
  }
}

/** Normalise anything thrown into an Error, so logs and records always have a message. */
export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (typeof err === 'string') return new Error(err);
  try {
    return new Error(JSON.stringify(err));
  } catch {
    return new Error(String(err));
  }
}

/** True when retrying cannot help. Errors from other modules may carry `retryable: false`. */
export function isPermanent(err: unknown): boolean {
  if (err instanceof RadarError) return err.permanent;
  if (err && typeof err === 'object' && 'retryable' in err) return (err as { retryable: unknown }).retryable === false;
  return false;
}

/** Plain JSON description of an error for TaskRun/PipelineRun records and API bodies. */
export function describeError(err: unknown): { name: string; code?: string; message: string; details?: unknown } {
  const e = coerceError(err);
  const out: { name: string; code?: string; message: string; details?: unknown } = { name: e.name, message: e.message };
  if (e instanceof RadarError) {
    out.code = e.code;
    if (e.details !== undefined) out.details = e.details;
  }
  return out;
}
