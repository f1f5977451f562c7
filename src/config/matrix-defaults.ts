import type { RoleGroup } from '../policy/authority.js';
import type { ScenarioDef, SeverityDef } from '../policy/matrix.js';

/** What the decision matrix is when the catalog has no `severities:` or `matrix:` of its own. */

const one = (...roles: string[]): RoleGroup[] => roles.map((role) => ({ from: [role], count: 1 }));
const MIN = 60_000;

/** Skillancer "Rollback Decision Matrix", by severity. */
export const DEFAULT_SEVERITIES: Record<string, SeverityDef> = {
  P0: { label: 'Critical', rollback: 'yes', require: one('oncall', 'lead') },
  P1: { label: 'High', rollback: 'consider', require: one('oncall', 'lead') },
  P2: { label: 'Medium', rollback: 'fix-forward', require: one('oncall') },
  P3: { label: 'Low', rollback: 'fix-forward', require: one('oncall') },
};

/** Skillancer's scenarios with their authority, DistroCV's issue types with rollback type and estimate. */
export const DEFAULT_SCENARIOS: Record<string, ScenarioDef> = {
  outage: {
    title: 'Complete platform outage / full regression',
    severity: 'P0',
    require: one('oncall', 'lead'),
    rollbackType: 'Full stack',
    estimate: 45 * MIN,
  },
  'data-corruption': { title: 'Data corruption detected', severity: 'P0', require: one('cto'), rollbackType: 'Database PITR', estimate: 30 * MIN, data: true },
  'security-breach': {
    title: 'Security breach confirmed',
    severity: 'P0',
    require: one('cto', 'security'),
    rollbackType: 'Full + secrets rotation',
    estimate: 60 * MIN,
  },
  'major-feature': {
    title: 'Major feature broken (>50% users)',
    severity: 'P1',
    require: one('oncall', 'lead'),
    rollbackType: 'Application (ECS / Kubernetes)',
    estimate: 5 * MIN,
  },
  payments: {
    title: 'Payment processing failed',
    severity: 'P1',
    require: one('oncall', 'billing-lead'),
    rollbackType: 'Application (ECS / Kubernetes)',
    estimate: 5 * MIN,
  },
  'api-bug': { title: 'API bug', severity: 'P2', rollbackType: 'ECS only', estimate: 5 * MIN },
  'ui-bug': { title: 'UI bug', severity: 'P3', rollbackType: 'Frontend only', estimate: 5 * MIN },
  performance: { title: 'Performance degradation (>500ms p95)', severity: 'P2', require: one('oncall') },
  'minor-feature': { title: 'Minor feature broken', severity: 'P3', require: one('oncall') },
};
