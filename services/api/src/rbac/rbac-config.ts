import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SecretRef, type AppProject, type TidewaterConfig } from '@tidewater/config';

/** A `v1 ConfigMap` document as written for Argo CD (`argocd-rbac-cm`, `argocd-cm`): only `data` matters here. */
const ConfigMapDocument = z.looseObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('ConfigMap'),
  metadata: z.looseObject({ name: z.string() }),
  data: z.record(z.string(), z.string()).default({}),
});

/** One role of an AppProject (`spec.roles[]`), as Argo CD writes it. */
export const ProjectRole = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  policies: z.array(z.string()).default([]),
  groups: z.array(z.string()).default([]),
  jwtTokens: z.array(z.looseObject({ iat: z.coerce.number(), exp: z.coerce.number().optional(), id: z.string().optional() })).default([]),
});
export type ProjectRole = z.infer<typeof ProjectRole>;

/** What the API's authorization and accounts are built from. */
export interface RbacSettings {
  /** `policy.csv` plus every `policy.<name>.csv`, in key order (Argo CD concatenates them the same way). */
  policyCsv: string;
  /** `policy.default`: the role every authenticated caller has (empty: none). */
  defaultRole: string;
  matchMode: 'glob' | 'regex';
  /** `scopes`: the token claims used as groups (default `[groups]`). */
  scopes: string[];
  /**
   * Local accounts from `argocd-cm` (`accounts.<name>: apiKey, login`, `accounts.<name>.enabled`, and Tidewater's
   * `accounts.<name>.groups: a, b`); `admin` always, disabled by `admin.enabled: "false"`.
   */
  accounts: LocalAccountSetting[];
  /** Findings in these documents (unknown keys, bad values), reported at load. */
  warnings: string[];
  /** `argocd-cm` `oidc.config`: single sign-on through an OpenID Connect provider, when configured. */
  oidc?: OidcSettings;
  /** `argocd-cm` `url`: the API's external URL (the OIDC redirect is `<url>/auth/callback`). */
  url?: string;
}

/** `oidc.config` as Argo CD writes it, with the client secret as a Tidewater secret reference. */
export const OidcSettings = z.object({
  name: z.string().default('SSO'),
  issuer: z.url(),
  clientID: z.string().min(1),
  /** Tidewater: `{env: NAME}` or `{file: path}`; Argo CD's `clientSecret: $key` names argocd-secret, which Tidewater does not read. */
  clientSecretRef: SecretRef.optional(),
  requestedScopes: z.array(z.string()).default(['openid', 'profile', 'email', 'groups']),
});
export type OidcSettings = z.infer<typeof OidcSettings>;

function oidcSettingsOf(text: string | undefined, warnings: string[]): OidcSettings | undefined {
  if (!text) return undefined;
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    warnings.push('argocd-cm: data.oidc.config: not YAML; single sign-on is off');
    return undefined;
  }
  if (raw && typeof raw === 'object' && 'clientSecret' in raw) {
    warnings.push('argocd-cm: data.oidc.config.clientSecret: Tidewater reads the secret from clientSecretRef ({env: NAME} or {file: path}); clientSecret is ignored');
  }
  const { clientSecret: _ignored, ...rest } = (raw ?? {}) as Record<string, unknown>;
  const known = ['name', 'issuer', 'clientID', 'clientSecretRef', 'requestedScopes'];
  for (const key of Object.keys(rest)) if (!known.includes(key)) warnings.push(`argocd-cm: data.oidc.config.${key}: not supported; ignored`);
  const parsed = OidcSettings.safeParse(rest);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    warnings.push(`argocd-cm: data.oidc.config.${issue.path.join('.')}: ${issue.message}; single sign-on is off`);
    return undefined;
  }
  return parsed.data;
}

export interface LocalAccountSetting {
  name: string;
  capabilities: Array<'login' | 'apiKey'>;
  enabled: boolean;
  groups: string[];
}

function configMaps(config: TidewaterConfig, name: string) {
  return config.otherDocuments.flatMap((document) => {
    const parsed = ConfigMapDocument.safeParse(document);
    return parsed.success && parsed.data.metadata.name === name ? [parsed.data] : [];
  });
}

