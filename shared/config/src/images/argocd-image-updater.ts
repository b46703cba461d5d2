import { validRange } from 'semver';
import { branchTemplateProblem, isBranchTemplate } from './branch-template.ts';
import { pullRequestFromAnnotations } from './pull-request-annotations.ts';
import { normaliseImageName, splitImageReference, type ImagePolicy, type ImageUpdateStrategy, type ImageWriteBackTarget } from './image-policy.ts';

/** The annotation prefix of Argo CD Image Updater. */
export const imageUpdaterPrefix = 'argocd-image-updater.argoproj.io/';

/** A problem with one annotation: the policy (or the whole Application) is loaded but does not update images. */
export interface AnnotationFinding {
  annotation: string;
  detail: string;
}

export interface AnnotationPolicies {
  policies: ImagePolicy[];
  warnings: AnnotationFinding[];
}

interface ApplicationLike {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { source?: { path?: string; targetRevision?: string; helm?: unknown; kustomize?: unknown } };
}

const strategyNames: Record<string, { strategy: ImageUpdateStrategy; deprecated?: string }> = {
  semver: { strategy: 'semver' },
  'newest-build': { strategy: 'newest-build' },
  latest: { strategy: 'newest-build', deprecated: 'newest-build' },
  digest: { strategy: 'digest' },
  alphabetical: { strategy: 'alphabetical' },
  name: { strategy: 'alphabetical', deprecated: 'alphabetical' },
};

/** Per-alias annotation suffixes Tidewater reads; anything else under the prefix is warned about. */
const aliasKeys = new Set([
  'update-strategy', 'allow-tags', 'ignore-tags', 'force-update', 'platforms', 'helm.image-name', 'helm.image-tag',
  'helm.image-spec', 'kustomize.image-name', 'pull-secret',
]);
const applicationKeys = new Set(['image-list', 'write-back-method', 'write-back-target', 'git-branch', 'git-repository']);

/**
 * Image policies from an Application's Argo CD Image Updater annotations, as Image Updater reads them. A bad
 * constraint, regexp or value is a warning naming the annotation, and that image is not updated (the policy is
 * kept with `disabledReason`, so routing can say why).
 */
