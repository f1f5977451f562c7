/**
 * Who is in the sandbox's Slack workspace. The ids match sandbox/catalog.yaml's roles, so the
 * page's "who am I" switch exercises the real approval policy (no self-approval, roles, outsiders).
 */

export interface Person {
  id: string;
  name: string;
  /** Shown in the page's switch: why this person can or cannot approve. */
  part: string;
}

export const WAR_ROOM = { id: 'C0WARROOM', name: 'war-room' };
/** Where the catalog's follow-ups go besides the war room: `userChannel` and `supportChannel`. */
export const USER_CHANNEL = { id: 'C0CUSTOMERS', name: 'customer-updates' };
export const SUPPORT_CHANNEL = { id: 'C0SUPPORT', name: 'support' };
export const ONCALL_GROUP = 'S0ONCALL';

export const PEOPLE = {
  requester: { id: 'U0DANA', name: 'dana', part: 'developer, asks for the rollback' },
  oncall: { id: 'U0SAM', name: 'sam', part: 'on-call (member of @oncall)' },
  lead: { id: 'U0LEE', name: 'lee', part: 'DevOps lead (also billing lead and security here)' },
  cto: { id: 'U0ALEX', name: 'alex', part: 'CTO' },
  outsider: { id: 'U0ROBIN', name: 'robin', part: 'marketing, not an approver' },
} satisfies Record<string, Person>;

export type Who = keyof typeof PEOPLE;

export const BOT = { id: 'U0REWINDBOT', name: 'Rewind' };

export function personById(id: string): Person | undefined {
  return Object.values(PEOPLE).find((p) => p.id === id);
}
