export { type ImagePolicy, type ImagePullRequestSettings, type PullRequestProvider, type ImageUpdateStrategy, type ImageWriteBackTarget, normaliseImageName, registryHostOf, splitImageReference } from './image-policy.ts';
export { imagePoliciesFromAnnotations, imageUpdaterPrefix, type AnnotationFinding, type AnnotationPolicies } from './argocd-image-updater.ts';
export { imagePolicyFromTidewater, TidewaterImagePolicy, TidewaterImagePolicySpec } from './tidewater-image-policy.ts';
export { collectImagePolicies, type CollectedImagePolicies, type ImagePolicySourceDocument } from './collect-image-policies.ts';
export { imagePoliciesOf, policiesWatching } from './policies-of.ts';
export { imagePoliciesFromFlux, type FluxFinding } from './flux-image-automation.ts';
export { imagePoliciesFromImageUpdater, type ImageUpdaterFinding } from './image-updater-crd.ts';
export { branchTemplateProblem, changeListSha256, isBranchTemplate, renderBranchTemplate, type BranchTemplateImage } from './branch-template.ts';
