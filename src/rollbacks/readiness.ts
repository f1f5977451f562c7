import { targetOf } from '../config/catalog.js';
import { stackComponents, stackOf } from '../config/stacks.js';
import { unfreezeCommand } from '../domain/freeze.js';
import type { ReadinessCell, ReadinessReport, ReadinessRow } from '../domain/readiness.js';
import type { ReadinessCheck, ReadinessItem } from '../drivers/readiness.js';
import { targetApprovers } from '../policy/resolve.js';
import { Freezes } from '../store/freezes.js';
import { checkHttp } from '../verify/http.js';
import type { WorkerServices } from './context.js';

/** One driver call may not hold the reply up for longer than this. */
const DRIVER_TIMEOUT_MS = 20_000;
const DEFAULT_BACKUP_WINDOW_MS = 24 * 3600_000;

const notChecked = (detail: string, fix?: string): ReadinessCell => ({ detail, ...(fix ? { fix } : {}) });
const failed = (what: string, error: unknown): ReadinessCell => {
  const e = error as Error;
  return {
    ok: false,
    detail: `could not check ${what}: ${e.name}: ${e.message}`,
    fix: "Check Rewind's access to the platform (the driver's IAM or RBAC) and ask again.",
  };
};

async function driverCells(x: WorkerServices, at: { service: string; environment: string }, target: { driver: string }, signal: AbortSignal) {
  const driverKind = target.driver;
  const cells: Record<ReadinessCheck, ReadinessCell[]> = { previous: [], backup: [] };
  const readiness = x.drivers[driverKind]?.readiness;
  if (!readiness) {
    const why = notChecked(`the ${driverKind} driver has no readiness check`);
    return { previous: [why], backup: [notChecked(`not a database (${driverKind})`)] };
  }
  let items: ReadinessItem[];
  try {
    items = await readiness(target, {
      ...at,
      signal: AbortSignal.any([signal, AbortSignal.timeout(DRIVER_TIMEOUT_MS)]),
      log: x.log.child({ job: 'ready', driver: driverKind }),
      now: x.now(),
      backupWindowMs: x.catalog.readiness?.backupWindow ?? DEFAULT_BACKUP_WINDOW_MS,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    // The read failed before any item: say so once, and explain the backup column rather than leave it blank.
    return { previous: [failed('the live state', error)], backup: [notChecked(`the ${driverKind} driver could not read the live state`)] };
  }
  for (const item of items) cells[item.check].push({ ok: item.ok, detail: item.detail, ...(item.fix ? { fix: item.fix } : {}) });
  if (!cells.backup.length) cells.backup.push(notChecked(`not a database (${driverKind})`));
  if (!cells.previous.length) cells.previous.push(notChecked(`the ${driverKind} driver does not check it`));
  return cells;
}

async function approverCell(x: WorkerServices, service: string, environment: string): Promise<ReadinessCell> {
  try {
    const { rule, roles, users, needed } = await targetApprovers(x, service, environment);
    const where = roles.map((r) => `\`roles.${r}\``).join(' or ');
    if (!users.length)
      return {
        ok: false,
        detail: `nobody: ${rule} resolves to no one`,
        fix: `Add Slack user ids (or a user group with members) under ${where} in the catalog.`,
      };
    if (users.length <= needed)
      return {
        ok: false,
        detail: `only ${users.map((u) => `<@${u}>`).join(', ')} can approve (${rule}), and a requester never approves their own rollback`,
        fix: `Add at least ${needed + 1 - users.length} more person to ${where}, so a rollback one of them asks for can still be approved.`,
      };
    return { ok: true, detail: `${users.length} people can approve (${rule})` };
  } catch (error) {
    return failed('the approver roles', error);
  }
}

async function freezeCell(x: WorkerServices, service: string, environment: string): Promise<ReadinessCell> {
  const freeze = await new Freezes(x.redis, x.prefix).get(service, environment);
  if (!freeze) return { ok: true, detail: 'deploys are not held' };
  return {
    ok: false,
    detail: `deploys held since ${freeze.since.slice(0, 16).replace('T', ' ')} UTC by ${freeze.rollback} (<@${freeze.by}>): ${freeze.reason}`,
    fix: `Fix forward first; once the fix is out, an approver lifts it with \`${unfreezeCommand(service, environment)}\`.`,
  };
}

async function healthCell(target: { health?: Parameters<typeof checkHttp>[0] }, signal: AbortSignal): Promise<ReadinessCell> {
  if (!target.health)
    return notChecked('no `health` URL in the catalog', 'Add `health: { url: https://…/health }` to the target so rollbacks are verified too.');
  const res = await checkHttp({ ...target.health, attempts: 1 }, { signal });
  return res.ok ? { ok: true, detail: res.summary } : { ok: false, detail: res.summary, fix: 'Check the URL in the catalog and that Rewind can reach it.' };
}

async function row(x: WorkerServices, label: string, service: string, environment: string, signal: AbortSignal): Promise<ReadinessRow> {
  const target = targetOf(x.catalog, service, environment)!;
  const [driver, health, approvers, freeze] = await Promise.all([
    driverCells(x, { service, environment }, target, signal),
    healthCell(target, signal),
    approverCell(x, service, environment),
    freezeCell(x, service, environment),
  ]);
  return { label, cells: { previous: driver.previous, backup: driver.backup, health: [health], approvers: [approvers], freeze: [freeze] } };
}

/**
 * `/rollback ready <service|stack> <env>`: the DistroCV pre-deployment checklist against live
 * state, one row per target (each component of a stack): the previous version still there and
 * backups covering the window (each driver answers for itself, or "not checked"), the health URL
 * answering, enough distinct approvers, and no deploy freeze. Reads only.
 */
export async function checkReadiness(
  x: WorkerServices,
  q: { service: string; environment: string; stack?: boolean },
  signal: AbortSignal,
): Promise<ReadinessReport> {
  const stack = q.stack ? stackOf(x.catalog, q.service, q.environment) : undefined;
  const targets = stack
    ? stackComponents(x.catalog, stack, q.environment).map((c) => ({
        label: `${c.name} (${c.service} ${c.environment})`,
        service: c.service,
        environment: c.environment,
      }))
    : [{ label: `${q.service} ${q.environment}`, service: q.service, environment: q.environment }];
  const rows = await Promise.all(targets.map((t) => row(x, t.label, t.service, t.environment, signal)));
  if (stack) {
    // The stack's own approval rule (its strictest components plus any `approval` of its own).
    const approvers = await approverCell(x, q.service, q.environment);
    for (const r of rows) r.cells.approvers = [approvers];
  }
  return {
    name: q.service,
    environment: q.environment,
    stack: Boolean(stack),
    checkedAt: x.now(),
    backupWindowMs: x.catalog.readiness?.backupWindow ?? DEFAULT_BACKUP_WINDOW_MS,
    rows,
  };
}
