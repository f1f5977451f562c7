import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';

/**
 * Doppler's config API (v3) over HTTP, as much as the flag store speaks: read one secret, set
 * secrets, list the config's logs. Bearer tokens are scoped like service tokens (one config,
 * read or read/write); every change is logged with a diff, as the dashboard shows it.
 */

interface TokenScope {
  project: string;
  config: string;
  write: boolean;
  /** Whether the token may read the config's logs. */
  logs: boolean;
  /** Who the log names for changes made with this token. */
  user: string;
}

export interface DopplerLogEntry {
  id: string;
  text: string;
  created_at: string;
  project: string;
  config: string;
  user: { name: string; email: string };
  diff: { name: string; added?: string; removed?: string }[];
}

export interface DopplerRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body?: unknown;
}

type Answer = { status: number; body: unknown };

const setSecrets = z.object({ project: z.string(), config: z.string(), secrets: z.record(z.string(), z.string()) });

/** A body that is not JSON stays text, and fails the route's schema like any malformed body. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const refuse = (status: number, message: string): Answer => ({ status, body: { messages: [message], success: false } });

export class DopplerFake {
  readonly requests: DopplerRequest[] = [];
  private readonly tokens = new Map<string, TokenScope>();
  private readonly secrets = new Map<string, Map<string, string>>();
  private readonly log = new Map<string, DopplerLogEntry[]>();
  private readonly failures: Answer[] = [];
  private nextLog = 1;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<DopplerFake> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the Doppler fake has no TCP address');
    const fake = new DopplerFake(server, `http://127.0.0.1:${address.port}`);
    server.on('request', (req, res) => void fake.serve(req, res));
    return fake;
  }

  /** A service token for one config; read/write with log access unless told otherwise. */
  addToken(token: string, scope: { project: string; config: string; write?: boolean; logs?: boolean; user?: string }): void {
    this.tokens.set(token, { write: true, logs: true, user: 'Rewind service token', ...scope });
  }

  /** A change as someone in the dashboard makes it: the config is created if new, and the change logged. */
  setSecret(project: string, config: string, name: string, value: string, by: { user?: string; at?: Date } = {}): void {
    this.apply(project, config, { [name]: value }, by.user ?? 'alice@skillancer.com', by.at ?? new Date());
  }

  secret(project: string, config: string, name: string): string | undefined {
    return this.secrets.get(`${project}/${config}`)?.get(name);
  }

  /** The next `times` requests get this answer instead (Doppler down, rate limiting, a proxy's page). */
  failNext(status: number, message: string, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(refuse(status, message));
  }

  writes(): DopplerRequest[] {
    return this.requests.filter((r) => r.method === 'POST');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private apply(project: string, config: string, changes: Record<string, string>, user: string, at: Date): void {
    const key = `${project}/${config}`;
    const secrets = this.secrets.get(key) ?? new Map<string, string>();
    this.secrets.set(key, secrets);
    const diff = Object.entries(changes)
      .filter(([name, value]) => secrets.get(name) !== value)
      .map(([name, value]) => ({ name, added: value, ...(secrets.has(name) ? { removed: secrets.get(name) } : {}) }));
    for (const { name, added } of diff) secrets.set(name, added);
    if (diff.length === 0) return;
    const entries = this.log.get(key) ?? [];
    this.log.set(key, entries);
    entries.unshift({
      id: `log_${String(this.nextLog++).padStart(4, '0')}`,
      text: `${user} updated ${diff.map((d) => d.name).join(', ')}`,
      created_at: at.toISOString(),
      project,
      config,
      user: { name: user.split('@')[0]!, email: user.includes('@') ? user : `${user.replaceAll(' ', '-')}@doppler.invalid` },
      diff,
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const body = raw ? parseJson(raw) : undefined;
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      body,
    });
    const answer = this.failures.shift() ?? this.answer(req.method ?? 'GET', url, req.headers.authorization, body);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }

  private answer(method: string, url: URL, authorization: string | undefined, body: unknown): Answer {
    const token = this.tokens.get(authorization?.replace(/^Bearer /, '') ?? '');
    if (!token) return refuse(401, 'Invalid Auth token');
    const route = `${method} ${url.pathname}`;
    const write = route === 'POST /v3/configs/config/secrets' ? setSecrets.safeParse(body) : undefined;
    if (write && !write.success) return refuse(400, 'Expected { project, config, secrets: { NAME: "value" } }');
    const place = write?.data ?? { project: url.searchParams.get('project') ?? '', config: url.searchParams.get('config') ?? '' };
    if (token.project !== place.project || token.config !== place.config) return refuse(403, 'This token does not have access to requested config');
    const secrets = this.secrets.get(`${place.project}/${place.config}`);
    if (!secrets) return refuse(404, 'Could not find requested config');
    switch (route) {
      case 'GET /v3/configs/config/secret': {
        const name = url.searchParams.get('name') ?? '';
        const value = secrets.get(name);
        if (value === undefined) return refuse(404, 'Could not find requested secret');
        return { status: 200, body: { success: true, name, value: { raw: value, computed: value, note: '' } } };
      }
      case 'POST /v3/configs/config/secrets': {
        if (!token.write) return refuse(403, 'This token does not have write access to this config');
        this.apply(place.project, place.config, write?.data?.secrets ?? {}, token.user, new Date());
        return { status: 200, body: { success: true, secrets: Object.fromEntries([...secrets].map(([k, v]) => [k, { raw: v, computed: v }])) } };
      }
      case 'GET /v3/configs/config/logs': {
        if (!token.logs) return refuse(403, 'You do not have permission to view logs');
        const page = Number(url.searchParams.get('page') ?? 1);
        const perPage = Number(url.searchParams.get('per_page') ?? 20);
        const entries = this.log.get(`${place.project}/${place.config}`) ?? [];
        return { status: 200, body: { success: true, page, logs: entries.slice((page - 1) * perPage, page * perPage) } };
      }
      default:
        return refuse(404, `No route ${route}`);
    }
  }
}
