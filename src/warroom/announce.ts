import { maintenanceFlag } from '../config/flags.js';
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

/**
 * What a request does, in its own words: a flag flip (`FLAG OFF`) or a maintenance switch
 * (`MAINTENANCE ON`) is not a rollback, and the war room should not read it as one.
 */
interface Doing {
  /** `ROLLBACK`, `FLAG OFF`, `MAINTENANCE ON`. */
  title: string;
  /** What the announcements name: `api production`, `stack distrocv production`, `production` for maintenance. */
  what: string;
  /** The thread line when it starts: `Rolling back`, `Turning flag off:`. */
  starting: string;
}

function doingOf(s: Services, rb: Rollback): Doing {
  const where = `${rb.service} ${rb.environment}`;
  if (rb.stack) return { title: 'ROLLBACK', what: `stack ${where}`, starting: 'Rolling back' };
  if (rb.plan?.driver !== 'flag') return { title: 'ROLLBACK', what: where, starting: 'Rolling back' };
  const action = rb.options?.action ?? 'revert';
  if (maintenanceFlag(s.catalog, rb.environment) === rb.service && (action === 'on' || action === 'off'))
    return { title: `MAINTENANCE ${action.toUpperCase()}`, what: `${rb.environment} (${rb.service})`, starting: `Switching maintenance ${action}:` };
  const verb = action === 'on' || action === 'off' ? `Turning flag ${action}:` : action === 'set' ? 'Setting flag:' : 'Reverting flag:';
  return { title: `FLAG ${action.toUpperCase()}`, what: where, starting: verb };
}

/** The first line of both announcements: what is asked, on what, from which version (or value) to which. */
function headline(s: Services, rb: Rollback, title: (doing: string) => string, emoji: string): string {
  const doing = doingOf(s, rb);
  return `${emoji} *${title(doing.title)}* ${rb.id}: *${doing.what}* \`${rb.plan?.current}\` → \`${rb.plan?.target}\``;
}

/** The thread line when execution starts: `Rolling back *api production*`, `Turning flag off: *NewMatchingAlgorithm production*`. */
export function startedText(s: Services, rb: Rollback): string {
  const doing = doingOf(s, rb);
  return `:arrow_forward: ${doing.starting} *${doing.what}*: \`${rb.plan?.current}\` → \`${rb.plan?.target}\``;
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
  const lines = [headline(s, rb, (t) => `${t} REQUESTED`, ':raised_hand:'), ...context(rb), ...(rb.plan?.warnings ?? []).map((w) => `:warning: ${w}`)];
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

/**
 * When the approval rule is met: the Skillancer "ROLLBACK INITIATED" alert, broadcast to the
 * channel (`FLAG OFF`, `MAINTENANCE ON` for flags and the maintenance switch).
 */
export function initiatedText(s: Services, rb: Rollback, oncall: string | undefined): string {
  const approvers = [...new Set(rb.approvals.map((a) => a.user))].filter((u) => u !== rb.requestedBy);
  return [
    headline(s, rb, (t) => (t === 'ROLLBACK' ? 'ROLLBACK INITIATED' : t), ':rotating_light:'),
    ...context(rb),
    `Approved by ${mentions(approvers) || '_nobody_'}`,
    ...(oncall ? [oncall] : []),
    `RTO ${formatDuration(s.catalog.rto)}, counting since the request at ${rb.createdAt.slice(11, 16)} UTC (clock on the card)`,
  ].join('\n');
}
