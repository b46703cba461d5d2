import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { eventsStreamKey } from '@tidewater/events';
import { createLogger } from '@tidewater/telemetry';
import { sendGithubPush, waitFor } from '@tidewater/harness';
import { startSlackSink, type SlackSink } from '../../services/notifier/src/test-support/slack-sink.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from '../e2e/environment.ts';
import { waitForSync } from '../e2e/helpers.ts';

// Door: everything Tidewater writes down. A whole end-to-end run (push → render → apply → Slack and a signed
// generic webhook → audit log) with distinctive secret values configured; afterwards every log line, every event,
// every key in Redis (BullMQ job payloads, results and failures included) and the audit log are searched for each
// value, plain and base64-encoded. Zero hits, except where the desired state of an app whose Git content holds a
// Kubernetes Secret is kept (the rendered bundle and the syncer's last applied copy): it must carry the Secret to apply it.

const tag = randomBytes(4).toString('hex');
const secretNames = {
  webhook: `TIDEWATER_SECRET_GREP_WEBHOOK_${tag}`,
  slackToken: `TIDEWATER_SECRET_GREP_SLACK_TOKEN_${tag}`,
  webhookHeader: `TIDEWATER_SECRET_GREP_WEBHOOK_HEADER_${tag}`,
  webhookSigning: `TIDEWATER_SECRET_GREP_WEBHOOK_SIGNING_${tag}`,
  gitCredential: `TIDEWATER_SECRET_GREP_GIT_TOKEN_${tag}`,
};
/** Distinctive values: long enough that a hit cannot be chance. */
const secretValues: Record<keyof typeof secretNames | 'kubernetesSecret', string> = {
  webhook: `grep-webhook-${randomBytes(12).toString('hex')}`,
  slackToken: `xoxb-grep-${randomBytes(12).toString('hex')}`,
  webhookHeader: `grep-header-${randomBytes(12).toString('hex')}`,
  webhookSigning: `grep-signing-${randomBytes(12).toString('hex')}`,
  gitCredential: `grep-git-${randomBytes(12).toString('hex')}`,
  kubernetesSecret: `grep-k8s-secret-${randomBytes(12).toString('hex')}`,
};

/**
 * The forms a value takes when written down: as is, and base64 at each of the three alignments it can have
 * inside a longer base64 text (`Basic base64(user:token)`, a Secret's `data`), trimmed to the characters
 * that do not depend on its neighbours.
 */
function searchForms(value: string): string[] {
  const forms = [value];
  for (let offset = 0; offset < 3; offset++) {
    // Base64 character k covers bits [6k, 6k + 6): those wholly inside the value's bits are fixed by it alone.
    const encoded = Buffer.from(`${'\0'.repeat(offset)}${value}`).toString('base64');
    const first = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + Buffer.byteLength(value)) * 8) / 6);
    forms.push(encoded.slice(first, end));
  }
  return forms;
}

interface Hit {
  secret: string;
  where: string;
}

function hitsIn(where: string, text: string): Hit[] {
  const hits: Hit[] = [];
  for (const [secret, value] of Object.entries(secretValues)) {
    if (searchForms(value).some((form) => text.includes(form))) hits.push({ secret, where });
  }
  return hits;
}

