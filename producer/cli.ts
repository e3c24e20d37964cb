import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { userInfo } from 'node:os';
import { FlowProducer } from 'bullmq';
import { createBlobStore } from '../core/blobs.ts';
import { ConfigError, loadConfig, sourceSpec, type Config } from '../core/config.ts';
import { createDb, type Db } from '../core/db/client.ts';
import { BadInputError, coerceError, describeError, RadarError } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import type { NightParams } from '../core/pipeline/deps.ts';
import { daysBetween, listNights, nightListQuery, nightSummary, parseLogicalDate, startNight, type NightSummary } from '../core/pipeline/night.ts';
import { classifyItems, type ClassifyItem } from '../core/pipeline/serve.ts';
import { createRedis } from '../core/redis.ts';
import { lineage } from '../core/registry/lineage.ts';
import { deleteAlias, getModel, listEvents, listModels, listVersions, parseModelUri, promoteVersion, rollback, setAlias, type ModelRef } from '../core/registry/registry.ts';
import { listExperiments } from '../core/tracking/experiments.ts';
import { applyRetention } from '../core/tracking/retention.ts';
import { compareRuns, getRun } from '../core/tracking/runs.ts';
import { searchRuns } from '../core/tracking/search.ts';
import { formatComparison, formatLineage, formatRetention, formatRun, formatRuns } from './format.ts';
import { resolveSource } from '../core/sources/index.ts';
import { STAGES } from '../core/queues.ts';
import { cmdFetch, cmdHarvest } from './fetch.ts';
import { progressBar } from './progress.ts';

const USAGE = `radar: the arxiv-radar command line

  radar run [--date YYYY-MM-DD] [--source sample|arxiv|snapshot:<path>] [--param key=value ...] [--wait] [--json]
      enqueue one night (with --source sample and no date: the sample's last day; otherwise yesterday, UTC)
  radar fetch [--query Q | --date YYYY-MM-DD [--categories a,b]] [--max N] [--json] [--dry-run]
      fetch from arXiv through the nightly client (shared rate limit, retries) and store (unless --dry-run)
  radar harvest [--from YYYY-MM-DD] [--until YYYY-MM-DD] [--set cs] [--out file.jsonl.gz] [--max-pages N] [--json] [--dry-run]
      bulk metadata through OAI-PMH (dates are last-modified dates); --out writes a snapshot for snapshot:<file>
  radar backfill --from YYYY-MM-DD --to YYYY-MM-DD [--source S] [--concurrency N] [--wait] [--json]
      enqueue one night per day, at most N running at once
  radar status [<pipeline run id>] [--json]     one night (default: the latest)
  radar nights [--limit N] [--offset N] [--status queued|running|succeeded|failed] [--date YYYY-MM-DD] [--json]
      nights, newest first, a page at a time
  radar models [--json]                          registered models
  radar versions <model> [--json]                a model's versions
  radar events <model> [--json]                  a model's stage and alias history
  radar promote <model> <version> [--reason R] [--json]
  radar rollback <model> [--to <version>] [--reason R] [--json]
  radar aliases <model> [--set <alias>=<version>] [--delete <alias>] [--reason R] [--json]
  radar lineage <model> <version> | models:/<name>@<alias> [--json]
      version → run → params, metrics, artifacts → dataset snapshot → pipeline run → code
  radar classify [--model models:/<name>@<alias>] [--k N] [--json] [--text T ...] [FILE]
      label texts with the Production model (or the given one): each --text, or FILE / standard input
      as JSON lines ({"title","abstract"} or {"text"}) or one text per line
  radar runs [--experiment E] [--filter F] [--order-by O] [--limit N] [--cursor C] [--json]
      e.g. --filter "tags.role = 'candidate' AND (params.kind IN ('softmax','linear-svm') OR metrics.val_f1_macro > 0.8)"
           --order-by "metrics.val_f1_macro DESC"
  radar run-show <run id> [--json]
  radar compare <run id> <run id> ... [--json]
  radar experiments [--all] [--json]
  radar retention [--keep N] [--dry-run] [--json]   apply the retention policy now and report what it freed

Night params (--param): promotionMinF1, promotionMinMargin, promotionMinConfidence, requireApproval, candidates (comma-separated kinds, or default, or search: the hyper-parameter grid), seed.
Configuration comes from the environment (REDIS_URL, DATABASE_URL, ...): see the README.`;

