import { randomBytes } from 'node:crypto';
import { refusal, type Refusal } from '../domain/refusal.js';
import { isTerminal, lockTargets, stateName, targetKey, type Component, type Rollback, type RollbackPolicy } from '../domain/rollback.js';
import { stackComponents, stackOf } from '../config/stacks.js';
import { failpoint } from '../failpoint.js';
import { adviceText, type Classification } from '../policy/matrix.js';
import { classify } from '../policy/resolve.js';
import { pendingLockTtl, type Services } from './context.js';

export interface RollbackRequest {
  service: string;
  environment: string;
  version?: string;
  options?: Record<string, string>;
  reason: string;
  user: string;
  origin: { channel: string; responseUrl?: string };
  /** Severity / scenario / override reason (slash command `sev`, or the modal). */
  classification?: Classification;
  /** Pre-rollback checklist items confirmed in the modal. */
  checklist?: string[];
  /** `service` names a catalog stack (`/rollback stack <name> <env>`): roll back all its components. */
  stack?: boolean;
  /** Only these components of the stack (a retry); their `after` within the subset still holds. */
  components?: string[];
  /** A retry: the rollback it re-runs and the approvals that carry over (still checked against the rule). */
  retry?: { of: string; approvals: Rollback['approvals'] };
}

/** Another rollback holds the target: say which, and where to follow it. */
async function busy(s: Services, target: string, holderId: string): Promise<{ refusal: Refusal }> {
  const h = await s.store.get(holderId);
  if (!h) return refusal('busy', `${target.replace('/', ' ')} is locked by ${holderId}.`, `\`/rollback status ${holderId}\` shows it.`);
  return refusal(
    'busy',
    `${h.service} ${h.environment} is already being rolled back by ${h.id} (${stateName(h.state).toLowerCase()}, requested by <@${h.requestedBy}>).`,
    `Follow it in <#${h.card?.channel ?? s.catalog.warRoom}> or \`/rollback status ${h.id}\`; cancel it there first if you need a different plan.`,
  );
}

/**
 * Takes every target of the request, all or none. A lock left by a finished (or vanished)
 * rollback, after a crash between its end and its release, is taken over.
 */
async function lockAll(s: Services, targets: [string, ...string[]], id: string): Promise<{ refusal: Refusal } | undefined> {
  for (let attempt = 0; attempt <= targets.length; attempt++) {
    const lock = await s.locks.acquire(targets, id, pendingLockTtl(s.catalog));
    if (lock.ok) return undefined;
    const where = lock.target ?? targets[0];
    const holder = await s.store.get(lock.holder);
    if (holder && !isTerminal(holder.state)) return busy(s, where, lock.holder);
    await s.locks.release([where], lock.holder);
  }
  return refusal('busy', 'Other rollbacks keep taking these targets.', 'Try again in a moment.');
}

/** A subset of a stack's components; an `after` on a component outside it has already succeeded. */
function onlyThese(components: Component[], names: string[] | undefined): Component[] {
  if (!names) return components;
  return components.filter((c) => names.includes(c.name)).map((c) => ({ ...c, after: c.after.filter((d) => names.includes(d)) }));
}

/** How to ask again when the matrix wants an override reason. */
function overrideHint(req: RollbackRequest): string {
  const sev = req.classification?.scenario ?? req.classification?.severity;
  const reason = req.reason ? ` ${req.reason}` : ' <reason>';
  return `To roll back anyway: \`/rollback ${req.service} ${req.environment}${req.version ? ` to ${req.version}` : ''} sev ${sev}${reason} override <why a rollback is still right>\``;
}

/**
 * Classifies the request against the decision matrix, creates the record and takes the target's
 * lock; refuses if the matrix forbids it as asked or another rollback holds the target.
 */
export async function requestRollback(s: Services, req: RollbackRequest): Promise<{ rollback: Rollback } | { refusal: Refusal }> {
  const classified = classify(s.catalog, req.service, req.environment, req.classification ?? {});
  if ('refusal' in classified) {
    return classified.refusal.code === 'needs_override' ? refusal('needs_override', classified.refusal.message, overrideHint(req)) : classified;
  }
  const { severity, scenario, override } = classified.authority;
  const policy: RollbackPolicy = {
    ...(severity ? { severity } : {}),
    ...(scenario ? { scenario } : {}),
    ...(override ? { override } : {}),
    ...(req.checklist?.length ? { checklist: req.checklist } : {}),
  };

  const stackConfig = req.stack ? stackOf(s.catalog, req.service, req.environment) : undefined;
  if (req.stack && !stackConfig)
    return refusal(
      'not_configured',
      `The catalog has no stack ${req.service} for ${req.environment}.`,
      'It may have changed since the command was typed: `/rollback help` lists the stacks.',
    );
  const stack = stackConfig && { name: req.service, components: onlyThese(stackComponents(s.catalog, stackConfig, req.environment), req.components) };
  const target = targetKey(req.service, req.environment);
  const id = await s.store.nextId();
  const locked = await lockAll(s, lockTargets({ target, stack }), id);
  if (locked) return locked;
  const at = s.now().toISOString();
  const rollback: Rollback = {
    id,
    nonce: randomBytes(6).toString('hex'),
    target,
    service: req.service,
    environment: req.environment,
    state: 'requested',
    requestedBy: req.user,
    reason: req.reason,
    ...(req.version ? { requestedVersion: req.version } : {}),
    ...(req.options ? { options: req.options } : {}),
    origin: req.origin,
    approvals: req.retry?.approvals ?? [],
    ...(req.retry ? { retryOf: req.retry.of } : {}),
    ...(Object.keys(policy).length ? { policy } : {}),
    ...(stack ? { stack } : {}),
    createdAt: at,
    updatedAt: at,
  };
  const classifiedAs = severity ? ` [${severity.id} ${severity.label}${scenario ? `, ${scenario.title}` : ''}]` : '';
  await s.store.create(rollback, `Requested by <@${req.user}>${req.version ? ` (to ${req.version})` : ''}${classifiedAs}: ${req.reason || 'no reason given'}`);
  if (override) {
    const advice = severity ? `${severity.id} advises ${adviceText(severity.advice).toLowerCase()}` : 'no matrix advice';
    await s.store.note(id, { type: 'note', user: req.user, message: `Override by <@${req.user}> (${advice}): ${override}` });
  }
  if (policy.checklist)
    await s.store.note(id, { type: 'note', user: req.user, message: `Pre-rollback checklist confirmed by <@${req.user}>: ${policy.checklist.join('; ')}` });
  failpoint('request-stored');
  return { rollback };
}
