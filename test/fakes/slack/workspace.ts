import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { validateBlocks, withBlockIds } from './blocks.js';
import { slackId, TsClock, triggerId } from './ids.js';
import type { FakeMessage, FakeSlackOptions, FakeView, RecordedCall, RecordedResponse } from './types.js';

export type ResolvedOptions = Required<Omit<FakeSlackOptions, 'port'>>;

type Obj = Record<string, unknown>;

/** An `ok: false` answer; `extra` adds fields such as `errors` or `response_metadata`. */
export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Obj = {},
  ) {
    super(code);
  }
}

interface Trigger {
  user: string;
  issuedAt: number;
  used: boolean;
}

/** What a response_url is bound to: where its messages go and which message it may replace. */
export interface ResponseHook {
  channel: string;
  user: string;
  originalTs?: string;
  uses: number;
}

export interface Upload {
  name: string;
  length: number;
  content?: Buffer;
}

/** The whole in-memory workspace: messages, views, files, triggers and response_urls. Emits 'change' on every mutation. */
export class Workspace {
  readonly emitter = new EventEmitter();
  readonly calls: RecordedCall[] = [];
  readonly responses: RecordedResponse[] = [];
  readonly uploads = new Map<string, Upload>();
  readonly hooks = new Map<string, ResponseHook>();
  private store: FakeMessage[] = [];
  private modalStacks = new Map<string, FakeView[]>();
  private homes = new Map<string, FakeView>();
  /** The app's DM channel with each user (where its Messages tab lives), stable per user. */
  private ims = new Map<string, string>();
  private triggers = new Map<string, Trigger>();
  private readonly clock = new TsClock();

  constructor(
    readonly cfg: ResolvedOptions,
    readonly origin: string,
  ) {}

  changed(): void {
    this.emitter.emit('change');
  }

  reset(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.uploads.clear();
    this.hooks.clear();
    this.store = [];
    this.modalStacks.clear();
    this.homes.clear();
    this.triggers.clear();
    this.changed();
  }

  // --- messages -------------------------------------------------------------------------------

  addMessage(m: Omit<FakeMessage, 'ts'>): FakeMessage {
    const stored: FakeMessage = { ...m, ts: this.clock.next() };
    if (m.blocks) stored.blocks = withBlockIds(m.blocks);
    for (const key of Object.keys(stored) as (keyof FakeMessage)[]) if (stored[key] === undefined) delete stored[key];
    this.store.push(stored);
    this.changed();
    return stored;
  }

  find(channel: string, ts: string): FakeMessage | undefined {
    return this.store.find((m) => m.channel === channel && m.ts === ts);
  }

  update(m: FakeMessage, patch: Pick<FakeMessage, 'text' | 'blocks' | 'attachments'>): void {
    if (patch.text !== undefined) m.text = patch.text;
    if (patch.blocks !== undefined) m.blocks = withBlockIds(patch.blocks);
    if (patch.attachments !== undefined) m.attachments = patch.attachments;
    m.updatedAt = Date.now();
    this.changed();
  }

  remove(m: FakeMessage): void {
    this.store = this.store.filter((x) => x !== m);
    this.changed();
  }

