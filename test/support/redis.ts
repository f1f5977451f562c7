import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { deleteKeysUnder } from './private-redis.js';

export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A key prefix no other test uses, so tests never see each other's (or anyone's) data. */
export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** Deletes every key under a prefix; call in afterEach/afterAll. */
export function dropPrefix(prefix: string, url = testRedisUrl()): Promise<void> {
  return deleteKeysUnder(url, prefix);
}
