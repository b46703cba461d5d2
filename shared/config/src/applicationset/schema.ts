import { z } from 'zod';
import { ObjectMeta } from '../schema/object-meta.ts';

// Argo CD `ApplicationSet` (argoproj.io/v1alpha1) as users write it. Generators are checked by hand in
// generators.ts (they nest: matrix and merge hold generators), the template when each Application is built.

export const applicationsSyncPolicies = ['create-only', 'create-update', 'create-delete', 'sync'] as const;
export const ApplicationsSyncPolicy = z.enum(applicationsSyncPolicies);
export type ApplicationsSyncPolicy = z.infer<typeof ApplicationsSyncPolicy>;

export const ApplicationSetTemplate = z.object({
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    finalizers: z.array(z.string()).optional(),
  }),
  spec: z.looseObject({}),
});
export type ApplicationSetTemplate = z.infer<typeof ApplicationSetTemplate>;

export const ApplicationSetSyncPolicy = z.object({
  applicationsSync: ApplicationsSyncPolicy.optional(),
  preserveResourcesOnDeletion: z.boolean().optional(),
});
export type ApplicationSetSyncPolicy = z.infer<typeof ApplicationSetSyncPolicy>;

export const ApplicationSetSpec = z.object({
  goTemplate: z.boolean().optional(),
  goTemplateOptions: z.array(z.string()).optional(),
  generators: z.array(z.record(z.string(), z.unknown())).min(1),
  template: ApplicationSetTemplate,
  templatePatch: z.string().optional(),
  syncPolicy: ApplicationSetSyncPolicy.optional(),
});
export type ApplicationSetSpec = z.infer<typeof ApplicationSetSpec>;

export const ApplicationSet = z.object({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal('ApplicationSet'),
  metadata: ObjectMeta,
  spec: ApplicationSetSpec,
});
export type ApplicationSet = z.infer<typeof ApplicationSet>;

/** Annotation Tidewater sets on every generated Application: the ApplicationSet that owns it. */
export const applicationSetAnnotation = 'tidewater.dev/application-set';
