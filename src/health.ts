import type { CustomRoute } from '@slack/bolt';
import type { Redis } from 'ioredis';

/** Longest /healthz waits for Redis: a probe must get an answer, not a timeout, when Redis is gone. */
const PING_TIMEOUT_MS = 800;

/** `GET /healthz`: 200 when Redis answers, 503 otherwise, always within a second. */
export function healthRoute(redis: Redis, role: string): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: async function healthz(_req, res) {
      // While reconnecting, ioredis would queue a ping rather than fail it: check the status first.
      const ok =
        redis.status === 'ready' &&
        (await Promise.race([
          redis.ping().then(
            (r) => r === 'PONG',
            () => false,
          ),
          new Promise<boolean>((r) => setTimeout(() => r(false), PING_TIMEOUT_MS).unref()),
        ]));
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok, redis: ok ? 'reachable' : 'unreachable', role }));
    },
  };
}
