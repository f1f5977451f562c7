import { randomBytes } from 'node:crypto';
import { refusal, type Refusal } from '../domain/refusal.js';
import { isTerminal, stateName, targetKey, type Rollback, type RollbackPolicy } from '../domain/rollback.js';
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

/** How to ask again when the matrix wants an override reason. */
function overrideHint(req: RollbackRequest): string {
  const sev = req.classification?.scenario ?? req.classification?.severity;
  return `To roll back anyway: \`/rollback ${req.service} ${req.environment}${req.version ? ` to ${req.version}` : ''} sev ${sev} override <why a rollback is still right>\``;
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
  const policy: RollbackPolicy = { ...(severity ? { severity } : {}), ...(scenario ? { scenario } : {}), ...(override ? { override } : {}), ...(req.checklist?.length ? { checklist: req.checklist } : {}) };

  const target = targetKey(req.service, req.environment);
  const id = await s.store.nextId();
  const lock = await s.locks.acquire(target, id, pendingLockTtl(s.catalog));
  if (!lock.ok) {
    const holder = await s.store.get(lock.holder);
    if (holder && !isTerminal(holder.state)) return busy(s, target, lock.holder);
    // A finished rollback's lock was not released (crash after finishing): take it over.
    await s.locks.release(target, lock.holder);
    const retry = await s.locks.acquire(target, id, pendingLockTtl(s.catalog));
    if (!retry.ok) return busy(s, target, retry.holder);
  }
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
    approvals: [],
    ...(Object.keys(policy).length ? { policy } : {}),
    createdAt: at,
    updatedAt: at,
  };
  const classifiedAs = severity ? ` [${severity.id} ${severity.label}${scenario ? `, ${scenario.title}` : ''}]` : '';
  await s.store.create(rollback, `Requested by <@${req.user}>${req.version ? ` (to ${req.version})` : ''}${classifiedAs}: ${req.reason || 'no reason given'}`);
  if (override) {
    const advice = severity ? `${severity.id} advises ${adviceText(severity.advice).toLowerCase()}` : 'no matrix advice';
    await s.store.note(id, { type: 'note', user: req.user, message: `Override by <@${req.user}> (${advice}): ${override}` });
  }
  if (policy.checklist) await s.store.note(id, { type: 'note', user: req.user, message: `Pre-rollback checklist confirmed by <@${req.user}>: ${policy.checklist.join('; ')}` });
  failpoint('request-stored');
  return { rollback };
}
