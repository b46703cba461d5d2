import { describe, expect, it } from 'vitest';
import { apiTestConfig } from '../../../../test/e2e/api-fixture.ts';
import { createRbac } from './enforcer.ts';

// An approval policy's `role` (other than `approver`) is checked with hasRole: direct bindings, groups, role chains.
describe('Rbac.hasRole', () => {
  it('finds roles bound to the account, to its groups and through other roles', async () => {
    const rbac = await createRbac(apiTestConfig());
    const as = (subject: string, groups: string[] = []) => ({ subject, groups, via: 'session' as const });
    expect(await rbac.hasRole(as('erin'), 'approver')).toBe(true);
    expect(await rbac.hasRole(as('erin'), 'role:approver')).toBe(true);
    expect(await rbac.hasRole(as('dana'), 'approver')).toBe(false);
    expect(await rbac.hasRole(as('alice', ['platform-admins']), 'admin')).toBe(true);
    // role:admin inherits role:readonly (g, role:admin, role:readonly).
    expect(await rbac.hasRole(as('alice', ['platform-admins']), 'readonly')).toBe(true);
    expect(await rbac.hasRole(as('vic'), 'admin')).toBe(false);
  });
});
