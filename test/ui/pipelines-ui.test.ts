import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { eventTypes } from '@tidewater/events';
import { waitFor } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from '../e2e/environment.ts';
import { eventsOf } from '../e2e/helpers.ts';
import { setUpGuestbookPipeline } from '../e2e/promotion-fixture.ts';
import { buildUi, launchChromium, screenshot, seriousAxeViolations, skipWithoutChromium } from './support/browser.ts';

// The Pipelines view against the promoter's real pipeline engine: a registry push makes freight, dev and staging
// promote themselves, production waits for an approval that the user gives in the browser.
describe.skipIf(skipWithoutChromium)('the Pipelines view in Chromium: approve a promotion, compare two freight', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let browser: Browser;
  let page: Page;

  const freightEvents = async () => (await eventsOf(redis, eventTypes.freightCreated)).filter((event) => event.data.pipeline === 'guestbook');

  beforeAll(async () => {
    buildUi();
    env = await startTidewaterEnvironment({ registry: true, workloads: true });
    redis = new Redis(env.redis.url);
    await setUpGuestbookPipeline(env);
    await waitFor('pipeline consumer group', async () => {
      const groups = (await redis.xinfo('GROUPS', 'tidewater:events').catch(() => [])) as unknown[][];
      return groups.some((group) => group.includes('promoter-pipelines'));
    }, { timeoutMs: 30_000 });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await page.goto(`${env.apiUrl}/pipelines/guestbook`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(env.adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/pipelines\/guestbook$/);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    redis?.disconnect();
    await env?.stop();
  });

  it('shows the stages as a graph and, after a push, the freight and the approval production waits for; approving it promotes', async () => {
    await page.getByRole('group', { name: /pipeline stages: dev, staging, production/ }).waitFor();
    await env.registry!.pushImage('demo/guestbook', '1.2.0');
    const created = await waitFor('freight of 1.2.0', async () => (await freightEvents())[0], { timeoutMs: 120_000, intervalMs: 200 });
    const alias = String(created.data.alias);
    // Live: the timeline and the graph update from the event stream, no reload.
    await page.getByTestId('freight').filter({ hasText: alias }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: /^production/ }).click();
    const approval = page.getByTestId('approval').filter({ hasText: alias });
    await approval.waitFor({ timeout: 240_000 });
    await screenshot(page, 'ui-pipeline');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await approval.getByRole('button', { name: 'Approve' }).click();
    await approval.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('button', { name: /^production/ }).getByText(alias).waitFor({ timeout: 240_000 });
    const succeeded = await waitFor('production promotion succeeded', async () => (await eventsOf(redis, eventTypes.promotionSucceeded)).find((event) => event.data.stage === 'production'), { timeoutMs: 60_000 });
    expect(succeeded.data).toMatchObject({ approvals: [{ user: 'admin' }] });
  }, 600_000);

  it('compares two freight: what changes between them', async () => {
    await env.registry!.pushImage('demo/guestbook', '1.3.0');
    const second = await waitFor('freight of 1.3.0', async () => (await freightEvents())[1], { timeoutMs: 120_000, intervalMs: 200 });
    const [first] = await freightEvents();
    await page.getByTestId('freight').filter({ hasText: String(second.data.alias) }).waitFor({ timeout: 60_000 });
    await page.getByRole('checkbox', { name: `compare ${String(first.data.alias)}` }).check();
    await page.getByRole('checkbox', { name: `compare ${String(second.data.alias)}` }).check();
    const diff = page.getByTestId('diff');
    await diff.locator('.diff-line.removed').filter({ hasText: ':1.2.0' }).waitFor();
    await diff.locator('.diff-line.added').filter({ hasText: ':1.3.0' }).waitFor();
    await screenshot(page, 'ui-freight-compare');
  }, 300_000);
});
