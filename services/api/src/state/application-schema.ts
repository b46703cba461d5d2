import { z } from 'zod';

// Response schemas of the application routes, in Argo CD's shapes (`v1alpha1.Application`) where one exists.
// Registered with ids so the OpenAPI document names them as components.

export const HealthStatus = z.object({ status: z.string(), message: z.string().optional() }).meta({ id: 'HealthStatus' });

export const ResourceStatus = z.object({
  group: z.string(),
  version: z.string().optional(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  status: z.enum(['Synced', 'OutOfSync', 'Unknown']),
  health: HealthStatus.optional(),
  /** What the latest sync did to it (created, configured, unchanged, pruned, failed, skipped). */
  outcome: z.string().optional(),
  message: z.string().optional(),
}).meta({ id: 'ResourceStatus' });
export type ResourceStatus = z.infer<typeof ResourceStatus>;

/** An owner named by a tree node's ownerReferences (Argo CD's `ResourceRef`). */
export const ResourceRef = z.object({
  group: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string(), uid: z.string().optional(),
}).meta({ id: 'ResourceRef' });

/**
 * A node of the resource tree (Argo CD's `ResourceNode`): an object the app manages (with its sync status) or a live
 * child a controller made for one (a ReplicaSet, a Pod: no sync status, `parentRefs` naming its owners).
 */
export const ResourceNode = ResourceStatus.extend({
  status: ResourceStatus.shape.status.optional(),
  uid: z.string().optional(),
  parentRefs: z.array(ResourceRef).optional(),
  createdAt: z.string().optional(),
}).meta({ id: 'ResourceNode' });
export type ResourceNode = z.infer<typeof ResourceNode>;

/** A Kubernetes Event of one of an app's objects (core/v1 `Event` fields Argo CD's UI shows). */
export const KubernetesEvent = z.object({
  metadata: z.object({ name: z.string(), namespace: z.string().optional(), uid: z.string().optional() }),
  involvedObject: z.object({
    apiVersion: z.string().optional(), kind: z.string().optional(), namespace: z.string().optional(), name: z.string().optional(), uid: z.string().optional(),
  }),
  reason: z.string().optional(),
  message: z.string().optional(),
  type: z.string().optional(),
  count: z.number().int().optional(),
  firstTimestamp: z.string().optional(),
  lastTimestamp: z.string().optional(),
  source: z.object({ component: z.string().optional(), host: z.string().optional() }).optional(),
}).meta({ id: 'KubernetesEvent' });
export type KubernetesEvent = z.infer<typeof KubernetesEvent>;

export const RevisionHistory = z.object({
  id: z.number().int(),
  revision: z.string(),
  deployedAt: z.string(),
  deployStartedAt: z.string(),
  initiatedBy: z.object({ username: z.string().optional(), automated: z.boolean() }),
  /** Tidewater: how the sync ended and what started it. */
  phase: z.string(),
  trigger: z.string(),
  message: z.string().optional(),
}).meta({ id: 'RevisionHistory' });
export type RevisionHistory = z.infer<typeof RevisionHistory>;

export const OperationState = z.object({
  operation: z.object({ kind: z.string(), jobId: z.string(), initiatedBy: z.object({ username: z.string().optional() }) }),
  phase: z.enum(['Running', 'Succeeded', 'Failed', 'Error']),
  message: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  result: z.unknown().optional(),
}).meta({ id: 'OperationState' });
export type OperationState = z.infer<typeof OperationState>;

export const Application = z.object({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal('Application'),
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.looseObject({ project: z.string(), source: z.looseObject({}), destination: z.looseObject({}) }),
  status: z.object({
    sync: z.object({ status: z.enum(['Synced', 'OutOfSync', 'Unknown']), revision: z.string().optional() }),
    health: HealthStatus,
    operationState: OperationState.optional(),
    history: z.array(RevisionHistory),
    resources: z.array(ResourceStatus),
    reconciledAt: z.string().optional(),
    summary: z.object({ images: z.array(z.string()) }).optional(),
    /** Tidewater: automated sync held after a rollback (a new commit or `tide app resume` resumes it). */
    paused: z.object({ revision: z.string(), by: z.string().optional(), at: z.string().optional(), reason: z.string().optional() }).optional(),
    conditions: z.array(z.object({ type: z.string(), message: z.string() })),
  }),
}).meta({ id: 'Application' });
export type Application = z.infer<typeof Application>;

export const ApplicationList = z.object({
  metadata: z.object({ continue: z.string().optional(), remainingItemCount: z.number().int().optional() }),
  items: z.array(Application),
}).meta({ id: 'ApplicationList' });

export const ErrorResponse = z.object({
  error: z.string(),
  code: z.number().int(),
  message: z.string(),
  field: z.string().optional(),
  permission: z.object({ resource: z.string(), action: z.string(), object: z.string() }).optional(),
}).loose().meta({ id: 'Error' });

/** The error answers every authenticated route can give. */
export const errorResponses = {
  400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse,
} as const;
