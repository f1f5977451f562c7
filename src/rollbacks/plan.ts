import type { Logger } from 'pino';
import { targetOf } from '../config/catalog.js';
import { clause } from '../domain/refusal.js';
import { lockTargets, type Plan, type Rollback } from '../domain/rollback.js';
import type { OutboxEntry } from '../domain/timeline.js';
import { sourcesOf } from '../domain/state-machine.js';
import { AccessRefused, AlreadyThere, isOwnAccessDenied, PlanRefused, StepFailed } from '../drivers/errors.js';
import { verifySteps } from '../verify/steps.js';
import { approvalRequest } from '../warroom/announce.js';
import { line } from '../warroom/card.js';
import { tellRequester } from '../warroom/reply.js';
import { approveCarried } from './approve.js';
import type { WorkerServices } from './context.js';
import { dataWarning } from './data-warning.js';
import { scopeOf } from './scope.js';

/** Reads live state through the driver, fixes the plan, posts the card and the announcement. Safe to repeat. */
export async function planRollback(x: WorkerServices, id: string, signal: AbortSignal): Promise<void> {
  let rb = await x.store.get(id);
  if (!rb || !sourcesOf('refuse').includes(rb.state)) return;
  const { log } = scopeOf(x, id, { bindings: { job: 'plan' } });

  if (rb.state === 'requested' && rb.stack) {
    const planned = await planStack(x, rb, signal);
    if ('refused' in planned) return refuse(x, rb, planned.refused);
    warnAboutData(
      x,
      rb,
      planned.plan,
      planned.stack.components.flatMap((c) => (c.plan ? [c.plan] : [])),
    );
    rb = (await x.store.transition(id, 'plan', { patch: planned, message: `Planned: ${planned.plan.current} → ${planned.plan.target}` })).rollback;
  }

  if (rb.state === 'requested') {
    const planned = await planTarget(x, { ...rb, version: rb.requestedVersion }, id, signal, log);
    if ('refused' in planned) return refuse(x, rb, planned.refused);
    const { plan } = planned;
    warnAboutData(x, rb, plan, [plan]);
    rb = (await x.store.transition(id, 'plan', { patch: { plan }, message: `Planned: ${plan.current} → ${plan.target}` })).rollback;
  }

  if (rb.state === 'planned') {
    // The card and the announcement go to the outbox in the same write as the state: posted once, even after a crash.
    const text = await approvalRequest(x, rb);
    const moved = await x.store.transition(id, 'propose', { message: 'Waiting for approval', say: () => [{ kind: 'card' }, line(x, text)] });
    if (moved.changed) rb = moved.rollback;
  }
  // A retry whose carried approvals still meet the rule runs without asking again.
  if (rb.state === 'awaiting_approval' && rb.retryOf && (await approveCarried(x, id))) {
    await x.jobs.execute(id);
    return;
  }
  if (rb.state === 'awaiting_approval') {
    await x.jobs.expireAfter(id, Date.parse(rb.createdAt) + x.catalog.approvalTimeout - x.now().getTime());
    // Once per rollback: a repeated plan job (crash, reconciler) does not tell the requester twice.
    if (await x.journal.claim(id, 'planned-reply')) {
      await tellRequester(x, rb, `${id} is planned and waiting for approval in <#${x.catalog.warRoom}>: \`${rb.plan?.current}\` → \`${rb.plan?.target}\`.`);
    }
  }
}

/** An application rollback under a data row warns on the card (and in the approval request) that the data may stay wrong. */
function warnAboutData(x: WorkerServices, rb: Rollback, plan: Plan, parts: Plan[]): void {
  const warning = dataWarning(x.catalog, rb, parts);
  if (warning) plan.warnings = [warning, ...(plan.warnings ?? [])];
}

/** Rewind's own identity was refused while planning a target: what it may not do, and the fix. */
interface AccessProblem {
  target: string;
  problem: string;
  fix: string;
}

interface Refused {
  name: string;
  message: string;
  /** Set when the cause is Rewind's own access, not the request: the war room hears it too. */
  access?: AccessProblem[];
}

type Planned = { plan: Plan } | { refused: Refused; alreadyThere?: true };

/**
 * One catalog target's plan from its driver, with the target's post-rollback checks appended; a
 * refusal says why in words the requester can act on. Shared by plain rollbacks and stack components.
 */
