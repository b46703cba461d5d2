import { z } from 'zod';
import { parsePayload } from '../../payloads/parse-payload.ts';
import { headerValue } from '../../providers/provider-adapter.ts';
import type { RegistryReceiver } from '../registry-push.ts';

const PackageVersion = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  container_metadata: z.looseObject({ tag: z.looseObject({ name: z.string().optional(), digest: z.string().optional() }).optional() }).optional(),
  package_url: z.string().optional(),
});

/** GitHub `package` / `registry_package` events (GHCR). */
export const GithubPackageEvent = z.looseObject({
  action: z.string(),
  package: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    package_type: z.string().optional(),
    ecosystem: z.string().optional(),
    owner: z.looseObject({ login: z.string().optional() }).optional(),
    package_version: PackageVersion.optional(),
  }).optional(),
  registry_package: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    package_type: z.string().optional(),
    owner: z.looseObject({ login: z.string().optional() }).optional(),
    package_version: PackageVersion.optional(),
  }).optional(),
  sender: z.looseObject({ login: z.string().optional() }).optional(),
});

/** GitHub Packages: signed like every GitHub webhook (`X-Hub-Signature-256`), events `package` and `registry_package`. */
export const githubPackagesReceiver: RegistryReceiver = {
  name: 'github',
  authentication: 'github-signature',
  deliveryIdHeader: 'x-github-delivery',
  normalise(payload, headers) {
    const event = headerValue(headers, 'x-github-event');
    if (event === 'ping') return { pushes: [], ignoredReason: 'ping' };
    if (event !== 'package' && event !== 'registry_package') return { pushes: [], ignoredReason: `event "${String(event ?? '')}" is not handled` };
    const body = parsePayload(GithubPackageEvent, payload, 'package event');
    const pkg = body.package ?? body.registry_package;
    if (!pkg || (body.action !== 'published' && body.action !== 'updated')) return { pushes: [], ignoredReason: 'not a published package version' };
    const type = String(pkg.package_type ?? (pkg as { ecosystem?: string }).ecosystem ?? '').toLowerCase();
    if (type !== 'container' && type !== 'docker') return { pushes: [], ignoredReason: 'not a container package' };
    const tag = pkg.package_version?.container_metadata?.tag;
    // Untagged per-platform versions of a multi-arch push are not releases.
    if (!tag?.name) return { pushes: [], ignoredReason: 'untagged package version' };
    const owner = pkg.namespace ?? pkg.owner?.login;
    const image = owner ? `ghcr.io/${owner}/${pkg.name}` : `ghcr.io/${pkg.name}`;
    const digest = tag.digest && /^sha256:[0-9a-f]{64}$/.test(tag.digest) ? tag.digest : undefined;
    return { pushes: [{ image, tag: tag.name, ...(digest ? { digest } : {}), ...(body.sender?.login ? { actor: body.sender.login } : {}) }] };
  },
};
