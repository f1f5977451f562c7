import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FakeSlack } from '../test/fakes/slack.js';
import type { StatusPageReceiver } from '../test/fakes/status-page.js';
import { alertmanagerWebhook, type AlertTarget } from './alerts.js';
import type { Estate } from './estate/index.js';
import { BOT, PEOPLE, personById, SUPPORT_CHANNEL, USER_CHANNEL, WAR_ROOM } from './people.js';

/**
 * The page's server: serves sandbox/page/, streams the war room and the estate over Server-Sent
 * Events, and turns what the person types or clicks into requests the Slack fake signs and sends
 * to the bot exactly as Slack would. Also serves the estate's fake health endpoints and a
 * status-page receiver, and shows what reached it and the channels outside the war room.
 */

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));
const PAGE_FILES: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/blocks.js': 'blocks.js',
  '/mrkdwn.js': 'mrkdwn.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const MAX_BODY = 64 * 1024;

export interface PageBackend {
  slack: FakeSlack;
  estate: Estate;
  /** The local status-page receiver, at /status-page (the catalog's `statusPage.url`). */
  statusPage: StatusPageReceiver;
  /** The bot's /slack/events, once it is listening. */
  eventsUrl(): string | undefined;
  /** The bot's base URL, its alert intake and freeze API tokens and what they serve, once it is listening. */
  bot(): BotAccess | undefined;
  product?: string;
  examples: string[];
}

export interface BotAccess {
  url: string;
  alertsToken: string;
  freezeToken: string;
  alertTargets: AlertTarget[];
  /** Every service environment of the catalog: the page shows each one's deploy freeze. */
  freezeTargets: { service: string; environment: string }[];
}

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** JSON bodies only: a cross-site form cannot send application/json without a preflight this server never allows. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'Send JSON (content-type: application/json).');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'Request too large.');
    chunks.push(chunk as Buffer);
  }
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'The body must be a JSON object.');
}

function field(body: Record<string, unknown>, name: string, max = 4000): string {
  const value = body[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > max)
    throw new HttpError(400, `"${name}" must be a non-empty string of at most ${max} characters.`);
  return value;
}

function person(body: Record<string, unknown>): string {
  const id = field(body, 'user', 20);
  if (!personById(id)) throw new HttpError(400, `Unknown user ${id}: pick someone from the "You are" switch.`);
  return id;
}

type Option = { value?: string };
type InputBlock = { type?: string; block_id?: string; element?: { type?: string; action_id?: string; options?: Option[] } };

/** Slack's `view.state.values` for the view's input blocks; options come from the view itself, never from the page. */
export function stateValues(blocks: unknown, answers: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of (Array.isArray(blocks) ? blocks : []) as InputBlock[]) {
    const element = block.element;
    if (block.type !== 'input' || !block.block_id || !element?.action_id) continue;
    const answer = answers[block.block_id];
    const picked = (Array.isArray(answer) ? answer : [answer]).filter((a): a is string => typeof a === 'string' && a !== '');
    const options = (element.options ?? []).filter((o) => o.value !== undefined && picked.includes(o.value));
    let value: Record<string, unknown>;
    switch (element.type) {
      case 'plain_text_input':
        value = { type: element.type, value: typeof answer === 'string' && answer !== '' ? answer.slice(0, 3000) : null };
        break;
      case 'static_select':
      case 'radio_buttons':
        value = { type: element.type, selected_option: options[0] ?? null };
        break;
      case 'checkboxes':
        value = { type: element.type, selected_options: options };
        break;
      default:
        continue;
    }
    values[block.block_id] = { [element.action_id]: value };
  }
  return values;
}

