/** What `/rollback ready` found, per target: pure data for src/slack/readiness.ts to render. */

/** The columns of the checklist, in the order the table shows them. */
export const READINESS_COLUMNS = ['previous', 'backup', 'health', 'approvers', 'freeze'] as const;
export type ReadinessColumn = (typeof READINESS_COLUMNS)[number];

/** One answer: ok, not ok (with the fix), or not checked (`ok` undefined, with why). */
export interface ReadinessCell {
  ok?: boolean;
  detail: string;
  fix?: string;
}

export interface ReadinessRow {
  /** `api production`, or for a stack component `api (api production)`. */
  label: string;
  cells: Record<ReadinessColumn, ReadinessCell[]>;
}

export interface ReadinessReport {
  name: string;
  environment: string;
  stack: boolean;
  checkedAt: Date;
  backupWindowMs: number;
  rows: ReadinessRow[];
}

/** One failing checklist item, for the daily summary. */
export interface NotReady {
  target: string;
  column: ReadinessColumn;
  detail: string;
  fix?: string;
}
