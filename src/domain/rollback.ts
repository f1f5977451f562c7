/** The rollback record: everything Rewind knows about one request, stored as one JSON document. */

export const ROLLBACK_STATES = [
  'requested',
  'planned',
  'awaiting_approval',
  'approved',
  'running',
  'verifying',
  'succeeded',
  'failed',
  'cancelled',
  'rejected',
  'expired',
] as const;
export type RollbackState = (typeof ROLLBACK_STATES)[number];

export const TERMINAL_STATES: readonly RollbackState[] = ['succeeded', 'failed', 'cancelled', 'rejected', 'expired'];

const STATE_NAME: Record<RollbackState, string> = {
  requested: 'Planning',
  planned: 'Planned',
  awaiting_approval: 'Awaiting approval',
  approved: 'Approved, starting',
  running: 'Rolling back',
  verifying: 'Verifying',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  rejected: 'Rejected',
  expired: 'Expired',
};

/** The state in words an on-call engineer reads (`Awaiting approval`); Slack adds its emoji. */
export function stateName(state: RollbackState): string {
  return STATE_NAME[state];
}

export function isTerminal(state: RollbackState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** One step of a plan, fixed at plan time. `driver` is the driver that runs it (or `verify`). */
export interface PlanStep {
  id: string;
  title: string;
  driver: string;
  /** Driver-specific input for this step; JSON only. */
  input?: Record<string, unknown>;
  /**
   * Request options that plan the rollback again starting at this step, when the driver can (a
   * runbook sequence: `from <command>`); a retry uses those of the first step that did not finish.
   */
  resume?: Record<string, string>;
}

/** What the approvers approve: the exact change and the exact steps. */
export interface Plan {
  driver: string;
  /** Human version labels, e.g. `distrocv-api:42 (api:v2.0.1)`. */
  current: string;
  target: string;
  /** Short lines for the card, e.g. `image api: v2.0.1 → v2.0.0`. */
  changes: string[];
  steps: PlanStep[];
  /** Live state the plan was made from; execution refuses to start if it moved. */
  fingerprint: string;
  /** Driver-specific facts the steps need (ARNs, revisions...). JSON only. */
  data: Record<string, unknown>;
  /** Optional warnings shown on the card (e.g. data-loss window). */
  warnings?: string[];
  /**
   * What the rollback leaves in place, in words, where `current` is a state rather than a release
   * (`NewMatchingAlgorithm set to "false"`, `distrocv-prod restored to … as …`): the templates' `{version}`.
   */
  result?: string;
}

export interface Approval {
  user: string;
  at: string;
}

export interface RollbackError {
  /** e.g. `AccessDeniedException`, `RolloutFailed`, `PlanDrift`. */
  name: string;
  message: string;
  /** What the on-call engineer can do next. */
  hint?: string;
  stepId?: string;
}

/** How the request was classified against the decision matrix (src/policy); fixed at request time. */
export interface RollbackPolicy {
  severity?: { id: string; label: string; advice: 'rollback' | 'consider' | 'fix-forward' };
  /** `data`: the row is about data (corruption): an application rollback alone may not repair it. */
  scenario?: { id: string; title: string; rollbackType?: string; estimateMs?: number; data?: true };
  /** Why the requester rolls back although the matrix advises fixing forward. */
  override?: string;
  /** Pre-rollback checklist items the requester confirmed. */
  checklist?: string[];
}

/** Who did a follow-up and when; no user when Rewind did it by itself (catalog `statusPage.mode: auto`, `supportChannel`). */
export interface Done {
  user?: string;
  at: string;
}

/** `by <@U…> at 10:04 UTC`, or `by Rewind …` for what it did by itself. */
export function doneBy(by: Done): string {
  return `by ${by.user ? `<@${by.user}>` : 'Rewind'} at ${by.at.slice(11, 16)} UTC`;
}

/**
 * War-room follow-ups: the next-steps message (and the time stamped on it), and who did each, when.
 * `investigating` is the status page's update at the start, `statusPage` the one at the end.
 */
export interface FollowUps {
  message?: SlackRef & { at?: string };
  userNotified?: Approval;
  investigating?: Done;
  supportNotified?: Done;
  statusPage?: Done;
  postMortemScheduled?: Approval;
}

export interface SlackRef {
  channel: string;
  ts: string;
}

/** The card's message, and its link once Slack gave one (chat.getPermalink, asked once, for the App Home). */
export interface CardRef extends SlackRef {
  permalink?: string;
}

/**
 * One part of a stack rollback: an existing catalog target (service, frontend, flag, database,
 * runbook...) rolled back by its own driver, journaled and locked as a plain rollback would be.
 */
export interface Component {
  /** The key under the stack's `components:` (`api`, `maintenance`); prefixes its step ids and thread lines. */
  name: string;
  /** The catalog service or flag name and environment, as a plain `/rollback` would name them. */
  service: string;
  environment: string;
  /** `service/environment`: its lock. */
  target: string;
  version?: string;
  options?: Record<string, string>;
  /** Components that must succeed before this one starts. */
  after: string[];
  /** Its driver's plan, fixed at plan time. */
  plan?: Plan;
}

/** `unchanged`: the component was already where the stack would take it (planned so, nothing ran). */
export type ComponentOutcome = 'succeeded' | 'failed' | 'skipped' | 'unchanged';

/** Where one component of a running or finished stack stands. */
export interface ComponentState {
  state: 'running' | ComponentOutcome;
  error?: RollbackError;
  at: string;
  /** Where a succeeded component is now when its driver names it better than the plan (see LIVE_TARGET). */
  liveTarget?: string;
}

/** A rollback's id as Rewind hands them out: `RB-` and its sequence number. */
export const ROLLBACK_ID = /^RB-\d{1,9}$/;

export interface Rollback {
  id: string;
  /** Random, per record: buttons carry `id:nonce`, so a card left from lost data never acts on a newer RB-n. */
  nonce?: string;
  /** `service/environment`: the lock key and the catalog key. */
  target: string;
  service: string;
  environment: string;
  state: RollbackState;
  requestedBy: string;
  reason: string;
  /** `to <version>` from the request, if any. */
  requestedVersion?: string;
  /** Validated driver options from the request (flag action, restore time...). */
  options?: Record<string, string>;
  /** Where the request came from, for ephemeral replies. */
  origin?: { channel: string; responseUrl?: string };
  plan?: Plan;
  approvals: Approval[];
  card?: CardRef;
  error?: RollbackError;
  policy?: RollbackPolicy;
  followUp?: FollowUps;
  /** Set for a stack rollback (`/rollback stack <name> <env>`): its components, one plan each. */
  stack?: { name: string; components: Component[] };
  /** The failed rollback this one re-runs (`/rollback retry RB-n`); its approvals carry over while fresh. */
  retryOf?: string;
  /** Per component of a stack: running, or how it ended. */
  componentStates?: Record<string, ComponentState>;
  createdAt: string;
  updatedAt: string;
  approvedAt?: string;
  startedAt?: string;
  finishedAt?: string;
}

export function targetKey(service: string, environment: string): string {
  return `${service}/${environment}`;
}

/** Every lock a rollback holds: its own target and, for a stack, each component's. */
export function lockTargets(rb: Pick<Rollback, 'target' | 'stack'>): [string, ...string[]] {
  return [rb.target, ...(rb.stack?.components.map((c) => c.target) ?? [])];
}
