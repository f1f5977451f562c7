import type { Rollback } from '../domain/rollback.js';
import type { Services } from './context.js';

/**
 * Tells the requester something only they should see: through the slash command's response_url
 * while it is valid (it works in any channel), else as an ephemeral message where they typed.
 */
export async function tellRequester(s: Services, rb: Rollback, text: string): Promise<void> {
  const url = rb.origin?.responseUrl;
  if (url) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) return;
      s.log.warn({ rollback: rb.id, status: res.status }, 'response_url refused the reply; falling back to chat.postEphemeral');
    } catch (error) {
      s.log.warn({ rollback: rb.id, err: error }, 'response_url unreachable; falling back to chat.postEphemeral');
    }
  }
  await s.poster.ephemeral(rb.origin?.channel ?? s.catalog.warRoom, rb.requestedBy, text);
}
