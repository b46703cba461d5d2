import { newEnforcer, newModelFromString, StringAdapter, type Enforcer } from 'casbin';
import { globMatch, type TidewaterConfig } from '@tidewater/config';
import type { Identity } from '../auth/identity.ts';
import { argoCasbinModel } from './argo-model.ts';
import { builtinPolicyCsv } from './builtin-policy.ts';
import { projectRolesOf, rbacSettingsOf, type RbacSettings } from './rbac-config.ts';

/** Resources and actions the API checks (Argo CD's plus Tidewater's `pipelines`, `approvals`, `audit`). */
export type RbacResource = 'applications' | 'projects' | 'clusters' | 'repositories' | 'logs' | 'accounts' | 'pipelines' | 'approvals' | 'audit';

export interface Permission {
  resource: RbacResource;
  action: string;
  /** `<project>/<app>` for applications, the name for others, `*` when none applies. */
  object: string;
}

export interface Rbac {
  settings: RbacSettings;
  /** Warnings found while building the policy (bad lines, bad project roles): reported at load, never dropped silently. */
  warnings: string[];
  can(identity: Identity, permission: Permission): boolean;
  /** Whether the caller (or one of its groups) is bound to `role:<role>`, directly or through other roles. */
  hasRole(identity: Identity, role: string): Promise<boolean>;
}

const regexCache = new Map<string, RegExp>();
function regexMatch(value: string, pattern: string): boolean {
  let regex = regexCache.get(pattern);
  if (!regex) {
    try {
      regex = new RegExp(`^(?:${pattern})$`);
    } catch {
      regex = /$^/;
    }
    regexCache.set(pattern, regex);
  }
  return regex.test(value);
}

/** Policy lines of one project's roles; lines naming another subject or another project's objects are refused. */
function projectPolicyLines(config: TidewaterConfig, warnings: string[]): string[] {
  const lines: string[] = [];
  for (const project of config.projects) {
    const name = project.metadata.name;
    for (const role of projectRolesOf(project, warnings)) {
      const subject = `proj:${name}:${role.name}`;
      role.policies.forEach((line, index) => {
        const fields = line.split(',').map((field) => field.trim());
        const where = `AppProject ${name}: spec.roles[${role.name}].policies[${index}]`;
        if (fields[0] !== 'p' || fields.length < 5) return void warnings.push(`${where}: not a policy line (p, sub, res, act, obj[, allow|deny])`);
        if (fields[1] !== subject) return void warnings.push(`${where}: subject must be ${subject}`);
        if (!fields[4].startsWith(`${name}/`)) return void warnings.push(`${where}: object must be in project ${name} (${name}/…)`);
        lines.push(fields.length === 5 ? `${line}, allow` : line);
      });
      for (const group of role.groups) lines.push(`g, ${group}, ${subject}`);
    }
  }
  return lines;
}

/** Policy lines with an omitted effect get `allow`, as Argo CD reads them; blank lines and comments are dropped. */
function normalisePolicy(csv: string, warnings: string[], source: string): string[] {
  return csv.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#')).flatMap((line, index) => {
    const fields = line.split(',').map((field) => field.trim());
    if (fields[0] === 'g' && fields.length === 3) return [line];
    if (fields[0] === 'p' && fields.length === 5) return [`${line}, allow`];
    if (fields[0] === 'p' && fields.length === 6 && (fields[5] === 'allow' || fields[5] === 'deny')) return [line];
    warnings.push(`${source}: line ${index + 1}: not a policy line (p, sub, res, act, obj[, allow|deny] or g, user, role)`);
    return [];
  });
}

/** Builds Argo CD's enforcer for a configuration: built-in policy, `argocd-rbac-cm` policy and project roles. */
export async function createRbac(config: TidewaterConfig): Promise<Rbac> {
  const settings = rbacSettingsOf(config);
  const warnings = [...settings.warnings];
  const lines = [
    ...normalisePolicy(builtinPolicyCsv, warnings, 'built-in policy'),
    ...normalisePolicy(settings.policyCsv, warnings, 'argocd-rbac-cm policy.csv'),
    ...projectPolicyLines(config, warnings),
  ];
  const enforcer: Enforcer = await newEnforcer(newModelFromString(argoCasbinModel), new StringAdapter(lines.join('\n')));
  const match = settings.matchMode === 'regex'
    ? (value: string, pattern: string) => regexMatch(value, pattern)
    : (value: string, pattern: string) => globMatch(pattern, value, { negation: false });
  await enforcer.addFunction('globOrRegexMatch', (value: string, pattern: string) => match(value, pattern));

  // Casbin evaluates every policy line per decision (~0.5 ms here): decisions are cached for this configuration
  // (a reload builds a new Rbac), bounded so a flood of distinct objects cannot grow it without end.
  const decisions = new Map<string, boolean>();
  const enforce = (subject: string, permission: Permission) => {
    const key = `${subject}\u0000${permission.resource}\u0000${permission.action}\u0000${permission.object}`;
    let allowed = decisions.get(key);
    if (allowed === undefined) {
      allowed = enforcer.enforceSync(subject, permission.resource, permission.action, permission.object);
      if (decisions.size >= 100_000) decisions.clear();
      decisions.set(key, allowed);
    }
    return allowed;
  };
  return {
    settings, warnings,
    /**
     * As Argo CD decides: the default role first, then the subject, then each group; the first that is allowed
     * (allowed means some allow and no deny for that subject) wins. A rollback is also allowed where a sync is,
     * because Argo CD checks `sync` for a rollback.
     */
    can(identity, permission) {
      const permissions = permission.resource === 'applications' && permission.action === 'rollback'
        ? [permission, { ...permission, action: 'sync' }] : [permission];
      const subjects = [...(settings.defaultRole ? [settings.defaultRole] : []), identity.subject, ...identity.groups];
      return permissions.some((wanted) => subjects.some((subject) => enforce(subject, wanted)));
    },
    async hasRole(identity, role) {
      const wanted = role.startsWith('role:') ? role : `role:${role}`;
      for (const subject of [identity.subject, ...identity.groups]) {
        if ((await enforcer.getImplicitRolesForUser(subject)).includes(wanted)) return true;
      }
      return false;
    },
  };
}
