import type { ArgoApplication } from '@tidewater/config';

/** Label or annotation naming an application's environment, on the Application or in event data. */
export const environmentKey = 'tidewater.dev/environment';

/** The environment when nothing names one. */
export const unknownEnvironment = 'unknown';

// `web-prod`, `payments_staging`, `team.dev`, or exactly `prod`.
const environmentSuffix = /(?:^|[-_.])(dev|development|test|qa|uat|staging|stage|preprod|prod|production)$/;

/** `web-prod` → `prod`; a name without a known environment suffix → undefined. */
export function environmentFromSuffix(name: string | undefined): string | undefined {
  if (!name) return undefined;
  return environmentSuffix.exec(name.toLowerCase())?.[1];
}

function stringAt(record: unknown, key: string): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const value = (record as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An environment named explicitly in event data: `environment`, or the label/annotation `tidewater.dev/environment`. */
export function explicitEnvironment(data: Record<string, unknown>): string | undefined {
  return stringAt(data, 'environment') ?? stringAt(data.labels, environmentKey) ?? stringAt(data.annotations, environmentKey);
}

/** The destination namespace an event names (`destination.namespace`, or `namespace` on sync events). */
export function destinationNamespace(type: string, data: Record<string, unknown>): string | undefined {
  return stringAt(data.destination, 'namespace') ?? stringAt(data, 'destinationNamespace')
    ?? (type.startsWith('dev.tidewater.sync.') ? stringAt(data, 'namespace') : undefined);
}

/**
 * An Application's environment from the configuration: label, then annotation `tidewater.dev/environment`,
 * then the suffix of the destination namespace, then the suffix of the application name.
 */
export function environmentFromApplication(application: ArgoApplication): string {
  const { metadata, spec } = application;
  return metadata.labels?.[environmentKey] ?? metadata.annotations?.[environmentKey]
    ?? environmentFromSuffix(spec.destination?.namespace) ?? environmentFromSuffix(metadata.name) ?? unknownEnvironment;
}
