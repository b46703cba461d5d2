/** Where a finding sits: the file (as shown to the operator), the document within it and the field. */
export interface ConfigLocation {
  /** File path relative to the loaded directory (or repository), e.g. `apps/web.yaml`. */
  file: string;
  /** 0-based index of the YAML document within the file (documents are separated by `---`). */
  documentIndex: number;
  /** `metadata.name` of the document, when it has one. */
  documentName?: string;
  /** Dotted path of the field, e.g. `spec.source.helm.parameters[0].name`; empty for the whole document. */
  field: string;
  /** 1-based line of the field (or its nearest present parent) in the file, when known. */
  line?: number;
}

/** A supported-but-questionable or unsupported part of the configuration: reported, never silently ignored. */
export interface ConfigWarning extends ConfigLocation {
  /** Full human-readable text, including the location. */
  message: string;
}

/** Formats `file: document N (name): field: detail`; `documentIndex` is printed as stored (0-based). */
export function formatFinding(location: ConfigLocation, detail: string): string {
  const name = location.documentName ? ` (${location.documentName})` : '';
  const field = location.field ? `${location.field}: ` : '';
  return `${location.file}: document ${location.documentIndex}${name}: ${field}${detail}`;
}

/**
 * One invalid part of the configuration. The message never contains a configured value, only
 * locations, field names and expectations, so it is safe to log even when the value was a secret.
 */
export class ConfigError extends Error {
  readonly file: string;
  readonly documentIndex: number;
  readonly documentName: string | undefined;
  readonly field: string;
  readonly line: number | undefined;
  /** The detail without the location prefix, e.g. `exactly one of server or name is required`. */
  readonly detail: string;

  constructor(location: ConfigLocation, detail: string) {
    super(formatFinding(location, detail));
    this.name = 'ConfigError';
    this.file = location.file;
    this.documentIndex = location.documentIndex;
    this.documentName = location.documentName;
    this.field = location.field;
    this.line = location.line;
    this.detail = detail;
  }
}

/** Every error found while loading one configuration source, thrown together so an operator fixes them in one pass. */
export class ConfigLoadError extends Error {
  readonly errors: ConfigError[];
  /** Warnings found in the same load, so a caller can still print them. */
  readonly warnings: ConfigWarning[];

  constructor(errors: ConfigError[], warnings: ConfigWarning[] = []) {
    const count = errors.length === 1 ? '1 error' : `${errors.length} errors`;
    super(`configuration has ${count}:\n${errors.map((error) => `  ${error.message}`).join('\n')}`);
    this.name = 'ConfigLoadError';
    this.errors = errors;
    this.warnings = warnings;
  }
}

/** Builds a warning with its formatted message. */
export function configWarning(location: ConfigLocation, detail: string): ConfigWarning {
  return { ...location, message: formatFinding(location, detail) };
}

/** `['spec', 'sources', 0, 'repoURL']` → `spec.sources[0].repoURL`. */
export function formatFieldPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text;
}