export async function startPageServer(backend: PageBackend, port = 0): Promise<PageServer> {
  const { slack, estate } = backend;
  const streams = new Set<ServerResponse>();

  const snapshot = () =>
    JSON.stringify({
      messages: slack.messages(WAR_ROOM.id),
      views: slack.views(),
      estate: estate.view(),
      // Outside the war room: the user notification, the Support notice and the status page's updates.
      elsewhere: {
        channels: [USER_CHANNEL, SUPPORT_CHANNEL].map((c) => ({ ...c, messages: slack.messages(c.id) })),
        statusPage: backend.statusPage.updates.map(({ at, status, message, rollback }) => ({ at, status, message, rollback })),
      },
    });
  let last = '';
  const broadcast = () => {
    const data = snapshot();
    if (data === last) return;
    last = data;
    for (const res of streams) res.write(`event: snapshot\ndata: ${data}\n\n`);
  };
  // The fake reports every change synchronously; a burst (post + update) becomes one push.
  let pending: NodeJS.Timeout | undefined;
  const onChange = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      broadcast();
    }, 30);
  };
  slack.on('change', onChange);
  // The estate changes on its own (rollouts tick); poll it while someone watches.
  const poll = setInterval(() => streams.size && broadcast(), 500);
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, 15_000);

  const workspace = () => ({
    product: backend.product,
    channel: WAR_ROOM,
    channels: [WAR_ROOM, USER_CHANNEL, SUPPORT_CHANNEL],
    bot: BOT,
    people: Object.entries(PEOPLE).map(([who, p]) => ({ who, ...p })),
    examples: backend.examples,
    alerts: (backend.bot()?.alertTargets ?? []).map((t) => `${t.target} ${t.environment}`),
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    if (req.method === 'GET' && PAGE_FILES[path]) {
      const file = PAGE_FILES[path]!;
      const body = await readFile(`${PAGE_DIR}${file}`);
      res.writeHead(200, { 'content-type': TYPES[file.split('.').pop()!] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    if (req.method === 'GET' && path.startsWith('/estate/health/')) {
      const healthy = estate.healthy(path.slice('/estate/health/'.length));
      if (healthy === undefined) return sendJson(res, 404, { status: 'unknown service' });
      return sendJson(res, healthy ? 200 : 503, { status: healthy ? 'healthy' : 'unhealthy' });
    }
    if (path === '/status-page') return backend.statusPage.handle(req, res);
    if (req.method === 'GET' && path === '/api/workspace') return sendJson(res, 200, workspace());
    if (req.method === 'GET' && path === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`event: snapshot\ndata: ${snapshot()}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.method === 'POST' && path === '/api/command') return command(await readJson(req), res);
    if (req.method === 'POST' && path === '/api/click') return click(await readJson(req), res);
    if (req.method === 'POST' && path === '/api/submit') return submit(await readJson(req), res);
    if (req.method === 'POST' && path === '/api/alert') return alert(await readJson(req), res);
    if (req.method === 'GET' && path === '/api/freeze') return sendJson(res, 200, await freezes());
    if (req.method === 'POST' && path === '/api/toggle') {
      const body = await readJson(req);
      if (!estate.setToggle(field(body, 'id', 100), body.on === true)) throw new HttpError(404, 'No such estate switch.');
      broadcast();
      return sendJson(res, 200, { ok: true });
    }
    sendJson(res, 404, { error: `Nothing at ${req.method} ${path}.` });
  }

  function bot(): string {
    const events = backend.eventsUrl();
    if (!events) throw new HttpError(503, 'The bot is still starting; try again in a moment.');
    return events;
  }

  async function command(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const user = person(body);
    const typed = field(body, 'text').trim();
    const match = /^\/(\S+)\s*([\s\S]*)$/.exec(typed);
    if (!match) throw new HttpError(400, 'Only slash commands reach the bot here: try /rollback help');
    if (match[1] !== 'rollback') throw new HttpError(400, `/${match[1]} is not installed in this workspace; /rollback is.`);
    const sent = await slack.slashCommand(bot(), { text: match[2]!, user_id: user, channel_id: WAR_ROOM.id });
    if (sent.status !== 200) throw new HttpError(502, `The bot answered the slash command with HTTP ${sent.status}: ${sent.body.slice(0, 300)}`);
    sendJson(res, 200, { ok: true });
  }

  async function click(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const input = {
      user_id: person(body),
      action_id: field(body, 'action_id', 255),
      value: field(body, 'value', 2000),
      message_ts: field(body, 'message_ts', 40),
      channel: WAR_ROOM.id,
    };
    let sent;
    try {
      sent = await slack.clickButton(bot(), input);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(409, `That button is gone (the message changed): ${(error as Error).message.slice(0, 200)}`);
    }
    if (sent.status !== 200) throw new HttpError(502, `The bot answered the click with HTTP ${sent.status}: ${sent.body.slice(0, 300)}`);
    sendJson(res, 200, { ok: true });
  }

  function access(): BotAccess {
    const b = backend.bot();
    if (!b) throw new HttpError(503, 'The bot is still starting; try again in a moment.');
    return b;
  }

  /** When each target's alert started firing: a resolve ends that incident, a second fire repeats it. */
  const firing = new Map<string, string>();

  /** "Fire alert" / "Resolve alert": the Alertmanager webhook for that target, with the bearer token, to the bot's intake. */
  async function alert(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const b = access();
    const name = field(body, 'target', 200);
    const t = b.alertTargets.find((x) => `${x.target} ${x.environment}` === name);
    if (!t) throw new HttpError(404, `No alert route for "${name}" in the sandbox catalog's alerts:.`);
    const resolve = body.status === 'resolved';
    const startsAt = firing.get(name) ?? new Date().toISOString();
    if (resolve && !firing.has(name)) throw new HttpError(409, `No alert is firing for ${name}: fire one first.`);
    if (resolve) firing.delete(name);
    else firing.set(name, startsAt);
    const sent = await fetch(`${b.url}/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${b.alertsToken}` },
      body: JSON.stringify(alertmanagerWebhook(t, startsAt, resolve ? new Date().toISOString() : undefined)),
    });
    if (!sent.ok) throw new HttpError(502, `The bot answered the alert with HTTP ${sent.status}: ${(await sent.text()).slice(0, 300)}`);
    sendJson(res, 200, { ok: true, answer: await sent.json() });
  }

  /** Each service environment's freeze, read from the bot's real freeze API as a CI step would. */
  async function freezes() {
    const b = backend.bot();
    if (!b) return [];
    return Promise.all(
      b.freezeTargets.map(async ({ service, environment }) => {
        const got = await fetch(`${b.url}/api/v1/freeze/${encodeURIComponent(service)}/${encodeURIComponent(environment)}`, {
          headers: { authorization: `Bearer ${b.freezeToken}` },
        });
        const answer = (await got.json().catch(() => ({}))) as Record<string, unknown>;
        return { service, environment, status: got.status, ...answer };
      }),
    );
  }

  /** A modal submission: the person's answers become `state.values` exactly as Slack builds them from the view. */
  async function submit(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const user = person(body);
    const viewId = field(body, 'view_id', 40);
    const stored = slack.views(user).find((v) => v.id === viewId);
    if (!stored) throw new HttpError(409, 'That form is no longer open.');
    const answers = (typeof body.answers === 'object' && body.answers !== null ? body.answers : {}) as Record<string, unknown>;
    const view = { id: viewId, state: { values: stateValues(stored.view.blocks, answers) } };
    const sent = await slack.submitView(bot(), { user_id: user, view });
    if (sent.status !== 200) throw new HttpError(502, `The bot answered the submission with HTTP ${sent.status}: ${sent.body.slice(0, 300)}`);
    sendJson(res, 200, { ok: true });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (!res.headersSent) sendJson(res, status, { error: (error as Error).message });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async close() {
      slack.off('change', onChange);
      clearTimeout(pending);
      clearInterval(poll);
      clearInterval(heartbeat);
      for (const res of streams) res.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