interface Ctx {
  config: Config;
  db: Db;
  flows?: FlowProducer;
  close(): Promise<void>;
}

function openCtx(config: Config, withQueues: boolean): Ctx {
  const db = createDb(config.DATABASE_URL, { max: 3 });
  const redis = withQueues ? createRedis(config.REDIS_URL, 'client') : undefined;
  const flows = redis ? new FlowProducer({ connection: redis, prefix: config.QUEUE_PREFIX }) : undefined;
  return {
    config,
    db,
    flows,
    async close() {
      await flows?.close().catch(() => undefined);
      redis?.disconnect();
      await db.$disconnect().catch(() => undefined);
    },
  };
}

function out(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write((json ? JSON.stringify(value) : human()) + '\n');
}

function parseParams(items: string[]): NightParams {
  const params: NightParams = {};
  for (const item of items) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(item);
    if (!m) throw new BadInputError(`--param "${item}" is not key=value`);
    const [, key, value] = m as unknown as [string, string, string];
    switch (key) {
      case 'promotionMinF1':
      case 'promotionMinMargin':
      case 'promotionMinConfidence': {
        const n = Number(value);
        if (!Number.isFinite(n) || n < 0 || n > 1) throw new BadInputError(`--param ${key} must be a number in [0, 1]`);
        params[key] = n;
        break;
      }
      case 'seed': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0) throw new BadInputError('--param seed must be a non-negative integer');
        params.seed = n;
        break;
      }
      case 'requireApproval':
        if (value !== 'true' && value !== 'false') throw new BadInputError('--param requireApproval must be true or false');
        params.requireApproval = value === 'true';
        break;
      case 'candidates':
        params.candidates = value.split(',').map((s) => s.trim()).filter(Boolean);
        break;
      default:
        throw new BadInputError(`unknown --param "${key}"`);
    }
  }
  return params;
}

function formatSummary(s: NightSummary): string {
  const lines = [
    `night ${s.logicalDate} #${s.runNumber} (${s.pipeline}, ${s.source}, ${s.trigger}): ${s.status}`,
    `  stages: ${STAGES.map((st) => `${st}=${s.stages[st]}`).join(' ')}`,
  ];
  if (s.papersIngested !== null) lines.push(`  papers: ${s.papersIngested} fetched, ${s.newPapers} new on ${s.logicalDate}`);
  if (s.snapshot) lines.push(`  snapshot: ${s.snapshot.contentHash.slice(0, 12)} (${s.snapshot.total} papers)`);
  for (const c of s.candidates) lines.push(`  candidate ${c.kind}: val macro-F1 ${c.f1_macro?.toFixed(4)}${c.test_f1_macro !== null ? `, test ${c.test_f1_macro.toFixed(4)}` : ''}`);
  if (s.modelVersion !== null) lines.push(`  model version ${s.modelVersion}: ${s.promoted ? 'promoted' : 'not promoted'} (${s.gateReason})`);
  if (s.classified !== null) lines.push(`  classified: ${s.classified}`);
  if (s.error) lines.push(`  error: ${JSON.stringify(s.error)}`);
  return lines.join('\n');
}

