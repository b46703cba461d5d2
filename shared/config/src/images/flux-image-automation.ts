import { validRange } from 'semver';
import { normaliseImageName, type ImagePolicy, type ImageUpdateStrategy } from './image-policy.ts';
import { asRecord, str, type Raw, type RawDocument } from './raw-document.ts';

export interface FluxFinding {
  document: RawDocument;
  field: string;
  detail: string;
}


function fluxKind(document: RawDocument, group: string, kind: string): Raw | undefined {
  const value = asRecord(document.value);
  if (!value || value.kind !== kind || typeof value.apiVersion !== 'string' || !value.apiVersion.startsWith(`${group}/`)) return undefined;
  return value;
}

const keyOf = (value: Raw) => {
  const metadata = asRecord(value.metadata) ?? {};
  return `${str(metadata.namespace) ?? 'flux-system'}/${str(metadata.name) ?? ''}`;
};

/**
 * Flux image automation: `ImageRepository` + `ImagePolicy` (semver range, alphabetical, numerical, filterTags
 * pattern + extract) + `ImageUpdateAutomation` (setter strategy: `# {"$imagepolicy": "<ns>:<name>[:tag|:name|:digest]"}`
 * markers under `update.path` of the source `GitRepository`). One Tidewater policy per Flux ImagePolicy that an
 * automation in its namespace covers.
 */
