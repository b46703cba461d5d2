import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { setAccountPassword } from '@tidewater/api';
import { eventTypes } from '@tidewater/events';
import { waitFor } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from '../e2e/environment.ts';
import { eventsOf, waitForSync } from '../e2e/helpers.ts';
import { buildUi, launchChromium, screenshot, seriousAxeViolations, skipWithoutChromium } from './support/browser.ts';

const app = 'plain-configs';
const settingsFile = 'apps/plain-configs/app-settings.yaml';
const settings = (region: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-settings\ndata:\n  logLevel: info\n  region: ${region}\n`;
const short = (sha: string) => sha.slice(0, 7);

describe.skipIf(skipWithoutChromium)('the web UI in Chromium against tide all (real Redis, control plane, git, loop)', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const devPassword = randomBytes(12).toString('base64url');
  const revisions = { seed: '', pushed: '' };

  async function logIn(target: Page, username: string, password: string) {
    await target.getByLabel('Username').fill(username);
    await target.getByLabel('Password').fill(password);
    await target.getByRole('button', { name: 'Log in' }).click();
  }
  const text = async (target: Page, testId: string) => (await target.getByTestId(testId).first().textContent())?.trim();

  beforeAll(async () => {
    buildUi();
    env = await startTidewaterEnvironment();
    redis = new Redis(env.redis.url);
    await setAccountPassword(redis, 'dev', devPassword);
    revisions.seed = env.repo.head();
    await waitForSync(redis, app, revisions.seed, 120_000);
    browser = await launchChromium();
    // bypassCSP: axe-core is injected as an inline script, which the UI's Content-Security-Policy refuses (as it should).
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    redis?.disconnect();
    await env?.stop();
  });

  it('serves the UI at / and sends an unknown path to the login page, which logs in and shows the example apps', async () => {
    await page.goto(`${env.apiUrl}/applications?view=tiles`);
    await page.waitForURL(/\/login\?return=/);
    await screenshot(page, 'ui-login');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await logIn(page, 'admin', 'wrong-password');
    await page.getByRole('alert').getByText(/invalid username or password/).waitFor();
    await logIn(page, 'admin', env.adminPassword);
    await page.waitForURL(/\/applications\?view=tiles$/);
    const names = env.config().applications.map((candidate) => candidate.metadata.name);
    for (const name of names) await page.getByTestId('app-tile').filter({ hasText: name }).waitFor();
    expect(await text(page, 'identity')).toBe('admin');
    await page.getByTestId('app-tile').filter({ hasText: app }).getByText('Synced').waitFor();
    await screenshot(page, 'ui-applications');
    expect(await seriousAxeViolations(page)).toEqual([]);
  }, 180_000);

  it('filters on the server (search, health) and shows the list mode', async () => {
    await page.getByLabel('Search').fill('guestbook');
    await page.waitForURL(/search=guestbook/);
    await waitFor('only guestbook apps', async () => (await page.getByTestId('app-tile').allTextContents()).every((tile) => tile.includes('guestbook')) || undefined, { timeoutMs: 20_000 });
    await page.getByLabel('Search').fill('');
    await page.getByRole('button', { name: 'List' }).click();
    await page.getByTestId('app-row').filter({ hasText: app }).waitFor();
  }, 60_000);

  it('shows a pushed commit live on the application page, without a reload', async () => {
    await page.getByTestId('app-row').filter({ hasText: app }).getByRole('link', { name: app }).click();
    await page.getByTestId('app-revision').filter({ hasText: short(revisions.seed) }).waitFor();
    await page.evaluate(() => { (globalThis as unknown as { notReloaded: boolean }).notReloaded = true; });
    revisions.pushed = (await env.repo.commit({ [settingsFile]: settings('region-ui') }, 'Move plain-configs to region-ui', { author: 'Uma UI <uma@example.com>' })).sha;
    await page.getByTestId('app-revision').filter({ hasText: short(revisions.pushed) }).waitFor({ timeout: 120_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await screenshot(page, 'ui-application');
    expect(await seriousAxeViolations(page)).toEqual([]);
  }, 180_000);

  it('shows a hand edit in the cluster as drift, live, and the full diff of live and desired state', async () => {
    const row = page.getByTestId('tree-row').filter({ hasText: 'app-settings' });
    await row.getByText('Synced').waitFor();
    // Someone edits the object in the cluster: the syncer's watch sees the drift and its event reaches the page.
    const core = env.cluster.kubeConfig.makeApiClient(CoreV1Api);
    await core.patchNamespacedConfigMap({ name: 'app-settings', namespace: app, body: [{ op: 'replace', path: '/data/region', value: 'hand-edited' }] });
    await row.getByText('OutOfSync').waitFor({ timeout: 120_000 });
    await row.getByRole('button', { name: 'app-settings' }).click();
    const drawer = page.getByRole('dialog', { name: /ConfigMap plain-configs\/app-settings/ });
    const diff = drawer.getByTestId('diff');
    await diff.waitFor({ timeout: 90_000 });
    // The whole object is there (every line, not only the hunk), the live value removed and Git's value added.
    await diff.locator('.diff-line.removed').filter({ hasText: 'region: hand-edited' }).waitFor();
    await diff.locator('.diff-line.added').filter({ hasText: 'region: region-ui' }).waitFor();
    await diff.locator('.diff-line.same').filter({ hasText: 'logLevel: info' }).waitFor();
    await screenshot(page, 'ui-diff');
    await drawer.getByRole('tab', { name: 'Live manifest' }).click();
    await drawer.getByText(/region: hand-edited/).first().waitFor();
    await drawer.getByRole('button', { name: 'close the resource panel' }).click();
  }, 240_000);

  it('shows history with commit message and author, and rolls back (automated sync pauses)', async () => {
    await page.getByRole('tab', { name: 'History and rollback' }).click();
    const pushedRow = page.getByTestId('history-row').filter({ hasText: short(revisions.pushed) });
    await pushedRow.getByTestId('commit-message').filter({ hasText: 'Move plain-configs to region-ui' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'ui-history');
    const seedRow = page.getByTestId('history-row').filter({ hasText: short(revisions.seed) });
    await seedRow.getByRole('button', { name: 'Roll back' }).click();
    await seedRow.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('paused').waitFor({ timeout: 120_000 });
    await page.getByTestId('app-revision').filter({ hasText: short(revisions.seed) }).waitFor({ timeout: 120_000 });
    await page.getByTestId('paused').getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('paused').waitFor({ state: 'detached', timeout: 120_000 });
  }, 300_000);

  it('starts a dry-run sync of chosen resources with options from the sync panel', async () => {
    await page.getByRole('tab', { name: /Resources/ }).click();
    await page.getByRole('button', { name: 'Sync…' }).click();
    const panel = page.getByRole('region', { name: `Sync ${app}` });
    await panel.getByLabel(/Dry run/).check();
    await panel.getByLabel('ServerSideApply=true').check();
    await panel.getByLabel(/ConfigMap plain-configs\/feature-flags/).uncheck();
    await panel.getByRole('button', { name: 'Dry run' }).click();
    await panel.getByText('Dry run queued').waitFor();
    const requested = await waitFor('the dry-run sync request event', async () => (await eventsOf(redis, eventTypes.operationRequested, { app }))
      .find((event) => event.data.operation === 'sync' && event.data.dryRun === true), { timeoutMs: 30_000 });
    expect(requested.data).toMatchObject({ actor: 'admin', prune: false });
    await page.getByTestId('operation').filter({ hasText: /sync (Running|Succeeded)/ }).waitFor({ timeout: 60_000 });
    await panel.getByRole('button', { name: 'close the sync panel' }).click();
  }, 120_000);

  it('explains actions a user may not take, and a 403, in words', async () => {
    const devContext = await browser.newContext();
    const devPage = await devContext.newPage();
    try {
      await devPage.goto(`${env.apiUrl}/applications/guestbook-staging`);
      await devPage.waitForURL(/\/login/);
      await logIn(devPage, 'dev', devPassword);
      await devPage.waitForURL(/\/applications\/guestbook-staging$/);
      const sync = devPage.getByRole('button', { name: 'Sync…' });
      await sync.waitFor();
      await waitFor('the sync button to be disabled for dev', async () => (await sync.isDisabled()) || undefined, { timeoutMs: 20_000 });
      await devPage.getByText('your roles do not allow applications, sync on demo/guestbook-staging').first().waitFor();
      // The page's Content-Security-Policy refuses an inline script (this context does not bypass it).
      await expect(devPage.addScriptTag({ content: 'document.title = "injected"' })).rejects.toThrow(/Content Security Policy/);
      expect(await devPage.title()).toBe('Tidewater');
      await devPage.getByRole('link', { name: 'Audit' }).click();
      await devPage.getByRole('alert').getByText(/Permission denied: your roles do not allow "get" on audit/).waitFor();
    } finally {
      await devContext.close();
    }
  }, 120_000);

  it('logs in with an API token (sent as Bearer, kept in the tab) and stays live', async () => {
    const session = await (await fetch(`${env.apiUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'dev', password: devPassword }) })).json() as { token: string };
    const issued = await fetch(`${env.apiUrl}/api/v1/account/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` }, body: JSON.stringify({ id: 'ui-test' }) });
    const { token } = await issued.json() as { token: string };
    expect(token).toMatch(/^tw_/);
    const tokenContext = await browser.newContext();
    const tokenPage = await tokenContext.newPage();
    try {
      await tokenPage.goto(`${env.apiUrl}/login`);
      await tokenPage.getByRole('tab', { name: 'API token' }).click();
      await tokenPage.getByLabel(/Token/).fill(token);
      await tokenPage.getByRole('button', { name: 'Log in' }).click();
      await tokenPage.waitForURL(/\/applications$/);
      expect(await text(tokenPage, 'identity')).toBe('dev');
      await tokenPage.getByTestId('app-tile').filter({ hasText: app }).waitFor();
      await tokenPage.getByText('● live').waitFor();
      // No cookie was set: the token is the only credential, and it is not in the URL or a cookie.
      expect((await tokenContext.cookies()).filter((cookie) => cookie.name.startsWith('tidewater.'))).toEqual([]);
    } finally {
      await tokenContext.close();
    }
  }, 120_000);

  it('searches the audit log', async () => {
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Application').fill(app);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('audit-row').filter({ hasText: 'operation.requested' }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'ui-audit');
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Export: every record matching the search, as CSV and as JSON Lines.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csvText = readFileSync(await csv.path(), 'utf8');
    expect(csvText.split('\n')[0]).toBe('seq,time,type,app,actor,subject,hash');
    expect(csvText).toContain('dev.tidewater.operation.requested');
    const [jsonl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON Lines' }).click()]);
    const records = readFileSync(await jsonl.path(), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { event: { data: { app?: string; apps?: string[] } }; hash: string });
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record.event.data.app === app || record.event.data.apps?.includes(app)).toBe(true);
  }, 60_000);

  it('shows the pipelines page readably when no pipeline is configured', async () => {
    await page.getByRole('link', { name: 'Pipelines' }).click();
    await page.getByRole('heading', { name: 'Pipelines' }).waitFor();
    await page.locator('.empty, [role=alert]').first().waitFor();
  }, 60_000);

  it('sends an expired session to the login page and back to the same page', async () => {
    await page.goto(`${env.apiUrl}/applications/${app}?tab=history`);
    await page.getByTestId('app-revision').waitFor();
    // The session ends on the server (as at expiry or logout elsewhere); the page's next call gets 401.
    await page.evaluate(async () => {
      const csrf = /tidewater\.csrf=([^;]+)/.exec((globalThis as unknown as { document: { cookie: string } }).document.cookie)?.[1] ?? '';
      await fetch('/api/v1/session', { method: 'DELETE', headers: { 'x-csrf-token': decodeURIComponent(csrf) } });
    });
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL(/\/login\?return=%2Faudit/);
    await page.getByText('Your session has ended').waitFor();
    await logIn(page, 'admin', env.adminPassword);
    await page.waitForURL(/\/audit$/);
  }, 60_000);
});
