import type { ArgoApplication, TidewaterConfig } from '@tidewater/config';

export interface ConfigChanges {
  /** Applications that were not in the previous configuration. */
  added: ArgoApplication[];
  /** Applications whose spec or AppProject changed (a tightened project must be enforced at once). */
  changed: ArgoApplication[];
}

/** What a configuration change means for the applications (removed ones are not listed). */
export function configChanges(previous: TidewaterConfig | undefined, next: TidewaterConfig): ConfigChanges {
  if (!previous) return { added: [...next.applications], changed: [] };
  const before = new Map(previous.applications.map((application) => [application.metadata.name, fingerprint(previous, application)]));
  const changes: ConfigChanges = { added: [], changed: [] };
  for (const application of next.applications) {
    const earlier = before.get(application.metadata.name);
    if (earlier === undefined) changes.added.push(application);
    else if (earlier !== fingerprint(next, application)) changes.changed.push(application);
  }
  return changes;
}

function fingerprint(config: TidewaterConfig, application: ArgoApplication): string {
  const projectName = application.spec.project || 'default';
  const project = config.projects.find((candidate) => candidate.metadata.name === projectName);
  return JSON.stringify({ application: { spec: application.spec, annotations: application.metadata.annotations ?? {} }, project: project?.spec ?? null });
}
