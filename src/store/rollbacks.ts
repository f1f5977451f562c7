import type { Redis } from 'ioredis';
import { isTerminal, lockTargets, type Rollback } from '../domain/rollback.js';
import { fire, type LifecycleEvent } from '../domain/state-machine.js';
import type { OutboxEntry, TimelineEvent } from '../domain/timeline.js';
import { keys, type Keys } from './keys.js';
import { FenceLost, type Fence } from './fence.js';

/**
 * What both scripts share: refuse a write whose fence (the run's execution lock) is gone, and
 * append the timeline event, its audit entry and the outbox entries ARGV[first..].
 */
const APPEND = `
local function fenced(key, value) return value ~= '' and redis.call('GET', key) ~= value end
local function append(timeline, audit, outbox, pending, id, nowMs, event, first)
  if event ~= '' then
    redis.call('RPUSH', timeline, event)
    redis.call('XADD', audit, 'MAXLEN', '~', '100000', '*', 'rollback', id, 'event', event)
  end
  if #ARGV >= first then
    for i = first, #ARGV do redis.call('RPUSH', outbox, ARGV[i]) end
    redis.call('ZADD', pending, 'NX', nowMs, id)
  end
end
`;

/**
 * Compare-and-set on the record's version: writes the new document, appends the timeline event,
 * the audit entry and the war-room outbox entries in one atomic step, or does nothing if someone
 * else wrote first (0), or if the writer's fence (its execution lock) is gone (-1).
 * A terminal state also frees the target locks this rollback holds: no lock outlives its rollback.
 * KEYS: record, timeline, audit, outbox, outbox pending, active set, fence key, target locks...
 * ARGV: version, doc, event, id, now ms, terminal flag, fence value, outbox entries...
 */
const CAS_WRITE = `${APPEND}
if fenced(KEYS[7], ARGV[7]) then return -1 end
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tostring(tonumber(ARGV[1]) + 1), 'doc', ARGV[2])
append(KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[4], ARGV[5], ARGV[3], 8)
if ARGV[6] == '1' then
  redis.call('SREM', KEYS[6], ARGV[4])
  for i = 8, #KEYS do
    local holder = redis.call('GET', KEYS[i])
    if holder == ARGV[4] or (holder and string.sub(holder, 1, #ARGV[4] + 1) == ARGV[4] .. '#') then redis.call('DEL', KEYS[i]) end
  end
end
return 1
`;

/** A timeline event and outbox entries without changing the record. KEYS: timeline, audit, outbox, pending, fence key. ARGV: id, event, now ms, fence value, entries... */
const NOTE = `${APPEND}
if fenced(KEYS[5], ARGV[4]) then return -1 end
append(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[3], ARGV[2], 5)
return 1
`;

export interface Change {
  rollback: Rollback;
  event?: Omit<TimelineEvent, 'at'>;
  /** What the war room should see because of this change, delivered by the outbox poster. */
  say?: OutboxEntry[];
}
export type Mutation = (rb: Rollback) => Change | undefined;

export interface WriteOptions {
  /** The execution lock this write depends on: refused (FenceLost) if another run holds the target now. */
  fence?: Fence;
}

export class RollbackStore {
  private readonly k: Keys;
  /** Told after a write added outbox entries (main.ts wakes the local outbox poster). */
  onSay: () => void = () => undefined;
  /**
   * Told after every write that changed a record, with the record before and after: once per
   * change across all processes, since only one compare-and-set wins (main.ts counts outcomes).
   */
  onChange: (before: Rollback, after: Rollback) => void = () => undefined;

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
      .sadd(this.k.active, rb.id)
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
  async update(id: string, mutate: Mutation, opts: WriteOptions = {}): Promise<{ rollback: Rollback; changed: boolean }> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const [doc, v] = await this.redis.hmget(this.k.rollback(id), 'doc', 'v');
      if (!doc || !v) throw new Error(`Rollback ${id} not found`);
      const current = JSON.parse(doc) as Rollback;
      const result = mutate(structuredClone(current));
      if (!result) return { rollback: current, changed: false };
      const at = this.now().toISOString();
      const next = { ...result.rollback, updatedAt: at };
      const event = result.event ? JSON.stringify({ at, ...result.event }) : '';
      const terminal = isTerminal(next.state) ? '1' : '';
      const say = (result.say ?? []).map((e) => JSON.stringify(e));
      const locks = lockTargets(next).map((t) => this.k.lock(t));
      const ok = await this.redis.eval(
        CAS_WRITE,
        7 + locks.length,
        this.k.rollback(id),
        this.k.timeline(id),
        this.k.audit,
        this.k.outbox(id),
        this.k.outboxPending,
        this.k.active,
        opts.fence?.key ?? this.k.rollback(id),
        ...locks,
        v,
        JSON.stringify(next),
        event,
        id,
        Date.parse(at),
        terminal,
        opts.fence?.value ?? '',
        ...say,
      );
      if (ok === -1) throw new FenceLost(id);
      if (ok === 1) {
        if (say.length) this.onSay();
        try {
          this.onChange(current, next);
        } catch {
          // An observer's bug must not turn a written change into a failed one.
        }
        return { rollback: next, changed: true };
      }
    }
    throw new Error(`Rollback ${id} is being written too often to update; try again`);
  }

  /**
   * Applies a lifecycle event if the record's state accepts it. Returns changed=false when it was
   * already elsewhere: callers treat that as "someone else did it" (a racing cancel, another run).
   */
  async transition(
    id: string,
    event: LifecycleEvent,
    opts: { patch?: Omit<Partial<Rollback>, 'state'>; message?: string; user?: string; say?: (rb: Rollback) => OutboxEntry[] } & WriteOptions = {},
  ): Promise<{ rollback: Rollback; changed: boolean }> {
    return this.update(
      id,
      (rb) => {
        const fired = fire(rb, event);
        if (!fired) return undefined;
        const next: Rollback = { ...fired, ...opts.patch };
        return {
          rollback: next,
          event: { type: 'state', message: opts.message ?? `${rb.state} → ${next.state}`, user: opts.user },
          say: opts.say?.(next),
        };
      },
      opts,
    );
  }

  /** A timeline event (audited) and/or war-room lines, without changing the record. */
  async note(id: string, event: Omit<TimelineEvent, 'at'> | undefined, opts: WriteOptions & { say?: OutboxEntry[] } = {}): Promise<void> {
    const at = this.now();
    const full = event ? JSON.stringify({ at: at.toISOString(), ...event }) : '';
    const say = (opts.say ?? []).map((e) => JSON.stringify(e));
    const ok = await this.redis.eval(
      NOTE,
      5,
      this.k.timeline(id),
      this.k.audit,
      this.k.outbox(id),
      this.k.outboxPending,
      opts.fence?.key ?? this.k.timeline(id),
      id,
      full,
      at.getTime(),
      opts.fence?.value ?? '',
      ...say,
    );
    if (ok === -1) throw new FenceLost(id);
    if (say.length) this.onSay();
  }

  /** Rollbacks not yet in a terminal state (the reconciler's work list). */
  async active(): Promise<string[]> {
    return this.redis.smembers(this.k.active);
  }

  /** Drops an id from the active set (its record is gone or terminal). */
  async retire(id: string): Promise<void> {
    await this.redis.srem(this.k.active, id);
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
