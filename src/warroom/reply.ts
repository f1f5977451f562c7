import type { KnownBlock } from '@slack/types';
import type { Rollback } from '../domain/rollback.js';
import type { Services } from '../rollbacks/context.js';

export interface ReplyTo {
  user: string;
  channel: string;
  responseUrl?: string;
}

/**
 * Something only one person should see: through the slash command's response_url while it is
 * valid (it works in any channel), else as an ephemeral message in the channel they typed in.
 */
export async function replyPrivately(s: Services, to: ReplyTo, text: string, blocks?: KnownBlock[]): Promise<void> {
  if (to.responseUrl) {
    try {
      const res = await fetch(to.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text, ...(blocks ? { blocks } : {}) }),
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) return;
      s.log.warn({ status: res.status }, 'response_url refused the reply; falling back to chat.postEphemeral');
    } catch (error) {
      s.log.warn({ err: error }, 'response_url unreachable; falling back to chat.postEphemeral');
    }
  }
  await s.poster.ephemeral(to.channel, to.user, text, blocks);
}

export function tellRequester(s: Services, rb: Rollback, text: string): Promise<void> {
  return replyPrivately(s, { user: rb.requestedBy, channel: rb.origin?.channel ?? s.catalog.warRoom, responseUrl: rb.origin?.responseUrl }, text);
}

/** The requester's first answer: the request is recorded and the card is on its way. */
export function createdText(s: Services, id: string, service: string, environment: string): string {
  return `:hourglass_flowing_sand: ${id}: reading the live state of ${service} ${environment}; the plan card will appear in <#${s.catalog.warRoom}> for approval.`;
}
