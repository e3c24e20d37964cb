import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlowProducer } from 'bullmq';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../board/app.ts';
import { createLogger } from '../../core/log.ts';
import { promoteVersion } from '../../core/registry/registry.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';
import { registerVersions } from '../helpers/registry-fixture.ts';

// The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against the
// board on real Postgres: what it shows comes from the API, and its buttons change the registry.
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const MODEL = 'dash-model';
const TOKEN = 'dash-token-1';
const HOSTILE = '<img src=x onerror="document.title=\'pwned\'">';

describe('dashboard', () => {
  let env: TestEnv;
  let server: Server;
  let flows: FlowProducer;
  let browser: Browser;
  let page: Page;
  let base: string;
  const stageOf = async (version: number) =>
    (await env.db.modelVersion.findFirstOrThrow({ where: { version, model: { name: MODEL } } })).stage;

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('the dashboard tests need Chromium: apt-get install -y chromium (.ci/run does)');
    env = await createTestEnv({ API_TOKEN: TOKEN });
    await registerVersions(env, MODEL, 3);
    await promoteVersion(env.db, { modelName: MODEL, version: 1, actor: 'test', reason: 'first' }, env.blobs);
    const day = new Date('2019-12-30T00:00:00Z');
    await env.db.paper.createMany({
      data: ['cs.CL', 'cs.CL', 'math.PR'].map((topic, i) => ({
        // Paper 1's title is markup: the page must show it as text, never as an element.
        id: `1912.0000${i}`, version: 1, title: i === 1 ? HOSTILE : `Paper ${i} about ${topic}`, abstract: 'An abstract.', authors: [], primaryCategory: topic,
        categories: [topic], published: day, updated: day, publishedDay: day, source: 'test', topic, topicConfidence: 0.9,
      })),
    });
    flows = new FlowProducer({ connection: env.redis, prefix: env.prefix });
    const app = createApp({ db: env.db, blobs: env.blobs, config: env.config, log: createLogger('silent'), redis: env.redis, flows, queues: [] });
    server = await new Promise((r) => { const s = app.listen(0, '127.0.0.1', () => r(s)); });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await flows?.close();
    await env?.cleanup();
  });

  it('shows the registry, papers and trends from the API', async () => {
    await page.goto(base + '/');
    expect(page.url()).toBe(`${base}/dashboard`);
    await page.getByText('Production v1').waitFor();
    const rows = page.locator('#model-list tr[data-version]');
    expect(await rows.count()).toBe(3);
    expect(await page.locator('#model-list tr[data-version="1"] td').nth(1).textContent()).toBe('Production');
    expect(await page.locator('#model-list tr[data-version="2"] button').textContent()).toBe('promote');
    await page.getByText('3 papers').waitFor();
    expect(await page.locator('#trend-chart polyline').count()).toBe(2);
    expect(await page.getByText(HOSTILE).count()).toBe(1);
    expect(await page.locator('#paper-list img').count()).toBe(0);
    expect(await page.title()).toBe('arxiv-radar');
    await page.selectOption('#topic', 'math.PR');
    await page.click('#paper-form button');
    await page.getByText('1 papers').waitFor();
    expect(await page.locator('#paper-list td').nth(1).textContent()).toBe('Paper 2 about math.PR');
  });

  it('pages through papers and nights', async () => {
    const day = new Date('2019-12-31T00:00:00Z');
    await env.db.paper.createMany({
      data: Array.from({ length: 42 }, (_, i) => ({
        id: `1912.1${String(i).padStart(4, '0')}`, version: 1, title: `Bulk paper ${i}`, abstract: 'Bulk abstract.', authors: [], primaryCategory: 'cs.LG',
        categories: ['cs.LG'], published: day, updated: day, publishedDay: day, source: 'test', topic: 'cs.LG', topicConfidence: 0.8,
      })),
    });
    await env.db.pipelineRun.createMany({
      data: Array.from({ length: 17 }, (_, i) => ({
        pipeline: 'nightly', logicalDate: new Date(Date.UTC(2019, 11, i + 1)), runNumber: 1, trigger: 'test', source: 'sample', params: {}, status: 'succeeded' as const,
        queuedAt: new Date(Date.UTC(2019, 11, i + 1, 2)),
        // The newest night says why its winner was not promoted (the gate's reason, as text).
        ...(i === 16 ? { summary: { modelVersion: 4, promoted: false, classified: 12, gateReason: `not sure enough: winner better in 71% of resamples < 90% ${HOSTILE}` } } : {}),
      })),
    });
    await page.goto(base + '/dashboard');
    await page.fill('#q', 'bulk');
    await page.click('#paper-form button');
    await page.locator('#paper-pager', { hasText: '1–20 of 42' }).waitFor();
    const titles = async () => page.locator('#paper-list tr td:nth-child(2)').allTextContents();
    const seen = new Set(await titles());
    expect(await page.locator('#paper-pager button', { hasText: 'previous' }).isDisabled()).toBe(true);
    await page.click('#paper-pager button:has-text("next")');
    await page.locator('#paper-pager', { hasText: '21–40 of 42' }).waitFor();
    for (const t of await titles()) seen.add(t);
    await page.click('#paper-pager button:has-text("next")');
    await page.locator('#paper-pager', { hasText: '41–42 of 42' }).waitFor();
    const lastPage = await titles();
    expect(lastPage).toHaveLength(2);
    for (const t of lastPage) seen.add(t);
    expect(seen.size).toBe(42); // every paper once, none repeated across pages
    expect(await page.locator('#paper-pager button', { hasText: 'next' }).isDisabled()).toBe(true);
    await page.click('#paper-pager button:has-text("previous")');
    await page.locator('#paper-pager', { hasText: '21–40 of 42' }).waitFor();
    // A new search starts again at the first page.
    await page.click('#paper-form button');
    await page.locator('#paper-pager', { hasText: '1–20 of 42' }).waitFor();

    // Nights: 15 per page, newest first.
    await page.locator('#night-pager', { hasText: '1–15 of 17' }).waitFor();
    expect(await page.locator('#night-list tr td:first-child').first().textContent()).toBe('2019-12-17');
    const result = page.locator('#night-list tr').nth(1).locator('td').nth(4);
    expect(await result.locator('.gate').textContent()).toBe(`not sure enough: winner better in 71% of resamples < 90% ${HOSTILE}`);
    expect(await result.textContent()).toContain('v4 kept champion, 12 classified');
    expect(await page.locator('#night-list img').count()).toBe(0);
    await page.click('#night-pager button:has-text("older")');
    await page.locator('#night-pager', { hasText: '16–17 of 17' }).waitFor();
    expect(await page.locator('#night-list tr td:first-child').allTextContents()).toEqual(['2019-12-02', '2019-12-01']);
  });

  it('promotes and rolls back with the token, and says why it cannot without', async () => {
    await page.click('#model-list tr[data-version="3"] button');
    await page.locator('#status', { hasText: '401 unauthorized' }).waitFor();
    expect(await stageOf(3)).toBe('None');

    await page.fill('#token', TOKEN);
    await page.dispatchEvent('#token', 'change');
    await page.click('#model-list tr[data-version="3"] button');
    await page.locator('#status', { hasText: 'v3 is Production' }).waitFor();
    expect(await stageOf(3)).toBe('Production');
    expect(await stageOf(1)).toBe('Archived');
    await page.getByText('Production v3').waitFor();

    await page.click('[data-rollback]');
    await page.locator('#status', { hasText: 'v1 is Production' }).waitFor();
    expect(await stageOf(1)).toBe('Production');
    const events = await env.db.modelEvent.findMany({ where: { actor: 'dashboard' }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.reason)).toEqual(expect.arrayContaining(['promoted from the dashboard', 'rolled back from the dashboard']));
  });
});
