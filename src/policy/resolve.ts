import { approvalRuleOf, targetOf, type Catalog } from '../config/catalog.js';
import type { Rollback } from '../domain/rollback.js';
import { rolesOf, type Authority, type Requirement, type RoleMembers } from './authority.js';
import { authorityFor, decisionMatrix, type AuthorityResult, type Classification } from './matrix.js';
import { describeMissing, evaluate } from './quorum.js';

/** Resolves role names to their members now (Slack user groups in production: src/slack/roles.ts). */
export interface MemberDirectory {
  members(roles: string[]): Promise<RoleMembers>;
}

/** What resolving a record's authority reads: the catalog's rules and the role members behind them. */
export interface AuthorityDeps {
  catalog: Catalog;
  roles: MemberDirectory;
}

/** The service's own `approval` rule as a requirement (the single-group case). */
function serviceRequirement(catalog: Catalog, service: string, environment: string): Requirement {
  const target = targetOf(catalog, service, environment);
  const rule = target ? approvalRuleOf(catalog, target) : { from: [], count: 1 };
  return { label: `${service} ${environment}`, groups: [{ from: rule.from, count: rule.count }] };
}

/** Classifies a new request against the catalog's decision matrix (pure; no Slack calls). */
export function classify(catalog: Catalog, service: string, environment: string, choice: Classification): AuthorityResult {
  return authorityFor(decisionMatrix(catalog), serviceRequirement(catalog, service, environment), choice);
}

export interface ResolvedAuthority {
  authority: Authority;
  members: RoleMembers;
  /** Set when the recorded classification no longer fits the catalog: nobody may approve until asked again. */
  problem?: string;
}

/**
 * Who must approve this rollback now: the catalog's current rules for its recorded
 * classification, with role members resolved now (user groups are re-read after their TTL).
 */
export async function authorityOf(s: AuthorityDeps, rb: Rollback): Promise<ResolvedAuthority> {
  const choice: Classification = { severity: rb.policy?.severity?.id, scenario: rb.policy?.scenario?.id, override: rb.policy?.override };
  const res = classify(s.catalog, rb.service, rb.environment, choice);
  if ('authority' in res) return { authority: res.authority, members: await s.roles.members(rolesOf(res.authority)) };
  const authority = { requirements: [serviceRequirement(s.catalog, rb.service, rb.environment)] };
  return { authority, members: await s.roles.members(rolesOf(authority)), problem: `${rb.id} can no longer be approved as classified: ${res.refusal.message} Ask again with \`/rollback\`.` };
}

/** When an unanswered request stops accepting votes (the expire job then closes it). */
export function expiresAt(s: Pick<AuthorityDeps, 'catalog'>, rb: Rollback): Date {
  return new Date(Date.parse(rb.createdAt) + s.catalog.approvalTimeout);
}

/**
 * Before execution: do the approvals still meet the rules with roles as they are now? Returns
 * the reason they do not, or undefined.
 */
export async function approvalsStillHold(s: AuthorityDeps, rb: Rollback): Promise<string | undefined> {
  const { authority, members, problem } = await authorityOf(s, rb);
  if (problem) return problem;
  const decision = evaluate(authority, { requester: rb.requestedBy, members, approvals: rb.approvals });
  if (decision.status === 'pending') return `Approvers no longer meet the rule (${describeMissing(decision.missing)} needed): someone left their role since approving.`;
  return undefined;
}
