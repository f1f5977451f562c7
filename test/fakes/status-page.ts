import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One update the status page accepted (a repeat of an Idempotency-Key is not a new one). */
export interface StatusPageUpdate {
  at: string;
  status: string;
  message: string;
  rollback?: string;
  service?: string;
  environment?: string;
  severity?: string;
  /** The bearer token it came with, if any (tests check it arrives; it is never shown). */
  authorization?: string;
  idempotencyKey?: string;
}

export interface StatusPageReceiver {
  /** Updates accepted, in order; repeats of an Idempotency-Key are answered 200 and not added. */
  updates: StatusPageUpdate[];
  /** Every POST, repeats and refusals included. */
  requests: number;
  /** The status to answer with (503: the status page is down); a refusal records nothing. */
  failWith: number | undefined;
  /** Answers one request (the sandbox's page server mounts it at /status-page). */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export interface FakeStatusPage extends StatusPageReceiver {
  /** The webhook: POST JSON here (catalog `statusPage.url`). */
  url: string;
  close(): Promise<void>;
}

/**
 * A status-page webhook receiver (Statuspage, Instatus, a Slack workflow...) for the tests and the
 * sandbox: accepts Rewind's JSON updates, honours `Idempotency-Key` as real ones do, and lists
 * what it shows. GET answers the accepted updates as JSON.
 */
export function statusPageReceiver(): StatusPageReceiver {
  const fake: StatusPageReceiver = { updates: [], requests: 0, failWith: undefined, handle };
  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ updates: fake.updates.map(({ authorization: _a, ...u }) => u) }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      fake.requests++;
      if (fake.failWith) {
        res.writeHead(fake.failWith, { 'content-type': 'application/json' });
        return res.end('{"error":"status page unavailable"}');
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end('{"error":"body is not JSON"}');
      }
      const key = req.headers['idempotency-key'] as string | undefined;
      if (!key || !fake.updates.some((u) => u.idempotencyKey === key)) {
        fake.updates.push({
          at: new Date().toISOString(),
          status: String(body.status),
          message: String(body.message),
          ...(typeof body.rollback === 'string' ? { rollback: body.rollback } : {}),
          ...(typeof body.service === 'string' ? { service: body.service } : {}),
          ...(typeof body.environment === 'string' ? { environment: body.environment } : {}),
          ...(typeof body.severity === 'string' ? { severity: body.severity } : {}),
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          ...(key ? { idempotencyKey: key } : {}),
        });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  }
  return fake;
}

/** The receiver on its own port. */
export async function startFakeStatusPage(): Promise<FakeStatusPage> {
  const receiver = statusPageReceiver();
  const server: Server = createServer((req, res) => receiver.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/incidents`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}
