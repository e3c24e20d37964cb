import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeVersion } from '../../core/code-version.ts';
import { applyRetention } from '../../core/tracking/retention.ts';
import { startTestBoard, type TestBoard } from '../helpers/board.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';
import { startTestFleet, waitForNight } from '../helpers/fleet.ts';
import { radar } from '../helpers/radar-cli.ts';

// A real night on the bundled sample (real BullMQ workers, real Postgres), then the lineage of
// the model it promoted, through the API and through `radar lineage`.
describe('lineage of a model produced by a real night', () => {
  let env: TestEnv;
  let board: TestBoard;
  let nightId: string;

  beforeAll(async () => {
    env = await createTestEnv();
    const fleet = startTestFleet(env);
    try {
      const started = await fleet.start({ logicalDate: '2019-12-30', source: 'sample', trigger: 'manual' });
      const night = await waitForNight(env.db, started.pipelineRunId);
      expect(night.status).toBe('succeeded');
      nightId = night.id;
    } finally {
      await fleet.close();
    }
    board = await startTestBoard(env);
  });
  afterAll(async () => {
    await board?.close();
    await env?.cleanup();
  });

  it('GET lineage: version → run → params, metrics, artifacts → snapshot → pipeline run → code', async () => {
    const r = await board.call('GET', '/api/models/arxiv-topics/versions/1/lineage');
    expect(r.status).toBe(200);
    const l = r.body;
    const version = await env.db.modelVersion.findFirstOrThrow({ where: { version: 1 } });
    const snapshot = await env.db.datasetSnapshot.findFirstOrThrow({ where: { pipelineRunId: nightId } });

    expect(l.uri).toBe('models:/arxiv-topics/1');
    expect(l.version).toMatchObject({ version: 1, stage: 'Production', aliases: ['champion'], artifactPresent: true, artifactSha256: version.artifactSha256 });
    expect(l.version.metrics.f1_macro).toBeGreaterThan(0.6);
    expect(l.history.map((e: any) => e.kind)).toEqual(['register', 'promote']);
    expect(l.history[1]).toMatchObject({ actor: 'pipeline:nightly', reason: expect.stringMatching(/^first model: macro-F1/) });

    expect(l.run).toMatchObject({ id: version.runId, status: 'FINISHED', experiment: 'arxiv-topics', tags: { role: 'candidate' } });
    expect(l.run.params).toMatchObject({ kind: expect.any(String), seed: '42', snapshot_hash: snapshot.contentHash });
    expect(l.run.metrics.f1_macro).toBe(l.version.metrics.f1_macro);
    expect(l.run.metrics.val_f1_macro).toBeGreaterThan(0);
    const model = l.run.artifacts.find((a: any) => a.path === 'model/model.bin');
    expect(model).toMatchObject({ sha256: version.artifactSha256, present: true });
    expect(model.size).toBeGreaterThan(1000);
    expect(l.run.artifacts.map((a: any) => a.path).sort()).toEqual(['eval/test.json', 'eval/validation.json', 'model/model.bin']);
    expect(l.run.parent).toMatchObject({ name: 'nightly 2019-12-30 #1', params: { logical_date: '2019-12-30', source: 'sample' } });

    expect(l.snapshot).toMatchObject({ id: snapshot.id, contentHash: snapshot.contentHash, asOf: '2019-12-30', total: snapshot.total, manifestPresent: true });
    expect(Object.values(l.snapshot.labelCounts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(snapshot.total);
    expect(l.snapshot.query).toMatchObject({ source: 'sample' });
    expect(l.pipelineRun).toMatchObject({ id: nightId, pipeline: 'nightly', logicalDate: '2019-12-30', runNumber: 1, trigger: 'manual', source: 'sample', status: 'succeeded' });
    const commit = codeVersion();
    expect(l.code).toEqual(commit ? { commit: commit.replace(/-dirty$/, ''), dirty: commit.endsWith('-dirty') } : null);

    expect((await board.call('GET', '/api/models/arxiv-topics/versions/9/lineage')).status).toBe(404);
    expect((await board.call('GET', '/api/models/nope/versions/1/lineage')).status).toBe(404);
  });

  it('radar lineage prints the whole chain; --json gives the API object; a URI works too', async () => {
    const human = await radar(env, ['lineage', 'arxiv-topics', '1']);
    expect(human.code, human.stderr).toBe(0);
    const lines = human.stdout.split('\n');
    const snapshot = await env.db.datasetSnapshot.findFirstOrThrow({ where: { pipelineRunId: nightId } });
    expect(lines[0]).toMatch(/^models:\/arxiv-topics\/1 {2}stage Production {2}aliases champion/);
    expect(human.stdout).toMatch(/artifact model\/model\.bin {2}sha256 [0-9a-f]{12} {2}present/);
    expect(human.stdout).toMatch(/register .*by pipeline:nightly: winner of nightly 2019-12-30 #1/);
    expect(human.stdout).toMatch(/promote None→Production {2}by pipeline:nightly: first model/);
    expect(human.stdout).toMatch(/└─ run c\w+ {2}"\S+ #\d 2019-12-30" {2}FINISHED {2}experiment arxiv-topics/);
    expect(human.stdout).toMatch(/ {3}params: {2}.*kind=/);
    expect(human.stdout).toMatch(/ {3}parent run c\w+ {2}"nightly 2019-12-30 #1"/);
    expect(human.stdout).toContain(`└─ dataset snapshot ${snapshot.contentHash}  as of 2019-12-30  ${snapshot.total} papers`);
    expect(human.stdout).toMatch(/└─ pipeline run c\w+ {2}nightly 2019-12-30 #1 {2}trigger manual {2}source sample {2}succeeded/);
    expect(human.stdout).toMatch(/└─ code version ([0-9a-f]{40}|unknown)/);

    const json = await radar(env, ['lineage', 'models:/arxiv-topics@champion', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const api = (await board.call('GET', '/api/models/arxiv-topics/versions/1/lineage')).body;
    expect(JSON.parse(json.stdout)).toEqual(api);

    const missing = await radar(env, ['lineage', 'arxiv-topics', '5']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('has no version 5');
  }, 120_000);

  it('radar runs, run-show, compare, aliases with --json; a bad filter exits 2 naming the position', async () => {
    let r = await radar(env, ['runs', '--filter', "tags.role = 'candidate'", '--order-by', 'metrics.val_f1_macro DESC', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const found = JSON.parse(r.stdout);
    expect(found.runs.length).toBeGreaterThanOrEqual(2);
    const f1s = found.runs.map((x: any) => x.metrics.val_f1_macro);
    expect(f1s).toEqual([...f1s].sort((a: number, b: number) => b - a));

    r = await radar(env, ['runs', '--filter', "tags.role = 'candidate'", '--order-by', 'metrics.val_f1_macro DESC']);
    expect(r.stdout.split('\n')[0]).toMatch(/^c\w+ {2}FINISHED .* arxiv-topics .*val_f1_macro=0\.\d{4}$/);

    r = await radar(env, ['runs', '--filter', "tags.role = 'candidate' AND (params.kind = 'x'"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('radar runs: filter: expected ")" to close the "(" at position 28, found the end at position 46');

    r = await radar(env, ['run-show', found.runs[0].id]);
    expect(r.stdout).toMatch(/^run c\w+ {2}".*" {2}FINISHED\n {2}experiment: {3}arxiv-topics/);

    r = await radar(env, ['compare', found.runs[0].id, found.runs[1].id, '--json']);
    expect(JSON.parse(r.stdout).params.find((p: any) => p.key === 'kind').differs).toBe(true);

    r = await radar(env, ['aliases', 'arxiv-topics', '--json']);
    expect(JSON.parse(r.stdout)).toEqual({ champion: 1 });
    r = await radar(env, ['aliases', 'arxiv-topics', '--set', 'champion=1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('promote or roll back instead');

  }, 120_000);

  it('retention keeps everything the production model and the night need; the lineage stays whole', async () => {
    // Keep one run per experiment: whichever run started last is kept, the winner is behind a
    // version and kept anyway, the night's parent run has no artifacts. So the purged runs are the
    // losing candidates that did not start last, and only bytes no kept run holds go.
    const candidates = await env.db.run.findMany({ where: { pipelineRunId: nightId, tags: { some: { key: 'role', value: 'candidate' } } }, include: { artifacts: true, modelVersions: true } });
    const newest = await env.db.run.findFirstOrThrow({ where: { experimentId: candidates[0]!.experimentId }, orderBy: [{ startTime: 'desc' }, { id: 'desc' }] });
    const purged = candidates.filter((r) => r.modelVersions.length === 0 && r.id !== newest.id);
    const keptShas = new Set(candidates.filter((r) => !purged.includes(r)).flatMap((r) => r.artifacts.map((a) => a.sha256)));
    const goneShas = new Set(purged.flatMap((r) => r.artifacts.map((a) => a.sha256)).filter((sha) => !keptShas.has(sha)));
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    const report = await applyRetention({ db: env.db, blobs: env.blobs }, { keepRuns: 1, blobGraceMs: 0 });
    expect(report).toMatchObject({ runsPurged: purged.length, blobsDeleted: goneShas.size });
    for (const sha of goneShas) expect(await env.blobs.has(sha)).toBe(false);
    for (const sha of keptShas) expect(await env.blobs.has(sha)).toBe(true);

    const ingest = await env.db.taskRun.findFirstOrThrow({ where: { pipelineRunId: nightId, stage: 'ingest', status: 'succeeded' } });
    const raw = JSON.stringify(ingest.output).match(/[0-9a-f]{64}/g) ?? [];
    expect(raw.length).toBeGreaterThan(0);
    for (const sha of raw) expect(await env.blobs.has(sha)).toBe(true);
    const l = (await board.call('GET', '/api/models/arxiv-topics/versions/1/lineage')).body;
    expect(l.version.artifactPresent).toBe(true);
    expect(l.run.artifactsPurgedAt).toBeNull();
    expect(l.run.artifacts.every((a: any) => a.present)).toBe(true);
    expect(l.snapshot.manifestPresent).toBe(true);
  });
});
