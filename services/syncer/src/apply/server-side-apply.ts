import type { KubernetesObject, ObjectResult } from '@tidewater/queues';
import { isRetryableStatus, retryableStatusError, statusMessage } from '../clusters/api-status.ts';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import { describeObject } from './object-ref.ts';
import { resourcePath } from './resource-path.ts';
import type { PlannedObject } from './sync-plan.ts';

/** Tidewater's field manager: `kubectl get -o yaml --show-managed-fields` shows it on every field it set. */
export const fieldManager = 'tidewater';

export interface AppliedObject extends ObjectResult {
  /** resourceVersion after the apply, recorded in the inventory to tell `unchanged` next time. */
  resourceVersion?: string;
  /** The object as the API server answered the write (fingerprinted for the next sync; never part of a result). */
  liveObject?: KubernetesObject;
}

/** `fieldValidation` query value: Strict as `kubectl apply` validates by default, Ignore for `Validate=false`. */
export const fieldValidationOf = (validate: boolean | undefined) => (validate === false ? 'Ignore' : 'Strict');

/**
 * Server-side apply of one object, forced (Tidewater owns what Git says). No read first: 201 means created,
 * and an apply that changed nothing keeps the resourceVersion recorded by the previous sync. Unknown or
 * duplicate fields are refused (fieldValidation=Strict) unless `validate` is false (sync option Validate=false).
 * Rejections (409, 422, 403, 404, 400) are this object's failure; 429, 5xx and network errors throw ExternalServiceError.
 */
export async function applyObject(transport: KubeTransport, planned: PlannedObject, options: { validate?: boolean } = {}): Promise<AppliedObject> {
  const { ref } = planned;
  const identity = { group: ref.group, kind: ref.kind, namespace: ref.namespace, name: ref.name };
  const validate = options.validate ?? planned.options?.validate;
  const response = await transport.request<KubernetesObject>({
    method: 'PATCH',
    path: `${resourcePath(ref, planned.info)}?fieldManager=${fieldManager}&force=true&fieldValidation=${fieldValidationOf(validate)}`,
    contentType: 'application/apply-patch+yaml',
    body: planned.manifest,
  });
  if (response.status === 200 || response.status === 201) {
    const resourceVersion = response.body.metadata?.resourceVersion as string | undefined;
    const outcome = response.status === 201 ? 'created'
      : resourceVersion !== undefined && resourceVersion === planned.previousResourceVersion ? 'unchanged' : 'configured';
    return { ...identity, outcome, resourceVersion, liveObject: response.body };
  }
  // The API server answers 500 when a manifest does not fit the kind's schema (an unknown field of a built-in
  // kind, a string where a boolean belongs): the manifest is wrong, so retrying cannot help.
  const schemaMismatch = response.status === 500 && statusMessage(response).startsWith('failed to create typed patch object');
  if (isRetryableStatus(response.status) && !schemaMismatch) throw retryableStatusError(transport.clusterName, response, `applying ${describeObject(ref)}`);
  return { ...identity, outcome: 'failed', message: `${describeObject(ref)}: ${response.status} ${statusMessage(response)}` };
}
