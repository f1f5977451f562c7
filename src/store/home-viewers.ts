import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/** How long an App Home opening keeps a user's view republished as rollbacks move. */
export const HOME_VIEWER_TTL_MS = 24 * 60 * 60_000;

/**
 * Who opened the App Home recently: one sorted set under the store's prefix, each member scored by
 * when it lapses; the key itself expires once nobody has opened the home for the TTL.
 */
export class HomeViewers {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly ttlMs = HOME_VIEWER_TTL_MS,
  ) {
    this.key = keys(prefix).homeViewers;
  }

  /** Remembers that `user` opened the home at `now`. */
  async seen(user: string, now: Date): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.key, now.getTime() + this.ttlMs, user)
      .zremrangebyscore(this.key, '-inf', now.getTime())
      .pexpire(this.key, this.ttlMs)
      .exec();
  }

  /** Users whose opening has not lapsed at `now` (at most `limit`, the most recent first). */
  async recent(now: Date, limit = 200): Promise<string[]> {
    await this.redis.zremrangebyscore(this.key, '-inf', now.getTime());
    return this.redis.zrevrangebyscore(this.key, '+inf', now.getTime() + 1, 'LIMIT', 0, limit);
  }
}