async function planTarget(
  x: WorkerServices,
  what: { service: string; environment: string; version?: string; options?: Record<string, string> },
  id: string,
  signal: AbortSignal,
  log: Logger,
): Promise<Planned> {
  const target = targetOf(x.catalog, what.service, what.environment);
  const driver = target && x.drivers[target.driver];
  if (!target || !driver)
    return {
      refused: { name: 'NotConfigured', message: `${what.service} ${what.environment} is not in the catalog (or its driver is not available in this worker).` },
    };
  try {
    const plan = await driver.plan(
      { rollbackId: id, service: what.service, environment: what.environment, target, version: what.version, options: what.options },
      { signal, log },
    );
    plan.steps.push(...verifySteps({ service: what.service, environment: what.environment, target }, x.catalog));
    return { plan };
  } catch (error) {
    if (signal.aborted) throw error; // shutting down: the worker hands the job back
    if (error instanceof AlreadyThere) return { refused: { name: error.name, message: error.message }, alreadyThere: true };
    const where = `${what.service} ${what.environment}`;
    if (error instanceof AccessRefused) {
      return { refused: { name: error.name, message: error.message, access: [{ target: where, problem: error.problem, fix: error.fix }] } };
    }
    if (error instanceof PlanRefused) {
      const choices = error.choices.length ? `\nValid choices: ${error.choices.map((c) => `\`${c}\``).join(', ')}` : '';
      return { refused: { name: 'PlanRefused', message: `${error.message}${choices}` } };
    }
    const e = error as Error;
    log.warn({ err: e, service: what.service }, 'planning failed');
    const hint =
      error instanceof StepFailed ? error.hint : "check that Rewind's credentials can reach this platform (docs/drivers/ lists the IAM/RBAC each driver needs)";
    return {
      refused: {
        name: e.name || 'Error',
        message: `Could not read the live state of ${where}: ${e.name}: ${e.message}\nWhat you can do: ${clause(hint)}, then ask again.`,
        ...(isOwnAccessDenied(error) ? { access: [{ target: where, problem: `${e.name}: ${clause(e.message)}`, fix: `${clause(hint)}.` }] } : {}),
      },
    };
  }
}

/**
 * Every component planned by its own driver, at once; one refusal refuses the stack (nothing is
 * locked for long or half-approved). The stack's plan summarises; each component keeps its own.
 */
async function planStack(
  x: WorkerServices,
  rb: Rollback,
  signal: AbortSignal,
): Promise<{ plan: Plan; stack: NonNullable<Rollback['stack']>; componentStates?: Rollback['componentStates'] } | { refused: Refused }> {
  const stack = rb.stack!;
  const { log } = scopeOf(x, rb.id, { bindings: { job: 'plan' } });
  const planned = await Promise.all(stack.components.map((c) => planTarget(x, c, rb.id, signal, log.child({ component: c.name }))));
  const refusals = planned.flatMap((p, i) =>
    'refused' in p && !p.alreadyThere ? [`*${stack.components[i]!.name}* (${stack.components[i]!.service}): ${p.refused.message}`] : [],
  );
  const access = planned.flatMap((p, i) =>
    'refused' in p ? (p.refused.access ?? []).map((a) => ({ ...a, target: `${stack.components[i]!.name} (${a.target})` })) : [],
  );
  if (refusals.length) {
    return {
      refused: {
        name: 'PlanRefused',
        message: `Stack ${stack.name} cannot be planned as a whole:\n${refusals.join('\n')}`,
        ...(access.length ? { access } : {}),
      },
    };
  }
  if (planned.every((p) => 'refused' in p))
    return { refused: { name: 'AlreadyThere', message: `Every component of stack ${stack.name} is already where it would take it: nothing to change.` } };
  // A component already where the stack would take it (a flag switched off by hand first) runs nothing and counts as done.
  const at = x.now().toISOString();
  const components = stack.components.map((c, i) => {
    const p = planned[i]!;
    return { ...c, plan: 'plan' in p ? p.plan : unchangedPlan(p.refused.message) };
  });
  const unchanged = Object.fromEntries(components.flatMap((c, i) => ('refused' in planned[i]! ? [[c.name, { state: 'unchanged' as const, at }]] : [])));
  return {
    stack: { ...stack, components },
    ...(Object.keys(unchanged).length ? { componentStates: unchanged } : {}),
    plan: {
      driver: 'stack',
      current: components.map((c) => `${c.name} ${c.plan.current}`).join(', '),
      target: components.map((c) => `${c.name} ${c.plan.target}`).join(', '),
      changes: components.map(
        (c) =>
          `*${c.name}* (${c.service}, ${c.plan.driver}): \`${c.plan.current}\` → \`${c.plan.target}\`${c.after.length ? ` · after ${c.after.join(', ')}` : ''}`,
      ),
      steps: [],
      fingerprint: components.map((c) => `${c.name}=${c.plan.fingerprint}`).join(';'),
      data: {},
      warnings: components.flatMap((c) => (c.plan.warnings ?? []).map((w) => `${c.name}: ${w}`)),
    },
  };
}

/** `Rewind could not plan web production for @ana: <problem>. Fix: <fix>`: one top-level line in the war room. */
function misconfigured(x: WorkerServices, rb: Rollback, access: AccessProblem[]): OutboxEntry {
  const what = rb.stack ? `stack ${rb.service} ${rb.environment}` : `${rb.service} ${rb.environment}`;
  const causes = access.map((a) => `${rb.stack ? `${a.target}: ` : ''}${a.problem}. Fix: ${a.fix}`);
  return {
    kind: 'channel',
    text: `:no_entry: Rewind could not plan ${what} for <@${rb.requestedBy}> (${rb.id}): ${causes.join('\n')}`,
    at: x.now().toISOString(),
  };
}

/** A stack component that needs nothing: the driver's own words for where it already is. */
function unchangedPlan(why: string): Plan {
  return { driver: 'none', current: 'already there', target: 'already there', changes: [why], steps: [], fingerprint: '', data: {} };
}

/**
 * The request cannot be planned: record why, free the target, tell the requester. Its own card is
 * posted only once it is planned (`propose`), so nothing was announced for it; but a retry's
 * request is followed in the thread of the failed rollback it re-runs, which hears it too. When
 * Rewind's own access is the cause, the war room hears that Rewind is misconfigured, once (the
 * line is written with the refusal).
 */
async function refuse(x: WorkerServices, rb: Rollback, refused: Refused): Promise<void> {
  const { name, message, access } = refused;
  const res = await x.store.transition(rb.id, 'refuse', {
    patch: { error: { name, message }, finishedAt: x.now().toISOString() },
    message: `Not planned: ${message}`,
    say: () => (access?.length ? [misconfigured(x, rb, access)] : []),
  });
  await x.locks.release(lockTargets(rb), rb.id);
  if (!res.changed) return;
  if (rb.retryOf) await x.store.note(rb.retryOf, undefined, { say: [line(x, `:warning: ${rb.id} (retry of ${rb.retryOf}) was not started. ${message}`)] });
  await tellRequester(x, res.rollback, `:warning: ${rb.id} was not started. ${message}`);
}
