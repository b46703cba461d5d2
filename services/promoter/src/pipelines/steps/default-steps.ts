import { imagePoliciesOf, type ArgoApplication, type Pipeline, type PipelineStage, type PromotionStep, type TidewaterConfig } from '@tidewater/config';
import type { StoredFreight } from '@tidewater/queues';
import { targetFileOf } from '../../current-image.ts';
import { ImageUpdateError } from '../../errors/promoter-errors.ts';

/** The branch an Application follows (`HEAD` and unset mean `main`, as the image write-back assumes). */
export function branchOf(application: ArgoApplication): string {
  const revision = application.spec.source?.targetRevision;
  return revision && revision !== 'HEAD' ? revision : 'main';
}

/**
 * The steps of a stage without `steps`: set each of the freight's images in each of the stage's Applications, where
 * that Application's image policy writes it (kustomization or Helm values), else in the kustomization at the
 * Application's path with the name the source's policy uses; then commit, push and point the Applications at it.
 */
export function defaultSteps(config: TidewaterConfig, pipeline: Pipeline, stage: PipelineStage, freight: StoredFreight): PromotionStep[] {
  // A pipeline `image:` source's derived policy writes nothing: where the image goes is the Application's own business.
  const policies = imagePoliciesOf(config).filter((policy) => policy.writeBack.method !== 'freight');
  const edits: PromotionStep[] = [];
  for (const appName of stage.applications) {
    const application = config.applications.find((candidate) => candidate.metadata.name === appName);
    if (!application?.spec.source) throw new ImageUpdateError(`pipeline ${pipeline.name} stage ${stage.name}: Application ${appName} is not configured with a single source`);
    const repoURL = application.spec.source.repoURL;
    const branch = branchOf(application);
    for (const image of freight.images) {
      const own = policies.find((policy) => policy.app === appName && policy.image === image.repoURL);
      const source = pipeline.spec.sources.find((candidate) => candidate.name === image.source);
      const sourcePolicy = source?.imagePolicy ? policies.find((policy) => policy.id === source.imagePolicy) : undefined;
      const policy = own ?? sourcePolicy;
      const name = policy?.kustomizeImageName ?? image.repoURL;
      if (own && own.writeBack.target.kind === 'helmvalues') {
        const helm = own.helm ?? {};
        const from = `imageFrom("${image.repoURL}")`;
        const updates = [
          ...(helm.imageTag ? [{ key: helm.imageTag, value: `\${{ ${from}.Tag }}` }] : []),
          ...(helm.imageName ? [{ key: helm.imageName, value: image.repoURL }] : []),
          ...(helm.imageSpec ? [{ key: helm.imageSpec, value: `${image.repoURL}:\${{ ${from}.Tag }}` }] : []),
        ];
        edits.push({ uses: 'yaml-update', config: { repoURL: own.writeBack.repoUrl ?? repoURL, branch: own.writeBack.branch ?? branch, path: targetFileOf(own), updates } });
        continue;
      }
      const path = own && own.writeBack.target.kind === 'kustomization' ? own.writeBack.target.path : application.spec.source.path;
      if (path === undefined) {
        throw new ImageUpdateError(`pipeline ${pipeline.name} stage ${stage.name}: cannot tell where Application ${appName} sets ${image.repoURL} (no image policy, no source path): give the stage steps`);
      }
      edits.push({ uses: 'kustomize-set-image', config: { repoURL: own?.writeBack.repoUrl ?? repoURL, branch: own?.writeBack.branch ?? branch, path, images: [{ image: image.repoURL, name }] } });
    }
  }
  return [...edits, { uses: 'git-commit' }, { uses: 'git-push' }, { uses: 'argocd-update' }];
}
