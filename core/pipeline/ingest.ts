import type { Db } from '../db/client.ts';
import type { SourcePaper } from '../papers/types.ts';
import type { IngestOutput, NightRef } from '../queues.ts';
import type { PaperSource } from '../sources/index.ts';
import type { StageDeps } from './deps.ts';

/**
 * Upsert papers idempotently: new ids are inserted (recording the pipeline run that first saw
 * them), a newer version replaces the row, an equal or older version changes nothing.
 * Returns how many rows were inserted or moved forward.
 */
export async function upsertPapers(db: Db, papers: readonly SourcePaper[], source: string, firstSeenRunId: string | null): Promise<number> {
  if (papers.length === 0) return 0;
  // Within one batch keep the highest version of each id: ON CONFLICT cannot touch a row twice.
  const latest = new Map<string, SourcePaper>();
  for (const p of papers) {
    const prev = latest.get(p.id);
    if (!prev || p.version > prev.version) latest.set(p.id, p);
  }
  const rows = [...latest.values()];
  const col = <T>(f: (p: SourcePaper) => T) => rows.map(f);
  const result = await db.$queryRaw<{ n: bigint }[]>`
    WITH input AS (
      SELECT * FROM unnest(
        ${col((p) => p.id)}::text[], ${col((p) => p.version)}::int[], ${col((p) => p.title)}::text[],
        ${col((p) => p.abstract)}::text[], ${col((p) => JSON.stringify(p.authors))}::text[],
        ${col((p) => p.primaryCategory)}::text[], ${col((p) => JSON.stringify(p.categories))}::text[],
        ${col((p) => p.published)}::timestamptz[], ${col((p) => p.updated)}::timestamptz[],
        ${col((p) => p.doi ?? null)}::text[], ${col((p) => p.journalRef ?? null)}::text[],
        ${col((p) => p.comment ?? null)}::text[], ${col((p) => (p.links ? JSON.stringify(p.links) : null))}::text[]
      ) AS t(id, version, title, abstract, authors, primary_category, categories, published, updated, doi, journal_ref, comment, links)
    ), upserted AS (
      INSERT INTO "Paper" ("id", "version", "title", "abstract", "authors", "primaryCategory", "categories", "published", "updated",
                           "publishedDay", "doi", "journalRef", "comment", "links", "source", "firstSeenRunId", "createdAt", "updatedAt")
      SELECT id, version, title, abstract, authors::jsonb, primary_category,
             ARRAY(SELECT jsonb_array_elements_text(categories::jsonb)), published, updated,
             (published AT TIME ZONE 'UTC')::date, doi, journal_ref, comment, links::jsonb, ${source}, ${firstSeenRunId}, now(), now()
      FROM input
      ON CONFLICT ("id") DO UPDATE SET
        "version" = EXCLUDED."version", "title" = EXCLUDED."title", "abstract" = EXCLUDED."abstract",
        "authors" = EXCLUDED."authors", "primaryCategory" = EXCLUDED."primaryCategory", "categories" = EXCLUDED."categories",
        "updated" = EXCLUDED."updated", "doi" = EXCLUDED."doi", "journalRef" = EXCLUDED."journalRef",
        "comment" = EXCLUDED."comment", "links" = EXCLUDED."links", "source" = EXCLUDED."source", "updatedAt" = now()
      WHERE "Paper"."version" < EXCLUDED."version"
      RETURNING 1
    )
    SELECT count(*) AS n FROM upserted`;
  return Number(result[0]?.n ?? 0);
}

/**
 * Ingest stage: pull the night's papers from the source, upsert them, keep the raw input as
 * content-addressed blobs. Rejected records are counted and logged, never fatal on their own.
 */
export async function ingestStage(ref: NightRef, deps: StageDeps & { source: PaperSource }): Promise<IngestOutput> {
  const { db, blobs, log, source } = deps;
  const out: IngestOutput = { fetched: 0, upserted: 0, newOnDate: 0, rejected: 0, duplicates: 0, complete: true, warnings: [], raw: [] };
  for await (const batch of source.fetch(ref.logicalDate, { log, signal: deps.signal })) {
    if (batch.raw) {
      const { sha256, size } = await blobs.put(batch.raw.bytes);
      out.raw.push({ sha256, size, name: batch.raw.name, mediaType: batch.raw.mediaType });
    }
    for (const r of batch.rejected) log.warn('record rejected', { where: r.where, id: r.id, reason: r.reason });
    out.rejected += batch.rejected.length;
    out.duplicates += batch.duplicates ?? 0;
    if (batch.complete === false) out.complete = false;
    if (batch.warnings?.length) out.warnings.push(...batch.warnings);
    if (batch.stats) out.stats = batch.stats;
    out.fetched += batch.papers.length;
    out.newOnDate += batch.papers.filter((p) => p.published.startsWith(ref.logicalDate)).length;
    out.upserted += await upsertPapers(db, batch.papers, source.name, ref.pipelineRunId);
  }
  if (!out.complete) log.warn('source input incomplete: the papers that arrived are kept', { warnings: out.warnings });
  log.info('ingested', { fetched: out.fetched, upserted: out.upserted, newOnDate: out.newOnDate, rejected: out.rejected, duplicates: out.duplicates, rawPages: out.raw.length });
  return out;
}