/** Poll a night until it ends, drawing progress; returns its final summary. */
async function waitForNight(db: Db, runId: string, quiet: boolean): Promise<NightSummary> {
  const bar = quiet ? null : progressBar('night', STAGES.length);
  for (;;) {
    const s = await nightSummary(db, runId);
    const done = STAGES.filter((st) => s.stages[st] === 'succeeded').length;
    const current = STAGES.find((st) => s.stages[st] === 'running') ?? '';
    bar?.update(done, current);
    if (s.status === 'succeeded' || s.status === 'failed') {
      bar?.done();
      return s;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function cmdRun(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { date: { type: 'string' }, source: { type: 'string' }, wait: { type: 'boolean' }, json: { type: 'boolean' }, param: { type: 'string', multiple: true } },
  });
  const source = values.source ?? config.RADAR_SOURCE;
  if (!sourceSpec.safeParse(source).success) throw new BadInputError(`--source "${source}": expected sample, arxiv or snapshot:<path>`);
  const params = parseParams(values.param ?? []);
  let date = values.date;
  if (date) parseLogicalDate(date);
  else if (source !== 'arxiv') date = await resolveSource(source).lastDate!();
  else date = new Date(Date.now() - 86400_000).toISOString().slice(0, 10);

  const ctx = openCtx(config, true);
  try {
    const started = await startNight({ db: ctx.db, flows: ctx.flows!, config, log: createLogger('warn') }, { logicalDate: date, source, trigger: 'manual', params });
    if (!values.wait) {
      out(!!values.json, { runId: started.pipelineRunId, logicalDate: started.logicalDate, runNumber: started.runNumber, created: started.created, status: 'queued' }, () =>
        `${started.created ? 'queued' : 'already running'}: night ${started.logicalDate} #${started.runNumber} (${started.pipelineRunId})`,
      );
      return 0;
    }
    if (!values.json) process.stderr.write(`night ${started.logicalDate} #${started.runNumber} (${started.pipelineRunId}) ${started.created ? 'queued' : 'already running'}; waiting\n`);
    const s = await waitForNight(ctx.db, started.pipelineRunId, false);
    out(!!values.json, s, () => formatSummary(s));
    return s.status === 'succeeded' ? 0 : 1;
  } finally {
    await ctx.close();
  }
}

async function cmdBackfill(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { from: { type: 'string' }, to: { type: 'string' }, source: { type: 'string' }, concurrency: { type: 'string' }, wait: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  if (!values.from || !values.to) throw new BadInputError('backfill needs --from and --to');
  const days = daysBetween(values.from, values.to);
  const source = values.source ?? config.RADAR_SOURCE;
  const concurrency = values.concurrency ? Number(values.concurrency) : config.BACKFILL_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new BadInputError('--concurrency must be a positive integer');
  const ctx = openCtx(config, true);
  const bar = progressBar('backfill', days.length);
  const results: NightSummary[] = [];
  try {
    // At most `concurrency` nights in flight: each lane starts a night and waits for it before
    // taking the next day, so a long backfill never floods the workers.
    let next = 0;
    const lane = async () => {
      while (next < days.length) {
        const day = days[next++]!;
        const started = await startNight({ db: ctx.db, flows: ctx.flows!, config, log: createLogger('warn') }, { logicalDate: day, source, trigger: 'backfill' });
        results.push(await waitForNight(ctx.db, started.pipelineRunId, true));
        bar.update(results.length, day);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, days.length) }, lane));
    bar.done();
    results.sort((a, b) => (a.logicalDate < b.logicalDate ? -1 : 1));
    const failed = results.filter((r) => r.status !== 'succeeded');
    out(!!values.json, { nights: results.length, succeeded: results.length - failed.length, failed: failed.map((f) => ({ logicalDate: f.logicalDate, runId: f.runId, error: f.error })) }, () =>
      results.map((r) => `${r.logicalDate} ${r.status}${r.modelVersion !== null ? ` v${r.modelVersion}${r.promoted ? ' promoted' : ''}` : ''}`).join('\n'),
    );
    return failed.length ? 1 : 0;
  } finally {
    await ctx.close();
  }
}

async function cmdStatus(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const ctx = openCtx(config, false);
  try {
    const id = positionals[0] ?? (await ctx.db.pipelineRun.findFirst({ orderBy: { queuedAt: 'desc' }, select: { id: true } }))?.id;
    if (!id) throw new RadarError('not_found', 'no nights yet');
    const exists = await ctx.db.pipelineRun.count({ where: { id } });
    if (!exists) throw new RadarError('not_found', `pipeline run ${id} not found`);
    const s = await nightSummary(ctx.db, id);
    out(!!values.json, s, () => formatSummary(s));
    return 0;
  } finally {
    await ctx.close();
  }
}

