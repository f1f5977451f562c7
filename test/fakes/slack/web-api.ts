import { validateBlocks } from './blocks.js';
import { slackId } from './ids.js';
import { SlackApiError, type Workspace } from './workspace.js';
import type { FakeFile, FakeMessage, FakeView } from './types.js';

type Args = Record<string, unknown>;
type Handler = (ws: Workspace, args: Args) => Args;

/** Fields WebClient JSON-encodes inside a form body; recorded and used as objects. */
const JSON_FIELDS = ['blocks', 'attachments', 'view', 'files', 'metadata'];

export function decodeJsonFields(args: Args): Args {
  const out = { ...args };
  for (const key of JSON_FIELDS) {
    const value = out[key];
    if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) continue;
    try {
      out[key] = JSON.parse(value);
    } catch {
      throw new SlackApiError(key === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments');
    }
  }
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function content(args: Args, required: boolean): Pick<FakeMessage, 'text' | 'blocks' | 'attachments'> {
  const text = str(args.text);
  const blocks = args.blocks as unknown[] | undefined;
  const attachments = args.attachments as unknown[] | undefined;
  if (required && text === undefined && !blocks?.length && !attachments?.length) throw new SlackApiError('no_text');
  if (text !== undefined && text.length > 40_000) throw new SlackApiError('msg_too_long');
  if (blocks !== undefined) {
    const errors = validateBlocks(blocks, 50);
    if (errors.length) throw new SlackApiError('invalid_blocks', { errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } });
  }
  return { text, blocks, attachments };
}

function existing(ws: Workspace, channel: unknown, ts: unknown): FakeMessage {
  const m = typeof channel === 'string' && typeof ts === 'string' ? ws.find(channel, ts) : undefined;
  if (!m || m.ephemeralTo) throw new SlackApiError('message_not_found');
  return m;
}

function viewResult(view: FakeView): Args {
  return { view: structuredClone(view.view) };
}

