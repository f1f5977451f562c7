import { formatDuration } from '../domain/duration.js';
import type { Rollback } from '../domain/rollback.js';
import { usersOf, describeGroup, type RoleMembers } from '../policy/authority.js';
import { adviceText } from '../policy/matrix.js';
import { authorityOf, expiresAt } from '../policy/resolve.js';
import type { Services } from '../rollbacks/context.js';

/** The role whose members are paged in every announcement, whether or not they must approve. */
const ONCALL_ROLE = 'oncall';

function mentions(users: string[]): string {
  return users.map((u) => `<@${u}>`).join(' ');
}

/** The first line of both announcements: what is asked, on what, from which version to which. */
function headline(rb: Rollback, title: string, emoji: string): string {
  const what = rb.stack ? `stack ${rb.service} ${rb.environment}` : `${rb.service} ${rb.environment}`;
  return `${emoji} *${title}* ${rb.id}: *${what}* \`${rb.plan?.current}\` → \`${rb.plan?.target}\``;
}

/** Who asked and why, and how the request was classified against the decision matrix. */
function context(rb: Rollback): string[] {
  const lines = [`Requested by <@${rb.requestedBy}>: ${rb.reason || '_no reason given_'}`];
  const { severity, scenario, override } = rb.policy ?? {};
  if (severity) {
    const rec = [scenario?.rollbackType, scenario?.estimateMs !== undefined ? `~${formatDuration(scenario.estimateMs)}` : undefined].filter(Boolean).join(', ');
    lines.push(
      `Severity *${severity.id} ${severity.label}*${scenario ? ` · ${scenario.title}` : ''} · matrix: ${adviceText(severity.advice).toLowerCase()}${rec ? ` · recommended: ${rec}` : ''}`,
    );
  }
  if (override) lines.push(`:warning: *Override* of the fix-forward advice by <@${rb.requestedBy}>: ${override}`);
  return lines;
}

/** The on-call, paged in both announcements whether or not they must approve. */
export async function oncallLine(s: Services, fallback: RoleMembers = {}): Promise<string | undefined> {
  if (!s.catalog.roles[ONCALL_ROLE]) return undefined;
  const oncall = (await s.roles.members([ONCALL_ROLE]).catch(() => fallback))[ONCALL_ROLE];
  return oncall?.size ? `On-call: ${mentions([...oncall])}` : undefined;
}

/**
 * At plan time, in the card's thread: what is asked, and who must approve it, mentioned by name
 * per role group. Nothing has started yet, so it is a request, not the initiation (the
 * Skillancer checklist gets approval first).
 */
export async function approvalRequest(s: Services, rb: Rollback): Promise<string> {
  const resolved = await authorityOf(s, rb).catch((error: unknown) => {
    s.log.warn({ err: error, rollback: rb.id }, 'could not resolve approver roles for the approval request');
    return undefined;
  });
  const members: RoleMembers = resolved?.members ?? {};
  const lines = [headline(rb, 'ROLLBACK REQUESTED', ':raised_hand:'), ...context(rb), ...(rb.plan?.warnings ?? []).map((w) => `:warning: ${w}`)];
  const oncall = await oncallLine(s, members);
  if (oncall) lines.push(oncall);
  if (resolved) {
    const needed = resolved.authority.requirements.map(
      (r) =>
        `${r.label}: ${r.groups.map((g) => `${describeGroup(g)} (${mentions(usersOf(g, members).filter((u) => u !== rb.requestedBy)) || '_nobody eligible: fix `roles`_'})`).join(' and ')}`,
    );
    lines.push(`Approval needed, never from the requester: ${needed.join('; and ')}`);
    if (resolved.problem) lines.push(`:warning: ${resolved.problem}`);
  }
  lines.push(
    `RTO ${formatDuration(s.catalog.rto)} (clock on the card) · the request expires at ${expiresAt(s, rb).toISOString().slice(11, 16)} UTC if not approved`,
  );
  return lines.join('\n');
}

/** When the approval rule is met: the Skillancer "ROLLBACK INITIATED" alert, broadcast to the channel. */
export function initiatedText(rb: Rollback, oncall: string | undefined, rtoMs: number): string {
  const approvers = [...new Set(rb.approvals.map((a) => a.user))].filter((u) => u !== rb.requestedBy);
  return [
    headline(rb, 'ROLLBACK INITIATED', ':rotating_light:'),
    ...context(rb),
    `Approved by ${mentions(approvers) || '_nobody_'}`,
    ...(oncall ? [oncall] : []),
    `RTO ${formatDuration(rtoMs)}, counting since the request at ${rb.createdAt.slice(11, 16)} UTC (clock on the card)`,
  ].join('\n');
}