async function cmdNights(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, limit: { type: 'string' }, offset: { type: 'string' }, status: { type: 'string' }, date: { type: 'string' } },
  });
  // The API's query schema: the same defaults, ranges and messages.
  const parsed = nightListQuery.safeParse({ limit: values.limit ?? 20, offset: values.offset, status: values.status, date: values.date });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadInputError(`--${issue.path.join('.')}: ${issue.message}`);
  }
  const ctx = openCtx(config, false);
  try {
    const page = await listNights(ctx.db, parsed.data);
    out(!!values.json, page, () => {
      if (page.total === 0) return 'no nights';
      const rows = page.pipelineRuns.map((r) => `${r.id}  ${r.logicalDate} #${r.runNumber}  ${r.status.padEnd(9)} ${r.trigger.padEnd(8)} ${r.source}`);
      const shown = `${page.offset + 1}-${page.offset + page.pipelineRuns.length} of ${page.total}`;
      const next = page.offset + page.limit < page.total ? ` (more: --offset ${page.offset + page.limit})` : '';
      return [...rows, `${shown}${next}`].join('\n');
    });
    return 0;
  } finally {
    await ctx.close();
  }
}

async function cmdRegistry(config: Config, cmd: string, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, reason: { type: 'string' }, to: { type: 'string' } },
  });
  const json = !!values.json;
  const actor = `cli:${userInfo().username}`;
  const ctx = openCtx(config, false);
  try {
    if (cmd === 'models') {
      const models = await listModels(ctx.db);
      out(json, models, () => models.map((m) => `${m.name}  versions=${m.versions}  production=${m.productionVersion ?? '-'}  aliases=${JSON.stringify(m.aliases)}`).join('\n') || 'no models yet');
      return 0;
    }
    const model = positionals[0];
    if (!model) throw new BadInputError(`${cmd} needs a model name`);
    if (cmd === 'versions') {
      const versions = await listVersions(ctx.db, model);
      out(json, versions, () => versions.map((v) => `v${v.version}  ${v.stage.padEnd(10)} f1_macro=${v.metrics.f1_macro?.toFixed(4)}  run=${v.runId}  ${v.aliases.join(',')}`).join('\n'));
      return 0;
    }
    if (cmd === 'events') {
      const events = await listEvents(ctx.db, model);
      out(json, events, () => events.map((e) => `${e.at.toISOString()}  ${e.kind.padEnd(13)} v${e.version ?? '-'} ${e.fromStage ?? ''}→${e.toStage ?? ''}  ${e.actor}: ${e.reason}`).join('\n'));
      return 0;
    }
    const reason = values.reason ?? `${cmd} from the command line`;
    if (cmd === 'promote') {
      const version = Number(positionals[1]);
      if (!Number.isInteger(version) || version < 1) throw new BadInputError('promote needs a version number');
      const v = await promoteVersion(ctx.db, { modelName: model, version, actor, reason }, createBlobStore(config.BLOB_STORE, ctx.db));
      out(json, v, () => `${model} v${v.version} is now in Production`);
      return 0;
    }
    if (cmd === 'rollback') {
      const to = values.to === undefined ? undefined : Number(values.to);
      if (to !== undefined && (!Number.isInteger(to) || to < 1)) throw new BadInputError('--to needs a version number');
      const v = await rollback(ctx.db, createBlobStore(config.BLOB_STORE, ctx.db), { modelName: model, to, actor, reason });
      out(json, v, () => `${model} rolled back: v${v.version} is now in Production`);
      return 0;
    }
    throw new BadInputError(`unknown command ${cmd}`);
  } finally {
    await ctx.close();
  }
}

async function cmdAliases(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, set: { type: 'string' }, delete: { type: 'string' }, reason: { type: 'string' } },
  });
  const model = positionals[0];
  if (!model) throw new BadInputError('aliases needs a model name');
  if (values.set && values.delete) throw new BadInputError('aliases: --set or --delete, not both');
  const actor = `cli:${userInfo().username}`;
  const ctx = openCtx(config, false);
  try {
    if (values.set) {
      const m = /^([^=]+)=(\d+)$/.exec(values.set);
      if (!m) throw new BadInputError(`--set "${values.set}" is not <alias>=<version>`);
      await setAlias(ctx.db, model, m[1]!, Number(m[2]), actor, values.reason ?? `alias ${m[1]} set from the command line`);
    } else if (values.delete) {
      await deleteAlias(ctx.db, model, values.delete, actor, values.reason ?? `alias ${values.delete} removed from the command line`);
    }
    const aliases = (await getModel(ctx.db, model)).aliases;
    out(!!values.json, aliases, () => Object.entries(aliases).map(([a, v]) => `${a} → v${v}`).join('\n') || 'no aliases');
    return 0;
  } finally {
    await ctx.close();
  }
}