export function imagePoliciesFromAnnotations(application: ApplicationLike): AnnotationPolicies {
  const annotations = application.metadata.annotations ?? {};
  const app = application.metadata.name;
  const warnings: AnnotationFinding[] = [];
  const imageList = annotations[`${imageUpdaterPrefix}image-list`];
  if (imageList === undefined) {
    const stray = Object.keys(annotations).filter((key) => key.startsWith(imageUpdaterPrefix));
    for (const annotation of stray) warnings.push({ annotation, detail: 'has no effect without argocd-image-updater.argoproj.io/image-list' });
    return { policies: [], warnings };
  }
  const get = (key: string) => annotations[`${imageUpdaterPrefix}${key}`]?.trim();
  const appProblems: string[] = [];

  // write-back-method: git (default when unset in Tidewater: there is no Application object to patch), git:secret:…, argocd.
  const method = get('write-back-method') ?? 'git';
  if (method === 'argocd') {
    // Imperative mode: a parameter override kept in Redis and applied by the renderer (no commit; target and branch unused).
    for (const key of ['write-back-target', 'git-branch']) {
      if (get(key) !== undefined) warnings.push({ annotation: `${imageUpdaterPrefix}${key}`, detail: 'has no effect with write-back-method argocd (no Git commit is made)' });
    }
  } else if (method.startsWith('git:secret:')) {
    warnings.push({ annotation: `${imageUpdaterPrefix}write-back-method`, detail: 'the Kubernetes secret named here is not read: the promoter pushes with its own Git write credentials (TIDEWATER_SECRET_… per repository)' });
  } else if (method !== 'git' && method !== 'git:repocreds') {
    appProblems.push('unknown write-back-method');
    warnings.push({ annotation: `${imageUpdaterPrefix}write-back-method`, detail: 'must be git, git:secret:<namespace>/<name>, git:repocreds or argocd; this Application\'s images are not updated' });
  }

  const sourcePath = application.spec.source?.path ?? '.';
  const targetSpec = get('write-back-target');
  let target: ImageWriteBackTarget | undefined;
  if (targetSpec === undefined) {
    target = { kind: 'argocd-source', file: joinPath(sourcePath, `.argocd-source-${app}.yaml`) };
  } else if (targetSpec === 'kustomization' || targetSpec.startsWith('kustomization:')) {
    const relative = targetSpec.slice('kustomization:'.length);
    target = { kind: 'kustomization', path: relative ? resolveTargetPath(sourcePath, relative) : sourcePath };
  } else if (targetSpec === 'helmvalues' || targetSpec.startsWith('helmvalues:')) {
    const relative = targetSpec.slice('helmvalues:'.length);
    target = { kind: 'helmvalues', file: relative ? resolveTargetPath(sourcePath, relative) : joinPath(sourcePath, 'values.yaml') };
  } else {
    appProblems.push('unknown write-back-target');
    warnings.push({ annotation: `${imageUpdaterPrefix}write-back-target`, detail: 'must be kustomization[:<path>] or helmvalues[:<file>]; this Application\'s images are not updated' });
  }

  const branchSpec = get('git-branch');
  let branch: string | undefined;
  let baseBranch: string | undefined;
  if (branchSpec) {
    const [base, targetBranch] = branchSpec.includes(':') ? branchSpec.split(':', 2) : [branchSpec, undefined];
    baseBranch = base || undefined;
    branch = targetBranch ?? base;
    if (!branchSpec.includes(':') && isBranchTemplate(branchSpec)) {
      appProblems.push('templated git-branch without base');
      warnings.push({ annotation: `${imageUpdaterPrefix}git-branch`, detail: 'a templated branch must be the target of base:target (an empty base means the Application\'s branch); this Application\'s images are not updated' });
    } else if (baseBranch && isBranchTemplate(baseBranch)) {
      appProblems.push('templated base branch');
      warnings.push({ annotation: `${imageUpdaterPrefix}git-branch`, detail: 'only the target of base:target may be a template; this Application\'s images are not updated' });
    } else if (branch && isBranchTemplate(branch)) {
      // A templated target names a new branch per change list, created from the base (the app's branch when `:target`).
      const problem = branchTemplateProblem(branch);
      if (problem) {
        appProblems.push('bad git-branch template');
        warnings.push({ annotation: `${imageUpdaterPrefix}git-branch`, detail: `the target branch template: ${problem}; this Application's images are not updated` });
      }
    }
  }
  // Pull-request mode (a Tidewater extension): push to the target branch and open or update one pull request.
  const pullRequest = pullRequestFromAnnotations(annotations);
  if (method === 'argocd' && pullRequest.settings) {
    appProblems.push('pull-request mode with write-back-method argocd');
    warnings.push({ annotation: `${imageUpdaterPrefix}write-back-method`, detail: 'argocd makes no commit, so no pull request can be opened: use git; this Application\'s images are not updated' });
  }
  if (pullRequest.problems.length > 0) {
    appProblems.push('bad pull-request annotations');
    warnings.push(...pullRequest.problems);
  }
  if (pullRequest.settings && !branch) branch = `image-updater-${app}`;
  if (get('git-repository') !== undefined) {
    warnings.push({ annotation: `${imageUpdaterPrefix}git-repository`, detail: 'is not supported: the promoter writes to the Application\'s own repository' });
  }

  const policies: ImagePolicy[] = [];
  const aliases = new Set<string>();
  for (const [index, entry] of imageList.split(',').map((item) => item.trim()).entries()) {
    if (entry === '') continue;
    const annotation = `${imageUpdaterPrefix}image-list`;
    const equals = entry.indexOf('=');
    const alias = equals >= 0 ? entry.slice(0, equals).trim() : `image-${index}`;
    const reference = equals >= 0 ? entry.slice(equals + 1).trim() : entry;
    if (!/^[a-zA-Z0-9_-]{1,63}$/.test(alias) || reference === '' || /\s/.test(reference)) {
      warnings.push({ annotation, detail: `entry ${index + 1} is not [<alias>=]<image>[:<constraint>]; it is ignored` });
      continue;
    }
    aliases.add(alias);
    const { name, tag: constraintText } = splitImageReference(reference);
    const problems = [...appProblems];
    const aliasGet = (key: string) => get(`${alias}.${key}`);

    const strategyText = aliasGet('update-strategy') ?? 'semver';
    const strategyEntry = strategyNames[strategyText];
    let strategy: ImageUpdateStrategy = 'semver';
    if (!strategyEntry) {
      problems.push('unknown update-strategy');
      warnings.push({ annotation: `${imageUpdaterPrefix}${alias}.update-strategy`, detail: 'must be semver, newest-build, digest or alphabetical; this image is not updated' });
    } else {
      strategy = strategyEntry.strategy;
      if (strategyEntry.deprecated) warnings.push({ annotation: `${imageUpdaterPrefix}${alias}.update-strategy`, detail: `${strategyText} is deprecated: it means ${strategyEntry.deprecated}` });
    }
    let constraint: string | undefined;
    if (constraintText !== undefined) {
      if (strategy === 'semver') {
        // Masterminds ranges allow commas between comparators; npm semver separates them by spaces.
        const range = constraintText.replaceAll(',', ' ');
        if (validRange(range) === null) {
          problems.push('bad semver constraint');
          warnings.push({ annotation, detail: `the constraint of ${alias} is not a valid semver range; this image is not updated` });
        } else {
          constraint = range;
        }
      } else {
        constraint = constraintText;
      }
    } else if (strategy === 'digest') {
      problems.push('digest strategy without a tag');
      warnings.push({ annotation, detail: `${alias} uses the digest strategy but names no tag to follow (<image>:<tag>); this image is not updated` });
    }

    let allowTags: string | undefined;
    const allowText = aliasGet('allow-tags');
    if (allowText !== undefined && allowText !== 'any') {
      if (!allowText.startsWith('regexp:')) {
        problems.push('bad allow-tags');
        warnings.push({ annotation: `${imageUpdaterPrefix}${alias}.allow-tags`, detail: 'must be regexp:<expression> or any; this image is not updated' });
      } else {
        const source = allowText.slice('regexp:'.length);
        try {
          new RegExp(source);
          allowTags = source;
        } catch {
          problems.push('bad allow-tags regexp');
          warnings.push({ annotation: `${imageUpdaterPrefix}${alias}.allow-tags`, detail: 'is not a valid regular expression; this image is not updated' });
        }
      }
    }
    const ignoreTags = (aliasGet('ignore-tags') ?? '').split(',').map((item) => item.trim()).filter(Boolean);
    const forceText = aliasGet('force-update');
    if (forceText !== undefined && forceText !== 'true' && forceText !== 'false') {
      warnings.push({ annotation: `${imageUpdaterPrefix}${alias}.force-update`, detail: 'must be true or false; false is used' });
    }
    const platforms = (aliasGet('platforms') ?? '').split(',').map((item) => item.trim()).filter(Boolean);
    for (const platform of platforms) {
      if (!/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platform)) {
        warnings.push({ annotation: `${imageUpdaterPrefix}${alias}.platforms`, detail: 'an entry is not <os>/<arch>[/<variant>]; it is ignored' });
      }
    }
    if (aliasGet('pull-secret') !== undefined && !aliasGet('pull-secret')?.startsWith('env:')) {
      warnings.push({ annotation: `${imageUpdaterPrefix}${alias}.pull-secret`, detail: 'only env:<TIDEWATER_SECRET_…> is read (user:password); the registry is queried anonymously otherwise' });
    }
    const helm = {
      ...(aliasGet('helm.image-name') ? { imageName: aliasGet('helm.image-name') } : {}),
      ...(aliasGet('helm.image-tag') ? { imageTag: aliasGet('helm.image-tag') } : {}),
      ...(aliasGet('helm.image-spec') ? { imageSpec: aliasGet('helm.image-spec') } : {}),
    };
    const kustomizeImageName = aliasGet('kustomize.image-name');
    let aliasTarget = target;
    if (target?.kind === 'helmvalues' && Object.keys(helm).length === 0) {
      problems.push('helmvalues without helm names');
      warnings.push({ annotation: `${imageUpdaterPrefix}write-back-target`, detail: `helmvalues needs ${alias}.helm.image-spec or ${alias}.helm.image-name/helm.image-tag; this image is not updated` });
    }
    if (aliasTarget === undefined) aliasTarget = { kind: 'argocd-source', file: joinPath(sourcePath, `.argocd-source-${app}.yaml`) };

    policies.push({
      id: `argocd:${app}:${alias}`,
      origin: 'argocd-image-updater',
      app,
      alias,
      image: normaliseImageName(name),
      strategy,
      ...(constraint !== undefined ? { constraint } : {}),
      ...(allowTags !== undefined ? { allowTags } : {}),
      ignoreTags,
      forceUpdate: forceText === 'true',
      platforms: platforms.filter((platform) => /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platform)),
      ...(kustomizeImageName ? { kustomizeImageName } : {}),
      ...(Object.keys(helm).length > 0 ? { helm } : {}),
      writeBack: {
        ...(method === 'argocd' ? { method: 'argocd' as const } : {}),
        target: aliasTarget, ...(branch ? { branch } : {}),
        // git-branch `main:target` names the base; plain `git-branch: target` in pull-request mode proposes to the app's branch.
        ...(baseBranch && !(pullRequest.settings && baseBranch === branch) ? { baseBranch } : {}),
        ...(pullRequest.settings ? { pullRequest: pullRequest.settings } : {}),
      },
      ...(problems.length > 0 ? { disabledReason: problems.join('; ') } : {}),
    });
  }

  for (const key of Object.keys(annotations)) {
    if (!key.startsWith(imageUpdaterPrefix)) continue;
    const suffix = key.slice(imageUpdaterPrefix.length);
    if (applicationKeys.has(suffix)) continue;
    const dot = suffix.indexOf('.');
    const alias = dot >= 0 ? suffix.slice(0, dot) : '';
    if (dot >= 0 && aliases.has(alias) && aliasKeys.has(suffix.slice(dot + 1))) continue;
    warnings.push({ annotation: key, detail: dot >= 0 && !aliases.has(alias) ? `names alias ${alias}, which image-list does not define; it is ignored` : 'is not supported by Tidewater and is ignored' });
  }
  return { policies, warnings };
}

function joinPath(base: string, file: string): string {
  const trimmed = base.replace(/^\.\/?/, '').replace(/\/+$/, '');
  return trimmed ? `${trimmed}/${file}` : file;
}

/** Image Updater: a target path is relative to the Application's path, or to the repository root when absolute. */
function resolveTargetPath(sourcePath: string, target: string): string {
  if (target.startsWith('/')) return target.replace(/^\/+/, '');
  const parts = joinPath(sourcePath, target).split('/');
  const resolved: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') resolved.pop();
    else resolved.push(part);
  }
  return resolved.join('/');
}
