/**
 * Run search at scale: how `searchRuns` (GET /api/runs, `radar runs`) grows with the number of
 * tracked runs. A team's nightly fan-out logs about a dozen candidate runs a night, so a year is
 * a few thousand runs; this seeds a scratch database with N runs shaped like the pipeline's
 * (8 params, 6 metrics with a 3-step history on a quarter of them, 3 tags, 3 experiments, one of
 * them archived), times typical searches through the real code path at each size, and prints the
 * medians and the ratio between the largest and smallest size: 10x the runs at 1x the time means
 * the query does not scan, 10x the time means it scans.
 *
 *   npm run bench:runs -- [--sizes 2000,20000] [--repeats 9] [--json]
 *
 * Needs PostgreSQL at DATABASE_URL's server (default postgresql://postgres@127.0.0.1:5432); the
 * scratch database (radar_bench_runs_<random>) is dropped at the end, also after a failure.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../core/db/client.ts';
import { runViews } from '../core/tracking/runs.ts';
import { searchRuns, type SearchRunsInput } from '../core/tracking/search.ts';
import { withDatabase } from '../prisma/tools/engine.ts';
import { applyMigrations, DEFAULT_DATABASE_URL } from '../prisma/tools/migrate.ts';
import { parseArgs } from './args.ts';
import { median } from './stats.ts';

const args = parseArgs(process.argv.slice(2), ['json']);
const sizes = (args.get('sizes') ?? '2000,20000').split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 500) || sizes.some((n, i) => i > 0 && n <= sizes[i - 1]!)) {
  throw new Error('--sizes: increasing integers of at least 500 (a page of 500 runs is timed), comma-separated');
}
const repeats = Number(args.get('repeats') ?? 9);

const QUERIES: { name: string; input: SearchRunsInput }[] = [
  { name: 'newest 100 (default order)', input: { limit: 100 } },
  { name: 'metric filter, sorted by it', input: { filter: 'metrics.val_f1_macro > 0.85', orderBy: 'metrics.val_f1_macro DESC', limit: 100 } },
  { name: 'params IN + tag', input: { filter: "params.kind IN ('softmax', 'linear-svm') AND tags.role = 'candidate'", limit: 100 } },
  { name: 'name ILIKE + status', input: { filter: "name ILIKE '%blend%' AND status = 'FINISHED'", limit: 100 } },
  { name: 'one night (pipeline_run =)', input: { filter: "pipeline_run = 'night-00042'", limit: 100 } },
  { name: 'start_time window, by metric', input: { filter: "start_time >= '2025-03-01' AND start_time < '2025-03-08'", orderBy: 'metrics.f1_macro DESC', limit: 100 } },
];

/** Seeds runs [from, to) with SQL only (generate_series), deterministic in the run number. */
async function seed(c: pg.Client, from: number, to: number): Promise<void> {
  const range = `generate_series(${from}, ${to - 1}) AS i`;
  // Night i / 12: twelve candidate runs per night, a night every day from 2025-01-01.
  await c.query(`INSERT INTO "PipelineRun" ("id", "pipeline", "logicalDate", "runNumber", "trigger", "source", "params")
    SELECT 'night-' || lpad(n::text, 5, '0'), 'nightly', DATE '2025-01-01' + n, 1, 'schedule', 'arxiv', '{}'
    FROM generate_series(${Math.floor(from / 12)}, ${Math.floor((to - 1) / 12)}) AS n ON CONFLICT DO NOTHING`);
  await c.query(`INSERT INTO "Run" ("id", "experimentId", "name", "status", "startTime", "endTime", "pipelineRunId", "codeVersion")
    SELECT 'run-' || lpad(i::text, 7, '0'),
      CASE WHEN i % 10 = 9 THEN 'exp-adhoc' WHEN i % 50 = 7 THEN 'exp-old' ELSE 'exp-nightly' END,
      (ARRAY['svm-nb-blend', 'linear-svm', 'softmax', 'complement-nb'])[i % 4 + 1] || ' #' || i,
      (CASE WHEN i % 37 = 0 THEN 'FAILED' ELSE 'FINISHED' END)::"RunStatus",
      TIMESTAMP '2025-01-01' + (i / 12) * INTERVAL '1 day' + (i % 12) * INTERVAL '1 minute',
      TIMESTAMP '2025-01-01' + (i / 12) * INTERVAL '1 day' + (i % 12 + 1) * INTERVAL '1 minute',
      'night-' || lpad((i / 12)::text, 5, '0'), 'abc' || (i / 500)
    FROM ${range}`);
  await c.query(`INSERT INTO "Param" ("runId", "key", "value")
    SELECT 'run-' || lpad(i::text, 7, '0'), k.key, CASE k.key
        WHEN 'kind' THEN (ARRAY['svm-nb-blend', 'linear-svm', 'softmax', 'complement-nb'])[i % 4 + 1]
        WHEN 'model.C' THEN (ARRAY['0.25', '0.5', '1'])[i % 3 + 1]
        WHEN 'model.ngramMax' THEN (i % 2 + 1)::text
        ELSE k.key || '-' || (i % 7) END
    FROM ${range}, unnest(ARRAY['kind', 'model.C', 'model.ngramMax', 'model.minDf', 'model.alpha', 'seed', 'data.snapshot', 'code.version']) AS k(key)`);
  // Pseudo-random but deterministic metric values in [0.55, 0.95).
  await c.query(`INSERT INTO "Metric" ("runId", "key", "value", "step", "timestamp")
    SELECT 'run-' || lpad(i::text, 7, '0'), k.key, 0.55 + ((i * 7919 + k.n * 104729 + s.step * 31) % 4000) / 10000.0, s.step,
      TIMESTAMP '2025-01-01' + (i / 12) * INTERVAL '1 day' + s.step * INTERVAL '1 second'
    FROM ${range}, unnest(ARRAY['val_f1_macro', 'f1_macro', 'accuracy', 'log_loss', 'fit_seconds', 'val_accuracy']) WITH ORDINALITY AS k(key, n),
      LATERAL generate_series(0, CASE WHEN i % 4 = 0 AND k.key = 'val_f1_macro' THEN 2 ELSE 0 END) AS s(step)`);
  await c.query(`INSERT INTO "RunTag" ("runId", "key", "value")
    SELECT 'run-' || lpad(i::text, 7, '0'), k.key, CASE k.key WHEN 'role' THEN (CASE WHEN i % 12 = 0 THEN 'night' ELSE 'candidate' END)
      WHEN 'kind' THEN (ARRAY['svm-nb-blend', 'linear-svm', 'softmax', 'complement-nb'])[i % 4 + 1] ELSE 'user-' || (i % 5) END
    FROM ${range}, unnest(ARRAY['role', 'kind', 'owner']) AS k(key)`);
  await c.query('ANALYZE');
}

