import { frozenTargets, unfreezeCommand, type Freeze } from '../domain/freeze.js';
import type { Rollback } from '../domain/rollback.js';
import { holdsApprovalRole } from '../policy/resolve.js';
import { Freezes } from '../store/freezes.js';
import { line, refreshCard } from '../warroom/card.js';
import type { Services } from './context.js';

/** "Fix forward first": a succeeded rollback holds deploys to what it changed. Repeatable; only the first call writes. */
export async function freezeAfterSuccess(s: Services, rb: Rollback): Promise<void> {
  const since = rb.finishedAt ?? s.now().toISOString();
  const list: Freeze[] = frozenTargets(rb).map((t) => ({
    service: t.service,
    environment: t.environment,
    rollback: rb.id,
    by: rb.requestedBy,
    reason: rb.reason,
    since,
  }));
  if (await new Freezes(s.redis, s.prefix).freezeOnce(rb.id, list, s.now())) {
    s.log.info({ rollback: rb.id, targets: list.map((f) => `${f.service}/${f.environment}`) }, 'deploys frozen after the rollback');
  }
}

/** The war-room line that says deploys are now held, written with the success itself (so it is said exactly once). */
export function freezeAnnouncement(rb: Rollback): string | undefined {
  const targets = frozenTargets(rb);
  if (!targets.length) return undefined;
  const names = targets.map((t) => `*${t.service} ${t.environment}*`).join(', ');
  const lift =
    targets.length === 1 ? `\`${unfreezeCommand(targets[0]!.service, targets[0]!.environment)}\`` : '`/rollback unfreeze <service> <environment> <reason>`';
  return `:ice_cube: *Deploys held* to ${names}: fix forward first. CI pipelines checking the freeze API refuse to deploy until an approver lifts it with ${lift}.`;
}

export type UnfreezeResult = { lifted: Freeze } | { refused: string } | { none: string };

/**
 * `/rollback unfreeze <service> <env> <reason>`: only someone holding one of the target's approval
 * roles may lift its freeze, and the war room always hears who did and why (on the freezing
 * rollback's thread and timeline, broadcast to the channel).
 */
export async function unfreeze(s: Services, q: { service: string; environment: string; user: string; reason: string }): Promise<UnfreezeResult> {
  const freezes = new Freezes(s.redis, s.prefix);
  const current = await freezes.get(q.service, q.environment);
  if (!current) return { none: `${q.service} ${q.environment} is not frozen: deploys to it are not held.` };
  const role = await holdsApprovalRole(s, q.user, q.service, q.environment);
  if (!role.ok)
    return {
      refused: `Only someone who may approve rollbacks of ${q.service} ${q.environment} (${role.rule}) may lift its freeze. Ask one of them in <#${s.catalog.warRoom}>.`,
    };
  const at = s.now().toISOString();
  const lifted = await freezes.lift(q.service, q.environment, { by: q.user, reason: q.reason, at });
  if (!lifted) return { none: `${q.service} ${q.environment} is no longer frozen: someone lifted it a moment ago.` };
  await s.store.note(
    lifted.rollback,
    { type: 'note', message: `Deploy freeze on ${q.service} ${q.environment} lifted: ${q.reason}`, user: q.user },
    { say: [line(s, `:unlock: <@${q.user}> lifted the deploy freeze on *${q.service} ${q.environment}* (set by ${lifted.rollback}): ${q.reason}`, true)] },
  );
  await refreshCard(s, lifted.rollback);
  s.log.info({ rollback: lifted.rollback, target: `${q.service}/${q.environment}`, user: q.user }, 'deploy freeze lifted');
  return { lifted };
}
