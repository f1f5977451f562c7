import { approvalRuleOf, targetOf, type Catalog } from '../config/catalog.js';
import type { Rollback } from '../domain/rollback.js';
import { stackComponents, stackOf } from '../config/stacks.js';
import { describeRequirement, rolesOf, usersOf, type Authority, type Requirement, type RoleGroup, type RoleMembers } from './authority.js';
import { authorityFor, decisionMatrix, type AuthorityResult, type Classification, type MatrixMode } from './matrix.js';
import { describeMissing, evaluate, isApprover } from './quorum.js';

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
function serviceRule(catalog: Catalog, service: string, environment: string): RoleGroup {
  const target = targetOf(catalog, service, environment);
  const rule = target ? approvalRuleOf(catalog, target) : { from: [], count: 1 };
  return { from: rule.from, count: rule.count };
}

/** A rule `other` already implies: the same roles or fewer, no more people. */
function impliedBy(rule: RoleGroup, other: RoleGroup): boolean {
  return (
    rule !== other &&
    rule.count <= other.count &&
    other.from.every((r) => rule.from.includes(r)) &&
    (rule.count < other.count || rule.from.length > other.from.length)
  );
}

/**
 * What a target needs. For a stack: the strictest of its components' rules (one rule that implies
 * another keeps only the stricter; identical rules count once) plus the stack's own `approval`.
 */
function targetRequirement(catalog: Catalog, service: string, environment: string): Requirement {
  const stack = stackOf(catalog, service, environment);
  if (!stack) return { label: `${service} ${environment}`, groups: [serviceRule(catalog, service, environment)] };
  const rules = stackComponents(catalog, stack, environment).map((c) => serviceRule(catalog, c.service, environment));
  const distinct = rules.filter((r, i) => rules.findIndex((o) => o.count === r.count && o.from.join() === r.from.join()) === i);
  const strictest = distinct.filter((r) => !distinct.some((o) => impliedBy(r, o)));
  return {
    label: `stack ${service} ${environment}`,
    groups: [...strictest, ...(stack.approval ? [{ from: stack.approval.from, count: stack.approval.count }] : [])],
  };
}

/**
 * Whether a classified request's matrix row replaces the target's rule or adds to it: the target's
 * `approval.matrix`, else the catalog's. A stack combines when it or any component asks to.
 */
export function matrixMode(catalog: Catalog, service: string, environment: string): MatrixMode {
  const fallback = catalog.approval?.matrix ?? 'replace';
  const modeOf = (name: string) => targetOf(catalog, name, environment)?.approval?.matrix ?? fallback;
  const stack = stackOf(catalog, service, environment);
  if (!stack) return modeOf(service);
  const modes = [stack.approval?.matrix ?? fallback, ...stackComponents(catalog, stack, environment).map((c) => modeOf(c.service))];
  return modes.includes('combine') ? 'combine' : 'replace';
}

/** Classifies a new request against the catalog's decision matrix (pure; no Slack calls). */
export function classify(catalog: Catalog, service: string, environment: string, choice: Classification): AuthorityResult {
  return authorityFor(decisionMatrix(catalog), targetRequirement(catalog, service, environment), choice, matrixMode(catalog, service, environment));
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
  const authority = { requirements: [targetRequirement(s.catalog, rb.service, rb.environment)] };
  return {
    authority,
    members: await s.roles.members(rolesOf(authority)),
    problem: `${rb.id} can no longer be approved as classified: ${res.refusal.message} Ask again with \`/rollback\`.`,
  };
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
  if (decision.status === 'pending')
    return `Approvers no longer meet the rule (${describeMissing(decision.missing)} needed): someone left their role since approving.`;
  return undefined;
}

/**
 * The targets `user` may approve (services, flags and stacks, each `name environment` or
 * `stack name environment`), from the catalog's rules with role members resolved now.
 */
export async function approvableTargets(s: AuthorityDeps, user: string): Promise<string[]> {
  const envsOf = (table: Record<string, Record<string, unknown>> | undefined) =>
    Object.entries(table ?? {}).flatMap(([name, envs]) => Object.keys(envs).map((env) => [name, env] as const));
  const requirements = [...envsOf(s.catalog.services), ...envsOf(s.catalog.flags), ...envsOf(s.catalog.stacks)].map(([name, env]) =>
    targetRequirement(s.catalog, name, env),
  );
  const roles = [...new Set(requirements.flatMap((r) => r.groups.flatMap((g) => g.from)))];
  const members = await s.roles.members(roles);
  const labels = requirements.filter((r) => isApprover({ requirements: [r] }, user, members)).map((r) => r.label);
  return [...new Set(labels)];
}

/**
 * Whether `user` holds a role that approves rollbacks of `service environment` (its own rule, as
 * approval resolves it now); `rule` says who may, for a refusal.
 */
export async function holdsApprovalRole(s: AuthorityDeps, user: string, service: string, environment: string): Promise<{ ok: boolean; rule: string }> {
  const requirement = targetRequirement(s.catalog, service, environment);
  const authority = { requirements: [requirement] };
  const members = await s.roles.members(rolesOf(authority));
  return { ok: isApprover(authority, user, members), rule: describeRequirement(requirement) };
}

/**
 * Who may approve rollbacks of `service environment` (a stack too) now: the rule, its roles, the
 * people they resolve to, and how many approvals it needs (a requester never counts, so readiness
 * wants at least one more person than that).
 */
export async function targetApprovers(
  s: AuthorityDeps,
  service: string,
  environment: string,
): Promise<{ rule: string; roles: string[]; users: string[]; needed: number }> {
  const requirement = targetRequirement(s.catalog, service, environment);
  const roles = rolesOf({ requirements: [requirement] });
  const members = await s.roles.members(roles);
  const users = [...new Set(requirement.groups.flatMap((g) => usersOf(g, members)))];
  return { rule: describeRequirement(requirement), roles, users, needed: requirement.groups.reduce((n, g) => n + g.count, 0) };
}
