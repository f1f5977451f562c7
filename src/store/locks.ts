import type { Redis } from 'ioredis';
import { keys, type Keys } from './keys.js';

/** The value a running execution holds its target with: the rollback id and its BullMQ job token. */
export function runOwner(id: string, token: string): string {
  return `${id}#${token}`;
}

/** The rollback id inside a lock value (`RB-7` or `RB-7#<token>`). */
function rollbackOf(value: string): string {
  return value.split('#')[0]!;
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE_EXACT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Frees the lock if `ARGV[1]` (a rollback id) holds it, whether waiting for approval or running. */
const RELEASE = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or (v and string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. '#') then return redis.call('DEL', KEYS[1]) end
return 0`;
/**
 * An execution takes over its rollback's pending lock, or renews its own; another run of the same
 * rollback (a retry racing a run that lost its BullMQ lock) is refused until that run's lease lapses.
 */
const CLAIM_RUN = `
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] or v == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return ''
end
return v`;

export type LockResult = { ok: true } | { ok: false; holder: string };

/**
 * One rollback per target. While waiting for approval the lock holds the rollback id; while
 * executing, `id#token`, which fences every write of that run (see RollbackStore's `fence`).
 */
export class TargetLocks {
  private readonly k: Keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.k = keys(prefix);
  }

  key(target: string): string {
    return this.k.lock(target);
  }

  /** Takes the lock for rollback `owner` at request time. */
  async acquire(target: string, owner: string, ttlMs: number): Promise<LockResult> {
    const key = this.k.lock(target);
    if ((await this.redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK') return { ok: true };
    const holder = await this.redis.get(key);
    // The holder may have released between our two calls; one more try settles it.
    if (holder === null) return this.acquire(target, owner, ttlMs);
    return { ok: false, holder: rollbackOf(holder) };
  }

  /** An execution run of rollback `id` with job `token` claims the target; `holder` is the full value otherwise. */
  async claimRun(target: string, id: string, token: string, ttlMs: number): Promise<LockResult> {
    const holder = (await this.redis.eval(CLAIM_RUN, 1, this.k.lock(target), id, runOwner(id, token), ttlMs)) as string;
    return holder === '' ? { ok: true } : { ok: false, holder };
  }

  async renew(target: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.k.lock(target), value, ttlMs)) === 1;
  }

  /** Frees the target if this exact run (`id#token`) still holds it. */
  async releaseRun(target: string, value: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE_EXACT, 1, this.k.lock(target), value)) === 1;
  }

  /** Frees the target if rollback `id` holds it (by any of its runs). */
  async release(target: string, id: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE, 1, this.k.lock(target), id)) === 1;
  }

  /** The rollback holding the target, or null. */
  async holder(target: string): Promise<string | null> {
    const value = await this.redis.get(this.k.lock(target));
    return value === null ? null : rollbackOf(value);
  }
}