const methods: Record<string, Handler> = {
  'api.test': (_ws, args) => ({ args }),

  'auth.test': (ws) => ({
    url: `https://${ws.cfg.teamDomain}.slack.com/`,
    team: ws.cfg.teamDomain,
    user: ws.userName(ws.cfg.botUserId),
    team_id: ws.cfg.teamId,
    user_id: ws.cfg.botUserId,
    bot_id: ws.cfg.botId,
    is_enterprise_install: false,
  }),

  'chat.postMessage': (ws, args) => {
    const channel = ws.resolveChannel(args.channel);
    const metadata = args.metadata as FakeMessage['metadata'];
    const m = ws.addMessage({ channel, thread_ts: str(args.thread_ts), ...content(args, true), user: ws.cfg.botUserId, metadata });
    return { channel, ts: m.ts, message: ws.wire(m) };
  },

  'chat.postEphemeral': (ws, args) => {
    const channel = ws.resolveChannel(args.channel);
    const user = str(args.user);
    if (!user) throw new SlackApiError('user_not_in_channel');
    const m = ws.addMessage({ channel, thread_ts: str(args.thread_ts), ...content(args, true), user: ws.cfg.botUserId, ephemeralTo: user });
    return { message_ts: m.ts };
  },

  'chat.update': (ws, args) => {
    const m = existing(ws, args.channel, args.ts);
    const patch = content(args, false);
    if (patch.text === undefined && patch.blocks === undefined && patch.attachments === undefined) throw new SlackApiError('no_text');
    ws.update(m, patch);
    return { channel: m.channel, ts: m.ts, text: m.text ?? '', message: ws.wire(m) };
  },

  'chat.delete': (ws, args) => {
    const m = existing(ws, args.channel, args.ts);
    ws.remove(m);
    return { channel: m.channel, ts: m.ts };
  },

  'chat.getPermalink': (ws, args) => {
    const m = existing(ws, args.channel, args.message_ts);
    const base = `${ws.origin}/archives/${m.channel}/p${m.ts.replace('.', '')}`;
    return { channel: m.channel, permalink: m.thread_ts && m.thread_ts !== m.ts ? `${base}?thread_ts=${m.thread_ts}&cid=${m.channel}` : base };
  },

  'conversations.info': (ws, args) => {
    const id = ws.resolveChannel(args.channel);
    const known = ws.cfg.channels[id];
    return {
      channel: {
        id,
        name: ws.channelName(id),
        is_channel: id.startsWith('C'),
        is_group: id.startsWith('G'),
        is_im: id.startsWith('D'),
        is_private: known?.is_private ?? id.startsWith('G'),
        is_archived: false,
        is_member: true,
        created: 1_700_000_000,
      },
    };
  },

  'conversations.history': (ws, args) => {
    const channel = ws.resolveChannel(args.channel);
    const top = ws.list(channel).filter((m) => !m.ephemeralTo && (!m.thread_ts || m.thread_ts === m.ts));
    return { messages: top.reverse().map((m) => ws.wire(m)), has_more: false };
  },

  'conversations.replies': (ws, args) => {
    const channel = ws.resolveChannel(args.channel);
    const thread = ws.thread(channel, String(args.ts)).filter((m) => !m.ephemeralTo);
    if (thread.length === 0) throw new SlackApiError('thread_not_found');
    return { messages: thread.map((m) => ws.wire(m)), has_more: false };
  },

  'users.info': (ws, args) => {
    const id = str(args.user);
    const known = id ? ws.cfg.users[id] : undefined;
    if (!id || (!known && id !== ws.cfg.botUserId)) throw new SlackApiError('user_not_found');
    const name = ws.userName(id);
    const realName = known?.real_name ?? name;
    return {
      user: {
        id,
        team_id: ws.cfg.teamId,
        name,
        real_name: realName,
        deleted: false,
        is_bot: id === ws.cfg.botUserId,
        tz: 'Etc/UTC',
        profile: { real_name: realName, display_name: name },
      },
    };
  },

  'usergroups.users.list': (ws, args) => {
    const users = typeof args.usergroup === 'string' ? ws.cfg.usergroups[args.usergroup] : undefined;
    if (!users) throw new SlackApiError('no_such_subteam');
    return { users: [...users] };
  },

  'views.open': (ws, args) => viewResult(ws.openModal(ws.exchangeTrigger(args.trigger_id), args.view)),

  'views.push': (ws, args) => viewResult(ws.pushModal(ws.exchangeTrigger(args.trigger_id), args.view)),

  'views.update': (ws, args) => {
    if (!str(args.view_id) && !str(args.external_id)) throw new SlackApiError('invalid_arguments');
    const target = ws.findView(str(args.view_id), str(args.external_id));
    if (!target) throw new SlackApiError('not_found');
    return viewResult(ws.updateView(target, args.view, args.hash));
  },

  'views.publish': (ws, args) => {
    const user = str(args.user_id);
    if (!user) throw new SlackApiError('invalid_arguments');
    return viewResult(ws.publishHome(user, args.view));
  },

  'files.getUploadURLExternal': (ws, args) => {
    const name = str(args.filename);
    const length = Number(args.length);
    if (!name || !Number.isInteger(length) || length < 0) throw new SlackApiError('invalid_arguments');
    const id = slackId('F');
    ws.uploads.set(id, { name, length });
    return { upload_url: `${ws.origin}/upload/${id}`, file_id: id };
  },

  'files.completeUploadExternal': (ws, args) => {
    if (!Array.isArray(args.files) || args.files.length === 0) throw new SlackApiError('invalid_arguments');
    const files: FakeFile[] = args.files.map((f: { id?: string; title?: string }) => {
      const upload = f.id ? ws.uploads.get(f.id) : undefined;
      if (!upload?.content) throw new SlackApiError('file_not_found');
      return { id: f.id, name: upload.name, title: f.title ?? upload.name, content: upload.content.toString('utf8') };
    });
    const channelArg = str(args.channel_id) ?? str(args.channels)?.split(',')[0];
    let shared: FakeMessage | undefined;
    if (channelArg) {
      const channel = ws.resolveChannel(channelArg);
      shared = ws.addMessage({ channel, thread_ts: str(args.thread_ts), text: str(args.initial_comment), files, user: ws.cfg.botUserId });
    }
    const created = Math.floor(Date.now() / 1000);
    return {
      files: files.map((f) => ({
        id: f.id,
        created,
        timestamp: created,
        name: f.name,
        title: f.title,
        mimetype: 'text/plain',
        filetype: 'text',
        size: Buffer.byteLength(f.content),
        user: ws.cfg.botUserId,
        url_private: `${ws.origin}/files/${f.id}/${encodeURIComponent(f.name)}`,
        shares: shared ? { public: { [shared.channel]: [{ ts: shared.ts, ...(shared.thread_ts ? { thread_ts: shared.thread_ts } : {}) }] } } : {},
      })),
    };
  },
};

/** Runs a Web API method against the workspace; the result goes out as `{ ok: true, ...result }`. */
export function callMethod(ws: Workspace, method: string, args: Args): Args {
  const handler = methods[method];
  if (!handler) throw new SlackApiError('unknown_method', { req_method: method });
  return handler(ws, args);
}
