import type { InputBlock, PlainTextOption } from '@slack/types';
import type { HistoryEntry } from '../drivers/driver.js';

/**
 * The request form's "Target version" field. Until the driver's history is known (or for drivers
 * without one) it is free text; once the worker has read the history it is a select whose
 * action id names the target it was filled for, so a pick made for another target is caught.
 */

export const VERSION_BLOCK = 'version';
/** The free-text element's action id (as before the select existed). */
const TEXT_ACTION = 'version';
const PICK_PREFIX = 'version@';
/** Cannot collide with a version: versions start with a letter or digit. */
const PREVIOUS = '@previous';
/** Slack: at most 100 options, option text ≤ 75 chars, option value ≤ 150 chars. */
const MAX_OPTIONS = 100;
const MAX_VALUE = 150;

/** What the worker found for the chosen target. */
export type VersionChoices =
  | { kind: 'history'; target: string; entries: HistoryEntry[]; now: Date }
  /** No list to offer: `why` says so in the hint (no history kept, or it could not be read). */
  | { kind: 'text'; why: string };

const plain = (text: string) => ({ type: 'plain_text' as const, text: clip(text, 75), emoji: true });
const long = (text: string) => ({ type: 'plain_text' as const, text: clip(text, 2000) });

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function age(iso: string | undefined, now: Date): string | undefined {
  const at = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(at)) return undefined;
  const hours = Math.max(0, Math.round((now.getTime() - at) / 3_600_000));
  return hours < 48 ? `${hours}h ago` : `${Math.round(hours / 24)}d ago`;
}

function optionFor(e: HistoryEntry, now: Date): PlainTextOption {
  return { text: plain([e.revision, e.description, age(e.createdAt, now)].filter(Boolean).join(' · ')), value: e.revision };
}

/** The field before a target is chosen, or for a target without a list. */
export function versionTextBlock(hint = 'Empty: the previous version. Or a revision or tag, e.g. 41 or v2.0.0-build-1234.'): InputBlock {
  return {
    type: 'input',
    block_id: VERSION_BLOCK,
    optional: true,
    label: plain('Target version'),
    hint: long(hint),
    element: { type: 'plain_text_input', action_id: TEXT_ACTION, max_length: 200, placeholder: plain('previous version') },
  };
}

export function versionBlock(choices?: VersionChoices): InputBlock {
  if (!choices) return versionTextBlock();
  if (choices.kind === 'text') return versionTextBlock(`${choices.why} Type a revision or tag, or leave it empty for the previous version.`);
  const current = choices.entries.find((e) => e.current);
  const previous: PlainTextOption = { text: plain('previous version (default)'), value: PREVIOUS };
  // Newest first as the driver lists them; the running version is no rollback target.
  const past = choices.entries.filter((e) => !e.current && e.revision.length <= MAX_VALUE).slice(0, MAX_OPTIONS - 1);
  const [service, environment] = choices.target.split('/');
  return {
    type: 'input',
    block_id: VERSION_BLOCK,
    optional: true,
    label: plain(`Target version of ${service} ${environment}`),
    hint: long(current ? `Running now: ${[current.revision, current.description].filter(Boolean).join(' · ')}.` : 'Newest first.'),
    element: {
      type: 'static_select',
      action_id: `${PICK_PREFIX}${choices.target}`,
      initial_option: previous,
      options: [previous, ...past.map((e) => optionFor(e, choices.now))],
    },
  };
}

type ActionState = { selected_option?: { value?: string } | null; value?: string | null };

/** The version the form holds, and for a pick from the list the target the list was for. */
export function readVersion(block: Record<string, ActionState> | undefined): { version?: string; versionFor?: string } {
  for (const [actionId, state] of Object.entries(block ?? {})) {
    if (actionId === TEXT_ACTION) {
      const text = state.value?.trim();
      return text ? { version: text } : {};
    }
    if (actionId.startsWith(PICK_PREFIX)) {
      const value = state.selected_option?.value;
      // "previous version" means the same for any target; a named one only for the target it was listed for.
      return value && value !== PREVIOUS ? { version: value, versionFor: actionId.slice(PICK_PREFIX.length) } : {};
    }
  }
  return {};
}

/** The form's error when the version was picked from the list of another target than the one chosen now (changed before the list caught up). */
export function pickedForOtherTarget(block: Record<string, ActionState> | undefined, target: string | undefined): string | undefined {
  const listedFor = readVersion(block).versionFor;
  if (!listedFor || !target || listedFor === target) return undefined;
  return `That version is from the list for ${listedFor.replace('/', ' ')}; choose the target again and pick from its list.`;
}
