import type { Logger } from '@tidewater/telemetry';
import type { ClusterClient, ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { ResourceInfo } from '../discovery/resource-discovery.ts';
import type { LiveObject } from '../drift/live-comparison.ts';
import { createResourceWatch, type ResourceWatch } from '../live-state/resource-watch.ts';
import { describeCondition, type RetryCondition } from './retry-waits.ts';

/** A failed sync waiting for conditions on one cluster; `retry` runs it again (at most once per registration). */
export interface RetryWait {
  app: string;
  revision: string;
  cluster: string;
  conditions: RetryCondition[];
  retry: () => Promise<unknown>;
}

export interface RetryTriggers {
  /** Retries `wait` as soon as any of its conditions holds in the cluster (at once if one holds already). */
  register(wait: RetryWait): void;
  /** Drops the app's waits (a sync of it succeeded, or a newer revision took over). */
  forget(app: string): void;
  close(): Promise<void>;
}

const namespaces: ResourceInfo = { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false };
const definitions: ResourceInfo = {
  group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions', namespaced: false,
};

/**
 * Beyond Argo CD's timed retries: a sync that failed on a missing namespace or an unserved kind is retried the
 * moment the namespace exists or a CRD for the kind is established, from watches of namespaces and CRDs (started
 * per cluster while some app waits on it). Waits live in this syncer replica; the timed retry covers a restart.
 */
export function createRetryTriggers(deps: { clusters: ClusterRegistry; logger: Logger }): RetryTriggers {
  const logger = deps.logger.child({ component: 'retry-triggers' });
  const waits = new Map<string, RetryWait>();
  const watches = new Map<string, ResourceWatch[]>();

  function holds(condition: RetryCondition, object: LiveObject): boolean {
    if (condition.kind === 'namespace') {
      return object.kind === 'Namespace' && object.metadata?.name === condition.name && !(object.metadata as { deletionTimestamp?: string }).deletionTimestamp;
    }
    if (object.kind !== 'CustomResourceDefinition') return false;
    const crd = object as unknown as { spec?: { group?: string; names?: { kind?: string } }; status?: { conditions?: Array<{ type?: string; status?: string }> } };
    return crd.spec?.group === condition.group && crd.spec.names?.kind === condition.resourceKind
      && (crd.status?.conditions ?? []).some((item) => item.type === 'Established' && item.status === 'True');
  }

  function check(cluster: string, object: LiveObject) {
    for (const wait of [...waits.values()]) {
      if (wait.cluster !== cluster) continue;
      const met = wait.conditions.find((condition) => holds(condition, object));
      if (!met) continue;
      waits.delete(wait.app);
      logger.info({ app: wait.app, revision: wait.revision, condition: describeCondition(met) }, 'what a failed sync waited for appeared; retrying it now');
      wait.retry().catch((error: unknown) => logger.warn({ app: wait.app, reason: (error as Error).message }, 'prompt retry of a failed sync could not be queued'));
    }
  }

  function watchesOf(cluster: ClusterClient): ResourceWatch[] {
    let started = watches.get(cluster.name);
    if (!started) {
      started = [namespaces, definitions].map((resource) => createResourceWatch({
        cluster, resource, labelSelector: '', logger,
        onEvent: (kind, object) => {
          if (kind !== 'delete') check(cluster.name, { ...object, kind: resource.kind });
        },
        onStatus: () => undefined,
      }));
      watches.set(cluster.name, started);
    }
    return started;
  }

  return {
    register(wait) {
      const cluster = deps.clusters.byName(wait.cluster);
      if (!cluster || wait.conditions.length === 0) return;
      waits.set(wait.app, wait);
      logger.info({ app: wait.app, revision: wait.revision, waitingFor: wait.conditions.map(describeCondition) }, 'failed sync waits for missing resources');
      for (const watch of watchesOf(cluster)) {
        for (const object of watch.list()) check(cluster.name, { ...object, kind: watch.resource.kind });
      }
    },
    forget(app) {
      waits.delete(app);
    },
    async close() {
      waits.clear();
      await Promise.all([...watches.values()].flat().map((watch) => watch.stop()));
      watches.clear();
    },
  };
}
