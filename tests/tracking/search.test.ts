import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilterSyntaxError } from '../../core/tracking/filter/errors.ts';
import { createExperiment, setExperimentLifecycle } from '../../core/tracking/experiments.ts';
import { searchRuns } from '../../core/tracking/search.ts';
import { endRun, logMetrics, logParams, setTags, startRun } from '../../core/tracking/tracking.ts';
import { startTestBoard, type TestBoard } from '../helpers/board.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';

const KINDS = ['softmax', 'linear-svm', 'complement-nb'] as const;

/** What the seed wrote for each run, to check the database's answers against. */
interface Seeded {
  id: string;
  name: string;
  kind: string;
  alpha: string | null;
  role: string;
  f1: number | null;
  status: string;
  start: Date;
}

describe('run search on real PostgreSQL', () => {
  let env: TestEnv;
  let board: TestBoard;
  const runs: Seeded[] = [];
  const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
  const all = async (filter: string, orderBy?: string) => ids((await searchRuns(env.db, { experiment: 'search', filter, orderBy, limit: 500 })).runs).sort();
  const expected = (pred: (r: Seeded) => boolean) => ids(runs.filter(pred)).sort();

  beforeAll(async () => {
    env = await createTestEnv();
    board = await startTestBoard(env);
    const exp = await createExperiment(env.db, 'search');
    const base = Date.parse('2019-12-01T00:00:00Z');
    for (let i = 0; i < 40; i++) {
      const kind = KINDS[i % 3]!;
      const alpha = i % 2 === 0 ? (i / 10).toFixed(1) : null;
      const role = i % 4 === 0 ? 'night' : 'candidate';
      // Ties on purpose: every value of f1 appears about twice, and every fifth run has none.
      const f1 = i % 5 === 0 ? null : ((i * 37) % 20) / 20;
      const status = i === 39 ? 'RUNNING' : i % 7 === 0 ? 'FAILED' : 'FINISHED';
      const name = `run-${String(i).padStart(2, '0')}`;
      const r = await startRun(env.db, { experimentId: exp.id, name, tags: { role } });
      await logParams(env.db, r.id, { kind, seed: i, ...(alpha === null ? {} : { 'model.alpha': alpha }) });
      if (f1 !== null) {
        // History: the latest value is the one at the highest step, even when logged earlier.
        await logMetrics(env.db, r.id, { f1 }, 2, new Date(base));
        await logMetrics(env.db, r.id, { f1: 0.01 }, 1, new Date(base + 1000));
      }
      if (i === 3) await setTags(env.db, r.id, { note: "it's `odd`; DROP TABLE \"Run\"" });
      if (status !== 'RUNNING') await endRun(env.db, r.id, status as 'FINISHED' | 'FAILED');
      // Start times with ties (two runs per minute).
      const start = new Date(base + Math.floor(i / 2) * 60_000);
      await env.db.run.update({ where: { id: r.id }, data: { startTime: start } });
      runs.push({ id: r.id, name, kind, alpha, role, f1, status, start });
    }
    // Another experiment, archived: its runs leave the default search.
    const other = await createExperiment(env.db, 'archived-exp');
    await startRun(env.db, { experimentId: other.id, name: 'old' });
    await setExperimentLifecycle(env.db, 'archived-exp', 'archived');
  });
  afterAll(async () => {
    await board?.close();
    await env?.cleanup();
  });

  it('answers comparisons, AND, OR, parentheses, NOT, IN, LIKE and IS NULL like the data says', async () => {
    expect(await all('metrics.f1 >= 0.5')).toEqual(expected((r) => r.f1 !== null && r.f1 >= 0.5));
    expect(await all('metrics.f1 = 0.01')).toEqual([]); // 0.01 is an older step, not the latest value
    expect(await all("params.kind = 'softmax' AND metrics.f1 < 0.3")).toEqual(expected((r) => r.kind === 'softmax' && r.f1 !== null && r.f1 < 0.3));
    expect(await all("params.kind = 'softmax' OR tags.role = 'night' AND status = 'FAILED'")).toEqual(
      expected((r) => r.kind === 'softmax' || (r.role === 'night' && r.status === 'FAILED')),
    );
    expect(await all("(params.kind = 'softmax' OR tags.role = 'night') AND status = 'FAILED'")).toEqual(
      expected((r) => (r.kind === 'softmax' || r.role === 'night') && r.status === 'FAILED'),
    );
    expect(await all("params.kind IN ('linear-svm', 'complement-nb')")).toEqual(expected((r) => r.kind !== 'softmax'));
    expect(await all("params.kind NOT IN ('linear-svm')")).toEqual(expected((r) => r.kind !== 'linear-svm'));
    expect(await all('metrics.f1 IN (0, 0.25)')).toEqual(expected((r) => r.f1 === 0 || r.f1 === 0.25));
    expect(await all("name LIKE 'run-1%'")).toEqual(expected((r) => r.name.startsWith('run-1')));
    expect(await all("name ILIKE 'RUN-0_'")).toEqual(expected((r) => /^run-0\d$/.test(r.name)));
    expect(await all('metrics.f1 IS NULL')).toEqual(expected((r) => r.f1 === null));
    // A run without the key matches no comparison on it, but NOT is the exact complement.
    expect(await all("params.model.alpha != '0.0'")).toEqual(expected((r) => r.alpha !== null && r.alpha !== '0.0'));
    expect(await all("NOT params.model.alpha = '0.0'")).toEqual(expected((r) => r.alpha !== '0.0'));
    // Params and tags are compiled as membership in the set of runs with a matching value: the
    // same truth values, including for runs without the key and under NOT.
    expect(await all('params.model.alpha IS NULL')).toEqual(expected((r) => r.alpha === null));
    expect(await all('params.model.alpha IS NOT NULL')).toEqual(expected((r) => r.alpha !== null));
    expect(await all("NOT params.model.alpha IN ('0.0', '0.2')")).toEqual(expected((r) => r.alpha !== '0.0' && r.alpha !== '0.2'));
    expect(await all("params.model.alpha NOT IN ('0.0', '0.2')")).toEqual(expected((r) => r.alpha !== null && r.alpha !== '0.0' && r.alpha !== '0.2'));
    expect(await all("tags.role NOT LIKE 'n%' OR params.model.alpha >= '3'")).toEqual(expected((r) => r.role !== 'night' || (r.alpha !== null && r.alpha >= '3')));
    expect(await all("NOT (tags.role = 'night' AND params.kind = 'softmax')")).toEqual(expected((r) => !(r.role === 'night' && r.kind === 'softmax')));
    expect(await all('tags.note IS NOT NULL')).toEqual([runs[3]!.id]);
    expect(await all("status IN ('RUNNING', 'failed')")).toEqual(expected((r) => r.status !== 'FINISHED'));
    expect(await all("start_time >= '2019-12-01T00:05:00Z' AND start_time < '2019-12-01 00:07'")).toEqual(
      expected((r) => r.start.getTime() >= Date.parse('2019-12-01T00:05:00Z') && r.start.getTime() < Date.parse('2019-12-01T00:07:00Z')),
    );
    expect(await all('end_time IS NULL')).toEqual(expected((r) => r.status === 'RUNNING'));
    expect(await all(`run_id = '${runs[5]!.id}'`)).toEqual([runs[5]!.id]);
    expect(await all("experiment = 'search' AND tags.`note` LIKE '%DROP TABLE%'")).toEqual([runs[3]!.id]);
  });

  it('treats injection attempts in values and keys as data: no error, no effect', async () => {
    const before = await env.db.run.count();
    const hostile = [
      "params.kind = 'x'' OR ''1''=''1'",
      "params.kind = 'softmax''; DROP TABLE \"Run\"; --'",
      "params.`kind\" = 'softmax' OR 1=1 --` = 'x'",
      'metrics.`f1") IS NOT NULL OR ("1` > 0',
      "tags.role LIKE '%'' OR 1=1 --'",
      "name IN ('a'');DELETE FROM \"Run\";--')",
    ];
    for (const f of hostile) expect(await all(f), f).toEqual([]);
    expect(await env.db.run.count()).toBe(before);
    // And what cannot be a token is refused before any SQL exists.
    await expect(searchRuns(env.db, { filter: "params.kind = 'a'; DELETE FROM \"Run\"" })).rejects.toThrow(FilterSyntaxError);
    await expect(searchRuns(env.db, { orderBy: 'start_time; DROP TABLE "Run"' })).rejects.toThrow(/orderBy: unexpected character ";" at position 10/);
    expect(await env.db.run.count()).toBe(before);
  });

  it('orders by metrics, params, tags and attributes; pages with a cursor never skip or repeat a run', async () => {
    const byF1 = (await searchRuns(env.db, { experiment: 'search', orderBy: 'metrics.f1 DESC', limit: 500 })).runs;
    // Highest first, ties by run id, runs without the metric last.
    const oracle = [...runs].sort((a, b) => (a.f1 === null ? 1 : 0) - (b.f1 === null ? 1 : 0) || (b.f1 ?? 0) - (a.f1 ?? 0) || (a.id < b.id ? -1 : 1));
    expect(ids(byF1)).toEqual(ids(oracle));

    for (const orderBy of ['metrics.f1 DESC', 'metrics.f1 ASC, name DESC', 'params.model.alpha ASC', 'start_time DESC', 'tags.role, metrics.f1 DESC', 'status, end_time DESC']) {
      for (const limit of [1, 3, 7]) {
        const full = ids((await searchRuns(env.db, { experiment: 'search', orderBy, limit: 500 })).runs);
        const paged: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await searchRuns(env.db, { experiment: 'search', orderBy, limit, cursor });
          expect(page.runs.length).toBeLessThanOrEqual(limit);
          paged.push(...ids(page.runs));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(paged, `${orderBy} by ${limit}`).toEqual(full);
      }
    }
    // A filtered search pages too.
    const filtered = ids((await searchRuns(env.db, { experiment: 'search', filter: "tags.role = 'candidate'", orderBy: 'metrics.f1 DESC', limit: 500 })).runs);
    const first = await searchRuns(env.db, { experiment: 'search', filter: "tags.role = 'candidate'", orderBy: 'metrics.f1 DESC', limit: 20 });
    const second = await searchRuns(env.db, { experiment: 'search', filter: "tags.role = 'candidate'", orderBy: 'metrics.f1 DESC', limit: 20, cursor: first.nextCursor! });
    expect([...ids(first.runs), ...ids(second.runs)]).toEqual(filtered);
    // A cursor belongs to its query.
    await expect(searchRuns(env.db, { experiment: 'search', orderBy: 'metrics.f1 ASC', cursor: first.nextCursor! })).rejects.toThrow(/belongs to another query/);
    await expect(searchRuns(env.db, { experiment: 'search', cursor: 'garbage' })).rejects.toThrow(/not a cursor/);
  });

  it('without an experiment searches active experiments only; an unknown experiment is a 404', async () => {
    const everything = (await searchRuns(env.db, { limit: 500 })).runs;
    expect(everything.map((r) => r.experiment)).not.toContain('archived-exp');
    expect(everything).toHaveLength(40);
    expect((await searchRuns(env.db, { experiment: 'archived-exp' })).runs.map((r) => r.name)).toEqual(['old']);
    await expect(searchRuns(env.db, { experiment: 'nope' })).rejects.toThrow(/experiment "nope" not found/);
  });

  it('over HTTP: results with latest metrics; 400 naming the position for a bad filter or orderBy; compare side by side', async () => {
    const q = (s: string) => encodeURIComponent(s);
    let r = await board.call('GET', `/api/runs?experiment=search&filter=${q("params.kind = 'softmax' AND metrics.f1 > 0.5")}&orderBy=${q('metrics.f1 DESC')}&limit=2`);
    expect(r.status).toBe(200);
    expect(r.body.runs).toHaveLength(2);
    expect(r.body.runs[0].metrics.f1).toBeGreaterThanOrEqual(r.body.runs[1].metrics.f1);
    expect(r.body.runs[0]).toMatchObject({ experiment: 'search', params: { kind: 'softmax' }, tags: expect.any(Object) });
    const next = await board.call('GET', `/api/runs?experiment=search&filter=${q("params.kind = 'softmax' AND metrics.f1 > 0.5")}&orderBy=${q('metrics.f1 DESC')}&limit=2&cursor=${r.body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(ids(next.body.runs)).not.toContain(r.body.runs[0].id);

    r = await board.call('GET', `/api/runs?filter=${q("metrics.f1 > 0.5 AND (params.kind = 'a'")}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'bad_request', details: { position: 39, pointer: ' '.repeat(39) + '^' } });
    expect(r.body.error.message).toMatch(/^filter: expected "\)" to close the "\(" at position 21, found the end at position 39$/);
    r = await board.call('GET', `/api/runs?orderBy=${q('metrics.f1 SIDEWAYS')}`);
    expect(r.status).toBe(400);
    expect(r.body.error.details.position).toBe(11);
    r = await board.call('GET', `/api/runs?filter=${q('metrics.f1 > 1')}&filter=${q('metrics.f1 < 2')}`);
    expect(r.status).toBe(400);
    r = await board.call('GET', '/api/runs?limit=0');
    expect(r.status).toBe(400);
    r = await board.call('GET', '/api/runs?experiment=nope');
    expect(r.status).toBe(404);

    const [a, b] = [runs[1]!, runs[2]!];
    r = await board.call('GET', `/api/runs/compare?ids=${a.id},${b.id}`);
    expect(r.status).toBe(200);
    expect(r.body.runs.map((x: any) => x.id)).toEqual([a.id, b.id]);
    expect(r.body.params.find((p: any) => p.key === 'kind')).toEqual({ key: 'kind', values: [a.kind, b.kind], differs: true });
    expect(r.body.metrics.find((m: any) => m.key === 'f1')).toMatchObject({ values: [a.f1, b.f1], min: Math.min(a.f1!, b.f1!), max: Math.max(a.f1!, b.f1!) });
    expect(r.body.params.find((p: any) => p.key === 'model.alpha').values).toEqual([a.alpha, b.alpha]);
    expect((await board.call('GET', `/api/runs/compare?ids=${a.id}`)).status).toBe(400);
    expect((await board.call('GET', `/api/runs/compare?ids=${a.id},${a.id}`)).status).toBe(400);
    r = await board.call('GET', `/api/runs/compare?ids=${a.id},nope`);
    expect(r.status).toBe(404);
    expect(r.body.error.message).toContain('nope');
  });
});
