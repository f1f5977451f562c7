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
 * The Skillancer "ROLLBACK INITIATED" alert: what changes, why, how it was classified, the
 * on-call, and who must approve, mentioned by name per role group.
 */
export async function announcement(s: Services, rb: Rollback): Promise<string> {
  const resolved = await authorityOf(s, rb).catch((error: unknown) => {
    s.log.warn({ err: error, rollback: rb.id }, 'could not resolve approver roles for the announcement');
    return undefined;
  });
  const members: RoleMembers = resolved?.members ?? {};
  const lines = [
    `:rotating_light: *ROLLBACK INITIATED* ${rb.id}: *${rb.service} ${rb.environment}* \`${rb.plan?.current}\` → \`${rb.plan?.target}\``,
    `Requested by <@${rb.requestedBy}>: ${rb.reason || '_no reason given_'}`,
  ];
  const { severity, scenario, override } = rb.policy ?? {};
  if (severity) {
    const rec = [scenario?.rollbackType, scenario?.estimateMs !== undefined ? `~${formatDuration(scenario.estimateMs)}` : undefined].filter(Boolean).join(', ');
    lines.push(`Severity *${severity.id} ${severity.label}*${scenario ? ` · ${scenario.title}` : ''} · matrix: ${adviceText(severity.advice).toLowerCase()}${rec ? ` · recommended: ${rec}` : ''}`);
  }
  if (override) lines.push(`:warning: *Override* of the fix-forward advice by <@${rb.requestedBy}>: ${override}`);
  if (s.catalog.roles[ONCALL_ROLE]) {
    const oncall = (await s.roles.members([ONCALL_ROLE]).catch(() => members))[ONCALL_ROLE];
    if (oncall?.size) lines.push(`On-call: ${mentions([...oncall])}`);
  }
  if (resolved) {
    const needed = resolved.authority.requirements.map(
      (r) => `${r.label}: ${r.groups.map((g) => `${describeGroup(g)} (${mentions(usersOf(g, members).filter((u) => u !== rb.requestedBy)) || '_nobody eligible: fix `roles`_'})`).join(' and ')}`,
    );
    lines.push(`Approval needed, never from the requester: ${needed.join('; and ')}`);
    if (resolved.problem) lines.push(`:warning: ${resolved.problem}`);
  }
  lines.push(`RTO ${formatDuration(s.catalog.rto)} (clock on the card) · the request expires at ${expiresAt(s, rb).toISOString().slice(11, 16)} UTC if not approved`);
  return lines.join('\n');
}
