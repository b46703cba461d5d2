// Health assessment: pure functions from live objects (as the API server returns them) to Argo CD's health
// states. No I/O here; the live-state watcher reads objects and calls these.
export {
  healthOrder, isWorse, missingHealth, unknownHealth, type HealthAssessment,
} from './health-assessment.ts';
export { assessHealth } from './assess-health.ts';
export { aggregateHealth, describeObjectHealth } from './aggregate-health.ts';
export { healthRelevant, hasNoHealthNotion, groupKindKey } from './health-relevance.ts';
export {
  HealthRule, HealthRuleSpec, HealthRuleEntry, HealthRuleMatch, parseHealthRules, evaluateHealthRules,
} from './health-rule.ts';
export { fieldAt, parseFieldPath, type FieldPathSegment } from './field-path.ts';
