import { findActionBlock } from './blocks.js';
import { TsClock } from './ids.js';
import { signSlackRequest } from './signing.js';
import type { Workspace } from './workspace.js';
import type { AppHomeOpenedInput, ClickInput, FakeView, SendOptions, SendResult, SlashCommandInput, SubmitInput, ViewActionInput } from './types.js';

type Obj = Record<string, unknown>;

/** Slack still sends the deprecated verification token; apps must not rely on it, so it is a fixed dummy. */
const VERIFICATION_TOKEN = 'fake-verification-token';

/** A payload as built for the bot, kept so a retry can resend it. */
export interface Sent {
  payload: Obj;
  responseUrl?: string;
}

/** Sends requests to the bot exactly as Slack does: form-encoded, signed, with Slack's retry headers when asked. */
export class BotSender {
  private readonly sent = new Map<string, Sent>();
  private readonly clock = new TsClock();
  private events = 0;

  constructor(private readonly ws: Workspace) {}

  async slashCommand(url: string, p: SlashCommandInput, opts: SendOptions = {}): Promise<SendResult> {
    const sent = this.commandPayload(p, opts);
    const result = await this.post(url, new URLSearchParams(sent.payload as Record<string, string>).toString(), opts, sent);
    this.showCommandAck(result, String(sent.payload.channel_id), String(sent.payload.user_id), sent.responseUrl);
    return result;
  }

  /** A slash command's fields as Slack sends them: form-encoded over HTTP, as an object in a Socket Mode envelope. */
  commandPayload(p: SlashCommandInput, opts: Pick<SendOptions, 'sameTriggerAs'> = {}): Sent {
    const { ws } = this;
    return (
      this.replay(opts) ??
      this.remember(() => {
        const triggerId = ws.issueTrigger(p.user_id, p.trigger_id);
        const responseUrl = ws.issueHook({ channel: p.channel_id, user: p.user_id });
        const payload: Obj = {
          token: VERIFICATION_TOKEN,
          team_id: ws.cfg.teamId,
          team_domain: ws.cfg.teamDomain,
          channel_id: p.channel_id,
          channel_name: ws.channelName(p.channel_id),
          user_id: p.user_id,
          user_name: p.user_name ?? ws.userName(p.user_id),
          command: p.command ?? '/rollback',
          text: p.text,
          api_app_id: ws.cfg.appId,
          is_enterprise_install: 'false',
          response_url: responseUrl,
          trigger_id: triggerId,
        };
        return { payload, responseUrl };
      })
    );
  }

  async clickButton(url: string, p: ClickInput, opts: SendOptions = {}): Promise<SendResult> {
    const sent = this.clickPayload(p, opts);
    return this.post(url, new URLSearchParams({ payload: JSON.stringify(sent.payload) }).toString(), opts, sent);
  }

  /** The block_actions payload of a button click on a stored message. */
  clickPayload(p: ClickInput, opts: Pick<SendOptions, 'sameTriggerAs'> = {}): Sent {
    const { ws } = this;
    return (
      this.replay(opts) ??
      this.remember(() => {
        const message = ws.find(p.channel, p.message_ts);
        if (!message) {
          const there =
            ws
              .list(p.channel)
              .map((m) => m.ts)
              .join(', ') || 'none';
          throw new Error(`clickButton: no message ${p.message_ts} in channel ${p.channel} (messages there: ${there}).`);
        }
        const found = findActionBlock(message.blocks, p.action_id, p.value);
        // An explicit block_id lets a test click a button the card no longer shows (a stale client).
        if (!found && !p.block_id) {
          throw new Error(
            `clickButton: message ${p.message_ts} in ${p.channel} has no element with action_id '${p.action_id}'; it is now: ${JSON.stringify(message.blocks ?? message.text)}`,
          );
        }
        const triggerId = ws.issueTrigger(p.user_id);
        const responseUrl = ws.issueHook({ channel: p.channel, user: p.user_id, originalTs: message.ts });
        const ephemeral = message.ephemeralTo !== undefined;
        const payload: Obj = {
          type: 'block_actions',
          user: this.user(p.user_id),
          api_app_id: ws.cfg.appId,
          token: VERIFICATION_TOKEN,
          container: {
            type: 'message',
            message_ts: message.ts,
            channel_id: message.channel,
            is_ephemeral: ephemeral,
            ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
          },
          trigger_id: triggerId,
          team: { id: ws.cfg.teamId, domain: ws.cfg.teamDomain },
          enterprise: null,
          is_enterprise_install: false,
          channel: { id: message.channel, name: ws.channelName(message.channel) },
          // Slack does not send the message body for clicks on ephemeral messages.
          ...(ephemeral ? {} : { message: ws.wire(message) }),
          state: { values: {} },
          response_url: responseUrl,
          actions: [
            {
              action_id: p.action_id,
              block_id: p.block_id ?? found?.blockId,
              ...(found?.element.text ? { text: found.element.text } : {}),
              // Slack sends the value the button carries, not what the test thought it was.
              value: typeof found?.element.value === 'string' ? found.element.value : p.value,
              ...(found?.element.style ? { style: found.element.style } : {}),
              type: 'button',
              action_ts: this.clock.next(),
            },
          ],
        };
        return { payload, responseUrl };
      })
    );
  }