async function cmdLineage(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
  let ref: ModelRef;
  if (positionals[0]?.startsWith('models:/')) ref = parseModelUri(positionals[0]);
  else {
    const version = Number(positionals[1]);
    if (!positionals[0] || !Number.isInteger(version) || version < 1) throw new BadInputError('lineage needs <model> <version> or a models:/ URI');
    ref = { name: positionals[0], version };
  }
  const ctx = openCtx(config, false);
  try {
    const l = await lineage(ctx.db, createBlobStore(config.BLOB_STORE, ctx.db), ref);
    out(!!values.json, l, () => formatLineage(l));
    return 0;
  } finally {
    await ctx.close();
  }
}

async function cmdRuns(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      experiment: { type: 'string' },
      filter: { type: 'string' },
      'order-by': { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
    },
  });
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new BadInputError('--limit must be an integer from 1 to 500');
  const ctx = openCtx(config, false);
  try {
    const r = await searchRuns(ctx.db, { experiment: values.experiment, filter: values.filter, orderBy: values['order-by'], limit, cursor: values.cursor });
    // Show the metrics the query talks about, or the headline ones.
    const mentioned = [...`${values.filter ?? ''} ${values['order-by'] ?? ''}`.matchAll(/metrics?\.([A-Za-z0-9_.\-:/]+)/g)].map((m) => m[1]!);
    const keys = mentioned.length ? [...new Set(mentioned)] : ['val_f1_macro', 'f1_macro'];
    out(!!values.json, r, () => formatRuns(r.runs, keys) + (r.nextCursor ? `\n(more: --cursor ${r.nextCursor})` : ''));
    return 0;
  } finally {
    await ctx.close();
  }
}

async function cmdRunShow(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (!positionals[0]) throw new BadInputError('run-show needs a run id');
  const ctx = openCtx(config, false);
  try {
    const r = await getRun(ctx.db, positionals[0]);
    out(!!values.json, r, () => formatRun(r));
    return 0;
  } finally {
    await ctx.close();
  }
}

async function cmdCompare(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length < 2) throw new BadInputError('compare needs at least two run ids');
  const ctx = openCtx(config, false);
  try {
    const c = await compareRuns(ctx.db, positionals);
    out(!!values.json, c, () => formatComparison(c));
    return 0;
  } finally {
    await ctx.close();
  }
}

async function cmdExperiments(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, all: { type: 'boolean' } } });
  const ctx = openCtx(config, false);
  try {
    const list = await listExperiments(ctx.db, values.all ? 'all' : 'active');
    out(!!values.json, list, () =>
      list.map((e) => `${e.name}  ${e.lifecycleStage}  runs=${e.runs}  last=${e.lastRunAt?.toISOString() ?? '-'}  tags=${JSON.stringify(e.tags)}`).join('\n') || 'no experiments',
    );
    return 0;
  } finally {
    await ctx.close();
  }
}

async function cmdClassify(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, model: { type: 'string' }, k: { type: 'string' }, text: { type: 'string', multiple: true } },
  });
  const k = values.k === undefined ? 3 : Number(values.k);
  if (!Number.isInteger(k) || k < 1) throw new BadInputError('--k must be a positive integer');
  if (positionals.length > 1) throw new BadInputError('classify reads at most one FILE');
  if (values.text?.length && positionals.length) throw new BadInputError('give --text or a FILE, not both');
  const items: ClassifyItem[] = values.text?.length ? values.text : parseClassifyInput(await readInput(positionals[0]));
  if (items.length === 0) throw new BadInputError('nothing to classify: give --text, a FILE or standard input');
  const ctx = openCtx(config, false);
  try {
    const r = await classifyItems({ db: ctx.db, blobs: createBlobStore(config.BLOB_STORE, ctx.db) }, { items, model: values.model, k, defaultModel: config.MODEL_NAME });
    out(!!values.json, r, () =>
      [
        `${r.model} v${r.version} (${r.stage}, ${r.kind})`,
        ...r.predictions.map((p) => `${p.label}\t${p.confidence.toFixed(3)}\t${p.topK.map((t) => `${t.label} ${t.probability.toFixed(3)}`).join(', ')}`),
      ].join('\n'),
    );
    return 0;
  } finally {
    await ctx.close();
  }
}