/** Median wall time of `repeats` calls of `fn`, in ms. */
async function medianMs(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function timeQuery(db: Db, input: SearchRunsInput): Promise<{ ms: number; rows: number }> {
  let rows = 0;
  for (let w = 0; w < 3; w++) await searchRuns(db, input); // warm Prisma, the buffers and the plan cache
  const ms = await medianMs(async () => (rows = (await searchRuns(db, input)).runs.length));
  return { ms, rows };
}

/** Pages through every match of the params + tag query, 500 runs a page, by cursor. */
async function pageAll(db: Db): Promise<{ ms: number; rows: number }> {
  const t = performance.now();
  let rows = 0;
  let cursor: string | undefined;
  do {
    const page = await searchRuns(db, { ...QUERIES[2]!.input, limit: 500, ...(cursor ? { cursor } : {}) });
    rows += page.runs.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { ms: performance.now() - t, rows };
}

const server = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const url = withDatabase(server, `radar_bench_runs_${randomBytes(4).toString('hex')}`);
const db = createDb(url, { max: 2 });
const client = new pg.Client({ connectionString: url });
try {
  await applyMigrations({ connectionString: url, createDatabase: true });
  await client.connect();
  await client.query(`INSERT INTO "Experiment" ("id", "name", "lifecycleStage") VALUES
    ('exp-nightly', 'nightly', 'active'), ('exp-adhoc', 'ad-hoc', 'active'), ('exp-old', 'old', 'archived')`);
  const results: { size: number; seedSeconds: number; queries: { name: string; ms: number; rows: number }[] }[] = [];
  let seeded = 0;
  for (const size of sizes) {
    const t = performance.now();
    await seed(client, seeded, size);
    seeded = size;
    const seedSeconds = (performance.now() - t) / 1000;
    const queries = [];
    for (const q of QUERIES) queries.push({ name: q.name, ...(await timeQuery(db, q.input)) });
    queries.push({ name: 'every params IN + tag match, 500 a page', ...(await pageAll(db)) });
    // What a page of 500 costs after the search itself: its runs' params, latest metrics, tags.
    const ids = Array.from({ length: 500 }, (_, k) => `run-${String(k * Math.floor(size / 500)).padStart(7, '0')}`);
    queries.push({ name: '(of which: loading 500 runs for a page)', ms: await medianMs(() => runViews(db, ids)), rows: 500 });
    results.push({ size, seedSeconds, queries });
    console.error(`seeded ${size} runs (${seedSeconds.toFixed(1)} s)`);
  }
  const first = results[0]!;
  const last = results.at(-1)!;
  console.log(`\nrun search, medians of ${repeats} (paging: one pass), ms; ratio = ${last.size} runs / ${first.size} runs\n`);
  console.log(`| query | ${results.map((r) => `${r.size} runs`).join(' | ')} | ratio | rows returned |`);
  console.log(`|---|${results.map(() => '---|').join('')}---|---|`);
  for (let q = 0; q < first.queries.length; q++) {
    const cells = results.map((r) => r.queries[q]!.ms.toFixed(1));
    const ratio = last.queries[q]!.ms / first.queries[q]!.ms;
    console.log(`| ${first.queries[q]!.name} | ${cells.join(' | ')} | ${ratio.toFixed(2)}x | ${results.map((r) => r.queries[q]!.rows).join(' / ')} |`);
  }
  if (args.has('json')) console.log(JSON.stringify({ repeats, results }));
} finally {
  await client.end().catch(() => undefined);
  await db.$disconnect().catch(() => undefined);
  const admin = new pg.Client({ connectionString: withDatabase(server, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`).finally(() => admin.end());
}
