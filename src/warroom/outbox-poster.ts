import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Rollback } from '../domain/rollback.js';
import type { OutboxEntry } from '../domain/timeline.js';
import { renderCard } from './card.js';
import type { Services } from '../rollbacks/context.js';
import { followUpOf, postMortemMarker, uploadPostMortem } from './follow-up.js';
import { HomeRefresher } from './home.js';
import { notifySupport, recordSupport, updateStatusPage } from './notices.js';
import { investigatingAsk } from '../slack/follow-up.js';
import type { Message } from '../slack/poster.js';
import { failpoint } from '../failpoint.js';
import type { Inflight } from '../store/outbox.js';

/** Metadata type on every outbox post: how recovery recognises its own messages. */
const EVENT_TYPE = 'rewind_outbox';
/** Consecutive thread lines pending at once go out as one message, up to this much. */
const BATCH_LINES = 12;
const BATCH_CHARS = 3500;
/** A plain line waits this long for more to join it (one message instead of several paced ones). */
const HOLD_MS = 150;
/** A poster's hold on one rollback's outbox; renewed while it drains, so a dead poster's lapses soon. */
const DRAIN_LEASE_MS = 6_000;
/** While a paced line waits for its Slack slot, how often to look for an outcome written behind it. */
const PROMOTE_CHECK_MS = 100;

type Line = Extract<OutboxEntry, { kind: 'line' }>;

/** The time a thread post shows: when its entry was written, but never before the post above it. */
function stampAfter(prev: string, entry: OutboxEntry): string {
  const at = ('at' in entry && entry.at) || prev || new Date().toISOString();
  return at > prev ? at : prev;
}

/**
 * Delivers the war-room outbox to Slack, in every worker: per rollback in order, late if Slack is
 * down, never twice (a post interrupted by a crash is looked up in Slack by its metadata before it
 * is repeated). Card and next-steps re-renders are coalesced through the dirty set.
 */
export class OutboxPoster {
  private readonly owner = randomUUID();
  private readonly log: Logger;
  /** Per rollback (or dirty member): do not retry before this time after a failure. */
  private readonly backoff = new Map<string, { until: number; delayMs: number }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** The earliest time a held-back line is due (Infinity: none). */
  private heldUntil = Infinity;
  private stopped = false;
  private readonly unsubscribe: () => void;
  /** App Home views follow the cards: every card post or re-render may mean a rollback moved. */
  private readonly homes: HomeRefresher;

  constructor(
    private readonly s: Services,
    private readonly pollMs = 250,
  ) {
    this.log = s.log.child({ component: 'outbox' });
    this.unsubscribe = s.outbox.onAppend(() => this.wake());
    this.homes = new HomeRefresher(s);
  }

  start(): void {
    this.schedule(0);
  }