/** Reads `argocd-rbac-cm` and `argocd-cm` documents from the configuration (absent: Argo CD's defaults). */
export function rbacSettingsOf(config: TidewaterConfig): RbacSettings {
  const warnings: string[] = [];
  const rbac = Object.assign({}, ...configMaps(config, 'argocd-rbac-cm').map((map) => map.data)) as Record<string, string>;
  const policyKeys = Object.keys(rbac).filter((key) => key === 'policy.csv' || /^policy\..+\.csv$/.test(key)).sort((a, b) => (a === 'policy.csv' ? -1 : b === 'policy.csv' ? 1 : a.localeCompare(b)));
  const matchMode = rbac['policy.matchMode'] === 'regex' ? 'regex' : 'glob';
  if (rbac['policy.matchMode'] && !['glob', 'regex'].includes(rbac['policy.matchMode'])) warnings.push(`argocd-rbac-cm: data.policy.matchMode: must be glob or regex; using glob`);
  const scopes = rbac.scopes ? rbac.scopes.replace(/[[\]\s]/g, '').split(',').filter(Boolean) : ['groups'];
  for (const key of Object.keys(rbac)) {
    if (!policyKeys.includes(key) && !['policy.default', 'policy.matchMode', 'scopes'].includes(key)) warnings.push(`argocd-rbac-cm: data.${key}: not a key Tidewater reads; ignored`);
  }

  const cm = Object.assign({}, ...configMaps(config, 'argocd-cm').map((map) => map.data)) as Record<string, string>;
  const accounts = new Map<string, LocalAccountSetting>();
  accounts.set('admin', { name: 'admin', capabilities: ['login'], enabled: cm['admin.enabled'] !== 'false', groups: [] });
  for (const [key, value] of Object.entries(cm)) {
    const match = /^accounts\.([^.]+)$/.exec(key);
    if (!match) continue;
    const capabilities = value.split(',').map((item) => item.trim()).filter(Boolean);
    const unknown = capabilities.filter((item) => item !== 'login' && item !== 'apiKey');
    if (unknown.length) warnings.push(`argocd-cm: data.${key}: unknown capabilities ${unknown.join(', ')} (login, apiKey)`);
    accounts.set(match[1], { name: match[1], capabilities: capabilities.filter((item): item is 'login' | 'apiKey' => item === 'login' || item === 'apiKey'), enabled: true, groups: [] });
  }
  const oidc = oidcSettingsOf(cm['oidc.config'], warnings);
  for (const [key, value] of Object.entries(cm)) {
    const enabled = /^accounts\.([^.]+)\.enabled$/.exec(key);
    const groups = /^accounts\.([^.]+)\.groups$/.exec(key);
    const name = enabled?.[1] ?? groups?.[1];
    if (!name) continue;
    const account = accounts.get(name);
    if (!account) {
      warnings.push(`argocd-cm: data.${key}: account ${name} is not defined (accounts.${name})`);
      continue;
    }
    if (enabled) account.enabled = value !== 'false';
    if (groups) account.groups = value.split(',').map((group) => group.trim()).filter(Boolean);
  }
  return {
    policyCsv: policyKeys.map((key) => rbac[key]).join('\n'),
    defaultRole: (rbac['policy.default'] ?? '').trim(),
    matchMode, scopes, accounts: [...accounts.values()], warnings,
    ...(oidc ? { oidc } : {}), ...(cm.url ? { url: cm.url.replace(/\/+$/, '') } : {}),
  };
}

/** The roles of a project, parsed; a role that does not parse is reported by name, not used. */
export function projectRolesOf(project: AppProject, warnings: string[] = []): ProjectRole[] {
  return (project.spec.roles ?? []).flatMap((raw, index) => {
    const parsed = ProjectRole.safeParse(raw);
    if (parsed.success) return [parsed.data];
    const [issue] = parsed.error.issues;
    warnings.push(`AppProject ${project.metadata.name}: spec.roles[${index}].${issue.path.join('.')}: ${issue.message}`);
    return [];
  });
}
