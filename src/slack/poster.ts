import type { KnownBlock } from '@slack/types';
import type { ChatPostMessageArguments, WebClient } from '@slack/web-api';
import type { Logger } from 'pino';

export interface Message {
  text: string;
  blocks?: KnownBlock[];
  thread_ts?: string;
  /** Also show a thread reply in the channel (announcements, final status). */
  broadcast?: boolean;
  /** Slack message metadata: lets the outbox find a post it made before a crash. */
  metadata?: { event_type: string; event_payload: Record<string, string | number> };
}

/** Slack allows about one message per second per channel, with short bursts. */
const BURST = 4;

/**
 * The bot's Slack writes. Posts to a channel are paced by a token bucket (a burst of four, then
 * one per `minIntervalMs`), each post reserving the next free slot; an urgent post (an outcome)
 * takes a slot without waiting and pushes the others back. WebClient waits out 429 Retry-After.
 * Order within a thread is the caller's: the outbox poster awaits each post of a rollback.
 * Card updates are coalesced: a burst of changes becomes one chat.update with the latest render.
 * Execution never calls this directly: it writes the outbox, which the outbox poster drains.
 */
export class Poster {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly updates = new Map<string, { running: Promise<void>; again: boolean }>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    readonly client: WebClient,
    private readonly log: Logger,
    private readonly minIntervalMs = 1000,
  ) {}

  /** Resolves once every post and update started so far has settled (for a clean shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work)).catch(() => undefined);
    return work;
  }

  /** Reserves a slot in `channel`'s bucket; resolves when it comes (at once when urgent, or once `promote` fires). */
  private async pace(channel: string, urgent: boolean, promote?: AbortSignal): Promise<void> {
    if (this.minIntervalMs <= 0) return;
    const now = Date.now();
    const bucket = this.buckets.get(channel) ?? { tokens: BURST, at: now };
    bucket.tokens = Math.min(BURST, bucket.tokens + (now - bucket.at) / this.minIntervalMs) - 1;
    bucket.at = now;
    this.buckets.set(channel, bucket);
    if (bucket.tokens < 0 && !urgent && !promote?.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          promote?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, -bucket.tokens * this.minIntervalMs);
        promote?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /**
   * Posts a message; resolves with its ts. `promote` turns a paced post urgent while it waits for
   * its slot (an outcome queued behind it must not wait for the pace either).
   */
  post(channel: string, message: Message, opts: { urgent?: boolean; promote?: AbortSignal } = {}): Promise<string> {
    return this.track(
      (async () => {
        await this.pace(channel, opts.urgent ?? false, opts.promote);
        const thread = message.thread_ts ? { thread_ts: message.thread_ts, reply_broadcast: message.broadcast ?? false } : {};
        const args = {
          channel,
          text: message.text,
          unfurl_links: false,
          ...(message.blocks ? { blocks: message.blocks } : {}),
          ...(message.metadata ? { metadata: message.metadata } : {}),
          ...thread,
        };
        const res = await this.client.chat.postMessage(args as ChatPostMessageArguments);
        return res.ts as string;
      })(),
    );
  }

  ephemeral(channel: string, user: string, text: string, blocks?: KnownBlock[]): Promise<void> {
    return this.track(this.client.chat.postEphemeral({ channel, user, text, ...(blocks ? { blocks } : {}) })).then(
      () => undefined,
      (error: unknown) => this.log.warn({ err: error, channel, user }, 'could not send ephemeral message'),
    );
  }

  /**
   * Re-renders a message from fresh state. Calls made while an update is in flight collapse
   * into one more update after it, so the last state always lands and nothing in between is wasted.
   * A 429 is waited out by the WebClient (Retry-After); a failure rejects the callers whose state
   * did not land, so the caller can retry.
   */
  update(key: string, render: () => Promise<{ channel: string; ts: string; message: Message } | undefined>): Promise<void> {
    const pending = this.updates.get(key);
    if (pending) {
      pending.again = true;
      return pending.running;
    }
    const entry = { running: Promise.resolve(), again: false };
    entry.running = (async () => {
      try {
        do {
          entry.again = false;
          try {
            const next = await render();
            if (next) await this.client.chat.update({ channel: next.channel, ts: next.ts, text: next.message.text, blocks: next.message.blocks });
          } catch (error) {
            // A newer state is waiting: render that rather than drop it with this failure.
            if (!entry.again) throw error;
            this.log.warn({ err: error, key }, 'message update failed; sending the newer state');
          }
        } while (entry.again);
      } finally {
        this.updates.delete(key);
      }
    })();
    this.updates.set(key, entry);
    return this.track(entry.running);
  }
}
