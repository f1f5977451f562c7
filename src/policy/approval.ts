import type { Approval } from '../domain/rollback.js';

/** `count` distinct approvals from members of any role in `from`. */
export interface ApprovalRule {
  from: string[];
  count: number;
}

/** Resolved members (Slack user ids) of each role. */
export type RoleMembers = Readonly<Record<string, ReadonlySet<string>>>;

export type VoterCheck =
  | { ok: true }
  | { ok: false; reason: 'requester' | 'not_eligible' | 'already_approved'; message: string };

export function describeRule(rule: ApprovalRule): string {
  const roles = rule.from.join(' or ');
  return `${rule.count} approval${rule.count === 1 ? '' : 's'} from ${roles}`;
}

function eligible(user: string, rule: ApprovalRule, members: RoleMembers): boolean {
  return rule.from.some((role) => members[role]?.has(user));
}

/** Whether `user` may approve now: never the requester, only role members, once each. */
export function checkVoter(
  user: string,
  rule: ApprovalRule,
  requester: string,
  members: RoleMembers,
  approvals: readonly Approval[],
): VoterCheck {
  if (user === requester) {
    return { ok: false, reason: 'requester', message: 'You requested this rollback, so you cannot approve it: ask someone else in ' + rule.from.join(' or ') + '.' };
  }
  if (!eligible(user, rule, members)) {
    return { ok: false, reason: 'not_eligible', message: `Only ${rule.from.join(' or ')} may approve this rollback (${describeRule(rule)}).` };
  }
  if (approvals.some((a) => a.user === user)) {
    return { ok: false, reason: 'already_approved', message: 'You have already approved this rollback.' };
  }
  return { ok: true };
}

/**
 * Counts the approvals that still stand: eligibility is checked again now, so someone removed
 * from a role since clicking no longer counts.
 */
export function approvalStatus(
  rule: ApprovalRule,
  requester: string,
  members: RoleMembers,
  approvals: readonly Approval[],
): { met: boolean; counted: string[]; missing: number } {
  const counted = [...new Set(approvals.map((a) => a.user))].filter((u) => u !== requester && eligible(u, rule, members));
  return { met: counted.length >= rule.count, counted, missing: Math.max(0, rule.count - counted.length) };
}

/** Everyone who could approve, for mentions and the card ("who may approve"). */
export function eligibleApprovers(rule: ApprovalRule, requester: string, members: RoleMembers): string[] {
  const users = new Set<string>();
  for (const role of rule.from) for (const u of members[role] ?? []) if (u !== requester) users.add(u);
  return [...users];
}
