import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fakes see it. `path` is the raw (still percent-encoded) path. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** An error the fake answers with, rendered in the service's own error format. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Fault {
  code: string;
  status?: number;
  message?: string;
}

export interface FakeCall {
  op: string;
  input: Record<string, unknown>;
  /** When it arrived (Date.now()), for benchmarks. */
  at: number;
  /** Set when the fake answered with an error (injected or real). */
  error?: string;
}

/** A routed request: the operation name, what it asked for, and how to answer. */
export interface Route {
  op: string;
  input?: Record<string, unknown>;
  run(): FakeResponse | Promise<FakeResponse>;
}

export interface FakeOptions {
  /** Fixed port for the sandbox; tests use 0 (a free port). */
  port?: number;
  host?: string;
  /** Added to every answer, to make the sandbox feel like a real network. */
  latencyMs?: number;
}

const DEFAULT_STATUS: Record<string, number> = {
  ThrottlingException: 400,
  Throttling: 400,
  SlowDown: 503,
  ServiceUnavailable: 503,
  TooManyRequestsException: 429,
  InternalError: 500,
  InternalFailure: 500,
  InternalServerError: 500,
  InternalServerException: 500,
};

export function requestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/**
 * Base of the wire-level AWS fakes: an HTTP server on loopback that records
 * every call and can fail the next N calls of an operation with a given error.
 */
export abstract class AwsFake {
  readonly calls: FakeCall[] = [];
  latencyMs: number;
  private server?: Server;
  private baseUrl?: string;
  private readonly faults = new Map<string, { fault: Fault; remaining: number }>();

  constructor(private readonly options: FakeOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
  }

  protected abstract route(request: FakeRequest): Route | undefined;
  protected abstract renderError(error: AwsError, request: FakeRequest): FakeResponse;

  get url(): string {
    if (!this.baseUrl) throw new Error(`${this.constructor.name} is not started: await fake.start() first`);
    return this.baseUrl;
  }

  /** The next `times` calls of `op` (e.g. `PutParameter`) answer with this error instead. */
  failNext(op: string, error: string | Fault, times = 1): this {
    const fault = typeof error === 'string' ? { code: error } : error;
    this.faults.set(op, { fault, remaining: times });
    return this;
  }

  /** Calls of one operation, in order. */
  callsOf(op: string): FakeCall[] {
    return this.calls.filter((c) => c.op === op);
  }

  /** The same as `callsOf`, under the name the ECS, RDS and Secrets Manager tests use. */
  callsTo(op: string): FakeCall[] {
    return this.callsOf(op);
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const request: FakeRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        void this.answer(request).then((response) => {
          res.writeHead(response.status, { 'x-amzn-requestid': requestId(), ...response.headers });
          res.end(request.method === 'HEAD' ? undefined : response.body);
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = server.address() as AddressInfo;
    this.server = server;
    this.baseUrl = `http://${address}:${port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(request: FakeRequest): Promise<FakeResponse> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    let route: Route | undefined;
    try {
      route = this.route(request);
    } catch (error) {
      return this.renderError(asAwsError(error), request);
    }
    if (!route) {
      return this.renderError(new AwsError('UnknownOperation', 404, `fake: no operation for ${request.method} ${request.path}`), request);
    }
    const call: FakeCall = { op: route.op, input: route.input ?? {}, at: Date.now() };
    this.calls.push(call);
    const pending = this.faults.get(route.op);
    if (pending && pending.remaining > 0) {
      pending.remaining -= 1;
      if (pending.remaining === 0) this.faults.delete(route.op);
      const { code, status, message } = pending.fault;
      call.error = code;
      return this.renderError(new AwsError(code, status ?? DEFAULT_STATUS[code] ?? 400, message ?? `injected ${code}`), request);
    }
    try {
      return await route.run();
    } catch (error) {
      const aws = asAwsError(error);
      call.error = aws.code;
      return this.renderError(aws, request);
    }
  }
}

function asAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  return new AwsError('InternalError', 500, `fake crashed: ${error instanceof Error ? error.stack : String(error)}`);
}

/** An XML answer body with the declaration AWS sends. */
export function xmlDocument(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}
