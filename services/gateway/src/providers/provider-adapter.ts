import type { IncomingHttpHeaders } from 'node:http';
import type { GitProvider, NormalisedPush } from '../push/normalised-push.ts';

/** What the gateway does with an event: queue renders for a push, answer a ping, or ignore it. */
export type EventKind = 'push' | 'ping' | 'ignored';

/** How a payload names its repository, as the provider wrote it (not yet normalised). */
export interface RepositoryIdentifiers {
  /** Clone and web URLs. */
  urls: string[];
  /** Repository paths such as `owner/name` (GitLab: `group/subgroup/name`). */
  fullNames: string[];
}

/** Everything provider-specific about a Git webhook: headers, signature scheme and payload shape. */
export interface GitProviderAdapter {
  readonly provider: GitProvider;
  /** GitHub may post `application/x-www-form-urlencoded` with the JSON in a `payload` field. */
  readonly acceptsFormBody: boolean;
  /** The provider's delivery id, stable across redeliveries; undefined when the request has none. */
  deliveryId(headers: IncomingHttpHeaders): string | undefined;
  eventName(headers: IncomingHttpHeaders): string | undefined;
  eventKind(eventName: string): EventKind;
  /**
   * The subset of `secrets` that authenticate the raw request bytes, compared in constant time.
   * Throws WebhookSignatureError when the request carries no signature or token at all.
   */
  verifiedSecrets(rawBody: Buffer, headers: IncomingHttpHeaders, secrets: readonly string[]): Promise<string[]>;
  repositoryIdentifiers(payload: unknown): RepositoryIdentifiers;
  /** One normalised push per ref update in the payload (Bitbucket may carry several); throws PayloadError. */
  normalisePushes(payload: unknown, context: { deliveryId: string; repoUrls: string[] }): NormalisedPush[];
}

/** A header's value (the first one when repeated). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return first && first.length > 0 ? first : undefined;
}
