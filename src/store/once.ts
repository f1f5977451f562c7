import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/** True the first time `key` is claimed within `ttlSec`: drops Slack retries and double submissions. */
export async function claimOnce(redis: Redis, prefix: string, key: string, ttlSec: number): Promise<boolean> {
  return (await redis.set(keys(prefix).once(key), '1', 'EX', ttlSec, 'NX')) === 'OK';
}

/** Gives a claim back: what it guarded did not happen, so a retry may claim it again. */
export async function releaseOnce(redis: Redis, prefix: string, key: string): Promise<void> {
  await redis.del(keys(prefix).once(key));
}
