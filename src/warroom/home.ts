import type { Logger } from 'pino';
import { isTerminal, type Rollback } from '../domain/rollback.js';
import { eligibleUsers } from '../policy/authority.js';
import { describeMissing, evaluate } from '../policy/quorum.js';
import { approvableTargets, authorityOf } from '../policy/resolve.js';
import type { Services } from '../rollbacks/context.js';
import { countedCall } from '../slack/counted-client.js';
import { HOME_RECENT, homeView, type HomeData, type HomeInFlight } from '../slack/home.js';
import { Freezes } from '../store/freezes.js';
import { HomeViewers } from '../store/home-viewers.js';
import type { Freeze } from '../domain/freeze.js';

/** How many recent records are read to find the last outcomes (in-flight ones are among them too). */
const RECENT_SCAN = 50;

/** Who a rollback awaiting approval still waits for, from the current authority and the votes so far. */
async function waitingFor(s: Services, rb: Rollback): Promise<HomeInFlight> {
  if (rb.state !== 'awaiting_approval') return { rollback: rb };
  try {
    const { authority, members, problem } = await authorityOf(s, rb);
    if (problem) return { rollback: rb, needed: `a new request: ${problem}` };
    const decision = evaluate(authority, { requester: rb.requestedBy, members, approvals: rb.approvals });
    if (decision.status !== 'pending') return { rollback: rb };
    const voted = new Set(rb.approvals.map((a) => a.user));
    const mayApprove = eligibleUsers(authority, rb.requestedBy, members).filter((u) => !voted.has(u));
    return { rollback: rb, needed: describeMissing(decision.missing), mayApprove };
  } catch (error) {
    s.log.warn({ err: error, rollback: rb.id }, 'could not resolve approver roles for the App Home');
    return { rollback: rb, needed: 'approval (approver roles could not be read just now)' };
  }
}

/** What every viewer's home shares: the rollbacks in flight (and who they wait for), the last outcomes and the deploy freezes. */
export interface HomeBoard {
  inFlight: HomeInFlight[];
  recent: Rollback[];
  frozen: Freeze[];
}

/**
 * The record with its card's permalink: kept on the record once Slack gave it, so a Home render
 * asks Slack only for cards it has never linked. Without one (Slack away) the Home names the channel.
 */
async function withPermalink(s: Services, rb: Rollback): Promise<Rollback> {
  const card = rb.card;
  if (!card || card.permalink) return rb;
  try {
    const res = await countedCall(s.metrics, 'chat.getPermalink', () => s.poster.client.chat.getPermalink({ channel: card.channel, message_ts: card.ts }));
    if (!res.permalink) return rb;
    const permalink = res.permalink;
    await s.store.update(rb.id, (r) => (r.card && !r.card.permalink ? { rollback: { ...r, card: { ...r.card, permalink } } } : undefined));
    return { ...rb, card: { ...card, permalink } };
  } catch (error) {
    s.log.warn({ err: error, rollback: rb.id }, 'could not get the card permalink for the App Home');
    return rb;
  }
}

/** Reads the board once (a refresh shares it between all the homes it republishes). */
export async function homeBoard(s: Services): Promise<HomeBoard> {
  const [activeIds, recent, frozen] = await Promise.all([s.store.active(), s.store.recent(RECENT_SCAN), new Freezes(s.redis, s.prefix).list()]);
  const active = (await Promise.all(activeIds.map((id) => s.store.get(id))))
    .filter((rb): rb is Rollback => rb !== undefined && !isTerminal(rb.state))
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const outcomes = recent
    .filter((rb) => isTerminal(rb.state))
    .sort((a, b) => Date.parse(b.finishedAt ?? b.updatedAt) - Date.parse(a.finishedAt ?? a.updatedAt))
    .slice(0, HOME_RECENT);
  const [linked, linkedOutcomes] = await Promise.all([
    Promise.all(active.map((rb) => withPermalink(s, rb))),
    Promise.all(outcomes.map((rb) => withPermalink(s, rb))),
  ]);
  return { inFlight: await Promise.all(linked.map((rb) => waitingFor(s, rb))), recent: linkedOutcomes, frozen };
}

