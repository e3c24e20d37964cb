import { z } from 'zod';
import { checkCandidateNames } from './ml/candidates.ts';

/**
 * Every setting of arxiv-radar, parsed once from the environment into a frozen object.
 * Defaults work on a developer machine with local Redis and PostgreSQL; a bad value stops the
 * process at start-up with the variable's name and the fix.
 */

export const DEFAULT_CATEGORIES = ['cs.AI', 'cs.LG', 'cs.CL', 'cs.CV', 'stat.ML', 'math.OC'] as const;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/** `sample`, `snapshot:<path to .jsonl or .jsonl.gz>`, `arxiv` or `replay:<pipeline run id>`. */
export const sourceSpec = z
  .string()
  .regex(/^(sample|arxiv|snapshot:.+|replay:[a-z0-9]+)$/, 'expected sample, arxiv, snapshot:<path> or replay:<pipeline run id>');

const schema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected postgresql://user@host:port/database')
    .default('postgresql://postgres@127.0.0.1:5432/arxiv_radar'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  /** BullMQ key prefix. Braces make it a Redis Cluster hash tag so one flow's queues share a slot. */
  QUEUE_PREFIX: z.string().min(1).default('{radar}'),
  PIPELINE_NAME: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes only')
    .default('nightly'),
  SCHEDULE_CRON: z.string().default('0 2 * * *'),
  SCHEDULE_TZ: z.string().default('UTC'),
  SCHEDULE_ENABLED: bool.default(true),
  /** What scheduled nights read; `npm start`'s first night always uses the bundled sample. */
  RADAR_SOURCE: sourceSpec.default('arxiv'),
  ARXIV_CATEGORIES: csv
    .pipe(z.array(z.string().regex(/^[a-z-]+(\.[A-Za-z-]+)?$/, 'not an arXiv category (e.g. cs.LG, astro-ph, math.OC)')).min(1, 'name at least one category'))
    .default([...DEFAULT_CATEGORIES]),
  ARXIV_API_URL: z.string().url().default('http://export.arxiv.org/api/query'),
  ARXIV_OAI_URL: z.string().url().default('http://export.arxiv.org/oai2'),
  /** arXiv asks for a descriptive User-Agent with a way to reach the operator. */
  ARXIV_USER_AGENT: z.string().min(8).default('arxiv-radar/0.1 (nightly topic classifier; set ARXIV_USER_AGENT to name your team and a contact)'),
  /**
   * Spacing between any two arXiv requests from every process together (arXiv's terms: one
   * every 3 s). A little over 3 s leaves room for the time between a granted turn and the
   * request reaching arXiv.
   */
  ARXIV_RATE_INTERVAL_MS: int(1).default(3100),
  ARXIV_PAGE_SIZE: int(1, 2000).default(1000),
  ARXIV_MAX_RETRIES: int(0, 20).default(5),
  /** Base of the exponential backoff between retries of one arXiv request. */
  ARXIV_BACKOFF_MS: int(0).default(3000),
  MODEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash and underscore only')
    .default('arxiv-topics'),
  EXPERIMENT_NAME: z.string().min(1).default('arxiv-topics'),
  /** Labels with fewer training papers than this are left out of the snapshot. */
  LABEL_MIN_COUNT: int(2).default(20),
  /** Abstracts shorter than this many characters are dropped as not classifiable. */
  MIN_ABSTRACT_CHARS: int(0).default(80),
  // Data validation before training: a failing check fails the night with a report.
  VALIDATION_MIN_PAPERS: int(1).default(50),
  VALIDATION_MIN_LABELS: int(2).default(2),
  /** Largest share of papers up to D dropped for an empty or too-short abstract. */
  VALIDATION_MAX_SHORT_FRACTION: num(0, 1).default(0.05),
  /** Largest share of papers up to D that repeat another paper's text. */
  VALIDATION_MAX_DUPLICATE_FRACTION: num(0, 1).default(0.05),
  /** Largest ratio between the biggest and the smallest label's paper count. */
  VALIDATION_MAX_IMBALANCE: num(1, 1e9).default(100),
  /** D's new papers must be at least this share of the median of recent nights... */
  VALIDATION_MIN_VOLUME_RATIO: num(0, 1).default(0.25),
  /** ...over this many recent successful nights of the same source... */
  VALIDATION_VOLUME_LOOKBACK: int(1, 365).default(7),
  /** ...when that median is at least this (sparse sources have no meaningful baseline). */
  VALIDATION_VOLUME_MIN_BASELINE: int(0).default(20),
  TRAIN_SEED: int(0).default(42),
  /**
   * Comma-separated candidates to train: trainer kinds, `default` (the ML module's default set) or
   * `search` (its hyper-parameter grid); empty = `default`.
   */
  CANDIDATES: csv.default([]).superRefine((names, ctx) => {
    try {
      checkCandidateNames(names);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  }),
  PROMOTION_MIN_F1: num(0, 1).default(0),
  /** A challenger must beat the champion's macro-F1 on the same held-out papers by more than this. */
  PROMOTION_MIN_MARGIN: num(0, 1).default(0),
  /**
   * And must win in at least this share of the paired bootstrap resamples of those papers (0: not
   * required; 0.9: promote only a difference the test papers support nine times in ten).
   */
  PROMOTION_MIN_CONFIDENCE: num(0, 1).default(0),
  PROMOTION_REQUIRE_APPROVAL: bool.default(false),
  API_TOKEN: z.string().min(8, 'use at least 8 characters').default('radar-dev-token'),
  /** `postgres` (bytes in the database every worker reaches) or `fs:<directory>` (a shared volume). */
  BLOB_STORE: z
    .string()
    .regex(/^(postgres|fs:.+)$/, 'expected postgres or fs:<directory>')
    .default('postgres'),
  /** Queues this worker process serves (comma-separated); empty = all. */
  WORKER_QUEUES: csv.default([]),
  /** Per-queue concurrency overrides, e.g. `train-candidate=2,classify=1`. */
  WORKER_CONCURRENCY: csv.default([]),
  /** Attempts per stage job before the night fails (permanent errors are never retried). */
  STAGE_ATTEMPTS: int(1, 20).default(3),
  /** Base of the exponential backoff between attempts. */
  RETRY_BACKOFF_MS: int(0).default(10_000),
  /** When the retention job runs (the producer's job scheduler, in SCHEDULE_TZ). */
  RETENTION_CRON: z.string().default('30 3 * * *'),
  RETENTION_ENABLED: bool.default(true),
  /** Runs kept with their artifacts per experiment (newest first); runs behind a model version are always kept. */
  RETENTION_KEEP_RUNS: int(1).default(50),
  /** A blob is removed only if nothing references it and nobody has put it for this long. */
  RETENTION_BLOB_GRACE_HOURS: num(0, 24 * 365).default(24),
  /** How many nights of a backfill run at once. */
  BACKFILL_CONCURRENCY: int(1, 64).default(2),
  /** How long shutdown waits for running jobs before it forces. */
  SHUTDOWN_TIMEOUT_MS: int(0).default(30_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  NODE_ENV: z.string().default('development'),
});

export type Config = Readonly<z.infer<typeof schema>> & {
  readonly workerConcurrency: Readonly<Record<string, number>>;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parse and validate configuration. Throws ConfigError listing every bad variable and how to
 * fix it; never returns a partially valid config.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') present[key] = v;
  }
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${String(i.path[0])}=${JSON.stringify(present[String(i.path[0])] ?? '')}: ${i.message}`,
    );
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.NODE_ENV === 'production' && c.API_TOKEN === 'radar-dev-token') {
    throw new ConfigError('invalid configuration:\n  API_TOKEN: set a secret token in production');
  }
  const workerConcurrency: Record<string, number> = {};
  for (const item of c.WORKER_CONCURRENCY) {
    const m = /^([a-z-]+)=(\d+)$/.exec(item);
    if (!m || Number(m[2]) < 1) {
      throw new ConfigError(
        `invalid configuration:\n  WORKER_CONCURRENCY: "${item}" is not <queue>=<positive integer>`,
      );
    }
    workerConcurrency[m[1]!] = Number(m[2]);
  }
  return Object.freeze({ ...c, workerConcurrency: Object.freeze(workerConcurrency) });
}

/**
 * The environment that reproduces a config, for child processes (sandboxed job processors)
 * that must see exactly the parent's settings, including ones a test set in code.
 */
export function configToEnv(config: Config): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of Object.keys(schema.shape) as (keyof z.infer<typeof schema>)[]) {
    const v = config[key];
    env[key] = Array.isArray(v) ? v.join(',') : String(v);
  }
  return env;
}
