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

/*
 * Every script works on all of a rollback's targets at once (one for a plain rollback, the stack
 * and each component for a stack): they are taken, renewed and freed together, or not at all.
 */
const RENEW = `
for i = 1, #KEYS do if redis.call('GET', KEYS[i]) ~= ARGV[1] then return 0 end end
for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
return 1`;
const RELEASE_EXACT = `
local n = 0
for i = 1, #KEYS do if redis.call('GET', KEYS[i]) == ARGV[1] then n = n + redis.call('DEL', KEYS[i]) end end
return n`;
/** Frees each lock `ARGV[1]` (a rollback id) holds, whether waiting for approval or running. */
const RELEASE = `
local n = 0
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v == ARGV[1] or (v and string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. '#') then n = n + redis.call('DEL', KEYS[i]) end
end
return n`;
/** Request time: every target free (or already ours), then all taken; else the first holder and its key. */
const ACQUIRE = `
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v and v ~= ARGV[1] then return {KEYS[i], v} end
end
for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2]) end
return {}`;
/**
 * An execution takes over its rollback's pending locks, or renews its own; another run of the same
 * rollback (a retry racing a run that lost its BullMQ lock) is refused until that run's lease lapses.
 */
const CLAIM_RUN = `
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if not (v == false or v == ARGV[1] or v == ARGV[2]) then return v end
end
for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[2], 'PX', ARGV[3]) end
return ''`;

export type LockResult = { ok: true } | { ok: false; holder: string };
type Targets = readonly [string, ...string[]];

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

  /** Takes every target for rollback `owner` at request time, or none: `holder` is the first other rollback found. */
  async acquire(targets: Targets, owner: string, ttlMs: number): Promise<LockResult & { target?: string }> {
    const [key, holder] = (await this.redis.eval(ACQUIRE, targets.length, ...this.keysOf(targets), owner, ttlMs)) as [string?, string?];
    if (key === undefined || holder === undefined) return { ok: true };
    return { ok: false, holder: rollbackOf(holder), target: key.slice(this.k.lock('').length) };
  }

  /** An execution run of rollback `id` with job `token` claims its targets; `holder` is the full value otherwise. */
  async claimRun(targets: Targets, id: string, token: string, ttlMs: number): Promise<LockResult> {
    const holder = (await this.redis.eval(CLAIM_RUN, targets.length, ...this.keysOf(targets), id, runOwner(id, token), ttlMs)) as string;
    return holder === '' ? { ok: true } : { ok: false, holder };
  }

  /** Extends the run's hold on every target; false once any of them is no longer held by `value`. */
  async renew(targets: Targets, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, targets.length, ...this.keysOf(targets), value, ttlMs)) === 1;
  }

  /** Frees the targets this exact run (`id#token`) still holds. */
  async releaseRun(targets: Targets, value: string): Promise<void> {
    await this.redis.eval(RELEASE_EXACT, targets.length, ...this.keysOf(targets), value);
  }

  /** Frees the targets rollback `id` holds (by any of its runs). */
  async release(targets: Targets, id: string): Promise<void> {
    await this.redis.eval(RELEASE, targets.length, ...this.keysOf(targets), id);
  }

  private keysOf(targets: Targets): string[] {
    return targets.map((t) => this.k.lock(t));
  }

  /** The rollback holding the target, or null. */
  async holder(target: string): Promise<string | null> {
    const value = await this.redis.get(this.k.lock(target));
    return value === null ? null : rollbackOf(value);
  }
}
