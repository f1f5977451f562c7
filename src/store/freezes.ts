import type { Redis } from 'ioredis';
import type { Freeze, FreezeLift } from '../domain/freeze.js';
import { targetKey } from '../domain/rollback.js';
import { keys, type Keys } from './keys.js';

/** How long a rollback remembers that it froze its targets (a reconciler pass after that could freeze them again). */
const APPLIED_TTL_SEC = 90 * 24 * 3600;

/**
 * Once per rollback: claims its marker, then writes each freeze and indexes it. A repeat (a retried
 * job, the reconciler) finds the marker and changes nothing, so a lifted freeze stays lifted.
 * KEYS: marker, index, freeze keys... ARGV: ttl, now ms, then target and JSON pairs.
 */
const FREEZE = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 3, #KEYS do
  redis.call('SET', KEYS[i], ARGV[(i - 3) * 2 + 4])
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[(i - 3) * 2 + 3])
end
return 1
`;

/**
 * Removes a freeze if it is still the one read (same document) and records who lifted it on its
 * rollback; only one caller gets 1. KEYS: freeze, index, the rollback's lifted hash. ARGV: document read, target, lift JSON.
 */
const LIFT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
return 1
`;

/** Deploy freezes in Redis (persistent, like every record): read by the freeze API, the card, the App Home and readiness. */
export class Freezes {
  private readonly k: Keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.k = keys(prefix);
  }

  /** Freezes `list` for rollback `id` unless that rollback did so before; true when this call wrote them. */
  async freezeOnce(id: string, list: Freeze[], now: Date): Promise<boolean> {
    if (!list.length) return false;
    const targets = list.map((f) => targetKey(f.service, f.environment));
    const ok = await this.redis.eval(
      FREEZE,
      2 + list.length,
      this.k.freezeApplied(id),
      this.k.freezeIndex,
      ...targets.map((t) => this.k.freeze(t)),
      APPLIED_TTL_SEC,
      now.getTime(),
      ...list.flatMap((f, i) => [targets[i]!, JSON.stringify(f)]),
    );
    return ok === 1;
  }

  async get(service: string, environment: string): Promise<Freeze | undefined> {
    const doc = await this.redis.get(this.k.freeze(targetKey(service, environment)));
    return doc ? (JSON.parse(doc) as Freeze) : undefined;
  }

  /** Every freeze in place, oldest first. */
  async list(limit = 200): Promise<Freeze[]> {
    const targets = await this.redis.zrange(this.k.freezeIndex, 0, limit - 1);
    if (!targets.length) return [];
    const docs = await this.redis.mget(targets.map((t) => this.k.freeze(t)));
    return docs.filter((d): d is string => d !== null).map((d) => JSON.parse(d) as Freeze);
  }

  /** Lifts the freeze of a target; undefined when there was none (or another caller lifted it first). */
  async lift(service: string, environment: string, lift: FreezeLift): Promise<Freeze | undefined> {
    const target = targetKey(service, environment);
    for (;;) {
      const doc = await this.redis.get(this.k.freeze(target));
      if (!doc) return undefined;
      const freeze = JSON.parse(doc) as Freeze;
      const ok = await this.redis.eval(
        LIFT,
        3,
        this.k.freeze(target),
        this.k.freezeIndex,
        this.k.freezeLifted(freeze.rollback),
        doc,
        target,
        JSON.stringify(lift),
      );
      // 0: a newer rollback re-froze it (or someone lifted it) between the read and the write: look again.
      if (ok === 1) return freeze;
    }
  }

  /** The freezes of rollback `id` that were lifted, by target. */
  async liftedOf(id: string): Promise<Record<string, FreezeLift>> {
    const all = await this.redis.hgetall(this.k.freezeLifted(id));
    return Object.fromEntries(Object.entries(all).map(([t, doc]) => [t, JSON.parse(doc) as FreezeLift]));
  }
}
