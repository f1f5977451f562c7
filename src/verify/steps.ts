import type { Catalog, TargetConfig } from '../config/catalog.js';
import type { CheckConfig } from '../config/checks.js';
import { own } from '../config/own.js';
import { formatDuration } from '../domain/duration.js';
import type { PlanStep } from '../domain/rollback.js';
import { checkLabel } from './run-check.js';
import { num } from './wait.js';

/** Who to page when a check fails: catalog role names with their Slack mentions. */
export interface EscalationContact {
  role: string;
  mentions: string[];
}

/** A verify step's input, fixed at plan time so approvers see exactly what will be checked. */
export interface VerifyStepInput {
  service: string;
  environment: string;
  escalation: EscalationContact[];
  /** The check to run. */
  check?: CheckConfig;
  /** Or: let this much traffic through before metric checks read their window. */
  settle?: number;
}

export function escalationContacts(catalog: Catalog): EscalationContact[] {
  return (catalog.escalation ?? []).map((role) => {
    const r = catalog.roles[role];
    return { role, mentions: [...(r?.users ?? []).map((u) => `<@${u}>`), ...(r?.usergroups ?? []).map((g) => `<!subteam^${g}>`)] };
  });
}

function title(check: CheckConfig): string {
  const label = checkLabel(check);
  switch (check.type) {
    case 'http': {
      const json = check.json ? ` and ${check.json.field} = ${JSON.stringify(check.json.equals)}` : '';
      return `${check.name ? `${label}: ` : 'Health check: '}GET ${check.url} answers ${check.expectStatus}${json}`;
    }
    case 'smoke':
      return `Smoke check${check.name ? ` ${label}` : ''}: \`${checkLabel({ ...check, name: undefined })}\``;
    case 'metric': {
      const unit = check.unit ? (check.unit === '%' ? ' %' : ` ${check.unit}`) : '';
      const limit = check.below !== undefined ? `< ${num(check.below)}${unit}` : `> ${num(check.above!)}${unit}`;
      return `Metric check: ${label} ${limit} over ${formatDuration(check.window)} (CloudWatch)`;
    }
  }
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'check';

/**
 * The verification steps the executor appends after a driver's own steps: the target's `health`,
 * then the environment's `checks` (HTTP and smoke first, for fast news; metrics last, after one
 * settle step that lets a full window of post-rollback traffic through).
 */
export function verifySteps(request: { service: string; environment: string; target: TargetConfig }, catalog: Catalog): PlanStep[] {
  const base = { service: request.service, environment: request.environment, escalation: escalationContacts(catalog) };
  const checks: CheckConfig[] = [
    ...(request.target.health ? [{ type: 'http' as const, ...request.target.health }] : []),
    // Own keys only: an environment called `constructor` would otherwise spread Object.prototype's function.
    ...(own(catalog.checks, request.environment) ?? []),
  ];
  const quick = checks.filter((c) => c.type !== 'metric');
  const metrics = checks.filter((c) => c.type === 'metric');
  const step = (check: CheckConfig, i: number): PlanStep => ({
    id: i === 0 && request.target.health && check.type === 'http' && !check.name ? 'verify-health' : `verify-${i + 1}-${slug(checkLabel(check))}`,
    title: title(check),
    driver: 'verify',
    input: { ...base, check } satisfies VerifyStepInput,
  });
  const steps = quick.map(step);
  if (metrics.length) {
    const settle = Math.max(...metrics.map((m) => m.window));
    steps.push({
      id: 'verify-settle',
      title: `Let ${formatDuration(settle)} of traffic through before reading metrics`,
      driver: 'verify',
      input: { ...base, settle } satisfies VerifyStepInput,
    });
    steps.push(...metrics.map((m, i) => step(m, quick.length + i)));
  }
  return steps;
}
