/**
 * Argo CD's Casbin model (argo-cd `assets/model.conf`): subject, resource, action, object; `g` role bindings;
 * an allow that no deny contradicts; every field matched by glob (or regex with `policy.matchMode: regex`).
 */
export const argoCasbinModel = `
[request_definition]
r = sub, res, act, obj

[policy_definition]
p = sub, res, act, obj, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.sub, p.sub) && globOrRegexMatch(r.res, p.res) && globOrRegexMatch(r.act, p.act) && globOrRegexMatch(r.obj, p.obj)
`;