  list(channel?: string): FakeMessage[] {
    return this.store
      .filter((m) => channel === undefined || m.channel === channel)
      .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0))
      .map((m) => structuredClone(m));
  }

  thread(channel: string, ts: string): FakeMessage[] {
    return this.list(channel).filter((m) => m.ts === ts || m.thread_ts === ts);
  }

  /** The message object as the Web API and interaction payloads carry it. */
  wire(m: FakeMessage): Obj {
    const bot = m.user === this.cfg.botUserId;
    return {
      type: 'message',
      user: m.user,
      ...(bot ? { bot_id: this.cfg.botId, app_id: this.cfg.appId } : {}),
      team: this.cfg.teamId,
      text: m.text ?? '',
      ts: m.ts,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(m.blocks ? { blocks: structuredClone(m.blocks) } : {}),
      ...(m.attachments ? { attachments: structuredClone(m.attachments) } : {}),
      ...(m.metadata ? { metadata: structuredClone(m.metadata) } : {}),
      ...(m.updatedAt ? { edited: { user: m.user, ts: String(m.updatedAt / 1000) } } : {}),
      ...(m.files ? { files: m.files.map((f) => ({ id: f.id, name: f.name, title: f.title ?? f.name })) } : {}),
    };
  }

  // --- identities -----------------------------------------------------------------------------

  userName(id: string): string {
    return this.cfg.users[id]?.name ?? id.toLowerCase();
  }

  channelName(id: string): string {
    return this.cfg.channels[id]?.name ?? id.toLowerCase();
  }

  /** A channel id from an id or a (#-prefixed) name, as chat.postMessage accepts; a user id means their DM. */
  resolveChannel(value: unknown): string {
    if (typeof value !== 'string' || value === '') throw new SlackApiError('channel_not_found');
    const name = value.replace(/^#/, '');
    const byName = Object.entries(this.cfg.channels).find(([, c]) => c.name === name);
    if (byName) return byName[0];
    if (/^[CGD][A-Z0-9]{2,}$/.test(value)) return value;
    if (/^[UW][A-Z0-9]{2,}$/.test(value)) return `D${value.slice(1)}`;
    throw new SlackApiError('channel_not_found');
  }

  // --- triggers and response_urls -------------------------------------------------------------

  issueTrigger(user: string, id = triggerId()): string {
    this.triggers.set(id, { user, issuedAt: Date.now(), used: false });
    return id;
  }

  /** A trigger_id opens one view, within triggerTtlMs of the interaction, as on Slack. */
  exchangeTrigger(id: unknown): string {
    const trigger = typeof id === 'string' ? this.triggers.get(id) : undefined;
    if (!trigger) throw new SlackApiError('invalid_trigger_id');
    if (Date.now() - trigger.issuedAt > this.cfg.triggerTtlMs) throw new SlackApiError('expired_trigger_id');
    if (trigger.used) throw new SlackApiError('exchanged_trigger_id');
    trigger.used = true;
    return trigger.user;
  }

  issueHook(hook: Omit<ResponseHook, 'uses'>): string {
    const id = randomBytes(12).toString('hex');
    this.hooks.set(id, { ...hook, uses: 0 });
    return `${this.origin}/response/${id}`;
  }

  hookAt(url: string): ResponseHook | undefined {
    return this.hooks.get(url.slice(`${this.origin}/response/`.length));
  }

  // --- views ----------------------------------------------------------------------------------

  private buildView(input: unknown, kind: FakeView['kind'], id: string, previous?: FakeView): FakeView['view'] {
    if (typeof input !== 'object' || input === null)
      throw new SlackApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } });
    const v = input as Obj;
    const problems: string[] = [];
    if (v.type !== kind) problems.push(`must be '${kind}' [json-pointer:/view/type]`);
    if (kind === 'modal') {
      const title = (v.title as Obj | undefined)?.text;
      if (typeof title !== 'string') problems.push('missing required field: title [json-pointer:/view/title]');
      else if (title.length > 24) problems.push('must be less than 25 characters [json-pointer:/view/title/text]');
    }
    problems.push(...validateBlocks(v.blocks, 100, '/view/blocks'));
    if (problems.length) throw new SlackApiError('invalid_arguments', { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
    return {
      ...structuredClone(v),
      id,
      team_id: this.cfg.teamId,
      type: kind,
      blocks: withBlockIds(v.blocks as unknown[]),
      private_metadata: typeof v.private_metadata === 'string' ? v.private_metadata : '',
      callback_id: typeof v.callback_id === 'string' ? v.callback_id : '',
      external_id: typeof v.external_id === 'string' ? v.external_id : '',
      state: { values: {} },
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      clear_on_close: v.clear_on_close === true,
      notify_on_close: v.notify_on_close === true,
      previous_view_id: previous?.id ?? null,
      root_view_id: (previous?.view.root_view_id as string | undefined) ?? id,
      app_id: this.cfg.appId,
      app_installed_team_id: this.cfg.teamId,
      bot_id: this.cfg.botId,
    };
  }

  openModal(user: string, input: unknown): FakeView {
    const id = slackId('V');
    const view: FakeView = { id, user, kind: 'modal', view: this.buildView(input, 'modal', id) };
    this.modalStacks.set(user, [view]);
    this.changed();
    return view;
  }

  pushModal(user: string, input: unknown): FakeView {
    const stack = this.modalStacks.get(user) ?? [];
    if (stack.length === 0) throw new SlackApiError('not_found');
    if (stack.length >= 3) throw new SlackApiError('push_limit_reached');
    const id = slackId('V');
    const view: FakeView = { id, user, kind: 'modal', view: this.buildView(input, 'modal', id, stack.at(-1)) };
    stack.push(view);
    this.changed();
    return view;
  }

  findView(viewId?: unknown, externalId?: unknown): FakeView | undefined {
    const all = [...[...this.modalStacks.values()].flat(), ...this.homes.values()];
    return all.find((v) => (viewId !== undefined && v.id === viewId) || (externalId !== undefined && externalId !== '' && v.view.external_id === externalId));
  }

  /** Replaces a view's content in place (same id); a stale `hash` is refused as Slack does. */
  updateView(target: FakeView, input: unknown, hash?: unknown): FakeView {
    if (hash !== undefined && hash !== '' && hash !== target.view.hash) throw new SlackApiError('hash_conflict');
    const stack = this.modalStacks.get(target.user) ?? [];
    const previous = stack[stack.indexOf(target) - 1];
    target.view = this.buildView(input, target.kind, target.id, previous);
    delete target.errors;
    this.changed();
    return target;
  }

  publishHome(user: string, input: unknown): FakeView {
    const existing = this.homes.get(user);
    const id = existing?.id ?? slackId('V');
    const view: FakeView = { id, user, kind: 'home', view: this.buildView(input, 'home', id) };
    this.homes.set(user, view);
    this.changed();
    return view;
  }

  /** Closes a modal and everything pushed above it (what an empty submission ack does). */
  closeModal(view: FakeView): void {
    const stack = this.modalStacks.get(view.user) ?? [];
    const at = stack.indexOf(view);
    if (at >= 0) stack.splice(at);
    if (stack.length === 0) this.modalStacks.delete(view.user);
    this.changed();
  }

  setViewErrors(view: FakeView, errors: Record<string, string>): void {
    view.errors = errors;
    this.changed();
  }

  clearModals(user: string): void {
    this.modalStacks.delete(user);
    this.changed();
  }

  modals(user?: string): FakeView[] {
    const stacks = user === undefined ? [...this.modalStacks.values()] : [this.modalStacks.get(user) ?? []];
    return stacks.flat().map((v) => structuredClone(v));
  }

  /** The app's DM channel id with `user` (the `channel` of app_home_opened). */
  imChannel(user: string): string {
    let id = this.ims.get(user);
    if (!id) this.ims.set(user, (id = slackId('D')));
    return id;
  }

  home(user: string): FakeView | undefined {
    const view = this.homes.get(user);
    return view && structuredClone(view);
  }
}
