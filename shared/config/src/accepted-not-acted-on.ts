import type { AppProject } from './schema/app-project.ts';
import type { ArgoApplication } from './schema/application.ts';

type Path = Array<string | number>;

/** A field the schema accepts (so Argo CD documents load unchanged) that Tidewater does not act on yet. */
export interface InactiveField {
  field: Path;
  detail: string;
}

/** Application fields that are accepted but not acted on: each is a load warning (see the README's field table). */
export function inactiveApplicationFields(application: ArgoApplication): InactiveField[] {
  const found: InactiveField[] = [];
  // metadata.finalizers resources-finalizer.argocd.argoproj.io[/background|/foreground] is acted on: the syncer
  // deletes the objects of an Application that leaves the configuration (services/syncer/src/deletion).
  if (application.spec.source.chart !== undefined) {
    found.push({ field: ['spec', 'source', 'chart'], detail: 'Helm repository charts are not supported: Tidewater renders charts from Git at spec.source.path' });
  }
  return found;
}

/** AppProject fields that are accepted as written but not enforced yet. */
export function inactiveProjectFields(project: AppProject): InactiveField[] {
  const found: InactiveField[] = [];
  const { spec } = project;
  if (spec.syncWindows?.length) found.push({ field: ['spec', 'syncWindows'], detail: 'sync windows are not enforced yet: syncs run at any time' });
  if (spec.orphanedResources) found.push({ field: ['spec', 'orphanedResources'], detail: 'orphaned objects are not reported yet' });
  if (spec.sourceNamespaces?.length) found.push({ field: ['spec', 'sourceNamespaces'], detail: 'Tidewater has no Application namespaces; this list is not acted on' });
  return found;
}