  /**
   * A select changed in an open modal, as Slack reports it: block_actions with the view (its hash
   * and the caller's `state.values`). Inputs only dispatch with `dispatch_action: true`, as in Slack.
   */
  async viewAction(url: string, p: ViewActionInput, opts: SendOptions = {}): Promise<SendResult> {
    const { ws } = this;
    const stored = ws.findView(p.view_id);
    if (!stored || stored.kind !== 'modal') {
      const open =
        ws
          .modals()
          .map((v) => `${v.id} (${v.view.callback_id})`)
          .join(', ') || 'none';
      throw new Error(`viewAction: no open modal with id ${p.view_id} (open modals: ${open}).`);
    }
    const blocks = (stored.view.blocks ?? []) as Obj[];
    const block = blocks.find((b) => (b.element as Obj | undefined)?.action_id === p.action_id);
    const element = block?.element as Obj | undefined;
    if (!block || !element)
      throw new Error(`viewAction: modal ${p.view_id} has no input with action_id '${p.action_id}'; its blocks: ${JSON.stringify(blocks)}`);
    if (block.dispatch_action !== true)
      throw new Error(`viewAction: the input '${p.action_id}' has no dispatch_action: true, so Slack would send nothing until the form is submitted.`);
    const option = ((element.options ?? []) as Obj[]).find((o) => o.value === p.value);
    if (!option) throw new Error(`viewAction: '${p.action_id}' offers no option with value '${p.value}'.`);
    // A replay (Slack retrying) carries the view as it was then, stale hash included.
    const sent =
      this.replay(opts) ??
      this.remember(() => ({
        payload: {
          type: 'block_actions',
          user: this.user(p.user_id),
          api_app_id: ws.cfg.appId,
          token: VERIFICATION_TOKEN,
          container: { type: 'view', view_id: stored.id },
          trigger_id: ws.issueTrigger(p.user_id),
          team: { id: ws.cfg.teamId, domain: ws.cfg.teamDomain },
          enterprise: null,
          is_enterprise_install: false,
          view: { ...structuredClone(stored.view), state: { values: structuredClone(p.values ?? {}) } },
          actions: [
            { type: element.type, action_id: p.action_id, block_id: block.block_id, selected_option: structuredClone(option), action_ts: this.clock.next() },
          ],
        },
      }));
    return this.post(url, new URLSearchParams({ payload: JSON.stringify(sent.payload) }).toString(), opts, sent);
  }

  async submitView(url: string, p: SubmitInput, opts: SendOptions = {}): Promise<SendResult> {
    const { ws } = this;
    const viewId: unknown = p.view?.id;
    const stored = ws.findView(viewId);
    if (!stored || stored.kind !== 'modal') {
      const open =
        ws
          .modals()
          .map((v) => `${v.id} (${v.view.callback_id})`)
          .join(', ') || 'none';
      throw new Error(`submitView: no open modal with id ${String(viewId)} (open modals: ${open}).`);
    }
    const sent =
      this.replay(opts) ??
      this.remember(() => {
        const payload: Obj = {
          type: 'view_submission',
          team: { id: ws.cfg.teamId, domain: ws.cfg.teamDomain },
          user: this.user(p.user_id),
          api_app_id: ws.cfg.appId,
          token: VERIFICATION_TOKEN,
          trigger_id: ws.issueTrigger(p.user_id),
          view: { ...structuredClone(stored.view), state: { values: structuredClone(p.view?.state?.values ?? {}) } },
          response_urls: [],
          is_enterprise_install: false,
          enterprise: null,
        };
        return { payload };
      });
    const result = await this.post(url, new URLSearchParams({ payload: JSON.stringify(sent.payload) }).toString(), opts, sent);
    if (result.status === 200) this.applyViewAck(stored, result.json);
    return result;
  }

