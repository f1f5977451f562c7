/** What the request form (Slack modal) holds when submitted, before commands/form.ts validates it. */
export interface RequestForm {
  target?: string;
  scenario?: string;
  severity?: string;
  reason?: string;
  override?: string;
  version?: string;
  /** Indexes into the checklist of the confirmed items. */
  checked: number[];
}

/** The form's target value for a stack (`stack:distrocv/production`); services are `api/production`. */
export const STACK_PREFIX = 'stack:';