  /** Delivers as soon as possible (after the pass in progress, if any). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Stops polling and waits for the pass in progress, at most `deadlineMs`. */
  async stop(deadlineMs: number): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    clearTimeout(this.timer);
    const homes = this.homes.stop();
    if (this.running) await Promise.race([this.running, new Promise((r) => setTimeout(r, deadlineMs).unref())]);
    await Promise.race([homes, new Promise((r) => setTimeout(r, deadlineMs).unref())]);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pass(), ms);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    if (this.stopped || this.running) return;
    this.again = false;
    this.running = (async () => {
      try {
        const [ids, dirty] = await Promise.all([this.s.outbox.pending(), this.s.outbox.dirty()]);
        await Promise.all(ids.filter((id) => this.due(id)).map((id) => this.guard(id, () => this.drain(id))));
        await Promise.all(dirty.filter((m) => this.due(m)).map((m) => this.guard(m, () => this.rerender(m))));
      } catch (error) {
        this.log.warn({ err: error }, 'outbox pass failed; trying again');
      }
    })();
    await this.running;
    this.running = undefined;
    const held = Math.max(0, this.heldUntil - Date.now());
    this.heldUntil = Infinity;
    if (!this.stopped) this.schedule(this.again ? 0 : Math.min(held, this.pollMs));
  }

  private due(key: string): boolean {
    return (this.backoff.get(key)?.until ?? 0) <= Date.now();
  }

  /** Runs one delivery; on failure backs off (1 s doubling to 30 s) and leaves the work in Redis. */
  private async guard(key: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      this.backoff.delete(key);
    } catch (error) {
      const delayMs = Math.min(30_000, (this.backoff.get(key)?.delayMs ?? 500) * 2);
      this.backoff.set(key, { until: Date.now() + delayMs, delayMs });
      this.log.warn({ err: error, key, retryInMs: delayMs }, 'could not deliver to Slack; will retry');
    }
  }

  private async drain(id: string): Promise<void> {
    if (!(await this.s.outbox.claimDrain(id, this.owner, DRAIN_LEASE_MS))) return;
    const lease = setInterval(() => void this.s.outbox.renewDrain(id, this.owner, DRAIN_LEASE_MS).catch(() => undefined), DRAIN_LEASE_MS / 3);
    try {
      let rb = await this.s.store.get(id);
      if (!rb) return await this.s.outbox.drop(id);
      const undelivered = await this.s.outbox.undelivered(id);
      const { from, entries, inflight } = undelivered;
      let stamp = undelivered.stamp;
      let i = 0;
      if (inflight && inflight.first === from) {
        const found = await this.landed(rb, entries[0]!, inflight);
        if (found) {
          i = inflight.last - from + 1;
          stamp = entries.slice(0, i).reduce(stampAfter, stamp);
          if (found.card) rb = await this.recordCard(rb, found.card);
          if (found.followUp) rb = await this.recordFollowUp(rb, { ...found.followUp, at: stamp });
          await this.s.outbox.delivered(id, inflight.last + 1, stamp);
        } else rb = (await this.s.store.get(id)) ?? rb; // recovery may have recorded what did land (the support notice)
      }
      // Everything up to an announcement or outcome goes out without waiting for the pace; so does
      // a paced line once an outcome is written behind it while it waits for its slot.
      const lastBroadcast = entries.findLastIndex((e) => e.kind === 'line' && e.broadcast);
      let promoted = false;
      while (i < entries.length) {
        const entry = entries[i]!;
        const batch = entry.kind === 'line' && !entry.broadcast ? this.batchFrom(entries, i) : [entry];
        const first = from + i;
        const last = first + batch.length - 1;
        const urgent = promoted || i <= lastBroadcast || entry.kind === 'card' || entry.kind === 'channel';
        if (!urgent && i + batch.length === entries.length && this.young(batch.at(-1)!)) {
          this.holdFor(HOLD_MS);
          return;
        }
        const promote = new AbortController();
        const watch = urgent
          ? undefined
          : setInterval(
              () =>
                void this.s.outbox.urgentFrom(id, from + entries.length).then(
                  (u) => u && promote.abort(),
                  () => undefined,
                ),
              PROMOTE_CHECK_MS,
            );
        try {
          [rb, stamp] = await this.deliver(rb, batch, { first, last, at: Date.now() }, { urgent, promote: promote.signal }, stamp);
        } finally {
          clearInterval(watch);
        }
        promoted ||= promote.signal.aborted;
        await this.s.outbox.delivered(id, last + 1, stamp);
        i += batch.length;
      }
      // What was written behind the promoted lines goes out in the next pass, at once.
      if (promoted) this.again = true;
    } finally {
      clearInterval(lease);
      await this.s.outbox.releaseDrain(id, this.owner);
    }
  }

  /** A plain line written moments ago may have company coming (one stamped ahead of this clock, by a skewed worker, is not held). */
  private young(entry: OutboxEntry): boolean {
    const age = entry.kind === 'line' ? Date.now() - Date.parse(entry.at) : -1;
    return age >= 0 && age < HOLD_MS;
  }

  /** Looks again in `ms`: lines held back for company. */
  private holdFor(ms: number): void {
    this.heldUntil = Math.min(this.heldUntil, Date.now() + ms);
  }

  /** Consecutive plain lines from `i`, as many as one message holds. */
  private batchFrom(entries: OutboxEntry[], i: number): Line[] {
    const batch: Line[] = [];
    let chars = 0;
    for (let j = i; j < entries.length && batch.length < BATCH_LINES; j++) {
      const e = entries[j]!;
      if (e.kind !== 'line' || e.broadcast || (batch.length && chars + e.text.length > BATCH_CHARS)) break;
      batch.push(e);
      chars += e.text.length;
    }
    return batch;
  }

  private metadata(rb: Rollback, seq: number): Message['metadata'] {
    return { event_type: EVENT_TYPE, event_payload: { rollback: rb.id, nonce: rb.nonce ?? '', seq } };
  }

  /**
   * Posts one outbox item after a post stamped `prev`; returns the record as it is now (a card,
   * next-steps ref or follow-up may be new) and the time the post shows.
   */
  private async deliver(
    rb: Rollback,
    batch: OutboxEntry[],
    inflight: Inflight,
    pace: { urgent: boolean; promote: AbortSignal },
    prev: string,
  ): Promise<[Rollback, string]> {
    const entry = batch[0]!;
    const metadata = this.metadata(rb, inflight.last);
    if (entry.kind === 'channel') {
      await this.s.outbox.markInflight(rb.id, inflight);
      await this.s.poster.post(this.s.catalog.warRoom, { text: entry.text, metadata }, pace);
      return [rb, stampAfter(prev, entry)];
    }
    // Never got a card (refused at plan time): nothing to thread under.
    if (entry.kind !== 'card' && !rb.card) return [rb, prev];
    const thread = { channel: rb.card?.channel ?? '', thread_ts: rb.card?.ts ?? '' };
    const at = stampAfter(prev, entry);
    switch (entry.kind) {
      case 'card': {
        if (rb.card) return [rb, prev];
        await this.s.outbox.markInflight(rb.id, inflight);
        const ts = await this.s.poster.post(this.s.catalog.warRoom, { ...(await renderCard(this.s, rb)), metadata }, pace);
        this.homes.poke(rb.id);
        return [await this.recordCard(rb, { channel: this.s.catalog.warRoom, ts }), prev];
      }
      case 'line': {
        const stamps: string[] = [];
        for (const l of batch) stamps.push(stampAfter(stamps.at(-1) ?? prev, l));
        const text = (batch as Line[]).map((l, j) => `\`${stamps[j]!.slice(11, 19)}\` ${l.text}`).join('\n');
        await this.s.outbox.markInflight(rb.id, inflight);
        await this.s.poster.post(thread.channel, { text, thread_ts: thread.thread_ts, broadcast: entry.broadcast ?? false, metadata }, pace);
        failpoint('outbox-posted', text);
        return [rb, stamps.at(-1)!];
      }
      case 'followup': {
        if (rb.followUp?.message) return [rb, prev];
        await this.s.outbox.markInflight(rb.id, inflight);
        const ts = await this.s.poster.post(thread.channel, { ...followUpOf(this.s, rb, at), thread_ts: thread.thread_ts, metadata }, pace);
        return [await this.recordFollowUp(rb, { channel: thread.channel, ts, at }), at];
      }
      case 'postmortem': {
        await this.s.outbox.markInflight(rb.id, inflight);
        await uploadPostMortem(this.s, rb, at);
        return [rb, at];
      }
      case 'statusbutton': {
        if (rb.followUp?.investigating || !this.s.catalog.statusPage) return [rb, prev];
        await this.s.outbox.markInflight(rb.id, inflight);
        await this.s.poster.post(thread.channel, { ...investigatingAsk(rb, at), thread_ts: thread.thread_ts, metadata }, pace);
        return [rb, at];
      }
      case 'statuspage':
      case 'support': {
        await this.s.outbox.markInflight(rb.id, inflight);
        const said = entry.kind === 'statuspage' ? await updateStatusPage(this.s, rb, entry.status) : await notifySupport(this.s, rb, metadata);
        if (!said) return [rb, prev];
        await this.s.poster.post(thread.channel, { text: `\`${at.slice(11, 19)}\` ${said}`, thread_ts: thread.thread_ts, metadata }, pace);
        return [(await this.s.store.get(rb.id)) ?? rb, at];
      }
    }
  }

  private async recordCard(rb: Rollback, card: { channel: string; ts: string }): Promise<Rollback> {
    return (await this.s.store.update(rb.id, (r) => (r.card ? undefined : { rollback: { ...r, card } }))).rollback;
  }

  private async recordFollowUp(rb: Rollback, message: { channel: string; ts: string; at: string }): Promise<Rollback> {
    return (await this.s.store.update(rb.id, (r) => (r.followUp?.message ? undefined : { rollback: { ...r, followUp: { ...r.followUp, message } } }))).rollback;
  }

  /**
   * After a crash mid-post: did that post reach Slack? Looks for the message carrying its
   * metadata (or, for the post-mortem file, its comment) near the time it was attempted.
   */
  private async landed(
    rb: Rollback,
    entry: OutboxEntry,
    inflight: Inflight,
  ): Promise<{ card?: { channel: string; ts: string }; followUp?: { channel: string; ts: string } } | undefined> {
    const oldest = String((inflight.at - 60_000) / 1000);
    const mine = (m: { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }) =>
      m.metadata?.event_type === EVENT_TYPE &&
      m.metadata.event_payload?.rollback === rb.id &&
      m.metadata.event_payload?.seq === inflight.last &&
      (m.metadata.event_payload?.nonce ?? '') === (rb.nonce ?? '');
    const client = this.s.poster.client;
    if (entry.kind === 'card' || entry.kind === 'channel') {
      const channel = this.s.catalog.warRoom;
      const res = await client.conversations.history({ channel, oldest, include_all_metadata: true, limit: 200 });
      const found = res.messages?.find((m) => mine(m as Parameters<typeof mine>[0]));
      if (!found?.ts) return undefined;
      return entry.kind === 'card' ? { card: { channel, ts: found.ts } } : {};
    }
    if (!rb.card) return undefined;
    const res = await client.conversations.replies({ channel: rb.card.channel, ts: rb.card.ts, oldest, include_all_metadata: true, limit: 200 });
    const messages = res.messages ?? [];
    if (entry.kind === 'postmortem') return messages.some((m) => m.text?.includes(postMortemMarker(rb))) ? {} : undefined;
    const found = messages.find((m) => mine(m as Parameters<typeof mine>[0]));
    const support = this.s.catalog.supportChannel;
    if (!found?.ts && entry.kind === 'support' && support && !rb.followUp?.supportNotified) {
      // The notice may be in the support channel though its thread line is not: record it, so it is not repeated.
      const posted = await client.conversations.history({ channel: support, oldest, include_all_metadata: true, limit: 200 });
      if (posted.messages?.some((m) => mine(m as Parameters<typeof mine>[0]))) await recordSupport(this.s, rb.id);
    }
    if (!found?.ts) return undefined;
    return entry.kind === 'followup' ? { followUp: { channel: rb.card.channel, ts: found.ts } } : {};
  }

  /** Re-renders a card or next-steps message from its record (`card:<id>` / `followup:<id>`). */
  private async rerender(member: string): Promise<void> {
    if (!(await this.s.outbox.takeDirty(member))) return;
    const [what, id = ''] = member.split(':');
    try {
      await this.s.poster.update(member, async () => {
        const rb = await this.s.store.get(id);
        if (!rb) return undefined;
        if (what === 'card') return rb.card ? { ...rb.card, message: await renderCard(this.s, rb) } : undefined;
        return rb.followUp?.message ? { ...rb.followUp.message, message: followUpOf(this.s, rb) } : undefined;
      });
      if (what === 'card') this.homes.poke(id);
    } catch (error) {
      // The message was deleted in Slack: nothing left to update.
      if ((error as { data?: { error?: string } }).data?.error === 'message_not_found') return;
      await this.s.outbox.markDirty(member);
      throw error;
    }
  }
}
