import type { TestProject } from 'vitest/node';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';

let redis: PrivateRedis | undefined;

/** Tests use REDIS_URL when set, else a private redis-server on a free port. */
export default async function setup(project: TestProject) {
  let url = process.env.REDIS_URL;
  if (!url) {
    redis = await startPrivateRedis();
    url = redis.url;
  }
  project.provide('redisUrl', url);
  return async () => {
    await redis?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
