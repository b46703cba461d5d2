/**
 * Tidewater's image policy model: what every accepted form (Argo CD Image Updater annotations, Flux image
 * automation kinds, Tidewater's own `ImagePolicy`) is translated into. The gateway routes registry pushes with it
 * (`image`), the promoter decides and writes back with it. It never holds a secret value, only references.
 */
import type { SecretRef } from '../schema/secret-ref.ts';

export type ImageUpdateStrategy = 'semver' | 'newest-build' | 'digest' | 'alphabetical' | 'numerical';

/** A forge whose REST API opens pull (merge) requests. */
export type PullRequestProvider = 'github' | 'gitlab' | 'gitea';

/**
 * Pull-request mode of write-back: commits go to the write branch, and one pull request per target (write branch →
 * base branch) is opened or updated through the forge's API. The token is a secret reference, sent only to `apiUrl`'s origin.
 */
export interface ImagePullRequestSettings {
  provider: PullRequestProvider;
  /** `https://api.github.com`, `https://gitlab.example.com/api/v4`, `https://gitea.example.com/api/v1`. */
  apiUrl: string;
  tokenRef: SecretRef;
  /** `owner/repo` (GitLab: the project path); default the path of the repository URL. */
  repository?: string;
}

/** Where the new image is written in the Application's source. */
export type ImageWriteBackTarget =
  /** The `images:` entry of a kustomization.yaml in `path` (relative to the repository root). */
  | { kind: 'kustomization'; path: string }
  /** A Helm values file (repository-relative `file`), at the dotted keys of the policy's `helm` names. */
  | { kind: 'helmvalues'; file: string }
  /** Image Updater's `.argocd-source-<app>.yaml` beside the Application's path. */
  | { kind: 'argocd-source'; file: string }
  /** Flux setter markers `# {"$imagepolicy": "<ns>:<name>[:tag|:name|:digest]"}` in files under `path`. */
  | { kind: 'setters'; path: string; marker: string };

export interface ImagePolicy {
  /** Unique and stable: `argocd:<app>:<alias>`, `flux:<namespace>/<name>`, `tidewater:<name>`. */
  id: string;
  /** The form it was written in. */
  /** `pipeline`: derived at load from a Pipeline's `image:` source (id `pipeline:<pipeline>:<source>`); its decision makes freight. */
  origin: 'argocd-image-updater' | 'flux' | 'tidewater' | 'pipeline';
  /** The Application whose source is updated. */
  app: string;
  alias: string;
  /** `registry-host/repository`, lower case, without tag or digest (Docker Hub names get `docker.io/` and `library/`). */
  image: string;
  strategy: ImageUpdateStrategy;
  /** A semver range (strategy semver), or the tag to follow (strategy digest). */
  constraint?: string;
  /** Only tags matching this regular expression (source) are candidates. */
  allowTags?: string;
  /** Tags matching any of these globs are never candidates. */
  ignoreTags: string[];
  /** Flux `filterTags.extract`: the value compared is this template of the named groups of `allowTags`. */
  extract?: string;
  /**
   * Flux `policy.alphabetical.order` / `policy.numerical.order`: `asc` (default) takes the last value in ascending
   * order, `desc` the first.
   */
  order?: 'asc' | 'desc';
  /** Update even when the Application does not use the image yet. */
  forceUpdate: boolean;
  platforms: string[];
  /** A tag younger than this is not a candidate yet. */
  minTagAgeSeconds?: number;
  /** Image name in the kustomization `images:` list (default: `image`). */
  kustomizeImageName?: string;
  helm?: { imageName?: string; imageTag?: string; imageSpec?: string };
  /** Where commits go: the repository and branch the Application follows, unless `gitBranch` says otherwise. */
  writeBack: {
    /**
     * `git` (default): commit the change to the target. `argocd` (Image Updater's imperative mode): keep it as a
     * parameter override of the Application in Redis, applied by the renderer; no commit (the target is not written).
     * `freight` (a pipeline source's derived policy): nothing is written; the decided tag becomes the source's newest artifact.
     */
    method?: 'git' | 'argocd' | 'freight';
    target: ImageWriteBackTarget;
    /** Push to this branch (Image Updater's `git-branch`, the target of `base:target`). */
    branch?: string;
    /** Check out from this branch (the base of `base:target`). */
    baseBranch?: string;
    /** The repository written to, when it is not the Application's (Flux: the automation's GitRepository). */
    repoUrl?: string;
    /** Open or update one pull request per target instead of pushing to the Application's branch. */
    pullRequest?: ImagePullRequestSettings;
  };
  /** Set when the policy was accepted but must not update anything (a bad constraint, an unsupported method). */
  disabledReason?: string;
}

/** A repository reference normalised the way registries name it (`docker.io/library/nginx`, `127.0.0.1:5000/web`). */
export function normaliseImageName(reference: string): string {
  let name = reference.trim().toLowerCase();
  const digestAt = name.indexOf('@');
  if (digestAt >= 0) name = name.slice(0, digestAt);
  const lastSlash = name.lastIndexOf('/');
  const lastColon = name.lastIndexOf(':');
  if (lastColon > lastSlash) name = name.slice(0, lastColon);
  const firstPart = name.split('/')[0];
  const hasRegistry = name.includes('/') && (firstPart.includes('.') || firstPart.includes(':') || firstPart === 'localhost');
  if (!hasRegistry) name = `docker.io/${name.includes('/') ? name : `library/${name}`}`;
  if (name.startsWith('index.docker.io/') || name.startsWith('registry-1.docker.io/')) name = `docker.io/${name.split('/').slice(1).join('/')}`;
  return name;
}

/** Splits `host/repo[:tag][@digest]` into its image name (as written), tag and digest. */
export function splitImageReference(reference: string): { name: string; tag?: string; digest?: string } {
  let rest = reference.trim();
  let digest: string | undefined;
  const digestAt = rest.indexOf('@');
  if (digestAt >= 0) {
    digest = rest.slice(digestAt + 1);
    rest = rest.slice(0, digestAt);
  }
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  const tag = lastColon > lastSlash ? rest.slice(lastColon + 1) : undefined;
  const name = lastColon > lastSlash ? rest.slice(0, lastColon) : rest;
  return { name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The registry host of a normalised image name. */
export function registryHostOf(image: string): string {
  return image.split('/')[0];
}
