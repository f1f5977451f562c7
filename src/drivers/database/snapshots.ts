import type { SnapshotInfo } from './rds.js';
import { utc } from './plan-data.js';

/** The reply to `/rollback <service> <env> snapshots`: newest first, each with the command that restores it. Pure. */
export function snapshotListText(service: string, environment: string, instance: string, snapshots: SnapshotInfo[]): string {
  const available = snapshots.filter((s) => s.status === 'available');
  if (available.length === 0) {
    return `No available snapshots of ${instance}. Point-in-time restore may still work: \`/rollback ${service} ${environment} at -15m\`.`;
  }
  return [
    `*Snapshots of ${instance}* (newest first):`,
    ...available.map((s) => `• \`${s.id}\`: ${s.type}, taken ${utc(s.createdAt)} → \`/rollback ${service} ${environment} snapshot ${s.id}\``),
  ].join('\n');
}