  /** The user opened the app's Home tab: a signed Events API delivery (JSON) to `url`. */
  async appHomeOpened(url: string, p: AppHomeOpenedInput, opts: SendOptions = {}): Promise<SendResult> {
    const sent = this.appHomeOpenedPayload(p);
    return this.post(url, JSON.stringify(sent.payload), opts, sent, 'application/json');
  }

  /** `app_home_opened` in its `event_callback` envelope: the user, the tab and their published view if any. */
  appHomeOpenedPayload(p: AppHomeOpenedInput): Sent {
    const { ws } = this;
    const home = ws.home(p.user_id);
    return this.eventPayload({
      type: 'app_home_opened',
      user: p.user_id,
      channel: ws.imChannel(p.user_id),
      tab: p.tab ?? 'home',
      event_ts: this.clock.next(),
      ...(home ? { view: home.view } : {}),
    });
  }

  /** An Events API body as Slack sends it (over HTTP, or as a Socket Mode `events_api` payload). */
  private eventPayload(event: Obj): Sent {
    const { ws } = this;
    const eventId = `Ev${String(++this.events).padStart(8, '0')}`;
    return {
      payload: {
        token: VERIFICATION_TOKEN,
        team_id: ws.cfg.teamId,
        api_app_id: ws.cfg.appId,
        event,
        type: 'event_callback',
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ enterprise_id: null, team_id: ws.cfg.teamId, user_id: ws.cfg.botUserId, is_bot: true, is_enterprise_install: false }],
        is_ext_shared_channel: false,
        event_context: `4-fake-${eventId}`,
      },
    };
  }

  private user(id: string): Obj {
    const name = this.ws.userName(id);
    return { id, username: name, name, team_id: this.ws.cfg.teamId };
  }

  private replay(opts: SendOptions): Sent | undefined {
    if (!opts.sameTriggerAs) return undefined;
    const sent = this.sent.get(opts.sameTriggerAs.triggerId);
    if (!sent) throw new Error(`sameTriggerAs: the fake never sent trigger_id ${opts.sameTriggerAs.triggerId}.`);
    return sent;
  }

  private remember(build: () => Sent): Sent {
    const sent = build();
    this.sent.set(String(sent.payload.trigger_id), sent);
    return sent;
  }

  private async post(url: string, body: string, opts: SendOptions, sent: Sent, contentType = 'application/x-www-form-urlencoded'): Promise<SendResult> {
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': opts.signature ?? signSlackRequest(this.ws.cfg.signingSecret, body, timestamp),
    };
    if (opts.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(opts.retryNum);
      headers['x-slack-retry-reason'] = opts.retryReason ?? 'http_timeout';
    }
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
    } catch (error) {
      throw new Error(`The bot did not answer a Slack request at ${url}: ${(error as Error).message}. Is the app listening there?`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return {
      status: res.status,
      body: text,
      json,
      elapsedMs: performance.now() - started,
      triggerId: String(sent.payload.trigger_id ?? ''),
      responseUrl: sent.responseUrl,
      payload: sent.payload,
    };
  }

  /** A slash command's ack body is shown in the channel: ephemeral unless response_type is 'in_channel'. */
  showCommandAck(result: Pick<SendResult, 'status' | 'body' | 'json'>, channel: string, user: string, responseUrl?: string): void {
    if (result.status !== 200 || result.body === '') return;
    const json = (typeof result.json === 'object' && result.json !== null ? result.json : { text: result.body }) as Obj;
    const text = typeof json.text === 'string' ? json.text : undefined;
    const blocks = Array.isArray(json.blocks) ? json.blocks : undefined;
    if (text === undefined && !blocks) return;
    const posted = this.ws.addMessage({
      channel,
      text,
      blocks,
      user: this.ws.cfg.botUserId,
      ephemeralTo: json.response_type === 'in_channel' ? undefined : user,
    });
    const hook = responseUrl ? this.ws.hookAt(responseUrl) : undefined;
    if (hook) hook.originalTs ??= posted.ts;
  }

  /** What Slack does with the answer to a view_submission (response_action) or an empty ack (close the view). */
  private applyViewAck(stored: FakeView, json: unknown): void {
    const ack = (typeof json === 'object' && json !== null ? json : {}) as Obj;
    switch (ack.response_action) {
      case 'errors':
        this.ws.setViewErrors(stored, (ack.errors ?? {}) as Record<string, string>);
        break;
      case 'update':
        this.ws.updateView(stored, ack.view);
        break;
      case 'push':
        this.ws.pushModal(stored.user, ack.view);
        break;
      case 'clear':
        this.ws.clearModals(stored.user);
        break;
      default:
        this.ws.closeModal(stored);
    }
  }
}
