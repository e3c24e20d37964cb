import { createHash } from 'node:crypto';
import { asJson } from '../db/client.ts';
import { DataValidationError } from '../errors.ts';
import type { IngestOutput, NightRef, PrepareOutput } from '../queues.ts';
import type { StageDeps } from './deps.ts';
import { encodeManifest, splitOf, type ManifestRow } from './snapshot.ts';
import { recentVolumes, validateDataset, type DatasetStats } from './validation.ts';

/** The text the models see: title and abstract, as the original pipeline used. */
export function paperText(p: { title: string; abstract: string }): string {
  return `${p.title} ${p.abstract}`;
}

/**
 * Prepare stage: validate, clean and deduplicate every paper known up to the logical date,
 * label it by primary category, split it, and store a content-addressed snapshot. An identical
 * snapshot (same papers, labels, split) is reused, not duplicated. Throws DataValidationError
 * with the failing checks before any training when the data is not fit to train on.
 */
export async function prepareStage(ref: NightRef, deps: StageDeps, input: { ingest?: IngestOutput } = {}): Promise<PrepareOutput> {
  const { db, blobs, config, log } = deps;
  const papers = await db.paper.findMany({
    where: { publishedDay: { lte: new Date(`${ref.logicalDate}T00:00:00Z`) } },
    select: { id: true, version: true, title: true, abstract: true, primaryCategory: true, categories: true },
    orderBy: { id: 'asc' },
  });

  let tooShort = 0;
  let duplicates = 0;
  const seen = new Set<string>();
  const kept: ManifestRow[] = [];
  for (const p of papers) {
    if (p.abstract.trim().length < config.MIN_ABSTRACT_CHARS) {
      tooShort++;
      continue;
    }
    // The same text under two ids (cross-listed duplicates, re-submissions) counts once: the
    // lowest id wins, so the choice does not depend on ingest order.
    const key = createHash('sha1').update(`${p.title.toLowerCase()}\n${p.abstract.toLowerCase()}`).digest('hex');
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    // encodeManifest leaves an empty list out of the row, so a paper without cross-lists hashes as before.
    const crossLists = p.categories.filter((c) => c !== p.primaryCategory);
    kept.push({ id: p.id, version: p.version, label: p.primaryCategory, split: splitOf(p.id), text: paperText(p), crossLists });
  }

  const counts = new Map<string, number>();
  for (const r of kept) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  const rows = kept.filter((r) => (counts.get(r.label) ?? 0) >= config.LABEL_MIN_COUNT);
  const byName = ([a]: [string, number], [b]: [string, number]) => (a < b ? -1 : 1);
  const labelCounts = Object.fromEntries([...counts].filter(([, n]) => n >= config.LABEL_MIN_COUNT).sort(byName));
  const rareLabels = Object.fromEntries([...counts].filter(([, n]) => n < config.LABEL_MIN_COUNT).sort(byName));
  const splitCounts = { train: 0, validation: 0, test: 0 };
  for (const r of rows) splitCounts[r.split]++;

  const stats: DatasetStats = { candidates: papers.length, tooShort, duplicates, usable: rows.length, labelCounts, rareLabels, splitCounts };
  const recent = await recentVolumes(db, ref, config.VALIDATION_VOLUME_LOOKBACK);
  const checks = validateDataset(ref, stats, config, { today: input.ingest?.newOnDate ?? null, recent });
  const failed = checks.filter((c) => !c.passed);
  const report = { checks, stats, ingest: input.ingest ? { newOnDate: input.ingest.newOnDate, complete: input.ingest.complete, warnings: input.ingest.warnings } : null };
  if (failed.length) {
    throw new DataValidationError(`data validation failed for ${ref.logicalDate}: ${failed.map((c) => `${c.name} (${c.message})`).join('; ')}`, report);
  }
  log.info('data validation passed', { checks: checks.map((c) => `${c.name}=${c.observed}`).join(' ') });

  const { contentHash, gz } = encodeManifest(rows);
  const existing = await db.datasetSnapshot.findUnique({ where: { contentHash } });
  if (existing) {
    log.info('snapshot reused', { contentHash, total: rows.length });
    return { snapshotId: existing.id, contentHash, total: rows.length, labelCounts, splitCounts, reused: true, checks };
  }
  const blob = await blobs.put(gz);
  const snap = await db.datasetSnapshot.upsert({
    where: { contentHash },
    create: {
      contentHash,
      query: { source: ref.source, asOf: ref.logicalDate, labelScheme: 'primary_category', minLabelCount: config.LABEL_MIN_COUNT, minAbstractChars: config.MIN_ABSTRACT_CHARS },
      asOf: new Date(`${ref.logicalDate}T00:00:00Z`),
      total: rows.length,
      labelCounts,
      splitCounts,
      manifestSha256: blob.sha256,
      validation: asJson(report),
      pipelineRunId: ref.pipelineRunId,
    },
    update: {},
  });
  log.info('snapshot stored', { contentHash, total: rows.length, labels: Object.keys(labelCounts).length, tooShort, duplicates, rareLabels: Object.keys(rareLabels).length });
  return { snapshotId: snap.id, contentHash, total: rows.length, labelCounts, splitCounts, reused: false, checks };
}
