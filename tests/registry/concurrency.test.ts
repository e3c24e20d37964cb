import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '../../core/registry/registry.ts';
import { startTestBoard, type TestBoard } from '../helpers/board.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';
import { registerVersions } from '../helpers/registry-fixture.ts';

const MODEL = 'storm-model';
const VERSIONS = 5;
const REQUESTS = 50;

// 50 simultaneous promotes and rollbacks through two board replicas, each with its own pool of
// database connections (as two processes would be). Whatever the interleaving, the registry
// must end with exactly one Production version, `champion` on it, and a history that replays
// to the stages in the database.
describe('promote/rollback storm', () => {
  let env: TestEnv;
  let boards: TestBoard[];

  beforeAll(async () => {
    env = await createTestEnv({ API_TOKEN: 'storm-token' });
    await registerVersions(env, MODEL, VERSIONS);
    boards = await Promise.all([startTestBoard(env, { ownPool: true, poolSize: 5 }), startTestBoard(env, { ownPool: true, poolSize: 5 })]);
    expect((await boards[0]!.call('POST', `/api/models/${MODEL}/versions/1/promote`, { reason: 'baseline' })).status).toBe(200);
  });
  afterAll(async () => {
    await Promise.all(boards?.map((b) => b.close()) ?? []);
    await env?.cleanup();
  });

  it(`${REQUESTS} concurrent promote and rollback requests leave exactly one Production version and a consistent history`, async () => {
    const startEvents = (await listEvents(env.db, MODEL)).length;
    // A fixed, varied mix: promotes of every version (refused once a version is Archived),
    // rollbacks to the previous Production version, rollbacks to a named one (which succeed for
    // any evaluated version not in Production, so the storm really moves Production around).
    const requests = Array.from({ length: REQUESTS }, (_, i) => {
      const board = boards[i % 2]!;
      const v = ((i * 7) % VERSIONS) + 1;
      const body = { reason: `storm ${i}`, actor: `client-${i}` };
      if (i % 5 === 0) return board.call('POST', `/api/models/${MODEL}/rollback`, body);
      if (i % 5 === 4) return board.call('POST', `/api/models/${MODEL}/versions/${v}/promote`, body);
      return board.call('POST', `/api/models/${MODEL}/rollback`, { ...body, to: v });
    });
    const results = await Promise.all(requests);

    // Every answer is a success or a clean refusal: never a 500.
    for (const r of results) expect([200, 404, 409], JSON.stringify(r.body)).toContain(r.status);
    const succeeded = results.filter((r) => r.status === 200);
    // With this mix most requests change Production (a rollback to the version already there is a 409).
    expect(succeeded.length).toBeGreaterThan(REQUESTS / 3);

    // Exactly one Production version, and champion names it and nothing else.
    const versions = await env.db.modelVersion.findMany({ where: { model: { name: MODEL } }, include: { aliases: true }, orderBy: { version: 'asc' } });
    const production = versions.filter((v) => v.stage === 'Production');
    expect(production).toHaveLength(1);
    const champions = versions.filter((v) => v.aliases.some((a) => a.alias === 'champion'));
    expect(champions.map((v) => v.version)).toEqual([production[0]!.version]);

    // The history is one sequence: each change into Production starts from the version the
    // previous one left there, is preceded (in the same transaction) by the archive of that
    // version, and there is one per successful request.
    const events = await listEvents(env.db, MODEL);
    const storm = events.slice(startEvents);
    const changes = storm.filter((e) => e.toStage === 'Production');
    expect(changes).toHaveLength(succeeded.length);
    expect(changes.map((e) => e.actor).sort()).toEqual(results.flatMap((r, i) => (r.status === 200 ? [`client-${i}`] : [])).sort());
    let current = 1;
    for (const e of changes) {
      expect(e.previousVersion).toBe(current);
      const i = storm.indexOf(e);
      expect(storm[i - 1]).toMatchObject({ kind: 'archive', version: current, fromStage: 'Production', toStage: 'Archived', actor: e.actor });
      current = e.version!;
    }
    expect(current).toBe(production[0]!.version);

    // Replaying the whole history from the start gives the stages in the database.
    const replayed = new Map<number, string>();
    for (const e of events) if (e.version !== null && e.toStage) replayed.set(e.version, e.toStage);
    for (const v of versions) expect(replayed.get(v.version), `v${v.version}`).toBe(v.stage);
  });
});
