import type { Redis } from 'ioredis';
import { redisKeys } from '@tidewater/queues';
import type { ObjectRef } from '../apply/object-ref.ts';

/** One managed object that differs from what the application's latest sync applied. */
export interface DriftedObject {
  ref: ObjectRef;
  /** Differing fields, e.g. `spec.replicas`; empty when the object is missing. */
  fields: string[];
  /** The object was deleted behind Tidewater's back. */
  missing?: boolean;
  /** Other field managers that own the differing fields (from managedFields), newest first. */
  managers?: string[];
}

/** Drift of an application, stored at redisKeys.appDrift(app). */
export interface AppDrift {
  app: string;
  revision: string;
  outOfSync: boolean;
  objects: DriftedObject[];
  /** When the drift as it stands was first seen (or when it was resolved). */
  detectedAt: string;
}

export async function readAppDrift(redis: Redis, app: string): Promise<AppDrift | undefined> {
  const raw = await redis.get(redisKeys.appDrift(app));
  return raw ? (JSON.parse(raw) as AppDrift) : undefined;
}

/** How events name a drifted object. */
export function driftEventObject(drifted: DriftedObject) {
  const { group, kind, namespace, name } = drifted.ref;
  return {
    group, kind, ...(namespace ? { namespace } : {}), name, fields: drifted.fields,
    ...(drifted.missing ? { missing: true } : {}), ...(drifted.managers?.length ? { managers: drifted.managers } : {}),
  };
}
