/** One line of a rollback's timeline: transitions, step starts/ends, approvals, progress. */
export type TimelineEventType = 'state' | 'step_started' | 'step_succeeded' | 'step_failed' | 'progress' | 'approval' | 'note';

export interface TimelineEvent {
  at: string;
  type: TimelineEventType;
  message: string;
  user?: string;
  stepId?: string;
}

/** Journal entry of one plan step; the executor skips steps whose status is `done`. */
export interface StepRecord {
  status: 'started' | 'done' | 'failed';
  startedAt: string;
  endedAt?: string;
  /** Driver output kept for later steps and for resume (e.g. a deployment id). JSON only. */
  output?: Record<string, unknown>;
  error?: string;
}

/** What the status page is told: at the start, and once the rollback succeeded. */
export type StatusPageStatus = 'investigating' | 'resolved';

/**
 * What execution asks the war room to show, written to the rollback's outbox and delivered by the
 * poster in order (late, if Slack is down). `card` posts the card, `line` a thread line stamped with
 * when it happened, `followup` the next-steps message, `postmortem` the draft file. `statuspage`
 * updates the status page (catalog `statusPage.mode: auto`), `statusbutton` offers that update as a
 * button in the thread (`mode: button`), `support` asks `supportChannel` to pause customer
 * responses; each then says in the thread what happened. `at` is when it was asked; the poster
 * never stamps a message earlier than the one before it.
 */
export type OutboxEntry =
  | { kind: 'card' }
  | { kind: 'line'; text: string; at: string; broadcast?: boolean }
  | { kind: 'followup'; at?: string }
  | { kind: 'postmortem'; at?: string }
  | { kind: 'statuspage'; status: StatusPageStatus; at: string }
  | { kind: 'statusbutton'; at: string }
  | { kind: 'support'; at: string }
  /** A top-level post in the war-room channel, for a request that never got a card (Rewind itself is misconfigured). */
  | { kind: 'channel'; text: string; at: string };
