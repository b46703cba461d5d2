import type { ObjectRef } from './object-ref.ts';

/** Label on every object Tidewater applies: which application owns it (selectable). */
export const trackingLabel = 'tidewater.dev/app';

/**
 * Annotation naming the exact object an application applied. A copied object keeps the label but its
 * tracking id no longer matches its own name or namespace, so it is never mistaken for ours and pruned.
 */
export const trackingAnnotation = 'tidewater.dev/tracking-id';

/** `<app>:<group>/<kind>:<namespace>/<name>`, like Argo CD's annotation tracking. */
export function trackingIdOf(app: string, ref: Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>): string {
  return `${app}:${ref.group}/${ref.kind}:${ref.namespace ?? ''}/${ref.name}`;
}

/** Whether a live object carries this application's tracking id for exactly this object. */
export function isTrackedBy(app: string, ref: ObjectRef, liveAnnotations: Record<string, string> | undefined): boolean {
  return liveAnnotations?.[trackingAnnotation] === trackingIdOf(app, ref);
}

/** The application a live object's tracking id (else its tracking label) names; undefined for an untracked object. */
export function trackingAppOf(metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined): string | undefined {
  const trackingId = metadata?.annotations?.[trackingAnnotation];
  if (trackingId) {
    const separator = trackingId.indexOf(':');
    return separator > 0 ? trackingId.slice(0, separator) : undefined;
  }
  return metadata?.labels?.[trackingLabel] || undefined;
}
