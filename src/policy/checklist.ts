/**
 * The Skillancer "Pre-Rollback Checklist": what a person must confirm before asking. The other
 * items of the runbook's list (approval, war-room alert, status page) are what Rewind itself does.
 */
export const DEFAULT_CHECKLIST: readonly string[] = [
  'The issue cannot be resolved with a feature flag',
  'The issue cannot be resolved with a quick fix (<10 min)',
  'Support team notified to pause customer responses',
];

export function checklistOf(catalog: { checklist?: readonly string[] }): readonly string[] {
  return catalog.checklist ?? DEFAULT_CHECKLIST;
}

/** Items not confirmed, in checklist order. */
export function unchecked(required: readonly string[], confirmed: readonly string[]): string[] {
  return required.filter((item) => !confirmed.includes(item));
}
