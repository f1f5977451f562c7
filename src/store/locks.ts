import type { Redis } from 'ioredis';
import { keys, type Keys } from './keys.js';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** One rollback per target: the lock's value is the owning rollback id, so it is re-entrant for that rollback. */
export class TargetLocks {
  private readonly k: Keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.k = keys(prefix);
  }

  /** Takes the lock for `owner`, or extends it if `owner` already holds it. */
  async acquire(target: string, owner: string, ttlMs: number): Promise<{ ok: true } | { ok: false; holder: string }> {
    const key = this.k.lock(target);
    if ((await this.redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK') return { ok: true };
    if ((await this.redis.eval(RENEW, 1, key, owner, ttlMs)) === 1) return { ok: true };
    const holder = await this.redis.get(key);
    // The holder may have released between our two calls; one more try settles it.
    if (holder === null) return this.acquire(target, owner, ttlMs);
    return { ok: false, holder };
  }

  async renew(target: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.k.lock(target), owner, ttlMs)) === 1;
  }

  async release(target: string, owner: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE, 1, this.k.lock(target), owner)) === 1;
  }

  async holder(target: string): Promise<string | null> {
    return this.redis.get(this.k.lock(target));
  }
}
