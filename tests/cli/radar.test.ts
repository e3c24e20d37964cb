import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';
import { radar } from '../helpers/radar-cli.ts';
import { startTestFleet } from '../helpers/fleet.ts';

// The real `radar` command in a child process, against workers on real Redis and Postgres.
describe('radar CLI', () => {
  let env: TestEnv;
  let fleet: ReturnType<typeof startTestFleet>;
  beforeAll(async () => {
    env = await createTestEnv();
    fleet = startTestFleet(env);
  });
  afterAll(async () => {
    await fleet?.close();
    await env?.cleanup();
  });

  it('run --source sample --wait --json runs the sample’s last night and prints the summary', async () => {
    const r = await radar(env, ['run', '--source', 'sample', '--wait', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ logicalDate: '2019-12-31', status: 'succeeded', modelVersion: 1, promoted: true });
    expect(summary.runId).toMatch(/^c[a-z0-9]+$/);
    expect(Object.values(summary.stages)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(summary.papersIngested).toBeGreaterThan(2500);
    expect(summary.classified).toBe(await env.db.paper.count({ where: { publishedDay: new Date('2019-12-31') } }));
    expect(summary.candidates.length).toBeGreaterThanOrEqual(2);
    for (const c of summary.candidates) {
      expect(c.f1_macro).toBeGreaterThan(0.5);
      expect(Object.keys(c.params).length).toBeGreaterThan(1);
    }
  });

  it('nights: pages newest first, filters, and refuses a bad page with a usage error', async () => {
    const all = await radar(env, ['nights', '--json']);
    expect(all.code, all.stderr).toBe(0);
    const page = JSON.parse(all.stdout);
    expect(page).toMatchObject({ total: 1, limit: 20, offset: 0 });
    expect(page.pipelineRuns.map((n: { logicalDate: string; status: string }) => [n.logicalDate, n.status])).toEqual([['2019-12-31', 'succeeded']]);
    const text = await radar(env, ['nights']);
    expect(text.stdout).toMatch(/^c[a-z0-9]+ {2}2019-12-31 #1 {2}succeeded/);
    expect(text.stdout).toContain('1-1 of 1');
    expect(text.stdout).not.toContain('more:');
    const none = await radar(env, ['nights', '--status', 'failed', '--date', '2019-12-31', '--json']);
    expect(JSON.parse(none.stdout)).toMatchObject({ total: 0, pipelineRuns: [] });
    for (const [args, message] of [
      [['--limit', '0'], '--limit:'],
      [['--offset=-3'], '--offset:'],
      [['--offset', '-3'], "Option '--offset' argument is ambiguous"],
      [['--limit'], "Option '--limit <value>' argument missing"],
      [['--status', 'done'], '--status:'],
      [['--date', '31.12.2019'], '--date:'],
      [['--date', '2019-02-30'], '--date: not a date'],
    ] as const) {
      const r = await radar(env, ['nights', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`radar nights: ${message}`);
    }
  });

  it('registry verbs: models, promote of an unknown version, rollback with nothing to roll back to', async () => {
    const models = await radar(env, ['models', '--json']);
    expect(models.code).toBe(0);
    expect(JSON.parse(models.stdout)).toMatchObject([{ name: 'arxiv-topics', productionVersion: 1, aliases: { champion: 1 } }]);

    const promote = await radar(env, ['promote', 'arxiv-topics', '7']);
    expect(promote.code).toBe(1);
    expect(promote.stderr).toContain('radar promote: model "arxiv-topics" has no version 7');

    const rollback = await radar(env, ['rollback', 'arxiv-topics', '--reason', 'test']);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toContain('no earlier Production version to roll back to');

    // classify: the Production model labels texts given inline or as JSON lines in a file.
    const papers = await env.db.paper.findMany({ where: { publishedDay: new Date('2019-12-31') }, take: 3, orderBy: { id: 'asc' }, include: { classifications: true } });
    const file = join(mkdtempSync(join(tmpdir(), 'radar-classify-')), 'papers.jsonl');
    writeFileSync(file, papers.map((p) => JSON.stringify({ title: p.title, abstract: p.abstract })).join('\n') + '\n');
    const fromFile = await radar(env, ['classify', file, '--json']);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const labelled = JSON.parse(fromFile.stdout);
    expect(labelled).toMatchObject({ model: 'arxiv-topics', version: 1 });
    expect(labelled.predictions.map((p: { label: string }) => p.label)).toEqual(papers.map((p) => p.classifications[0]!.label));
    const inline = await radar(env, ['classify', '--text', `${papers[0]!.title} ${papers[0]!.abstract}`, '--k', '2']);
    expect(inline.code, inline.stderr).toBe(0);
    expect(inline.stdout).toContain(`arxiv-topics v1 (Production`);
    const [label, confidence, topK] = inline.stdout.split('\n')[1]!.split('\t');
    expect(label).toBe(papers[0]!.classifications[0]!.label);
    expect(Number(confidence)).toBeCloseTo(papers[0]!.classifications[0]!.confidence, 3);
    expect(topK!.split(', ')).toHaveLength(2);
    // Plain text lines, one starting with a brace (LaTeX), are texts, not broken JSON.
    writeFileSync(file, `{\\em Graph} neural networks for text\n${papers[1]!.title} ${papers[1]!.abstract}\n`);
    const plain = await radar(env, ['classify', file, '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).predictions).toHaveLength(2);
    const both = await radar(env, ['classify', file, '--text', 'x']);
    expect(both.code).toBe(2);
    writeFileSync(file, '{"title": "no abstract"}\n');
    const badLine = await radar(env, ['classify', file]);
    expect(badLine.code).toBe(2);
    expect(badLine.stderr).toContain('line 1: expected "text" or "abstract"');
    const unknown = await radar(env, ['classify', '--text', 'x', '--model', 'models:/arxiv-topics@nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('has no alias "nope"');

    const bad = await radar(env, ['run', '--date', '2019-02-30']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"2019-02-30" is not a date');

    const nights = await env.db.pipelineRun.count();
    const badCandidate = await radar(env, ['run', '--source', 'sample', '--param', 'candidates=search,forest']);
    expect(badCandidate.code).toBe(2);
    expect(badCandidate.stderr).toMatch(/params\.candidates: unknown candidate "forest" \(kinds: .*; sets: default, search\)/);
    expect(await env.db.pipelineRun.count()).toBe(nights);
    const badConfidence = await radar(env, ['run', '--source', 'sample', '--param', 'promotionMinConfidence=1.5']);
    expect(badConfidence.code).toBe(2);
    expect(badConfidence.stderr).toContain('--param promotionMinConfidence must be a number in [0, 1]');
    expect(await env.db.pipelineRun.count()).toBe(nights);
  });
});
