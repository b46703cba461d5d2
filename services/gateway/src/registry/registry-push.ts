/** One pushed image as a registry notification names it, normalised across registries. */
export interface RegistryPush {
  /** `registry-host/repository` as written in the notification (normalised by the router). */
  image: string;
  tag?: string;
  /** `sha256:<64 hex>` when the registry sent it (Docker Hub and Quay do not). */
  digest?: string;
  /** Who pushed, when the registry says. */
  actor?: string;
}

/** How a receiver proves a delivery came from the registry. */
export type RegistryAuthentication =
  /** `Authorization: Bearer <receiver token>` (a static header the registry is configured to send). */
  | 'bearer-header'
  /** `X-Signature: sha256=<HMAC-SHA256(secret, body)>`. */
  | 'hmac-signature'
  /** GitHub's `X-Hub-Signature-256`. */
  | 'github-signature'
  /** The receiver token in the URL path: for registries that cannot sign or send headers (weaker: see docs/security.md). */
  | 'url-token';

export const registryReceiverNames = [
  'distribution', 'generic', 'github', 'harbor', 'quay', 'acr', 'gar', 'dockerhub', 'cloudevents',
] as const;
export type RegistryReceiverName = (typeof registryReceiverNames)[number];

export interface RegistryReceiver {
  name: RegistryReceiverName;
  authentication: RegistryAuthentication;
  /** The delivery id from a header, when the registry sends one (the body's own id is read by `normalise`). */
  deliveryIdHeader?: string;
  /** The pushes a verified, parsed body announces; an event that is not a tagged push gives none. */
  normalise(payload: unknown, headers: Record<string, string | string[] | undefined>): { deliveryId?: string; pushes: RegistryPush[]; ignoredReason?: string };
}
