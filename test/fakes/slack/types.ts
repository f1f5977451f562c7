/** Public shapes of the in-memory Slack workspace fake (tests and `npm run sandbox` both use them). */

export interface FakeSlackOptions {
  signingSecret: string;
  /** The only token the Web API accepts. Default 'xoxb-test-token'. */
  botToken?: string;
  /** The only app-level token apps.connections.open accepts (Socket Mode). Default 'xapp-test-token'. */
  appToken?: string;
  /** Default 'U0REWINDBOT'. */
  botUserId?: string;
  /** Default 'B0REWINDBOT'. */
  botId?: string;
  /** Default 'T0REWIND'. */
  teamId?: string;
  /** Default 'rewind-test'. */
  teamDomain?: string;
  /** Default 'A0REWIND'. */
  appId?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Usergroup id (S…) → member user ids, served by usergroups.users.list. */
  usergroups?: Record<string, string[]>;
  /** Known users, served by users.info and used as user names in payloads. */
  users?: Record<string, { name: string; real_name?: string }>;
  /** Known channels (id → name). Any C…/G…/D… id is accepted; these add names. */
  channels?: Record<string, { name: string; is_private?: boolean }>;
  /** How long a trigger_id stays valid for views.open/push. Slack: 3 s. */
  triggerTtlMs?: number;
}

export interface RecordedCall {
  method: string;
  /** Arguments with JSON-encoded fields (blocks, attachments, view, files) parsed back into objects; never the token. */
  args: Record<string, unknown>;
  at: number;
  /** Masked, e.g. 'xoxb-…oken'; never the full token. */
  token?: string;
  /** The `error` the fake answered with, when the call failed. */
  error?: string;
}