/** Every key in Redis with its whole content as text (strings, hashes, lists, sets, sorted sets, streams). */
async function redisContents(redis: Redis): Promise<Map<string, string>> {
  const contents = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1_000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let text: string;
      switch (type) {
        case 'string': text = (await redis.getBuffer(key))?.toString('latin1') ?? ''; break;
        case 'hash': text = JSON.stringify(await redis.hgetall(key)); break;
        case 'list': text = JSON.stringify(await redis.lrange(key, 0, -1)); break;
        case 'set': text = JSON.stringify(await redis.smembers(key)); break;
        case 'zset': text = JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES')); break;
        case 'stream': text = JSON.stringify(await redis.xrange(key, '-', '+')); break;
        default: text = '';
      }
      contents.set(key, text);
    }
  } while (cursor !== '0');
  return contents;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('no secret value is written down anywhere in a whole run', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let sink: SlackSink;
  const logLines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });

  beforeAll(async () => {
    for (const [key, name] of Object.entries(secretNames)) process.env[name] = secretValues[key as keyof typeof secretNames];
    sink = await startSlackSink();
    // Every service's logger, at debug level, writes into `logLines`.
    env = await startTidewaterEnvironment({ seedRepository: false, logger: createLogger('e2e', { level: 'debug' }, capture) });
    redis = new Redis(env.redis.url);

    // The repository's webhook secret and Git credential, referenced by name as an operator would.
    const platformFile = join(env.configDir, 'platform.yaml');
    const platform = readFileSync(platformFile, 'utf8');
    const rewritten = platform.replace(/webhookSecretRef: \{env: \w+\}/, `webhookSecretRef: {env: ${secretNames.webhook}}\n  credentialRef: {env: ${secretNames.gitCredential}}`);
    expect(rewritten).not.toBe(platform);
    writeFileSync(platformFile, rewritten);
    await env.writeConfig('notifications.yaml', [
      'apiVersion: tidewater.dev/v1alpha1', 'kind: NotificationChannel', 'metadata: {name: grep-slack}', 'spec:',
      '  type: slack', `  tokenRef: {env: ${secretNames.slackToken}}`, '  channel: deployments', `  apiUrl: ${sink.url}/api`,
      '  subscriptions: [{trigger: on-sync-succeeded, apps: [plain-configs]}]',
      '---',
      'apiVersion: tidewater.dev/v1alpha1', 'kind: NotificationChannel', 'metadata: {name: grep-webhook}', 'spec:',
      '  type: webhook', `  url: ${sink.url}/hooks/tidewater`, `  secretRef: {env: ${secretNames.webhookSigning}}`,
      `  headers: [{name: X-Api-Key, valueRef: {env: ${secretNames.webhookHeader}}}]`,
      '  subscriptions: [{trigger: on-sync-succeeded, apps: [plain-configs]}]', '',
    ].join('\n'));
    env.repo.setWebhook({ url: `${env.gatewayUrl}/webhooks/git/github`, secret: secretValues.webhook });
  });

  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
    await sink?.close();
    for (const name of Object.values(secretNames)) delete process.env[name];
  });

  it('push, render, apply, notify and audit leave zero hits in logs, events, Redis and the audit log', { timeout: 240_000 }, async () => {
    // A Kubernetes Secret committed to the repository, as teams do with sealed or test values.
    const { mkdtempSync, cpSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const seed = mkdtempSync(join(tmpdir(), 'tidewater-grep-seed-'));
    cpSync(join(import.meta.dirname, '../../examples/gitops-repo'), seed, { recursive: true });
    writeFileSync(join(seed, 'apps/plain-configs/database-credentials.yaml'), [
      'apiVersion: v1', 'kind: Secret', 'metadata: {name: database-credentials}', 'type: Opaque',
      `data: {password: ${Buffer.from(secretValues.kubernetesSecret).toString('base64')}}`, '',
    ].join('\n'));
    const pushed = await env.repo.commitDirectory(seed, 'Import the example repository with a Secret');

    // It reached the cluster, and the notifications went out.
    await waitForSync(redis, 'plain-configs', pushed.sha, 120_000);
    const core = env.cluster.kubeConfig.makeApiClient((await import('@kubernetes/client-node')).CoreV1Api);
    const applied = await core.readNamespacedSecret({ name: 'database-credentials', namespace: 'plain-configs' });
    expect(Buffer.from(applied.data?.password ?? '', 'base64').toString()).toBe(secretValues.kubernetesSecret);
    await waitFor('the Slack message and the generic webhook', () => (
      sink.to('/api/chat.postMessage').length >= 1 && sink.to('/hooks/tidewater').length >= 1 ? true : undefined), { timeoutMs: 60_000 });
    // The credentials went where they belong, and only in their headers.
    expect(sink.to('/api/chat.postMessage')[0].headers.authorization).toBe(`Bearer ${secretValues.slackToken}`);
    expect(sink.to('/hooks/tidewater')[0].headers['x-api-key']).toBe(secretValues.webhookHeader);
    for (const request of sink.requests) expect(hitsIn(`sink body ${request.path}`, request.body)).toEqual([]);

    // A forged delivery too: refusals are part of the run.
    const forged = await sendGithubPush(`${env.gatewayUrl}/webhooks/git/github`, 'a-guessed-secret', {
      cloneUrl: env.repo.url, fullName: 'tidewater/gitops-repo', ref: 'refs/heads/main', before: pushed.sha, after: pushed.sha, commits: [],
    });
    expect(forged.status).toBe(401);

    // The audit log has caught up with the sync.
    const auditDir = join(dirname(env.configDir), 'audit');
    await waitFor('the audit log to hold the sync', () => {
      const text = filesUnder(auditDir).map((file) => readFileSync(file, 'utf8')).join('\n');
      return text.includes(pushed.sha) && text.includes('sync.succeeded') ? true : undefined;
    }, { timeoutMs: 60_000 });
    await env.tidewater.close(); // flushes what is in flight; nothing more is written

    const hits: Hit[] = [];
    expect(logLines.length).toBeGreaterThan(20);
    logLines.forEach((line, index) => hits.push(...hitsIn(`log line ${index}`, line)));
    const contents = await redisContents(redis);
    expect(contents.has(eventsStreamKey)).toBe(true);
    // BullMQ job hashes (`bull:<queue>:<job id>`) hold each job's data, result and failure.
    const jobKeys = [...contents.keys()].filter((key) => key.startsWith('bull:') && contents.get(key)?.includes('"data":'));
    expect(jobKeys.length).toBeGreaterThan(0);
    const auditFiles = filesUnder(auditDir);
    expect(auditFiles.length).toBeGreaterThan(0);
    for (const [key, text] of contents) hits.push(...hitsIn(`redis ${key}`, text));
    for (const file of auditFiles) hits.push(...hitsIn(`audit ${file}`, readFileSync(file, 'utf8')));

    // The expected places: the desired state must hold the Secret to apply it. That is the rendered bundle and
    // the syncer's copy of the last applied one (drift detection, self-heal); both are read only by the syncer.
    const isBundleOfSecret = (hit: Hit) => hit.secret === 'kubernetesSecret'
      && /^redis tidewater:(?:bundle:|syncer:applied-bundle:)/.test(hit.where);
    expect(hits.filter(isBundleOfSecret).length).toBeGreaterThan(0);
    expect(hits.filter((hit) => !isBundleOfSecret(hit))).toEqual([]);
  });
});
