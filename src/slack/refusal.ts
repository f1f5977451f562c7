import type { Refusal } from '../domain/refusal.js';
import { refusalText } from '../domain/refusal.js';

/** A refusal as a Slack line: the emoji says "not done" at a glance; the text says why and what to do. */
export function refusalLine(r: Refusal): string {
  return `${r.code === 'done' ? ':information_source:' : ':no_entry:'} ${refusalText(r)}`;
}

/** A refusal inside a form field error: plain text (Slack shows no mrkdwn there). */
export function refusalFieldText(r: Refusal): string {
  return refusalText(r).replace(/[*`]/g, '');
}
