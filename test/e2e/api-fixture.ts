import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { ControlJob, queueNames } from '@tidewater/queues';
import { createApi, setAccountPassword, type ApiDeps } from '@tidewater/api';
import { createLogger } from '@tidewater/telemetry';
import { startAuditor, type RunningAuditor } from '@tidewater/auditor';
import { makeWorkDir, startRedis, type RedisInstance } from '../harness/src/index.ts';

/**
 * Configuration of the API tests: two projects (web with roles deployer and ci, data), three apps, an
 * `argocd-rbac-cm` with custom roles, a deny and group bindings, and an `argocd-cm` with local accounts.
 */
export const apiTestConfigYaml = `
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: web}
spec:
  sourceRepos: ['*']
  destinations: [{server: '*', namespace: '*'}]
  roles:
  - name: deployer
    description: CI deploys web apps
    policies:
    - p, proj:web:deployer, applications, get, web/*, allow
    - p, proj:web:deployer, applications, sync, web/*, allow
    groups: [web-oncall]
  - name: ci
    policies:
    - p, proj:web:ci, applications, get, web/web-app, allow
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: data}
spec:
  sourceRepos: ['*']
  destinations: [{server: '*', namespace: '*'}]
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web-app, labels: {team: web, tier: frontend}}
spec:
  project: web
  source: {repoURL: 'https://git.example.com/org/gitops.git', path: web, targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: web}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web-api, labels: {team: web, tier: backend}}
spec:
  project: web
  source: {repoURL: 'https://git.example.com/org/gitops.git', path: api, targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: web}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: data-app, labels: {team: data}}
spec:
  project: data
  source: {repoURL: 'https://git.example.com/org/gitops.git', path: data, targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: data}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-rbac-cm, namespace: argocd}
data:
  policy.default: ''
  policy.csv: |
    p, role:deployer, applications, get, */*, allow
    p, role:deployer, applications, sync, */*, allow
    p, role:deployer, applications, sync, data/*, deny
    p, role:approver, applications, get, */*, allow
    p, role:approver, approvals, approve, */*, allow
    g, dana, role:deployer
    g, erin, role:approver
    g, platform-admins, role:admin
    g, vic, role:readonly
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-cm, namespace: argocd}
data:
  accounts.alice: apiKey, login
  accounts.alice.groups: platform-admins
  accounts.dana: apiKey, login
  accounts.erin: apiKey
  accounts.vic: apiKey
  accounts.nobody: apiKey, login
  accounts.web-oncall-bot: apiKey
  accounts.web-oncall-bot.groups: web-oncall
  accounts.gone: apiKey
  accounts.gone.enabled: "false"
`;

export function apiTestConfig(yaml = apiTestConfigYaml): TidewaterConfig {
  const { config, errors } = buildConfig([{ file: 'api-test.yaml', text: yaml }]);
  if (errors.length > 0) throw new Error(errors.map((error) => error.message).join('\n'));
  return config;
}

export interface ApiFixture {
  redisServer: RedisInstance;
  redis: Redis;
  app: FastifyInstance;
  adminPassword: string;
  /** Control jobs the stand-in syncer received, parsed with their schema. */
  controlJobs: ControlJob[];
  /** A session token of a local account (logs in with the password set by the fixture). */
  login(account: string): Promise<string>;
  /** An API token of an account with the apiKey capability (issued by the admin). */
  apiToken(account: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real Redis, the API built by createApi (no listener; tests use inject), passwords for admin, alice, dana and
 * nobody, and a control-queue worker standing in for the syncer that records each request and answers it.
 */
export async function startApiFixture(options: {
  config?: () => TidewaterConfig; deps?: Partial<ApiDeps>; answer?: (job: ControlJob) => unknown;
  /** Also run a real auditor (its /audit/* API behind the API's /api/v1/audit/*). */
  withAuditor?: boolean;
} = {}): Promise<ApiFixture> {
  const redisServer = await startRedis();
  const logger = createLogger('api-test', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'warn' });
  let auditor: { running: RunningAuditor; remove(): void } | undefined;
  if (options.withAuditor) {
    const dir = makeWorkDir('api-audit');
    auditor = { running: await startAuditor({ redisUrl: redisServer.url, dir: dir.dir, logger, port: 0, host: '127.0.0.1' }), remove: dir.remove };
  }
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 3 });
  const config = apiTestConfig();
  const adminPassword = randomBytes(9).toString('base64url');
  await setAccountPassword(redis, 'admin', adminPassword);
  for (const account of ['alice', 'dana', 'nobody']) await setAccountPassword(redis, account, `${account}-password`);
  const app = await createApi({
    config: options.config ?? (() => config), redis, redisUrl: redisServer.url,
    events: createEventPublisher({ redis, source: '/tidewater/api' }),
    logger,
    validateResponses: true,
    ...(auditor?.running.url ? { auditorUrl: auditor.running.url } : {}),
    ...options.deps,
  });
  const controlJobs: ControlJob[] = [];
  const workerConnection = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  const worker = new Worker(queueNames.control, async (job) => {
    const data = ControlJob.parse(job.data);
    controlJobs.push(data);
    if (options.answer) return options.answer(data);
    if (data.kind === 'diff') return { kind: 'diff', app: data.app, revision: 'a'.repeat(40), objects: [] };
    if (data.kind === 'resume') return { kind: 'resume', app: data.app, resumed: false };
    if (data.kind === 'events') return { kind: 'events', app: data.app, items: [] };
    return { kind: data.kind, app: data.app };
  }, { connection: workerConnection });
  await worker.waitUntilReady();
  const tokens = new Map<string, string>();

  async function login(account: string): Promise<string> {
    const password = account === 'admin' ? adminPassword : `${account}-password`;
    const response = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: account, password } });
    if (response.statusCode !== 200) throw new Error(`login of ${account}: ${response.statusCode} ${response.body}`);
    return (response.json() as { token: string }).token;
  }

  return {
    redisServer, redis, app, adminPassword, controlJobs, login,
    async apiToken(account) {
      const known = tokens.get(account);
      if (known) return known;
      const admin = await login('admin');
      const response = await app.inject({ method: 'POST', url: `/api/v1/account/${account}/token`, headers: { authorization: `Bearer ${admin}` }, payload: {} });
      if (response.statusCode !== 200) throw new Error(`token of ${account}: ${response.statusCode} ${response.body}`);
      const { token } = response.json() as { token: string };
      tokens.set(account, token);
      return token;
    },
    async close() {
      await worker.close();
      workerConnection.disconnect();
      await app.close();
      await auditor?.running.close();
      auditor?.remove();
      redis.disconnect();
      await redisServer.stop();
    },
  };
}
