import type { CustomRoute } from '@slack/bolt';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

/**
 * `GET /metrics`: this process's registry in the Prometheus text format. `Server-Timing` says how
 * long the scrape itself took (collecting, queue counts from Redis, rendering), apart from any wait
 * for the event loop (bench/metrics-scrape.ts reads it).
 */
export function metricsRoute(metrics: Metrics, log: Logger): CustomRoute {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: async function scrape(_req, res) {
      try {
        const began = performance.now();
        const { contentType, body } = await metrics.scrape();
        res.writeHead(200, {
          'content-type': contentType,
          'cache-control': 'no-store',
          'server-timing': `scrape;dur=${(performance.now() - began).toFixed(1)}`,
        });
        res.end(body);
      } catch (error) {
        log.warn({ err: error }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('metrics unavailable\n');
      }
    },
  };
}

/** Optional rest of a path, as Bolt's route patterns (path-to-regexp) write it: `/admin/queues{/*rest}`. */
const REST = '{/*rest}';

/** Whether `pattern` (an exact path, or a prefix ending in `{/*rest}`) matches `path`, as Bolt would match it for these two forms. */
export function routeMatches(pattern: string, path: string): boolean {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (!pattern.endsWith(REST)) return trimmed === pattern;
  const base = pattern.slice(0, -REST.length);
  return trimmed === base || trimmed.startsWith(`${base}/`);
}

function dispatch(routes: CustomRoute[], log: Logger) {
  return function serve(req: IncomingMessage, res: ServerResponse): void {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const route = routes.find(
      (r) => routeMatches(r.path, pathname) && (Array.isArray(r.method) ? r.method : [r.method]).some((m) => m.toUpperCase() === method),
    );
    if (!route) {
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('Not Found\n');
    }
    Promise.resolve(route.handler(Object.assign(req, { params: {} }), res)).catch((error: unknown) => {
      log.warn({ err: error, path: pathname }, 'HTTP route failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}

/**
 * The worker role's HTTP server (it has no Bolt receiver): the same routes the web role adds to
 * Bolt (`/healthz`, `/metrics`, the queue dashboard), on PORT. A port already taken is a start-up
 * error that names PORT, not a silent worker without health or metrics.
 */
export async function serveRoutes(
  routes: CustomRoute[],
  port: number,
  host: string | undefined,
  log: Logger,
): Promise<{ server: Server; address: AddressInfo; close(): Promise<void> }> {
  const server = createServer(dispatch(routes, log));
  // Probes and scrapes are short: do not let an idle keep-alive connection hold shutdown up.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`PORT ${port} is in use: give this worker a free PORT (it serves /healthz and /metrics there)`, { cause: error })
          : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  server.on('error', (error) => log.warn({ err: error }, 'HTTP server error'));
  return {
    server,
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