async function readInput(path: string | undefined): Promise<string> {
  if (path && path !== '-') {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      throw new BadInputError(`cannot read ${path}: ${coerceError(e).message}`);
    }
  }
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * JSON lines of {title, abstract} or {text}, or plain lines of text; blank lines skipped. The first
 * non-blank line decides: if it is a JSON object every line must be one (a malformed line is an
 * error naming it), otherwise every line is text (so a title starting with `{\em` stays text).
 */
export function parseClassifyInput(input: string): ClassifyItem[] {
  const lines = input.split('\n').map((l, i) => ({ line: l.trim(), n: i + 1 })).filter((l) => l.line);
  if (lines.length === 0) return [];
  const asJson = (line: string): unknown => {
    try {
      return JSON.parse(line);
    } catch {
      return undefined;
    }
  };
  const first = asJson(lines[0]!.line);
  if (first === null || typeof first !== 'object' || Array.isArray(first)) return lines.map((l) => l.line);
  return lines.map(({ line, n }) => {
    const row = asJson(line) as { title?: unknown; abstract?: unknown; text?: unknown } | undefined;
    if (!row || typeof row !== 'object') throw new BadInputError(`line ${n}: not a JSON object (the first line was one, so every line must be)`);
    if (typeof row.text === 'string' && row.text.trim()) return row.text;
    if (typeof row.abstract === 'string' && row.abstract.trim()) return { title: typeof row.title === 'string' ? row.title : '', abstract: row.abstract };
    throw new BadInputError(`line ${n}: expected "text" or "abstract" (with "title")`);
  });
}

async function cmdRetention(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, keep: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
  const keepRuns = values.keep === undefined ? config.RETENTION_KEEP_RUNS : Number(values.keep);
  if (!Number.isInteger(keepRuns) || keepRuns < 1) throw new BadInputError('--keep must be a positive integer');
  const ctx = openCtx(config, false);
  try {
    const r = await applyRetention(
      { db: ctx.db, blobs: createBlobStore(config.BLOB_STORE, ctx.db) },
      { keepRuns, blobGraceMs: config.RETENTION_BLOB_GRACE_HOURS * 3600_000, dryRun: !!values['dry-run'] },
    );
    out(!!values.json, r, () => formatRetention(r));
    return 0;
  } finally {
    await ctx.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  try {
    const config = loadConfig();
    switch (cmd) {
      case 'fetch':
        return await cmdFetch(config, rest);
      case 'harvest':
        return await cmdHarvest(config, rest);
      case 'run':
        return await cmdRun(config, rest);
      case 'backfill':
        return await cmdBackfill(config, rest);
      case 'status':
        return await cmdStatus(config, rest);
      case 'nights':
        return await cmdNights(config, rest);
      case 'models':
      case 'versions':
      case 'events':
      case 'promote':
      case 'rollback':
        return await cmdRegistry(config, cmd, rest);
      case 'aliases':
        return await cmdAliases(config, rest);
      case 'lineage':
        return await cmdLineage(config, rest);
      case 'runs':
        return await cmdRuns(config, rest);
      case 'run-show':
        return await cmdRunShow(config, rest);
      case 'compare':
        return await cmdCompare(config, rest);
      case 'experiments':
        return await cmdExperiments(config, rest);
      case 'retention':
        return await cmdRetention(config, rest);
      case 'classify':
        return await cmdClassify(config, rest);
      default:
        process.stderr.write(`radar: unknown command "${cmd}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (raw) {
    const err = coerceError(raw);
    const d = describeError(err);
    // Every node:util parseArgs complaint (unknown option, missing or ambiguous value) is usage.
    const usage = err instanceof BadInputError || err instanceof ConfigError || String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_');
    process.stderr.write(`radar ${cmd}: ${d.message}\n`);
    if (process.argv.includes('--json')) process.stdout.write(JSON.stringify({ error: d }) + '\n');
    return usage ? 2 : 1;
  }
}