export interface FakeFile {
  id?: string;
  name: string;
  title?: string;
  content: string;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  /** Author: the bot user id for anything the bot posted. */
  user?: string;
  /** Set on ephemeral messages: the only user who sees it. */
  ephemeralTo?: string;
  /** Set once chat.update (or a replace_original response) changed it. */
  updatedAt?: number;
  files?: FakeFile[];
  /** Message metadata (`event_type`, `event_payload`), returned with include_all_metadata. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface RecordedResponse {
  url: string;
  body: Record<string, unknown>;
  at: number;
}

/** A modal or App Home view as the fake stores it (the `view` object Slack returns and sends back). */
export interface FakeView {
  id: string;
  /** The user it is shown to. */
  user: string;
  kind: 'modal' | 'home';
  view: Record<string, unknown> & { id: string; hash: string; callback_id: string; private_metadata: string };
  /** Errors from the last `response_action: 'errors'` answer to a submission. */
  errors?: Record<string, string>;
}

export interface InjectedFailure {
  /** HTTP status; default 200 (Slack answers most errors with 200 and ok:false). */
  status?: number;
  /** The `error` field; default 'ratelimited' for 429, else 'internal_error'. */
  error?: string;
  /** Sent as the Retry-After header (WebClient reads whole seconds). */
  retryAfterSec?: number;
}

export interface SendOptions {
  /** X-Slack-Request-Timestamp in seconds; default now. Older than 5 minutes must be refused by the bot. */
  timestamp?: number;
  /** Sent instead of the correct X-Slack-Signature (forgery tests). */
  signature?: string;
  /** Adds X-Slack-Retry-Num (and X-Slack-Retry-Reason, default 'http_timeout'). */
  retryNum?: number;
  retryReason?: string;
  /** Resend the very payload of an earlier request (same trigger_id, response_url, action_ts): a Slack retry. */
  sameTriggerAs?: { triggerId: string };
  /** Abort when the bot has not answered by then. Default 10 s. */
  timeoutMs?: number;
}

export interface SendResult {
  status: number;
  body: string;
  json?: unknown;
  elapsedMs: number;
  /** Empty for Events API deliveries (events carry none). */
  triggerId: string;
  /** The response_url handed to the bot, where the request type has one. */
  responseUrl?: string;
  /** The payload object as sent (form fields for a slash command, `payload` JSON for interactions). */
  payload: Record<string, unknown>;
}

export interface SocketSendOptions {
  /** Resend the very payload of an earlier delivery (same trigger_id, response_url, action_ts). */
  sameTriggerAs?: { triggerId: string };
  /** Reject when the app has not acked the envelope by then. Default 10 s (Slack gives up after 3 s). */
  timeoutMs?: number;
}

/** A Socket Mode envelope the app acknowledged. */
export interface SocketSendResult {
  envelopeId: string;
  /** The `payload` of the app's ack: `{}` for a bare ack(). */
  ack: Record<string, unknown>;
  /** From sending the envelope to receiving its ack. */
  elapsedMs: number;
  /** Empty for `events_api` envelopes (events carry none). */
  triggerId: string;
  responseUrl?: string;
  /** The envelope's payload as sent. */
  payload: Record<string, unknown>;
}

export interface SlashCommandInput {
  text: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  /** Default '/rollback'. */
  command?: string;
  trigger_id?: string;
}

export interface ClickInput {
  user_id: string;
  action_id: string;
  value: string;
  channel: string;
  message_ts: string;
  /** Default: the block that holds that button in the stored message. */
  block_id?: string;
}

export interface AppHomeOpenedInput {
  user_id: string;
  /** Default 'home'. */
  tab?: 'home' | 'messages';
}

export interface ViewActionInput {
  user_id: string;
  view_id: string;
  /** The select's action_id; its input block must have `dispatch_action: true`. */
  action_id: string;
  /** The chosen option's value. */
  value: string;
  /** `state.values` of the form at that moment; default {}. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  values?: any;
}

export interface SubmitInput {
  user_id: string;
  /** The view as opened (at least its id), with `state.values` filled in by the caller. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  view: any;
}

export interface FakeSlack {
  /** Web API base ending in '/api/' (SLACK_API_URL); clients call `${url}${method}`. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Every Web API call, in order. */
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** Current state, oldest first: chat.update applied, deletions removed, ephemerals included (with ephemeralTo). */
  messages(channel?: string): FakeMessage[];
  /** The parent message and its replies, oldest first. */
  thread(channel: string, ts: string): FakeMessage[];
  /** Everything the bot POSTed to response_urls, in order. */
  responses: RecordedResponse[];
  /** Open modals (top of each user's stack last), optionally for one user. */
  views(user?: string): FakeView[];
  /** The App Home view published for a user. */
  homeView(user: string): FakeView | undefined;
  waitFor<T>(predicate: () => T | undefined | false, opts?: { timeoutMs?: number; what?: string }): Promise<T>;
  failNext(method: string, error: InjectedFailure, times?: number): void;
  /** A Slack outage: every Web API call answers `status` (default 500) for the next `ms`. */
  outage(ms: number, status?: number): void;
  on(event: 'change', listener: () => void): void;
  off(event: 'change', listener: () => void): void;
  slashCommand(botEventsUrl: string, p: SlashCommandInput, opts?: SendOptions): Promise<SendResult>;
  clickButton(botEventsUrl: string, p: ClickInput, opts?: SendOptions): Promise<SendResult>;
  submitView(botEventsUrl: string, p: SubmitInput, opts?: SendOptions): Promise<SendResult>;
  /** A dispatching select changed in an open modal (block_actions with the view). */
  viewAction(botEventsUrl: string, p: ViewActionInput, opts?: SendOptions): Promise<SendResult>;
  /** The user opened the app's Home tab: a signed Events API `app_home_opened` delivery (with their published view, if any). */
  appHomeOpened(botEventsUrl: string, p: AppHomeOpenedInput, opts?: SendOptions): Promise<SendResult>;
  /** Socket Mode: the slashCommand payload in a `slash_commands` envelope over the app's WebSocket; resolves on the app's ack. */
  socketSlashCommand(p: SlashCommandInput, opts?: SocketSendOptions): Promise<SocketSendResult>;
  /** Socket Mode: the clickButton payload in an `interactive` envelope; resolves on the app's ack. */
  socketClickButton(p: ClickInput, opts?: SocketSendOptions): Promise<SocketSendResult>;
  /** Socket Mode: app_home_opened in an `events_api` envelope; resolves on the app's ack. */
  socketAppHomeOpened(p: AppHomeOpenedInput, opts?: SocketSendOptions): Promise<SocketSendResult>;
  /** How many apps are connected over Socket Mode right now. */
  socketConnections(): number;
  /** Forget all messages, views, calls and responses (keeps users, usergroups and channels). */
  reset(): void;
  close(): Promise<void>;
}
