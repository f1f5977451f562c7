import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseMultipart, readArgs, readRaw, sendJson } from './http.js';
import { BotSender } from './interactions.js';
import { acceptResponse } from './response-url.js';
import { maskToken } from './signing.js';
import { SocketHub } from './socket-mode.js';
import { callMethod, decodeJsonFields } from './web-api.js';
import { SlackApiError, Workspace, type ResolvedOptions } from './workspace.js';
import type { FakeSlack, FakeSlackOptions, InjectedFailure, RecordedCall } from './types.js';

/**
 * An in-memory Slack workspace on 127.0.0.1: the Web API under /api/, file upload URLs under /upload/,
 * response_urls under /response/, Socket Mode WebSockets under /link/, and a client that sends slash
 * commands, clicks and submissions to the bot (signed over HTTP, or in Socket Mode envelopes). Tests and
 * the sandbox page drive the same object.
 */
export async function startFakeSlack(opts: FakeSlackOptions): Promise<FakeSlack> {
  const cfg: ResolvedOptions = {
    signingSecret: opts.signingSecret,
    botToken: opts.botToken ?? 'xoxb-test-token',
    appToken: opts.appToken ?? 'xapp-test-token',
    botUserId: opts.botUserId ?? 'U0REWINDBOT',
    botId: opts.botId ?? 'B0REWINDBOT',
    teamId: opts.teamId ?? 'T0REWIND',
    teamDomain: opts.teamDomain ?? 'rewind-test',
    appId: opts.appId ?? 'A0REWIND',
    usergroups: opts.usergroups ?? {},
    users: opts.users ?? {},
    channels: opts.channels ?? {},
    triggerTtlMs: opts.triggerTtlMs ?? 3000,
  };
  const failures = new Map<string, InjectedFailure[]>();
  /** Every Web API call answers this status until then (a Slack outage). */
  const outage = { until: 0, status: 500 };
  // Requests only arrive once listen() has resolved, by which time `workspace` below exists.
  const server = createServer((req, res) => {
    route(workspace, failures, outage, sockets, req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'fake_internal_error', detail: String(error) });
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => sockets.upgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const workspace = new Workspace(cfg, origin);
  const sender = new BotSender(workspace);
  const sockets = new SocketHub(workspace, sender);

  return {
    url: `${origin}/api/`,
    origin,
    calls: workspace.calls,
    callsTo: (method) => workspace.calls.filter((c) => c.method === method),
    messages: (channel) => workspace.list(channel),
    thread: (channel, ts) => workspace.thread(channel, ts),
    responses: workspace.responses,
    views: (user) => workspace.modals(user),
    homeView: (user) => workspace.home(user),
    waitFor: (predicate, o) => waitFor(workspace, predicate, o),
    outage(ms, status = 500) {
      outage.until = Date.now() + ms;
      outage.status = status;
    },
    failNext(method, error, times = 1) {
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(error);
      failures.set(method, queue);
    },
    on: (_event, listener) => void workspace.emitter.on('change', listener),
    off: (_event, listener) => void workspace.emitter.off('change', listener),
    slashCommand: (url, p, o) => sender.slashCommand(url, p, o),
    clickButton: (url, p, o) => sender.clickButton(url, p, o),
    submitView: (url, p, o) => sender.submitView(url, p, o),
    viewAction: (url, p, o) => sender.viewAction(url, p, o),
    appHomeOpened: (url, p, o) => sender.appHomeOpened(url, p, o),
    socketSlashCommand: (p, o) => sockets.slashCommand(p, o),
    socketClickButton: (p, o) => sockets.clickButton(p, o),
    socketAppHomeOpened: (p, o) => sockets.appHomeOpened(p, o),
    socketConnections: () => sockets.connections(),
    reset() {
      failures.clear();
      outage.until = 0;
      workspace.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        workspace.emitter.removeAllListeners();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Outage {
  until: number;
  status: number;
}

async function route(
  ws: Workspace,
  failures: Map<string, InjectedFailure[]>,
  outage: Outage,
  sockets: SocketHub,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', ws.origin);
  const [, kind, id] = url.pathname.split('/');
  if (kind === 'api' && id) return webApi(ws, failures, outage, sockets, id, url, req, res);
  if (kind === 'upload' && id && req.method === 'POST') return upload(ws, id, req, res);
  if (kind === 'response' && id && req.method === 'POST') return response(ws, id, url, req, res);
  if (kind === 'files' && id && req.method === 'GET') return download(ws, id, res);
  sendJson(res, 404, {
    ok: false,
    error: 'not_found',
    detail: `The Slack fake serves /api/<method>, /upload/<id>, /response/<id>, WebSockets at /link/; not ${url.pathname}.`,
  });
}

async function webApi(
  ws: Workspace,
  failures: Map<string, InjectedFailure[]>,
  outage: Outage,
  sockets: SocketHub,
  method: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let raw: Record<string, unknown>;
  try {
    raw = await readArgs(req, url.searchParams);
  } catch {
    raw = {};
  }
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : typeof raw.token === 'string' ? raw.token : undefined;
  delete raw.token;
  let args = raw;
  let decodeError: SlackApiError | undefined;
  try {
    args = decodeJsonFields(raw);
  } catch (error) {
    decodeError = error as SlackApiError;
  }
  const call: RecordedCall = { method, args, at: Date.now(), ...(token ? { token: maskToken(token) } : {}) };
  ws.calls.push(call);

  const failure = Date.now() < outage.until ? { status: outage.status } : failures.get(method)?.shift();
  if (failure) {
    const status = failure.status ?? 200;
    call.error = failure.error ?? (status === 429 ? 'ratelimited' : 'internal_error');
    const retryAfter = failure.retryAfterSec ?? (status === 429 ? 1 : undefined);
    ws.changed();
    return sendJson(res, status, { ok: false, error: call.error }, retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) });
  }
  try {
    if (!token) throw new SlackApiError('not_authed');
    let result: Record<string, unknown>;
    if (method === 'apps.connections.open') {
      result = sockets.open(header?.startsWith('Bearer ') ? token : undefined);
    } else {
      if (token !== ws.cfg.botToken) throw new SlackApiError('invalid_auth');
      if (decodeError) throw decodeError;
      result = callMethod(ws, method, args);
    }
    ws.changed();
    sendJson(res, 200, { ok: true, ...result });
  } catch (error) {
    if (!(error instanceof SlackApiError)) throw error;
    call.error = error.code;
    ws.changed();
    sendJson(res, 200, { ok: false, error: error.code, ...error.extra });
  }
}

/** The upload URL files.getUploadURLExternal hands out; takes a raw body or a multipart form with one file. */
async function upload(ws: Workspace, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pending = ws.uploads.get(id);
  const raw = await readRaw(req);
  if (!pending) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return void res.end(`No upload URL ${id}: call files.getUploadURLExternal first.`);
  }
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const parts = Object.values(await parseMultipart(raw, type));
    const file = parts.find((p) => Buffer.isBuffer(p)) ?? parts[0];
    pending.content = Buffer.isBuffer(file) ? file : Buffer.from(String(file ?? ''), 'utf8');
  } else {
    pending.content = raw;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`OK - ${pending.content.length}`);
}

async function response(ws: Workspace, id: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = (await readRaw(req)).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
  }
  if (typeof body !== 'object' || body === null) return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
  const answer = acceptResponse(ws, id, `${ws.origin}${url.pathname}`, body as Record<string, unknown>);
  sendJson(res, answer.status, answer.body);
}

function download(ws: Workspace, id: string, res: ServerResponse): void {
  const content = ws.uploads.get(id)?.content;
  if (!content) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(content);
}

async function waitFor<T>(ws: Workspace, predicate: () => T | undefined | false | null, opts: { timeoutMs?: number; what?: string } = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) {
      const calls = ws.calls.slice(-10).map((c) => (c.error ? `${c.method} (${c.error})` : c.method));
      throw new Error(
        `Slack fake: timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'the condition'}. ` +
          `Last Web API calls: ${calls.join(', ') || 'none'}; ${ws.list().length} message(s) stored.`,
      );
    }
    await sleep(20);
  }
}
