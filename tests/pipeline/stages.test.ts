import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataValidationError } from '../../core/errors.ts';
import { createLogger } from '../../core/log.ts';
import type { StageDeps } from '../../core/pipeline/deps.ts';
import { ingestStage, upsertPapers } from '../../core/pipeline/ingest.ts';
import { prepareStage } from '../../core/pipeline/prepare.ts';
import { gate } from '../../core/pipeline/register.ts';
import { decodeManifest, encodeManifest, loadSnapshot, splitOf } from '../../core/pipeline/snapshot.ts';
import { validateDataset } from '../../core/pipeline/validation.ts';
import { daysBetween, logicalDateForFire, parseLogicalDate } from '../../core/pipeline/night.ts';
import type { NightRef, SelectOutput } from '../../core/queues.ts';
import { resolveSource } from '../../core/sources/index.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';

describe('stage functions on real sample papers and a real database', () => {
  let env: TestEnv;
  let deps: StageDeps;
  let runId: string;
  const ref = (date: string): NightRef => ({ pipelineRunId: runId, pipeline: 'nightly', logicalDate: date, runNumber: 1, source: 'sample' });

  beforeAll(async () => {
    env = await createTestEnv();
    deps = { db: env.db, blobs: env.blobs, config: env.config, log: createLogger('silent') };
    runId = (await env.db.pipelineRun.create({ data: { pipeline: 'nightly', logicalDate: new Date('2019-12-30'), runNumber: 1, trigger: 'manual', source: 'sample', params: {} } })).id;
  });
  afterAll(() => env?.cleanup());

  it('ingest is idempotent: the same night twice leaves the same rows', async () => {
    const first = await ingestStage(ref('2019-12-30'), { ...deps, source: resolveSource('sample') });
    expect(first.fetched).toBeGreaterThan(2500);
    expect(first.upserted).toBe(await env.db.paper.count());
    expect(first.newOnDate).toBe(await env.db.paper.count({ where: { publishedDay: new Date('2019-12-30') } }));
    expect(first.raw).toMatchObject([{ name: 'source.jsonl.gz', mediaType: 'application/gzip' }]);
    expect(await env.blobs.has(first.raw[0]!.sha256)).toBe(true);
    expect(first.complete).toBe(true);
    const before = await env.db.paper.findMany({ orderBy: { id: 'asc' }, select: { id: true, version: true, title: true, updatedAt: true } });

    const second = await ingestStage(ref('2019-12-30'), { ...deps, source: resolveSource('sample') });
    expect(second.fetched).toBe(first.fetched);
    expect(second.upserted).toBe(0);
    expect(await env.db.paper.findMany({ orderBy: { id: 'asc' }, select: { id: true, version: true, title: true, updatedAt: true } })).toEqual(before);
    expect(await env.db.blob.count()).toBe(1);
  });

  it('a newer version updates a paper, an older one does not, and first-seen stays', async () => {
    const [p] = await env.db.paper.findMany({ take: 1, orderBy: { id: 'asc' } });
    const base = {
      id: p!.id,
      title: 'Revised title',
      abstract: p!.abstract,
      authors: [{ name: 'A. Author', affiliations: ['Somewhere'] }],
      primaryCategory: p!.primaryCategory,
      categories: p!.categories,
      published: p!.published.toISOString(),
      updated: '2020-01-02T00:00:00.000Z',
    };
    expect(await upsertPapers(env.db, [{ ...base, version: 2 }], 'test', null)).toBe(1);
    expect(await upsertPapers(env.db, [{ ...base, version: 1, title: 'Older title' }], 'test', null)).toBe(0);
    expect(await upsertPapers(env.db, [{ ...base, version: 2, title: 'Same version again' }], 'test', null)).toBe(0);
    const row = await env.db.paper.findUniqueOrThrow({ where: { id: p!.id } });
    expect(row).toMatchObject({ version: 2, title: 'Revised title', firstSeenRunId: runId, authors: [{ name: 'A. Author', affiliations: ['Somewhere'] }] });
  });

  it('prepare builds a content-addressed snapshot and reuses it for the same inputs', async () => {
    const a = await prepareStage(ref('2019-12-30'), deps);
    expect(a.reused).toBe(false);
    expect(a.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.values(a.labelCounts).reduce((x, y) => x + y, 0)).toBe(a.total);
    expect(a.splitCounts.train + a.splitCounts.validation + a.splitCounts.test).toBe(a.total);
    for (const n of Object.values(a.labelCounts)) expect(n).toBeGreaterThanOrEqual(env.config.LABEL_MIN_COUNT);
    // The split follows sha256(id): about a fifth each for test and validation.
    expect(a.splitCounts.test / a.total).toBeGreaterThan(0.15);
    expect(a.splitCounts.test / a.total).toBeLessThan(0.25);

    const snap = await env.db.datasetSnapshot.findUniqueOrThrow({ where: { id: a.snapshotId } });
    const rows = decodeManifest(await env.blobs.get(snap.manifestSha256));
    expect(rows).toHaveLength(a.total);
    for (const r of rows.slice(0, 50)) expect(r.split).toBe(splitOf(r.id));
    // Cross-lists travel with each row (for crossListWeight): the paper's other categories.
    const listed = rows.filter((r) => r.crossLists);
    expect(listed.length).toBeGreaterThan(100);
    for (const r of listed.slice(0, 20)) {
      const paper = await env.db.paper.findUniqueOrThrow({ where: { id: r.id } });
      expect(r.crossLists).toEqual(paper.categories.filter((c) => c !== paper.primaryCategory));
      expect(r.crossLists).not.toContain(r.label);
    }
    const loaded = await loadSnapshot(env.db, env.blobs, a.snapshotId);
    const inTrain = loaded.split('train').find((d) => d.crossLists);
    expect(inTrain?.crossLists).toEqual(rows.find((r) => r.id === inTrain!.id)!.crossLists);

    const b = await prepareStage(ref('2019-12-30'), deps);
    expect(b).toMatchObject({ reused: true, snapshotId: a.snapshotId, contentHash: a.contentHash });
    expect(await env.db.datasetSnapshot.count()).toBe(1);
  });

  it('a manifest row without cross-lists is written byte for byte as before they were kept', () => {
    const row = { id: '1912.00001', version: 2, label: 'cs.LG', split: 'train' as const, text: 'A title An abstract' };
    const before = `{"id":"1912.00001","version":2,"label":"cs.LG","split":"train","text":"A title An abstract"}\n`;
    expect(encodeManifest([row]).contentHash).toBe(createHash('sha256').update(before).digest('hex'));
    const listed = encodeManifest([{ ...row, crossLists: ['stat.ML'] }]);
    expect(decodeManifest(listed.gz)).toEqual([{ ...row, crossLists: ['stat.ML'] }]);
    expect(decodeManifest(encodeManifest([row]).gz)[0]).not.toHaveProperty('crossLists');
  });

  it('prepare fails the night before training when there is too little data, with a report', async () => {
    const err = await prepareStage(ref('1995-01-01'), deps).catch((e) => e);
    expect(err).toBeInstanceOf(DataValidationError);
    expect(err.permanent).toBe(true);
    expect(err.message).toMatch(/^data validation failed for 1995-01-01: min_papers \(\d+ papers in labels with at least 20 papers, of \d+ clean papers up to 1995-01-01 \(need at least 50\)\)/);
    expect(err.details.checks.find((c: { name: string }) => c.name === 'min_papers')).toMatchObject({ passed: false, threshold: 50 });
  });

  it('the gate promotes only a strictly better model, by the margin', () => {
    const sel = (f1: number, champion: number | null): SelectOutput => ({
      snapshotId: 's',
      winner: { index: 0, runId: 'r', kind: 'linear-svm', params: {}, validationF1Macro: f1, artifactSha256: 'a', test: { accuracy: 0.9, f1Macro: f1, logLoss: null, n: 500 } },
      champion: champion === null ? null : { version: 3, versionId: 'v3', test: { accuracy: 0.9, f1Macro: champion, logLoss: null, n: 500 } },
    });
    const policy = { promotionMinF1: 0.5, promotionMinMargin: 0.01 };
    expect(gate(sel(0.7, null), policy)).toEqual({ promote: true, reason: 'first model: macro-F1 0.7000 on 500 held-out papers' });
    expect(gate(sel(0.4, null), policy)).toEqual({ promote: false, reason: 'macro-F1 0.4000 is below the minimum 0.5000' });
    expect(gate(sel(0.8, 0.78), policy).promote).toBe(true);
    expect(gate(sel(0.785, 0.78), policy)).toEqual({
      promote: false,
      reason: 'not better: macro-F1 0.7850 vs champion v3 0.7800 on the same 500 held-out papers (needs more than +0.0100)',
    });
    expect(gate(sel(0.78, 0.78), { promotionMinF1: 0, promotionMinMargin: 0 }).promote).toBe(false);
    // With the paired comparison of the select stage, the reason says how sure the difference is.
    const compared = sel(0.8, 0.78);
    compared.champion!.comparison = { delta: 0.02, ci95: [-0.004, 0.041], pBetter: 0.947, resamples: 1000 };
    expect(gate(compared, policy)).toEqual({
      promote: true,
      reason:
        'macro-F1 0.8000 beats champion v3 (0.7800) by 0.0200 on the same 500 held-out papers (margin 0.0100); ' +
        'paired bootstrap: difference -0.0040 to +0.0410 (95%), winner better in 95% of resamples',
    });
    // And with a confidence requirement, the same difference passes at 0.9 and is held back at 0.99.
    expect(gate(compared, { ...policy, promotionMinConfidence: 0.9 }).promote).toBe(true);
    const held = gate(compared, { ...policy, promotionMinConfidence: 0.99 });
    expect(held.promote).toBe(false);
    expect(held.reason).toMatch(/^not sure enough: macro-F1 0\.8000 beats champion v3 \(0\.7800\) by 0\.0200 .* wins in 95% of paired bootstrap resamples \(needs 99%\)/);
    // Without a recorded comparison a confidence requirement cannot be met.
    expect(gate(sel(0.8, 0.78), { ...policy, promotionMinConfidence: 0.5 }).promote).toBe(false);
    // A first model has nothing to be compared with: confidence does not apply.
    expect(gate(sel(0.7, null), { ...policy, promotionMinConfidence: 0.99 }).promote).toBe(true);
  });

  it('dates: validation, the scheduler data interval, backfill ranges', () => {
    expect(parseLogicalDate('2019-12-31')).toBe('2019-12-31');
    expect(() => parseLogicalDate('2019-02-30')).toThrow(/not a date/);
    expect(() => parseLogicalDate('yesterday')).toThrow(/not a date/);
    expect(logicalDateForFire(new Date('2026-11-21T02:00:00Z'))).toBe('2026-11-20');
    expect(daysBetween('2019-12-30', '2020-01-02')).toEqual(['2019-12-30', '2019-12-31', '2020-01-01', '2020-01-02']);
    expect(() => daysBetween('2020-01-02', '2019-12-30')).toThrow(/empty/);
  });

  it('validation names each failing check with what was observed and the threshold', () => {
    const stats = {
      candidates: 1000,
      tooShort: 80,
      duplicates: 10,
      usable: 900,
      labelCounts: { 'cs.LG': 800, 'math.OC': 100 },
      rareLabels: { 'q-bio.NC': 3 },
      splitCounts: { train: 540, validation: 180, test: 180 },
    };
    const config = { ...env.config, VALIDATION_MAX_IMBALANCE: 5 };
    const checks = validateDataset(ref('2020-01-10'), stats, config, { today: 30, recent: [200, 220, 180, 210] });
    const failed = Object.fromEntries(checks.filter((c) => !c.passed).map((c) => [c.name, c.message]));
    expect(Object.keys(failed).sort()).toEqual(['class_imbalance', 'short_abstracts', 'volume_drop']);
    expect(failed.short_abstracts).toBe('80 of 1000 papers (8.0%) have an empty or too-short abstract (< 80 chars; at most 5.0% allowed)');
    expect(failed.class_imbalance).toBe('largest/smallest label: cs.LG 800 / math.OC 100 = 8.0x (at most 5x)');
    expect(failed.volume_drop).toBe('30 new papers on 2020-01-10 vs a median of 205 over the last 4 nights (14.6%; at least 25.0% expected)');
    // A sparse source (median under the baseline) or too short a history has no volume check.
    expect(validateDataset(ref('2020-01-10'), stats, env.config, { today: 1, recent: [5, 6, 4] }).map((c) => c.name)).not.toContain('volume_drop');
    expect(validateDataset(ref('2020-01-10'), stats, env.config, { today: 1, recent: [500, 600] }).map((c) => c.name)).not.toContain('volume_drop');
  });
});
