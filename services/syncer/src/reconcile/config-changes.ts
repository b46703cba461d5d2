import type { ArgoApplication, TidewaterConfig } from '@tidewater/config';

/**
 * The applications a configuration change concerns: new ones, and those whose Application spec or AppProject
 * changed (a tightened project must be enforced at once, a new source rendered at once). Removed apps are not listed.
 */
export function changedApplications(previous: TidewaterConfig | undefined, next: TidewaterConfig): ArgoApplication[] {
  if (!previous) return [...next.applications];
  const before = new Map(previous.applications.map((application) => [application.metadata.name, fingerprint(previous, application)]));
  return next.applications.filter((application) => before.get(application.metadata.name) !== fingerprint(next, application));
}

function fingerprint(config: TidewaterConfig, application: ArgoApplication): string {
  const projectName = application.spec.project || 'default';
  const project = config.projects.find((candidate) => candidate.metadata.name === projectName);
  return JSON.stringify({ application: { spec: application.spec, annotations: application.metadata.annotations ?? {} }, project: project?.spec ?? null });
}
