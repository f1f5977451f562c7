/**
 * The Skillancer "Pre-Rollback Checklist": what a person must confirm before asking. Of the rest of
 * the runbook's list, Rewind itself gets the approval and alerts the war room ("ROLLBACK
 * INITIATED"); it updates the status page when the catalog sets `statusPage` (by itself, or by a
 * button in the thread) and tells Support when it sets `supportChannel`, so that item is then
 * dropped from what the requester confirms.
 */
export const SUPPORT_ITEM = 'Support team notified to pause customer responses';

export const DEFAULT_CHECKLIST: readonly string[] = [
  'The issue cannot be resolved with a feature flag',
  'The issue cannot be resolved with a quick fix (<10 min)',
  SUPPORT_ITEM,
];

/** The catalog's own list as written; else the default, without the Support item when Rewind posts to `supportChannel`. */
export function checklistOf(catalog: { checklist?: readonly string[]; supportChannel?: string }): readonly string[] {
  if (catalog.checklist) return catalog.checklist;
  return catalog.supportChannel ? DEFAULT_CHECKLIST.filter((item) => item !== SUPPORT_ITEM) : DEFAULT_CHECKLIST;
}

/** Items not confirmed, in checklist order. */
export function unchecked(required: readonly string[], confirmed: readonly string[]): string[] {
  return required.filter((item) => !confirmed.includes(item));
}