export function imagePoliciesFromFlux(documents: readonly RawDocument[]): { policies: ImagePolicy[]; findings: FluxFinding[] } {
  const policies: ImagePolicy[] = [];
  const findings: FluxFinding[] = [];
  const repositories = new Map<string, Raw>();
  const gitRepositories = new Map<string, Raw>();
  for (const document of documents) {
    const imageRepository = fluxKind(document, 'image.toolkit.fluxcd.io', 'ImageRepository');
    if (imageRepository) repositories.set(keyOf(imageRepository), imageRepository);
    const gitRepository = fluxKind(document, 'source.toolkit.fluxcd.io', 'GitRepository');
    if (gitRepository) gitRepositories.set(keyOf(gitRepository), gitRepository);
  }
  const automations = documents.flatMap((document) => {
    const automation = fluxKind(document, 'image.toolkit.fluxcd.io', 'ImageUpdateAutomation');
    return automation ? [{ automation, document }] : [];
  });

  for (const document of documents) {
    const policyDocument = fluxKind(document, 'image.toolkit.fluxcd.io', 'ImagePolicy');
    if (!policyDocument) continue;
    const [namespace, name] = keyOf(policyDocument).split('/');
    const spec = asRecord(policyDocument.spec) ?? {};
    const repositoryName = str(asRecord(spec.imageRepositoryRef)?.name);
    const repositoryNamespace = str(asRecord(spec.imageRepositoryRef)?.namespace) ?? namespace;
    const repository = repositoryName ? repositories.get(`${repositoryNamespace}/${repositoryName}`) : undefined;
    const image = str(asRecord(repository?.spec)?.image);
    if (!image) {
      findings.push({ document, field: 'spec.imageRepositoryRef', detail: 'names no ImageRepository (with spec.image) in this configuration; the policy updates nothing' });
      continue;
    }
    const problems: string[] = [];
    const choice = asRecord(spec.policy) ?? {};
    let strategy: ImageUpdateStrategy = 'semver';
    let constraint: string | undefined;
    let order: 'asc' | 'desc' | undefined;
    if (asRecord(choice.semver)) {
      constraint = str(asRecord(choice.semver)?.range);
      if (!constraint || validRange(constraint.replaceAll(',', ' ')) === null) {
        problems.push('bad semver range');
        findings.push({ document, field: 'spec.policy.semver.range', detail: 'is not a valid semver range; the policy updates nothing' });
      } else {
        constraint = constraint.replaceAll(',', ' ');
      }
    } else if (asRecord(choice.alphabetical) || asRecord(choice.numerical)) {
      strategy = asRecord(choice.alphabetical) ? 'alphabetical' : 'numerical';
      const orderText = str(asRecord(choice[strategy])?.order);
      if (orderText === 'desc') order = 'desc';
      else if (orderText !== undefined && orderText !== 'asc') {
        problems.push('bad order');
        findings.push({ document, field: `spec.policy.${strategy}.order`, detail: 'must be asc or desc; the policy updates nothing' });
      }
    } else {
      problems.push('no policy');
      findings.push({ document, field: 'spec.policy', detail: 'needs one of semver, alphabetical or numerical; the policy updates nothing' });
    }
    const filter = asRecord(spec.filterTags);
    let allowTags: string | undefined;
    const extract = str(filter?.extract);
    if (filter) {
      // Flux patterns are Go regular expressions: `(?P<name>…)` is JavaScript's `(?<name>…)`.
      const pattern = str(filter.pattern)?.replaceAll('(?P<', '(?<');
      if (pattern) {
        try {
          new RegExp(pattern);
          allowTags = pattern;
        } catch {
          problems.push('bad filterTags.pattern');
          findings.push({ document, field: 'spec.filterTags.pattern', detail: 'is not a valid regular expression; the policy updates nothing' });
        }
      }
      if (extract && !pattern) {
        problems.push('extract without pattern');
        findings.push({ document, field: 'spec.filterTags.extract', detail: 'needs spec.filterTags.pattern to extract from; the policy updates nothing' });
      }
    }
    const automation = automations.find(({ automation: candidate }) => keyOf(candidate).split('/')[0] === namespace);
    if (!automation) {
      findings.push({ document, field: 'metadata.name', detail: `no ImageUpdateAutomation in namespace ${namespace} writes this policy's markers; the policy updates nothing` });
      continue;
    }
    const automationSpec = asRecord(automation.automation.spec) ?? {};
    const sourceRef = asRecord(automationSpec.sourceRef);
    const source = gitRepositories.get(`${str(sourceRef?.namespace) ?? namespace}/${str(sourceRef?.name) ?? ''}`);
    const repoUrl = str(asRecord(source?.spec)?.url);
    const gitSpec = asRecord(automationSpec.git) ?? {};
    const checkoutBranch = str(asRecord(asRecord(asRecord(gitSpec.checkout)?.ref))?.branch) ?? str(asRecord(asRecord(source?.spec)?.ref)?.branch) ?? 'main';
    const pushBranch = str(asRecord(gitSpec.push)?.branch) ?? checkoutBranch;
    const updatePath = (str(asRecord(automationSpec.update)?.path) ?? './').replace(/^\.\/?/, '').replace(/\/+$/, '');
    if (!repoUrl) {
      problems.push('no GitRepository');
      findings.push({ document: automation.document, field: 'spec.sourceRef', detail: 'names no GitRepository (with spec.url) in this configuration; nothing is written' });
    }
    const strategyName = str(asRecord(automationSpec.update)?.strategy) ?? 'Setters';
    if (strategyName !== 'Setters') findings.push({ document: automation.document, field: 'spec.update.strategy', detail: 'only Setters is supported' });
    policies.push({
      id: `flux:${namespace}/${name}`,
      origin: 'flux',
      app: `${namespace}-${name}`,
      alias: name,
      image: normaliseImageName(image),
      strategy,
      ...(constraint ? { constraint } : {}),
      ...(allowTags ? { allowTags } : {}),
      ...(extract ? { extract } : {}),
      ...(order ? { order } : {}),
      ignoreTags: [],
      forceUpdate: true,
      platforms: [],
      writeBack: {
        target: { kind: 'setters', path: updatePath, marker: `${namespace}:${name}` },
        branch: pushBranch,
        ...(pushBranch !== checkoutBranch ? { baseBranch: checkoutBranch } : {}),
        ...(repoUrl ? { repoUrl } : {}),
      },
      ...(problems.length > 0 ? { disabledReason: problems.join('; ') } : {}),
    });
  }
  return { policies, findings };
}
