import { ConfigError, configWarning, formatFieldPath, type ConfigLocation, type ConfigWarning } from './errors.ts';
import { parseConfigFile, type LoadedDocument, type ParseOptions } from './parse-text.ts';
import { defaultAppProject, type AppProject } from './schema/app-project.ts';
import type { ArgoApplication } from './schema/application.ts';
import type { Cluster, Repository } from './schema/tidewater.ts';
import type { ApplicationSet } from './applicationset/schema.ts';
import { generateApplications, type ApplicationSetReport } from './applicationset/config-view.ts';
import { translateFlux } from './flux/translate.ts';
import { collectImagePolicies } from './images/collect-image-policies.ts';
import { withGeneratedImagePolicies } from './images/generated-app-policies.ts';
import type { ImagePolicy } from './images/image-policy.ts';
import type { Pipeline } from './pipelines/pipeline.ts';
import { collectPipelines, type CollectPipelinesOptions } from './pipelines/collect-pipelines.ts';
import { sourceImagePolicies } from './pipelines/source-image-policies.ts';

/** The whole validated configuration. */
export interface TidewaterConfig {
  applications: ArgoApplication[];
  /** Includes the implied `default` project (which permits everything) when none is defined. */
  projects: AppProject[];
  repositories: Repository[];
  clusters: Cluster[];
  /** ApplicationSet documents as written; their generated Applications are already in `applications`. */
  applicationSets?: ApplicationSet[];
  /** Per ApplicationSet: the Applications it contributes and its problems (also in `warnings`). */
  applicationSetReports?: ApplicationSetReport[];
  /** Applications written directly, before any ApplicationSet generated more (see mergePublishedSets). */
  writtenApplications?: ArgoApplication[];
  /** Documents of kinds Tidewater keeps but does not act on here (ApplicationSet, ImagePolicy, ...), as parsed. */
  otherDocuments: unknown[];
  warnings: ConfigWarning[];
  /** Image policies (Image Updater annotations, Tidewater ImagePolicy documents), when the loader collected them. */
  imagePolicies?: ImagePolicy[];
  /** Promotion pipelines (Tidewater Pipeline, Kargo, GitOps Promoter documents), when the loader collected them. */
  pipelines?: Pipeline[];
  /**
   * Where each Application is defined, by name: its own document, or (for a generated one) the ApplicationSet's
   * document, with `applicationSet` naming it. Set by the loader; absent in a configuration built by hand.
   */
  applicationLocations?: Record<string, ApplicationLocation>;
  /** Where each ApplicationSet is defined, by name (for Applications its git generators add later). */
  applicationSetLocations?: Record<string, ConfigLocation>;
}

/** The document that defines an Application (see TidewaterConfig.applicationLocations). */
export interface ApplicationLocation extends ConfigLocation {
  /** The ApplicationSet that generates the Application, when it is not written directly. */
  applicationSet?: string;
}

/** A load that does not throw: the configuration built from the valid documents, and every finding. */
export interface ConfigLoadResult {
  config: TidewaterConfig;
  errors: ConfigError[];
  warnings: ConfigWarning[];
}

export interface ConfigFile {
  /** Path shown in errors, e.g. `apps/web.yaml`. */
  file: string;
  text: string;
}

/** Parses one file's contents: every document validated, no cross-document checks, never throws. */
export function parseConfigText(text: string, file: string, options: ParseOptions = {}): ConfigLoadResult {
  const { documents, warnings, errors } = parseConfigFile(text, file, options);
  const translated = withFluxTranslated(documents, errors, warnings);
  const config = collect(translated, warnings, false);
  config.pipelines = withPipelines(translated, { applications: config.applications, checkApplications: false }, errors, warnings);
  return { config, errors, warnings };
}

/** Parses several files and checks them as one configuration (unique names, known projects); never throws. */
export function buildConfig(files: readonly ConfigFile[], options: ParseOptions = {}): ConfigLoadResult {
  const documents: LoadedDocument[] = [];
  const warnings: ConfigWarning[] = [];
  const errors: ConfigError[] = [];
  for (const { file, text } of files) {
    const parsed = parseConfigFile(text, file, options);
    documents.push(...parsed.documents);
    warnings.push(...parsed.warnings);
    errors.push(...parsed.errors);
  }
  const translated = withFluxTranslated(documents, errors, warnings);
  errors.push(...crossDocumentErrors(translated));
  // Flux image automation reads the GitRepository documents themselves, which the translation replaces.
  const images = collectImagePolicies([...translated, ...documents.filter((document) => document.kind === 'FluxGitRepository')]);
  const handled = (warning: ConfigWarning) => images.handled.some((at) => at.file === warning.file && at.documentIndex === warning.documentIndex) && / is not handled yet /.test(warning.message);
  warnings.splice(0, warnings.length, ...warnings.filter((warning) => !handled(warning)));
  warnings.push(...images.warnings);
  errors.push(...images.errors);
  const config = collect(translated, warnings, true);
  config.imagePolicies = images.policies;
  // Applications an ApplicationSet generated carry its template's Image Updater annotations too.
  const generatedImages = withGeneratedImagePolicies(config);
  config.imagePolicies = generatedImages.policies;
  warnings.push(...generatedImages.warnings);
  config.pipelines = withPipelines(translated, { applications: config.applications, imagePolicies: config.imagePolicies.map((policy) => policy.id) }, errors, warnings);
  // Pipelines' `image:` sources follow the registry through the image flow, as derived policies (`pipeline:<p>:<source>`).
  const sources = sourceImagePolicies(config.pipelines);
  config.imagePolicies.push(...sources.policies);
  for (const finding of sources.warnings) {
    const location = finding.pipeline.location ?? { file: '(pipeline)', documentIndex: 0 };
    warnings.push(configWarning({ ...location, documentName: finding.pipeline.name, field: formatFieldPath(finding.path) }, finding.detail));
  }
  return { config, errors, warnings };
}

