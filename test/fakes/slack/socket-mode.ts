import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { BotSender, Sent } from './interactions.js';
import { SlackApiError, type Workspace } from './workspace.js';
import type { AppHomeOpenedInput, ClickInput, SlashCommandInput, SocketSendOptions, SocketSendResult } from './types.js';

type Obj = Record<string, unknown>;

interface Pending {
  resolve(ack: Obj): void;
  reject(error: Error): void;
}

/**
 * Slack's side of Socket Mode: apps.connections.open hands out a one-time WebSocket URL under /link/,
 * a connection is greeted with `hello`, and payloads go out in envelopes the app acks with
 * `{ envelope_id, payload }` on the same socket.
 */
export class SocketHub {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly ws: Workspace,
    private readonly sender: BotSender,
  ) {}

  /** apps.connections.open. Slack reads the app-level token from the Authorization header only. */
  open(headerToken: string | undefined): Obj {
    if (!headerToken) throw new SlackApiError('not_authed');
    if (!headerToken.startsWith('xapp-')) throw new SlackApiError('not_allowed_token_type');
    if (headerToken !== this.ws.cfg.appToken) throw new SlackApiError('invalid_auth');
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return { url: `${this.ws.origin.replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=${this.ws.cfg.appId}` };
  }

  /** The HTTP server's 'upgrade' handler: a ticket opens one connection. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.ws.origin);
    const ticket = url.searchParams.get('ticket');
    if (url.pathname !== '/link/' || !ticket || !this.tickets.delete(ticket)) {
      const why = 'No such Socket Mode ticket (each URL from apps.connections.open connects once): call apps.connections.open again.';
      socket.end(`HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(why)}\r\nconnection: close\r\n\r\n${why}`);
      return;
    }
    this.server.handleUpgrade(req, socket, head, (client) => {
      client.on('message', (data, isBinary) => this.acked(data, isBinary));
      client.send(
        JSON.stringify({
          type: 'hello',
          num_connections: this.connections(),
          debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: this.ws.cfg.appId },
        }),
      );
      this.ws.changed();
    });
  }

  connections(): number {
    return [...this.server.clients].filter((c) => c.readyState === WebSocket.OPEN).length;
  }

  async slashCommand(p: SlashCommandInput, opts: SocketSendOptions = {}): Promise<SocketSendResult> {
    const sent = this.sender.commandPayload(p, opts);
    const result = await this.deliver('slash_commands', sent, true, opts);
    // Slack shows an ack's payload like an HTTP response body.
    this.sender.showCommandAck(
      { status: 200, body: JSON.stringify(result.ack), json: result.ack },
      String(sent.payload.channel_id),
      String(sent.payload.user_id),
      sent.responseUrl,
    );
    return result;
  }

  /** block_actions envelopes do not accept a response payload: the ack only confirms receipt. */
  clickButton(p: ClickInput, opts: SocketSendOptions = {}): Promise<SocketSendResult> {
    return this.deliver('interactive', this.sender.clickPayload(p, opts), false, opts);
  }

  /** Events API envelopes: Bolt acks them before its listeners run. */
  appHomeOpened(p: AppHomeOpenedInput, opts: SocketSendOptions = {}): Promise<SocketSendResult> {
    return this.deliver('events_api', this.sender.appHomeOpenedPayload(p), false, opts);
  }

  close(): void {
    for (const client of this.server.clients) client.terminate();
    for (const [id, waiting] of this.pending) waiting.reject(new Error(`Socket Mode envelope ${id}: the Slack fake closed before the app acked it.`));
    this.pending.clear();
    this.server.close();
  }

  private async deliver(
    type: 'slash_commands' | 'interactive' | 'events_api',
    sent: Sent,
    acceptsResponsePayload: boolean,
    opts: SocketSendOptions,
  ): Promise<SocketSendResult> {
    // Slack sends each envelope over one of the app's open connections; the newest is as good as any.
    const client = [...this.server.clients].filter((c) => c.readyState === WebSocket.OPEN).at(-1);
    if (!client) {
      throw new Error(
        `No app is connected over Socket Mode, so the ${type} envelope has nowhere to go: start the app with an app-level token (SLACK_APP_TOKEN) and SLACK_API_URL=${this.ws.origin}/api/.`,
      );
    }
    const envelopeId = randomUUID();
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const started = performance.now();
    const ack = new Promise<Obj>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(
          new Error(
            `The app did not ack Socket Mode envelope ${envelopeId} (${type}) within ${timeoutMs} ms; Slack gives up after 3 s. Does the listener call ack()?`,
          ),
        );
      }, timeoutMs);
      this.pending.set(envelopeId, {
        resolve: (payload) => {
          clearTimeout(timer);
          resolve(payload);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    client.send(JSON.stringify({ envelope_id: envelopeId, payload: sent.payload, type, accepts_response_payload: acceptsResponsePayload }));
    return {
      envelopeId,
      ack: await ack,
      elapsedMs: performance.now() - started,
      triggerId: String(sent.payload.trigger_id ?? ''),
      responseUrl: sent.responseUrl,
      payload: sent.payload,
    };
  }

  /** An ack is `{ envelope_id, payload? }`; anything else on the socket is ignored, as Slack does. */
  private acked(data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const { envelope_id: id, payload } = message as Obj;
    const waiting = typeof id === 'string' ? this.pending.get(id) : undefined;
    if (!waiting) return;
    this.pending.delete(id as string);
    waiting.resolve(typeof payload === 'object' && payload !== null ? (payload as Obj) : {});
  }
}
