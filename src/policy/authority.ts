import type { RollbackPolicy } from '../domain/rollback.js';

/**
 * Who must approve a rollback. A group asks for `count` different people from its roles; a
 * requirement is several groups at once (on-call AND lead: two people); an authority is every
 * requirement that applies (the service's own rule, plus the decision matrix's for the severity).
 */

/** `count` distinct people, each a member of at least one role in `from`. */
export interface RoleGroup {
  from: string[];
  count: number;
}

/** All groups at once, each slot filled by a different person. */
export interface Requirement {
  /** Where it comes from, for messages: `api production`, `P0 · Complete platform outage`. */
  label: string;
  groups: RoleGroup[];
  /** A decision-matrix row (`P0 · Data corruption detected`), not a target's own `approval`. */
  row?: true;
}

/** The decision matrix's advice for a severity. */
export type Advice = NonNullable<RollbackPolicy['severity']>['advice'];

/** The classification a rollback records (severity, scenario, override) plus who must approve. */
export interface Authority extends Omit<RollbackPolicy, 'checklist'> {
  /** All must be met. One person may count towards several requirements, but fills one slot in each. */
  requirements: Requirement[];
  /** The target rule a matrix row stands in for (`api production`), for the card. */
  replaced?: string;
}

/** Resolved members (Slack user ids) of each role. */
export type RoleMembers = Readonly<Record<string, ReadonlySet<string>>>;

/** Every role an authority names, to resolve members in one call. */
export function rolesOf(authority: Authority): string[] {
  return [...new Set(authority.requirements.flatMap((r) => r.groups.flatMap((g) => g.from)))];
}

export function describeGroup(group: RoleGroup): string {
  return `${group.count} from ${group.from.join(' or ')}`;
}

/** `1 from oncall and 1 from lead (different people)`. */
export function describeRequirement(req: Requirement): string {
  const parts = req.groups.map(describeGroup).join(' and ');
  const distinct = req.groups.length > 1 || req.groups.some((g) => g.count > 1) ? ' (different people)' : '';
  return `${parts}${distinct}`;
}

/** The rule in force, for the card: `1 from cto (P0 · Data corruption detected row, in place of the api production rule)`. */
export function describeAuthority(authority: Authority): string {
  return authority.requirements
    .map((r) => {
      const source = r.row ? `${r.label} row${authority.replaced ? `, in place of the ${authority.replaced} rule` : ''}` : `${r.label} rule`;
      return `${describeRequirement(r)} (${source})`;
    })
    .join('; and ');
}

/** Who may approve, per group, never the requester: for mentions in the war room. */
export function approversByGroup(authority: Authority, requester: string, members: RoleMembers): { group: RoleGroup; users: string[] }[] {
  const seen = new Set<string>();
  const out: { group: RoleGroup; users: string[] }[] = [];
  for (const req of authority.requirements) {
    for (const group of req.groups) {
      const key = `${group.count}:${group.from.join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ group, users: usersOf(group, members).filter((u) => u !== requester) });
    }
  }
  return out;
}

/** Everyone who could approve anything in this authority (never the requester). */
export function eligibleUsers(authority: Authority, requester: string, members: RoleMembers): string[] {
  return [...new Set(approversByGroup(authority, requester, members).flatMap((g) => g.users))];
}

export function usersOf(group: RoleGroup, members: RoleMembers): string[] {
  return [...new Set(group.from.flatMap((role) => [...(members[role] ?? [])]))];
}

export function inGroup(user: string, group: RoleGroup, members: RoleMembers): boolean {
  return group.from.some((role) => members[role]?.has(user));
}
