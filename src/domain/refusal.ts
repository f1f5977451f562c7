/**
 * Why Rewind did not do what someone asked: a stable code for callers to branch on, a sentence
 * naming the problem, and what to do instead. Plain text: where it is shown, the renderer adds
 * the emoji (Slack) or leaves it out (form field errors).
 */
export interface Refusal {
  code: RefusalCode;
  message: string;
  hint?: string;
}

export type RefusalCode =
  /** No such record, or the card belongs to an earlier record with the same id. */
  | 'missing'
  /** The record is past the state the action needs (already approved, running, finished). */
  | 'too_late'
  /** The person may not do this (requester approving, not in the role). */
  | 'not_allowed'
  /** Another rollback holds the target. */
  | 'busy'
  /** The classification does not fit the catalog's decision matrix. */
  | 'unknown_severity'
  | 'unknown_scenario'
  | 'missing_role'
  | 'needs_override'
  /** The request expired before this action. */
  | 'expired'
  /** Already done once (a follow-up, an approval by the same person). */
  | 'done'
  /** The catalog or the environment lacks what this needs. */
  | 'not_configured'
  /** A service Rewind depends on failed or did not answer. */
  | 'unavailable';

export function refusal(code: RefusalCode, message: string, hint?: string): { refusal: Refusal } {
  return { refusal: { code, message, ...(hint ? { hint } : {}) } };
}

/** The refusal as one plain sentence pair, for any surface. */
export function refusalText(r: Refusal): string {
  return r.hint ? `${sentence(r.message)} ${r.hint}` : r.message;
}

/** A sentence used as a clause inside another (`<hint>, then ask again.`): without its closing punctuation. */
export function clause(text: string): string {
  return text.trim().replace(/[.;:!,\s]+$/, '');
}

/** Text ending as a sentence, so whatever follows it starts cleanly. */
export function sentence(text: string): string {
  const t = text.trim();
  return /[.!?:)`]$/.test(t) ? t : `${t}.`;
}
