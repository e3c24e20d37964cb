import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nightSummary } from '../../core/pipeline/night.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';
import { startTestFleet, waitForNight } from '../helpers/fleet.ts';

// A night that fails must say which stage, which input and why, must not waste retries on a
// permanent problem, and must leave what earlier stages committed intact.
describe('failing nights', () => {
  let env: TestEnv;
  let fleet: ReturnType<typeof startTestFleet>;
  const dir = mkdtempSync(join(tmpdir(), 'radar-fail-'));

  beforeAll(async () => {
    env = await createTestEnv({ STAGE_ATTEMPTS: '3' });
    fleet = startTestFleet(env);
  });
  afterAll(async () => {
    await fleet?.close();
    await env?.cleanup();
  });

  it('too little data fails at prepare, before training, and keeps the ingested papers', async () => {
    const file = join(dir, 'tiny.jsonl');
    const lines = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ id: `1912.${String(10000 + i)}`, title: `Paper ${i}`, abstract: 'A real enough abstract about learning representations of graphs and their spectra for classification tasks.', categories: i % 2 ? 'cs.LG' : 'math.OC', published: '2019-12-01' }),
    );
    writeFileSync(file, lines.join('\n') + '\n');
    const source = `snapshot:${file}`;
    const started = await fleet.start({ logicalDate: '2019-12-01', source, trigger: 'manual' });
    const run = await waitForNight(env.db, started.pipelineRunId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ stage: 'prepare', code: 'data_validation_failed', jobId: 'nightly:2019-12-01:prepare@1' });
    expect((run.error as { message: string }).message).toContain('min_papers (0 papers in labels with at least 20 papers, of 12 clean papers up to 2019-12-01 (need at least 50))');

    const tasks = await env.db.taskRun.findMany({ where: { pipelineRunId: run.id }, orderBy: { startedAt: 'asc' } });
    expect(tasks.map((t) => [t.stage, t.status, t.attempt])).toEqual([
      ['ingest', 'succeeded', 1],
      ['prepare', 'failed', 1], // permanent: not retried
    ]);
    expect(await env.db.paper.count()).toBe(12);
    expect(await env.db.run.count()).toBe(0); // nothing was trained
    const s = await nightSummary(env.db, run.id);
    expect(s.stages).toMatchObject({ ingest: 'succeeded', prepare: 'failed', train: 'pending', classify: 'pending' });
  });

  it('an unreadable source fails at ingest, naming the file', async () => {
    const started = await fleet.start({ logicalDate: '2019-12-01', source: `snapshot:${join(dir, 'missing.jsonl')}`, trigger: 'manual' });
    expect(started.runNumber).toBe(2); // a re-run of the same date gets the next run number
    const run = await waitForNight(env.db, started.pipelineRunId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ stage: 'ingest', code: 'bad_request' });
    expect((run.error as { message: string }).message).toContain(`cannot read snapshot ${join(dir, 'missing.jsonl')}`);
    expect(await env.db.paper.count()).toBe(12); // the earlier night's papers are untouched
  });

  it('a second trigger of a date that is still running gets the running night back', async () => {
    const a = await fleet.start({ logicalDate: '2019-12-30', source: 'sample', trigger: 'manual' });
    const b = await fleet.start({ logicalDate: '2019-12-30', source: 'sample', trigger: 'schedule' });
    expect(b).toMatchObject({ pipelineRunId: a.pipelineRunId, created: false });
    const run = await waitForNight(env.db, a.pipelineRunId);
    expect(run.status).toBe('succeeded');
    expect(await env.db.pipelineRun.count({ where: { logicalDate: new Date('2019-12-30') } })).toBe(1);
  });
});
