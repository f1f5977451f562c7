/** Every Redis key Rewind writes, under one prefix so tests and tenants never collide. */
export function keys(prefix: string) {
  return {
    seq: `${prefix}:seq`,
    rollback: (id: string) => `${prefix}:rb:${id}`,
    timeline: (id: string) => `${prefix}:rb:${id}:timeline`,
    journal: (id: string) => `${prefix}:rb:${id}:journal`,
    outbox: (id: string) => `${prefix}:rb:${id}:outbox`,
    /** Hash: `delivered` (entries posted so far), `inflight` (the entry being posted, for crash recovery). */
    outboxState: (id: string) => `${prefix}:rb:${id}:outbox:state`,
    /** Sorted set of rollback ids with undelivered outbox entries. */
    outboxPending: `${prefix}:outbox:pending`,
    /** Set of `card:<id>` / `followup:<id>` messages to re-render. */
    outboxDirty: `${prefix}:outbox:dirty`,
    /** Which poster drains a rollback's outbox right now (one at a time keeps its order). */
    outboxDrain: (id: string) => `${prefix}:outbox:drain:${id}`,
    /** Non-terminal rollback ids: what the reconciler looks after. */
    active: `${prefix}:active`,
    lock: (target: string) => `${prefix}:lock:${target}`,
    once: (key: string) => `${prefix}:once:${key}`,
    recent: `${prefix}:recent`,
    audit: `${prefix}:audit`,
    /** Sorted set: users who opened the App Home recently, scored by when that stops counting (ms). */
    homeViewers: `${prefix}:home:viewers`,
    /** Hash: one target's suggested rollback (its alerts, who posts it, the Slack message). */
    suggestion: (target: string) => `${prefix}:suggestion:${target}`,
    /** JSON Freeze of a `service/environment` while deploys to it are held. */
    freeze: (target: string) => `${prefix}:freeze:${target}`,
    /** Sorted set of frozen targets, scored by when they froze (App Home, listing). */
    freezeIndex: `${prefix}:freeze:index`,
    /** Set once when a rollback's freezes are written, so a repeat never freezes again what someone lifted. */
    freezeApplied: (id: string) => `${prefix}:rb:${id}:freeze:applied`,
    /** Hash target → JSON FreezeLift: the freezes of this rollback that were lifted, by whom. */
    freezeLifted: (id: string) => `${prefix}:rb:${id}:freeze:lifted`,
  };
}
export type Keys = ReturnType<typeof keys>;
