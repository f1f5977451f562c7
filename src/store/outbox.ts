import type { Redis } from 'ioredis';
import type { OutboxEntry } from '../domain/timeline.js';
import { keys, type Keys } from './keys.js';

/** The entry being posted when a poster stopped: recovery asks Slack whether it landed. */
export interface Inflight {
  /** First and last outbox index of the post (several lines go as one message). */
  first: number;
  last: number;
  /** When the post was attempted (ms), to narrow the search. */
  at: number;
}

const DELIVERED = `
redis.call('HSET', KEYS[1], 'delivered', ARGV[1])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'stamp', ARGV[3]) end
redis.call('HDEL', KEYS[1], 'inflight')
if tonumber(ARGV[1]) >= redis.call('LLEN', KEYS[2]) then redis.call('ZREM', KEYS[3], ARGV[2]) end
return 1`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * The war-room outbox in Redis: per rollback an append-only list of entries and a delivery
 * cursor. Writers append through RollbackStore (atomically with the change they announce);
 * the outbox poster reads from here.
 */
export class Outbox {
  private readonly k: Keys;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.k = keys(prefix);
  }

  /** Called after this process wrote entries, so a local poster delivers them at once. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  appended(): void {
    for (const listener of this.listeners) listener();
  }

  /** Rollbacks with undelivered entries, oldest first. */
  pending(limit = 100): Promise<string[]> {
    return this.redis.zrange(this.k.outboxPending, 0, limit - 1);
  }

  /** What is left to post, and `stamp`: the time shown on the last thread post (the next never shows an earlier one). */
  async undelivered(id: string): Promise<{ from: number; entries: OutboxEntry[]; inflight?: Inflight; stamp: string }> {
    const state = await this.redis.hgetall(this.k.outboxState(id));
    const from = Number(state.delivered ?? 0);
    const raw = await this.redis.lrange(this.k.outbox(id), from, -1);
    return {
      from,
      entries: raw.map((e) => JSON.parse(e) as OutboxEntry),
      ...(state.inflight ? { inflight: JSON.parse(state.inflight) as Inflight } : {}),
      stamp: state.stamp ?? '',
    };
  }

  /** Whether an entry at or after `index` must go out at once (an announcement, an outcome, a card). */
  async urgentFrom(id: string, index: number): Promise<boolean> {
    const raw = await this.redis.lrange(this.k.outbox(id), index, -1);
    return raw.some((e) => {
      const entry = JSON.parse(e) as OutboxEntry;
      return entry.kind === 'card' || (entry.kind === 'line' && entry.broadcast === true);
    });
  }

  async markInflight(id: string, inflight: Inflight): Promise<void> {
    await this.redis.hset(this.k.outboxState(id), 'inflight', JSON.stringify(inflight));
  }

  /** Everything before index `next` is in Slack, the last of it stamped `stamp`. */
  async delivered(id: string, next: number, stamp = ''): Promise<void> {
    await this.redis.eval(DELIVERED, 3, this.k.outboxState(id), this.k.outbox(id), this.k.outboxPending, next, id, stamp);
  }

  /** The rollback is gone: nothing of it can be delivered. */
  async drop(id: string): Promise<void> {
    await this.redis.zrem(this.k.outboxPending, id);
  }

  /** One poster drains a rollback at a time, so its lines keep their order. */
  async claimDrain(id: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.k.outboxDrain(id), owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async renewDrain(id: string, owner: string, ttlMs: number): Promise<void> {
    await this.redis.eval(RENEW, 1, this.k.outboxDrain(id), owner, ttlMs);
  }

  async releaseDrain(id: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.k.outboxDrain(id), owner);
  }

  /** Asks for a message (`card:<id>`, `followup:<id>`) to be re-rendered from its record. */
  async markDirty(member: string): Promise<void> {
    await this.redis.sadd(this.k.outboxDirty, member);
    this.appended();
  }

  dirty(): Promise<string[]> {
    return this.redis.smembers(this.k.outboxDirty);
  }

  /** True for the one poster that takes this re-render. */
  async takeDirty(member: string): Promise<boolean> {
    return (await this.redis.srem(this.k.outboxDirty, member)) === 1;
  }
}
