import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { startTidewaterEnvironment, type TidewaterEnvironment } from '../e2e/environment.ts';
import { waitForSync } from '../e2e/helpers.ts';
import { buildUi, launchChromium, seriousAxeViolations, skipWithoutChromium } from './support/browser.ts';

// The resource tree's live children and the drawer's Kubernetes events in Chromium, against tide all on a control
// plane where kube-controller-manager makes the ReplicaSet and Pods of the example Deployment and kwok runs them.

const app = 'guestbook-dev';
const deploymentName = 'dev-guestbook';

describe.skipIf(skipWithoutChromium)('resource tree children and Kubernetes events in the web UI', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    buildUi();
    env = await startTidewaterEnvironment({ workloads: true });
    redis = new Redis(env.redis.url);
    await waitForSync(redis, app, env.repo.head(), 180_000);
    browser = await launchChromium();
    // bypassCSP: axe-core is injected as an inline script, which the UI's Content-Security-Policy refuses (as it should).
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 }, bypassCSP: true })).newPage();
    await page.goto(`${env.apiUrl}/applications/${app}`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(env.adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    redis?.disconnect();
    await env?.stop();
  });

  it('shows the Pods below their ReplicaSet below the Deployment, each with its health', async () => {
    const rows = page.getByTestId('tree-row');
    const deployment = rows.filter({ hasText: 'Deployment' }).filter({ hasText: deploymentName });
    const replicaSet = rows.filter({ hasText: 'ReplicaSet' }).filter({ hasText: `${deploymentName}-` });
    const pod = rows.filter({ hasText: 'Pod' }).filter({ hasText: `${deploymentName}-` }).first();
    await pod.getByText('Healthy').waitFor({ timeout: 120_000 });
    const level = async (row: typeof pod) => Number(await row.getAttribute('aria-level'));
    expect(await level(replicaSet)).toBe(await level(deployment) + 1);
    expect(await level(pod)).toBe(await level(replicaSet) + 1);
    // A child has no sync status of its own.
    expect(await pod.getByText('Synced').count()).toBe(0);
  }, 180_000);

  it('shows a resource\'s Kubernetes events in the drawer, and a live child opens on its events', async () => {
    await page.getByTestId('tree-row').filter({ hasText: 'Deployment' }).getByRole('button', { name: deploymentName, exact: true }).click();
    const drawer = page.getByRole('dialog', { name: new RegExp(`Deployment guestbook-dev/${deploymentName}$`) });
    await drawer.getByRole('tab', { name: 'Events' }).click();
    await drawer.getByTestId('kubernetes-events').getByText('ScalingReplicaSet').first().waitFor({ timeout: 60_000 });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await drawer.getByRole('button', { name: 'close the resource panel' }).click();

    const replicaSetRow = page.getByTestId('tree-row').filter({ hasText: 'ReplicaSet' }).first();
    await replicaSetRow.getByRole('button', { name: new RegExp(`^${deploymentName}-`) }).click();
    const replicaSetDrawer = page.getByRole('dialog', { name: /^ReplicaSet guestbook-dev\// });
    // A live child has no desired state: the drawer opens on its events.
    await replicaSetDrawer.getByTestId('kubernetes-events').getByText('SuccessfulCreate').first().waitFor({ timeout: 60_000 });
    expect(await replicaSetDrawer.getByRole('tab', { name: 'Events' }).getAttribute('aria-selected')).toBe('true');
  }, 180_000);
});
