import { spawnSync } from 'node:child_process';
import { deleteKeysUnder, startPrivateRedis } from '../test/support/private-redis.js';

export interface SandboxRedis {
  url: string;
  /** For the start-up banner: where the data lives. */
  description: string;
  /** Deletes the sandbox's keys (a shared Redis) or stops the private server. */
  release(prefix: string): Promise<void>;
}

export class SandboxError extends Error {}

/** The Redis at REDIS_URL (or `url`), else a private redis-server on a free loopback port. */
export async function sandboxRedis(url = process.env.REDIS_URL): Promise<SandboxRedis> {
  if (url) {
    return {
      url,
      description: `${url.replace(/\/\/[^@/]*@/, '//')} (from REDIS_URL; the sandbox's keys are deleted on exit)`,
      release: (prefix) => deleteKeysUnder(url, prefix),
    };
  }
  if (spawnSync('redis-server', ['--version']).error) {
    throw new SandboxError(
      [
        'The sandbox needs Redis and found none.',
        'Either install redis-server so the sandbox can start a private one (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis),',
        'or point REDIS_URL at a Redis you may write to, e.g. REDIS_URL=redis://127.0.0.1:6379 npm run sandbox',
      ].join('\n'),
    );
  }
  const redis = await startPrivateRedis();
  return { url: redis.url, description: `private redis-server at ${redis.url} (stopped on exit)`, release: () => redis.stop() };
}
