import type { Redis } from 'ioredis';
import type { Rollback, RollbackState } from '../domain/rollback.js';
import { canTransition, IllegalTransition } from '../domain/state-machine.js';
import type { TimelineEvent } from '../domain/timeline.js';
import { keys, type Keys } from './keys.js';

/**
 * Compare-and-set on the record's version: writes the new document, appends the timeline event
 * and the audit entry in one atomic step, or does nothing if someone else wrote first.
 */
const CAS_WRITE = `
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tostring(tonumber(ARGV[1]) + 1), 'doc', ARGV[2])
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[3])
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', '100000', '*', 'rollback', ARGV[4], 'event', ARGV[3])
end
return 1
`;

export type Mutation = (rb: Rollback) => { rollback: Rollback; event?: Omit<TimelineEvent, 'at'> } | undefined;

export class RollbackStore {
  private readonly k: Keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.k = keys(prefix);
  }

  /** `RB-42`: short, human, unique per Redis (and prefix). */
  async nextId(): Promise<string> {
    return `RB-${await this.redis.incr(this.k.seq)}`;
  }

  async create(rb: Rollback, message: string): Promise<void> {
    const event: TimelineEvent = { at: rb.createdAt, type: 'state', message, user: rb.requestedBy };
    const created = await this.redis
      .multi()
      .hsetnx(this.k.rollback(rb.id), 'doc', JSON.stringify(rb))
      .hsetnx(this.k.rollback(rb.id), 'v', '1')
      .rpush(this.k.timeline(rb.id), JSON.stringify(event))
      .zadd(this.k.recent, Date.parse(rb.createdAt), rb.id)
      .xadd(this.k.audit, 'MAXLEN', '~', '100000', '*', 'rollback', rb.id, 'event', JSON.stringify(event))
      .exec();
    if (!created || created[0]?.[1] !== 1) throw new Error(`Rollback ${rb.id} already exists`);
  }

  async get(id: string): Promise<Rollback | undefined> {
    const doc = await this.redis.hget(this.k.rollback(id), 'doc');
    return doc ? (JSON.parse(doc) as Rollback) : undefined;
  }

  /**
   * Applies `mutate` atomically: re-reads and retries when another writer got there first.
   * Returns the stored record and whether this call changed it.
   */
  async update(id: string, mutate: Mutation): Promise<{ rollback: Rollback; changed: boolean }> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const [doc, v] = await this.redis.hmget(this.k.rollback(id), 'doc', 'v');
      if (!doc || !v) throw new Error(`Rollback ${id} not found`);
      const current = JSON.parse(doc) as Rollback;
      const result = mutate(structuredClone(current));
      if (!result) return { rollback: current, changed: false };
      const at = this.now().toISOString();
      const next = { ...result.rollback, updatedAt: at };
      const event = result.event ? JSON.stringify({ at, ...result.event }) : '';
      const ok = await this.redis.eval(CAS_WRITE, 3, this.k.rollback(id), this.k.timeline(id), this.k.audit, v, JSON.stringify(next), event, id);
      if (ok === 1) return { rollback: next, changed: true };
    }
    throw new Error(`Rollback ${id} is being written too often to update; try again`);
  }

  /**
   * Moves the record to `to` if the lifecycle allows it from its current state (and, when given,
   * only from `from`). Returns changed=false when it was already elsewhere: callers treat that as "someone else did it".
   */
  async transition(
    id: string,
    to: RollbackState,
    opts: { from?: RollbackState[]; patch?: Partial<Rollback>; message?: string; user?: string } = {},
  ): Promise<{ rollback: Rollback; changed: boolean }> {
    return this.update(id, (rb) => {
      if (opts.from && !opts.from.includes(rb.state)) return undefined;
      if (!canTransition(rb.state, to)) {
        if (opts.from) throw new IllegalTransition(rb.state, to);
        return undefined;
      }
      return {
        rollback: { ...rb, ...opts.patch, state: to },
        event: { type: 'state', message: opts.message ?? `${rb.state} → ${to}`, user: opts.user },
      };
    });
  }

  async note(id: string, event: Omit<TimelineEvent, 'at'>): Promise<void> {
    const full = JSON.stringify({ at: this.now().toISOString(), ...event });
    await this.redis
      .multi()
      .rpush(this.k.timeline(id), full)
      .xadd(this.k.audit, 'MAXLEN', '~', '100000', '*', 'rollback', id, 'event', full)
      .exec();
  }

  async timeline(id: string): Promise<TimelineEvent[]> {
    return (await this.redis.lrange(this.k.timeline(id), 0, -1)).map((e) => JSON.parse(e) as TimelineEvent);
  }

  /** Newest first. */
  async recent(limit: number): Promise<Rollback[]> {
    const ids = await this.redis.zrevrange(this.k.recent, 0, limit - 1);
    const all = await Promise.all(ids.map((id) => this.get(id)));
    return all.filter((rb): rb is Rollback => rb !== undefined);
  }
}
