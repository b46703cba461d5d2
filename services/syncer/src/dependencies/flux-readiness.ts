import type { Redis } from 'ioredis';
import { projectPermits, type AppProject, type FluxHealthCheck, type FluxReadiness } from '@tidewater/config';
import { readDesiredRevision, redisKeys, StoredAppHealth, type KubernetesObject } from '@tidewater/queues';
import { statusMessage } from '../clusters/api-status.ts';
import type { ClusterClient } from '../clusters/cluster-registry.ts';
import { splitApiVersion } from '../apply/object-ref.ts';
import { resourcePath } from '../apply/resource-path.ts';
import { assessHealth, type HealthRule } from '../health/index.ts';

/**
 * Flux's Ready of one application at one revision: ready, or the objects (with their state) that are not yet;
 * `refused` when a health check names an object the application's project does not let it touch (never read).
 */
export type FluxReadinessState = { ready: true } | { ready: false; notReady: string[]; refused?: string };

export interface FluxReadinessInput {
  redis: Redis;
  /** The application's destination cluster, where health-check objects are read live. */
  cluster: ClusterClient;
  app: string;
  revision: string;
  readiness: FluxReadiness;
  /** HealthRule documents (the live state's), applied to health-check objects too. */
  healthRules?: readonly HealthRule[];
  /**
   * The application's AppProject: a health-check object whose kind or namespace it does not permit is refused and
   * never read (the syncer's credentials must not let a Kustomization probe what its project forbids).
   */
  project?: AppProject;
}

type CheckOutcome = { healthy: true } | { healthy: false; problem: string; refused?: string };

const describeCheck = (check: FluxHealthCheck) => `${check.kind} ${check.namespace ? `${check.namespace}/` : ''}${check.name}`;
const withMessage = (status: string, message: string | undefined) => (message ? `${status}: ${message}` : status);

/** One `healthChecks` object, permitted by the project, read live and assessed. */
async function checkObject(cluster: ClusterClient, check: FluxHealthCheck, rules: readonly HealthRule[], project: AppProject | undefined): Promise<CheckOutcome> {
  const described = describeCheck(check);
  const unhealthy = (problem: string): CheckOutcome => ({ healthy: false, problem: `${described} (${problem})` });
  const info = await cluster.discovery.find(check.apiVersion, check.kind).catch((error: unknown) => (error as Error));
  if (info instanceof Error) return unhealthy(`Unknown: ${info.message}`);
  if (!info) return unhealthy(`Unknown: ${check.apiVersion} ${check.kind} is not served by cluster ${cluster.name}`);
  const { group, version } = splitApiVersion(check.apiVersion);
  if (project) {
    const decision = projectPermits(project, {
      resource: { group, kind: check.kind, namespaced: info.namespaced },
      ...(info.namespaced ? { destination: { server: cluster.server, name: cluster.name, namespace: check.namespace ?? '' } } : {}),
    });
    if (!decision.allowed) {
      const refused = `health check ${described} is not permitted by project ${project.metadata.name}: ${decision.reason}`;
      return { healthy: false, problem: `${described} (refused)`, refused };
    }
  }
  const path = resourcePath({ group, version, kind: check.kind, name: check.name, namespace: check.namespace }, info);
  const live = await cluster.transport.request<KubernetesObject>({ method: 'GET', path }).catch((error: unknown) => error as Error);
  if (live instanceof Error) return unhealthy(`Unknown: ${live.message}`);
  if (live.status === 404) return unhealthy('Missing');
  if (live.status !== 200) return unhealthy(`Unknown: ${statusMessage(live)}`);
  const health = assessHealth(live.body, rules);
  return health.status === 'Healthy' ? { healthy: true } : unhealthy(withMessage(health.status, health.message));
}

/**
 * Is the application Ready as Flux would say: `wait` → the live state reports it Healthy at `revision` (every applied
 * object); `healthChecks` → each listed object, read live from the cluster (it need not be one the application
 * applied), is Healthy; neither → ready (the apply succeeded).
 */
export async function assessFluxReadiness(input: FluxReadinessInput): Promise<FluxReadinessState> {
  const { readiness } = input;
  if (readiness.wait) {
    const raw = await input.redis.get(redisKeys.appHealth(input.app));
    let parsed: unknown;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      parsed = undefined;
    }
    const health = StoredAppHealth.safeParse(parsed);
    if (!health.success || health.data.revision !== input.revision) return { ready: false, notReady: ['health not assessed yet at this revision'] };
    if (health.data.status === 'Healthy') return { ready: true };
    const objects = health.data.objects
      .filter((object) => object.status !== 'Healthy')
      .map((object) => `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name} (${withMessage(object.status, object.message)})`);
    return { ready: false, notReady: objects.length > 0 ? objects : [withMessage(health.data.status, health.data.message)] };
  }
  const notReady: string[] = [];
  for (const check of readiness.healthChecks) {
    const outcome = await checkObject(input.cluster, check, input.healthRules ?? [], input.project);
    if (outcome.healthy) continue;
    if (outcome.refused) return { ready: false, notReady: [outcome.problem], refused: outcome.refused };
    notReady.push(outcome.problem);
  }
  return notReady.length > 0 ? { ready: false, notReady } : { ready: true };
}

/** Whether an application's readiness needs a wait after the apply (wait: true, or health checks listed). */
export const needsReadinessWait = (readiness: FluxReadiness) => readiness.wait || readiness.healthChecks.length > 0;

export type FluxReadinessWait =
  | { result: 'ready' }
  | { result: 'timeout'; reason: string; notReady: string[] }
  | { result: 'refused'; reason: string }
  | { result: 'superseded'; revision: string };

const pollStartMs = 250;
const pollMaxMs = 2_000;

/**
 * After a successful apply, waits (outside the application's lock) until the application is Ready or `timeoutMs`
 * passes (Flux's `timeout`: then HealthCheckFailed, naming the objects still not ready). A newer desired revision
 * ends the wait: its sync takes over.
 */
export async function waitForFluxReadiness(input: FluxReadinessInput & { signal?: AbortSignal }): Promise<FluxReadinessWait> {
  const deadline = Date.now() + input.readiness.timeoutMs;
  let delayMs = pollStartMs;
  for (;;) {
    const desired = await readDesiredRevision(input.redis, input.app);
    if (desired && desired.revision !== input.revision) return { result: 'superseded', revision: desired.revision };
    const state = await assessFluxReadiness(input);
    if (state.ready) return { result: 'ready' };
    if (state.refused) return { result: 'refused', reason: state.refused };
    if (input.signal?.aborted) {
      return { result: 'timeout', notReady: state.notReady, reason: `the sync was terminated while waiting for the Flux health check, not ready: ${state.notReady.join(', ')}` };
    }
    if (Date.now() >= deadline) {
      const seconds = Math.round(input.readiness.timeoutMs / 1_000);
      return {
        result: 'timeout', notReady: state.notReady,
        reason: `health check failed after ${seconds}s (Flux timeout), not ready: ${state.notReady.join(', ')}`,
      };
    }
    await new Promise((resolveLater) => setTimeout(resolveLater, Math.min(delayMs, Math.max(0, deadline - Date.now()))));
    delayMs = Math.min(pollMaxMs, delayMs * 2);
  }
}
