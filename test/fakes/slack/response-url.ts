import { validateBlocks } from './blocks.js';
import type { Workspace } from './workspace.js';

type Obj = Record<string, unknown>;

/** Slack lets an app use one response_url up to 5 times. */
const MAX_USES = 5;

const flag = (v: unknown) => v === true || v === 'true';

/**
 * What Slack does with a message POSTed to a response_url: delete_original removes the message the
 * interaction came from, replace_original rewrites it, anything else is a new message: ephemeral to
 * the user who interacted unless response_type is 'in_channel'.
 */
export function acceptResponse(ws: Workspace, id: string, url: string, body: Obj): { status: number; body: Obj } {
  const hook = ws.hooks.get(id);
  if (!hook) return { status: 404, body: { ok: false, error: 'expired_url' } };
  if (hook.uses >= MAX_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
  hook.uses += 1;
  ws.responses.push({ url, body, at: Date.now() });

  const original = hook.originalTs ? ws.find(hook.channel, hook.originalTs) : undefined;
  const text = typeof body.text === 'string' ? body.text : undefined;
  const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
  const attachments = Array.isArray(body.attachments) ? body.attachments : undefined;

  if (flag(body.delete_original)) {
    if (original) ws.remove(original);
    else ws.changed();
    return { status: 200, body: { ok: true } };
  }
  if (text === undefined && !blocks && !attachments) return { status: 400, body: { ok: false, error: 'no_text' } };
  const errors = blocks ? validateBlocks(blocks, 50) : [];
  if (errors.length) return { status: 400, body: { ok: false, error: 'invalid_blocks', errors } };

  if (flag(body.replace_original) && original) {
    ws.update(original, { text, blocks, attachments });
  } else {
    const posted = ws.addMessage({
      channel: hook.channel,
      thread_ts: typeof body.thread_ts === 'string' ? body.thread_ts : undefined,
      text,
      blocks,
      attachments,
      user: ws.cfg.botUserId,
      ephemeralTo: body.response_type === 'in_channel' ? undefined : hook.user,
    });
    // For a slash command the first message sent back is the "original" later responses may replace.
    hook.originalTs ??= posted.ts;
  }
  return { status: 200, body: { ok: true } };
}
