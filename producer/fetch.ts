import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { OaiPmhHarvester } from '../core/arxiv/oai-pmh.ts';
import type { Config } from '../core/config.ts';
import { createDb } from '../core/db/client.ts';
import { BadInputError } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import { upsertPapers } from '../core/pipeline/ingest.ts';
import { parseLogicalDate } from '../core/pipeline/night.ts';
import { createRedis } from '../core/redis.ts';
import { arxivClient, arxivRateGate } from '../core/sources/factories.ts';
import type { SourcePaper } from '../core/papers/types.ts';

const CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;

/** The JSON line printed per paper by `radar fetch --json`. */
function paperLine(p: SourcePaper) {
  return {
    id: p.id,
    version: p.version,
    title: p.title,
    authors: p.authors,
    primaryCategory: p.primaryCategory,
    categories: p.categories,
    published: p.published,
    updated: p.updated,
    doi: p.doi ?? null,
    journalRef: p.journalRef ?? null,
    comment: p.comment ?? null,
  };
}

/**
 * `radar fetch`: query arXiv through the same client, rate gate and parser as the nightly ingest,
 * print what came back, and store it (unless --dry-run). Every request, dry or not, goes through
 * the Redis-wide rate gate: a dry run still talks to arXiv.
 */
export async function cmdFetch(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      query: { type: 'string' },
      categories: { type: 'string' },
      date: { type: 'string' },
      max: { type: 'string' },
      json: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
    },
  });
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new BadInputError('--max must be a positive integer');
  if (values.query && (values.categories || values.date)) throw new BadInputError('use either --query or --categories/--date, not both');
  if (!values.query && !values.date) throw new BadInputError('fetch needs --query Q, or --date YYYY-MM-DD (with --categories, default ARXIV_CATEGORIES)');
  const categories = values.categories ? values.categories.split(',').map((c) => c.trim()).filter(Boolean) : [...config.ARXIV_CATEGORIES];
  for (const c of categories) if (!CATEGORY.test(c)) throw new BadInputError(`--categories: "${c}" is not an arXiv category`);
  if (values.date) parseLogicalDate(values.date);

  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, { process: 'cli' });
  const redis = createRedis(config.REDIS_URL, 'client');
  const client = arxivClient(config, arxivRateGate(redis, config), log);
  try {
    const result = values.query
      ? await client.fetchAll({ searchQuery: values.query }, { max })
      : await client.fetchWindow({ categories, day: values.date! });
    const papers = max === undefined ? result.papers : result.papers.slice(0, max);
    let stored = 0;
    if (!values['dry-run']) {
      const db = createDb(config.DATABASE_URL, { max: 2 });
      try {
        stored = await upsertPapers(db, papers, 'arxiv', null);
      } finally {
        await db.$disconnect();
      }
    }
    const summary = {
      fetched: papers.length,
      pages: result.pages,
      retries: result.retries,
      requests: result.requests,
      duplicates: result.duplicates,
      rejected: result.rejected.length,
      complete: result.complete,
      warnings: result.warnings,
      stored: values['dry-run'] ? null : stored,
    };
    if (values.json) {
      for (const p of papers) process.stdout.write(JSON.stringify(paperLine(p)) + '\n');
      process.stdout.write(JSON.stringify(summary) + '\n');
    } else {
      for (const p of papers) process.stdout.write(`${p.id}v${p.version}  ${p.primaryCategory.padEnd(10)} ${p.published.slice(0, 10)}  ${p.title}\n`);
      process.stdout.write(
        `fetched ${summary.fetched} papers in ${summary.pages} pages (${summary.requests} requests, ${summary.retries} retries, ${summary.duplicates} duplicates dropped)` +
          (values['dry-run'] ? '; dry run, nothing stored\n' : `; ${stored} rows inserted or updated\n`),
      );
      for (const w of summary.warnings) process.stderr.write(`warning: ${w}\n`);
    }
    return 0;
  } finally {
    redis.disconnect();
  }
}

/** A paper as one line of the JSONL snapshot format (the format `snapshot:<path>` reads). */
export function snapshotLine(p: SourcePaper): string {
  return JSON.stringify({ id: p.id, title: p.title, abstract: p.abstract, categories: p.categories.join(' '), primary_category: p.primaryCategory, published: p.published.slice(0, 10) });
}

/**
 * `radar harvest`: bulk metadata through OAI-PMH (ListRecords, metadataPrefix=arXiv), for a
 * backfill or for building training data. OAI dates are last-modified datestamps, not
 * submission dates. Stores the papers (unless --dry-run) and, with --out, writes them as a JSONL
 * snapshot that `RADAR_SOURCE=snapshot:<file>` can train from.
 */
export async function cmdHarvest(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { from: { type: 'string' }, until: { type: 'string' }, set: { type: 'string' }, out: { type: 'string' }, 'max-pages': { type: 'string' }, json: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  });
  if (values.from) parseLogicalDate(values.from);
  if (values.until) parseLogicalDate(values.until);
  const maxPages = values['max-pages'] === undefined ? undefined : Number(values['max-pages']);
  if (maxPages !== undefined && (!Number.isInteger(maxPages) || maxPages < 1)) throw new BadInputError('--max-pages must be a positive integer');
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, { process: 'cli' });
  const redis = createRedis(config.REDIS_URL, 'client');
  try {
    const harvester = new OaiPmhHarvester({ baseUrl: config.ARXIV_OAI_URL, userAgent: config.ARXIV_USER_AGENT, rateGate: arxivRateGate(redis, config), log });
    const result = await harvester.harvest({ from: values.from, until: values.until, set: values.set, metadataPrefix: 'arXiv' }, { maxPages });
    let stored: number | null = null;
    if (!values['dry-run']) {
      const db = createDb(config.DATABASE_URL, { max: 2 });
      try {
        stored = await upsertPapers(db, result.papers, 'oai', null);
      } finally {
        await db.$disconnect();
      }
    }
    if (values.out) {
      const text = result.papers.map(snapshotLine).join('\n') + '\n';
      await writeFile(values.out, values.out.endsWith('.gz') ? gzipSync(text) : text);
    }
    const summary = { harvested: result.papers.length, deleted: result.deleted.length, rejected: result.rejected.length, pages: result.pages, requests: result.requests, retries: result.retries, resumptionToken: result.resumptionToken, stored, out: values.out ?? null };
    if (values.json) process.stdout.write(JSON.stringify(summary) + '\n');
    else
      process.stdout.write(
        `harvested ${summary.harvested} papers (${summary.deleted} deleted records, ${summary.rejected} rejected) in ${summary.pages} pages` +
          (stored === null ? '; dry run, nothing stored' : `; ${stored} rows inserted or updated`) +
          (values.out ? `; wrote ${values.out}` : '') +
          (summary.resumptionToken ? `; resume with the token ${summary.resumptionToken}` : '') +
          '\n',
      );
    return 0;
  } finally {
    redis.disconnect();
  }
}
