import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/** True the first time `key` is claimed within `ttlSec`: drops Slack retries and double submissions. */
export async function claimOnce(redis: Redis, prefix: string, key: string, ttlSec: number): Promise<boolean> {
  return (await redis.set(keys(prefix).once(key), '1', 'EX', ttlSec, 'NX')) === 'OK';
}
