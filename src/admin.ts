import type { CustomRoute } from '@slack/bolt';
import type { Queue } from 'bullmq';
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, sameSecret as same } from './bearer.js';

/** Where the queue dashboard lives, on PORT, in every role. */
export const ADMIN_PATH = '/admin/queues';
/**
 * The session cookie `?token=` sets; its value is derived from the token, never the token itself.
 * SameSite=Lax, not Strict: a link to the dashboard opened from another site (Slack in a browser)
 * must still carry it after the redirect. Lax never sends it with another site's PUT/POST/PATCH,
 * which are the only requests that change anything.
 */
const COOKIE = 'rewind_admin';
const COOKIE_MAX_AGE_SEC = 8 * 3600;
/** Only these reach Bull Board while it is read-only: every action it has is a PUT, POST or PATCH. */
const READ_METHODS = new Set(['GET', 'HEAD']);

export interface AdminOptions {
  /** REWIND_ADMIN_TOKEN: without it there is no dashboard (the path answers 404). */
  token: string;
  /** REWIND_ADMIN_WRITE: Bull Board's actions (retry, clean, promote, pause...) allowed. Default read-only. */
  write: boolean;
  queues: Queue[];
}

/** What the cookie holds: proves the browser was given the token once, without storing the token in it. */
const sessionOf = (token: string) => createHmac('sha256', token).update('rewind-admin-session-v1').digest('base64url');

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function refuse(res: ServerResponse, status: 401 | 405, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(`${text}\n`);
}

/**
 * `/admin/queues`: Bull Board over Rewind's BullMQ queues, behind REWIND_ADMIN_TOKEN, given either
 * as `Authorization: Bearer <token>` (scripts) or once as `?token=<token>` (a browser), which sets
 * an HttpOnly, SameSite=Lax session cookie for this path (8 h) and redirects to the same URL
 * without the token, so it leaves the address bar and history. Anything else gets a bare 401.
 * Read-only unless REWIND_ADMIN_WRITE=true: Bull Board's readOnlyMode, and every method but
 * GET/HEAD refused with 405 before it reaches Bull Board. Bull Board, Express and their UI are
 * loaded only when the dashboard is enabled.
 */
export async function adminRoute(opts: AdminOptions): Promise<CustomRoute> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const adapter = new ExpressAdapter();
  adapter.setBasePath(ADMIN_PATH);
  createBullBoard({
    queues: opts.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: !opts.write, allowRetries: opts.write })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Rewind queues' } },
  });
  // An Express app whose routes are relative to the board (its UI links use ADMIN_PATH, set above).
  const board = adapter.getRouter() as ((req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void) & {
    disable(setting: string): void;
  };
  board.disable('x-powered-by');
  const session = sessionOf(opts.token);

  return {
    path: `${ADMIN_PATH}{/*rest}`,
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    handler(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const header = bearerToken(req);
      const query = url.searchParams.get('token');
      const given = header ?? query;
      const authorized = given !== null && given !== undefined ? same(given, opts.token) : same(cookie(req, COOKIE) ?? '', session);
      if (!authorized) return refuse(res, 401, 'Unauthorized', { 'www-authenticate': 'Bearer realm="rewind-admin"' });
      const method = (req.method ?? 'GET').toUpperCase();
      if (query !== null && READ_METHODS.has(method)) {
        url.searchParams.delete('token');
        const secure = req.headers['x-forwarded-proto'] === 'https' || Boolean((req.socket as { encrypted?: boolean }).encrypted);
        res.writeHead(303, {
          location: `${url.pathname}${url.search}`,
          'set-cookie': `${COOKIE}=${session}; Path=${ADMIN_PATH}; Max-Age=${COOKIE_MAX_AGE_SEC}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
          'cache-control': 'no-store',
        });
        return void res.end();
      }
      if (!opts.write && !READ_METHODS.has(method))
        return refuse(res, 405, 'The queue dashboard is read-only (REWIND_ADMIN_WRITE is not true).', { allow: 'GET, HEAD' });
      req.url = `${url.pathname.slice(ADMIN_PATH.length) || '/'}${url.search}`;
      board(req, res, (error) => {
        if (res.headersSent) return void res.end();
        res.writeHead(error ? 500 : 404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(error ? 'Internal Server Error\n' : 'Not Found\n');
      });
    },
  };
}