/** Everything one person's App Home shows, read from the store and the catalog now. */
export async function homeData(s: Services, user: string, board?: HomeBoard): Promise<HomeData> {
  const [shared, approvable] = await Promise.all([
    board ?? homeBoard(s),
    approvableTargets(s, user).catch((error: unknown) => {
      s.log.warn({ err: error }, 'could not resolve approver roles for the App Home');
      return [];
    }),
  ]);
  return {
    user,
    now: s.now(),
    rtoMs: s.catalog.rto,
    inFlight: shared.inFlight.map((item) => ({ ...item, viewerMayApprove: item.mayApprove?.includes(user) ?? false })),
    recent: shared.recent,
    frozen: shared.frozen,
    approvable,
  };
}

/** Publishes `user`'s App Home from the current records. */
export async function publishHome(s: Services, user: string, board?: HomeBoard): Promise<void> {
  const view = homeView(await homeData(s, user, board));
  await countedCall(s.metrics, 'views.publish', () => s.poster.client.views.publish({ user_id: user, view }));
}

/** Someone opened the App Home: remember them (so it follows the rollbacks) and publish it. */
export async function openHome(s: Services, user: string): Promise<void> {
  await new HomeViewers(s.redis, s.prefix).seen(user, s.now());
  await publishHome(s, user);
}

/**
 * Republishes the App Home of everyone who opened it recently when a rollback changes state (or gets a vote).
 * Told of every card re-render (cheap, in memory); a short while later reads the rollbacks it was
 * told about and, if any changed state or votes since it last looked, republishes once for all of them.
 * Never awaited by its callers; failures are only logged.
 */
export class HomeRefresher {
  private readonly pending = new Set<string>();
  /** Per rollback: its state and vote count when last published. */
  private readonly seen = new Map<string, string>();
  /** The deploy freezes when last published (a lift changes no rollback, but the homes list them). */
  private freezesSeen: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly log: Logger;

  constructor(
    private readonly s: Services,
    private readonly delayMs = 500,
  ) {
    this.log = s.log.child({ component: 'home' });
  }

  /** Rollback `id` may have moved. */
  poke(id: string): void {
    if (this.stopped) return;
    this.pending.add(id);
    if (this.timer || this.running) return;
    this.timer = setTimeout(() => void this.run(), this.delayMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    const ids = [...this.pending];
    this.pending.clear();
    this.running = this.refresh(ids).catch((error: unknown) => this.log.warn({ err: error }, 'could not republish App Home views'));
    await this.running;
    this.running = undefined;
    if (this.pending.size && !this.stopped) {
      this.timer = setTimeout(() => void this.run(), this.delayMs);
      this.timer.unref();
    }
  }

  private async refresh(ids: string[]): Promise<void> {
    const records = await Promise.all(ids.map((id) => this.s.store.get(id)));
    let moved = false;
    for (const rb of records) {
      const mark = rb && `${rb.state}:${rb.approvals.length}`;
      if (!rb || !mark || this.seen.get(rb.id) === mark) continue;
      moved = true;
      this.seen.set(rb.id, mark);
    }
    const freezes = (await new Freezes(this.s.redis, this.s.prefix).list()).map((f) => `${f.service}/${f.environment}@${f.rollback}`).join();
    if (this.freezesSeen !== undefined && freezes !== this.freezesSeen) moved = true;
    this.freezesSeen = freezes;
    if (!moved) return;
    const viewers = await new HomeViewers(this.s.redis, this.s.prefix).recent(this.s.now());
    if (!viewers.length) return;
    const board = await homeBoard(this.s);
    for (const user of viewers) {
      if (this.stopped) return;
      await publishHome(this.s, user, board).catch((error: unknown) => this.log.warn({ err: error, user }, 'could not republish an App Home view'));
    }
  }
}
