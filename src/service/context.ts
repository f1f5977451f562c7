import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Catalog } from '../config/catalog.js';
import type { Poster } from '../slack/poster.js';
import type { RoleDirectory } from '../slack/roles.js';
import type { StepJournal } from '../store/journal.js';
import type { TargetLocks } from '../store/locks.js';
import type { Outbox } from '../store/outbox.js';
import type { RollbackStore } from '../store/rollbacks.js';

/** What the web and worker roles share: built once in main.ts and passed down. */
export interface Services {
  catalog: Catalog;
  redis: Redis;
  prefix: string;
  store: RollbackStore;
  locks: TargetLocks;
  journal: StepJournal;
  outbox: Outbox;
  roles: RoleDirectory;
  poster: Poster;
  log: Logger;
  now: () => Date;
}

/** How long the target lock lasts while a rollback waits for approval (the expiry job frees it sooner). */
export function pendingLockTtl(catalog: Catalog): number {
  return catalog.approvalTimeout + 5 * 60_000;
}
