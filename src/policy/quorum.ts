import { refusal, type Refusal } from '../domain/refusal.js';
import type { Approval } from '../domain/rollback.js';
import { describeGroup, describeRequirement, inGroup, type Authority, type Requirement, type RoleGroup, type RoleMembers } from './authority.js';

export interface Votes {
  requester: string;
  /** Members as resolved now: someone removed from a role since clicking no longer counts. */
  members: RoleMembers;
  approvals: readonly Approval[];
}

export interface Shortfall {
  requirement: string;
  group: RoleGroup;
  /** How many more people this group needs. */
  count: number;
}

export type Decision =
  { status: 'approved'; counted: string[] } | { status: 'pending'; counted: string[]; missing: Shortfall[] } | { status: 'expired'; counted: string[] };

/**
 * Assigns distinct voters to the slots of one requirement (a bipartite matching, Kuhn's
 * algorithm: a handful of slots and voters). Returns slot index → voter.
 */
function assign(req: Requirement, voters: string[], members: RoleMembers): (string | undefined)[] {
  const slots = req.groups.flatMap((group) => Array.from({ length: group.count }, () => group));
  const holder: (string | undefined)[] = slots.map(() => undefined);
  const tryPlace = (voter: string, visited: Set<number>): boolean => {
    for (let i = 0; i < slots.length; i++) {
      if (visited.has(i) || !inGroup(voter, slots[i]!, members)) continue;
      visited.add(i);
      const current = holder[i];
      if (current === undefined || tryPlace(current, visited)) {
        holder[i] = voter;
        return true;
      }
    }
    return false;
  };
  for (const voter of voters) tryPlace(voter, new Set());
  return holder;
}

function shortfalls(req: Requirement, holder: (string | undefined)[]): Shortfall[] {
  const out: Shortfall[] = [];
  let at = 0;
  for (const group of req.groups) {
    const filled = holder.slice(at, at + group.count).filter((h) => h !== undefined).length;
    if (filled < group.count) out.push({ requirement: req.label, group, count: group.count - filled });
    at += group.count;
  }
  return out;
}

/** Distinct approvers in click order, never the requester. */
function voters(votes: Votes): string[] {
  return [...new Set(votes.approvals.map((a) => a.user))].filter((u) => u !== votes.requester);
}

/**
 * Whether the approvals meet every requirement, counted against current role membership.
 * With `at` and `expiresAt`, a request past its expiry is `expired` whatever the votes.
 */
export function evaluate(authority: Authority, votes: Votes, clock?: { at: Date; expiresAt: Date }): Decision {
  const who = voters(votes);
  const counted = new Set<string>();
  const missing: Shortfall[] = [];
  for (const req of authority.requirements) {
    const holder = assign(req, who, votes.members);
    for (const h of holder) if (h) counted.add(h);
    missing.push(...shortfalls(req, holder));
  }
  const list = who.filter((u) => counted.has(u));
  if (clock && clock.at.getTime() >= clock.expiresAt.getTime()) return { status: 'expired', counted: list };
  return missing.length === 0 ? { status: 'approved', counted: list } : { status: 'pending', counted: list, missing };
}

/** `1 more from lead` / `1 more from lead and 1 more from cto`. */
export function describeMissing(missing: readonly Shortfall[]): string {
  return missing.map((m) => describeGroup({ ...m.group, count: m.count }).replace(/^(\d+) from/, '$1 more from')).join(' and ');
}

/** Undefined when the vote counts; otherwise why not. */
export type VoteCheck = Refusal | undefined;

/** Whether `user` may approve now: before expiry, never the requester, only role members, once each. */
export function checkVote(authority: Authority, user: string, votes: Votes, clock?: { at: Date; expiresAt: Date }): VoteCheck {
  const rule = authority.requirements.map(describeRequirement).join('; and ');
  if (clock && clock.at.getTime() >= clock.expiresAt.getTime()) {
    return refusal(
      'expired',
      `This request expired at ${clock.expiresAt.toISOString().slice(11, 16)} UTC: nothing can be approved.`,
      'Ask for a new rollback if it is still needed.',
    ).refusal;
  }
  if (user === votes.requester) {
    return refusal('not_allowed', 'You requested this rollback, so you cannot approve it.', `Ask someone else (${rule}).`).refusal;
  }
  const eligible = authority.requirements.some((r) => r.groups.some((g) => inGroup(user, g, votes.members)));
  if (!eligible) {
    const roles = [...new Set(authority.requirements.flatMap((r) => r.groups.flatMap((g) => g.from)))];
    return refusal('not_allowed', `Only ${roles.join(' or ')} may approve this rollback (${rule}).`).refusal;
  }
  if (votes.approvals.some((a) => a.user === user)) {
    return refusal('done', 'You have already approved this rollback; each person counts once.').refusal;
  }
  return undefined;
}

/** Whether `user` belongs to any role of the authority (may reject, cancel, post follow-ups). */
export function isApprover(authority: Authority, user: string, members: RoleMembers): boolean {
  return authority.requirements.some((r) => r.groups.some((g) => inGroup(user, g, members)));
}