/** Pipelines (native and translated) with their findings added; documents translated lose their "not handled yet" warning. */
function withPipelines(documents: readonly LoadedDocument[], options: CollectPipelinesOptions, errors: ConfigError[], warnings: ConfigWarning[]): Pipeline[] {
  const collected = collectPipelines(documents, options);
  const handled = (warning: ConfigWarning) =>
    collected.handled.some((at) => at.file === warning.file && at.documentIndex === warning.documentIndex) && / is not handled yet /.test(warning.message);
  warnings.splice(0, warnings.length, ...warnings.filter((warning) => !handled(warning)));
  warnings.push(...collected.warnings);
  errors.push(...collected.errors);
  return collected.pipelines;
}

/** Flux GitRepository / Kustomization documents replaced by the Applications and Repositories they mean. */
function withFluxTranslated(documents: readonly LoadedDocument[], errors: ConfigError[], warnings: ConfigWarning[]): LoadedDocument[] {
  const gitRepositories = documents.flatMap((document) => (document.kind === 'FluxGitRepository' ? [document] : []));
  const kustomizations = documents.flatMap((document) => (document.kind === 'FluxKustomization' ? [document] : []));
  if (gitRepositories.length === 0 && kustomizations.length === 0) return [...documents];
  const repositories = documents.flatMap((document) => (document.kind === 'Repository' ? [document.value] : []));
  const translation = translateFlux(gitRepositories, kustomizations, repositories);
  errors.push(...translation.errors);
  warnings.push(...translation.warnings);
  return [
    ...documents.filter((document) => document.kind !== 'FluxGitRepository' && document.kind !== 'FluxKustomization'),
    ...translation.repositories.map(({ value, location }) => ({ kind: 'Repository' as const, value, location })),
    ...translation.applications.map(({ value, location }) => ({ kind: 'Application' as const, value, location })),
  ];
}

function collect(documents: readonly LoadedDocument[], warnings: ConfigWarning[], implyDefaultProject: boolean): TidewaterConfig {
  const config: TidewaterConfig & { applicationSets: ApplicationSet[] } = {
    applications: [],
    projects: [],
    repositories: [],
    clusters: [],
    applicationSets: [],
    applicationSetReports: [],
    writtenApplications: [],
    otherDocuments: [],
    warnings,
  };
  const applicationSetLocations = new Map<string, ConfigLocation>();
  const applicationLocations: Record<string, ApplicationLocation> = {};
  for (const document of documents) {
    if (document.kind === 'Application') {
      config.applications.push(document.value);
      applicationLocations[document.value.metadata.name] ??= { ...document.location, field: '' };
    }
    else if (document.kind === 'AppProject') config.projects.push(document.value);
    else if (document.kind === 'Repository') config.repositories.push(document.value);
    else if (document.kind === 'Cluster') config.clusters.push(document.value);
    else if (document.kind === 'ApplicationSet') {
      config.applicationSets.push(document.value);
      applicationSetLocations.set(document.value.metadata.name, document.location);
    } else if (document.kind !== 'Pipeline') config.otherDocuments.push(document.value);
  }
  if (implyDefaultProject && !config.projects.some((project) => project.metadata.name === 'default')) {
    config.projects.push(defaultAppProject());
  }
  config.writtenApplications = config.applications;
  const generated = generateApplications(config);
  config.applications = generated.applications;
  config.applicationSetReports = generated.reports;
  for (const report of generated.reports) {
    const location = applicationSetLocations.get(report.name);
    if (!location) continue;
    for (const name of report.applications) applicationLocations[name] ??= { ...location, field: '', applicationSet: report.name };
    for (const problem of report.problems) warnings.push(configWarning(location, `ApplicationSet: ${problem}`));
  }
  config.applicationLocations = applicationLocations;
  config.applicationSetLocations = Object.fromEntries(applicationSetLocations);
  return config;
}

function crossDocumentErrors(documents: readonly LoadedDocument[]): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const kind of ['Application', 'AppProject', 'Repository', 'Cluster', 'ApplicationSet'] as const) {
    const firstByName = new Map<string, ConfigLocation>();
    for (const document of documents) {
      if (document.kind !== kind) continue;
      const name = document.value.metadata.name;
      const first = firstByName.get(name);
      if (first === undefined) {
        firstByName.set(name, document.location);
        continue;
      }
      const location = { ...document.location, field: 'metadata.name' };
      const where = first.file === document.location.file ? `document ${first.documentIndex} of the same file` : `${first.file} document ${first.documentIndex}`;
      errors.push(new ConfigError(location, `duplicate ${kind} name ${name}: also defined in ${where}`));
    }
  }
  const projectNames = new Set(documents.flatMap((document) => (document.kind === 'AppProject' ? [document.value.metadata.name] : [])));
  projectNames.add('default');
  for (const document of documents) {
    if (document.kind !== 'Application' || projectNames.has(document.value.spec.project)) continue;
    errors.push(new ConfigError({ ...document.location, field: 'spec.project' }, `AppProject ${document.value.spec.project} is not defined`));
  }
  return errors;
}
