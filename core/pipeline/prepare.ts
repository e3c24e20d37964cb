import { createHash } from 'node:crypto';
import { asJson } from '../db/client.ts';
import { DataValidationError } from '../errors.ts';
import type { NightRef, PrepareOutput, ValidationCheck } from '../queues.ts';
import type { StageDeps } from './deps.ts';
import { encodeManifest, splitOf, type ManifestRow } from './snapshot.ts';

/** Minimums below which training is pointless; a night below them fails before training. */
export const MIN_SNAPSHOT_PAPERS = 50;
export const MIN_LABELS = 2;

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
export async function prepareStage(ref: NightRef, deps: StageDeps): Promise<PrepareOutput> {
  const { db, blobs, config, log } = deps;
  const papers = await db.paper.findMany({
    where: { publishedDay: { lte: new Date(`${ref.logicalDate}T00:00:00Z`) } },
    select: { id: true, version: true, title: true, abstract: true, primaryCategory: true },
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
    kept.push({ id: p.id, version: p.version, label: p.primaryCategory, split: splitOf(p.id), text: paperText(p) });
  }

  const counts = new Map<string, number>();
  for (const r of kept) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  const rare = [...counts].filter(([, n]) => n < config.LABEL_MIN_COUNT).map(([l]) => l);
  const rows = kept.filter((r) => (counts.get(r.label) ?? 0) >= config.LABEL_MIN_COUNT);
  const labelCounts = Object.fromEntries([...counts].filter(([, n]) => n >= config.LABEL_MIN_COUNT).sort(([a], [b]) => (a < b ? -1 : 1)));
  const splitCounts = { train: 0, validation: 0, test: 0 };
  for (const r of rows) splitCounts[r.split]++;

  const checks: ValidationCheck[] = [
    {
      name: 'min_papers',
      passed: rows.length >= MIN_SNAPSHOT_PAPERS,
      observed: rows.length,
      threshold: MIN_SNAPSHOT_PAPERS,
      message: `${rows.length} papers in labels with at least ${config.LABEL_MIN_COUNT} papers, of ${kept.length} clean papers up to ${ref.logicalDate} (need at least ${MIN_SNAPSHOT_PAPERS})`,
    },
    {
      name: 'min_labels',
      passed: Object.keys(labelCounts).length >= MIN_LABELS,
      observed: Object.keys(labelCounts).length,
      threshold: MIN_LABELS,
      message: `${Object.keys(labelCounts).length} labels with at least ${config.LABEL_MIN_COUNT} papers (need ${MIN_LABELS})`,
    },
    {
      name: 'test_split_nonempty',
      passed: splitCounts.test > 0 && splitCounts.validation > 0,
      observed: `${splitCounts.validation}/${splitCounts.test}`,
      threshold: '>0/>0',
      message: `validation/test papers: ${splitCounts.validation}/${splitCounts.test}`,
    },
  ];
  const failed = checks.filter((c) => !c.passed);
  const report = { checks, dropped: { tooShort, duplicates, rareLabels: rare.length, rareLabelPapers: kept.length - rows.length } };
  if (failed.length) {
    throw new DataValidationError(`data validation failed for ${ref.logicalDate}: ${failed.map((c) => `${c.name} (${c.message})`).join('; ')}`, report);
  }

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
  log.info('snapshot stored', { contentHash, total: rows.length, labels: Object.keys(labelCounts).length, ...report.dropped });
  return { snapshotId: snap.id, contentHash, total: rows.length, labelCounts, splitCounts, reused: false, checks };
}
