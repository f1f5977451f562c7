/**
 * The Skillancer "Post-Mortem Template" as a Markdown draft: what the record knows is filled in
 * (timeline from the recorded events), what only people know is left as a prompt.
 */
export const POST_MORTEM = `# Incident Post-Mortem: {product} {service} {environment} rollback ({rollback_id})

**Date:** {date}
**Duration:** {started_at} - {finished_at} ({duration}, {rto_verdict})
**Severity:** {severity}
**Author:** {requester_name} (draft by Rewind)

## Summary

{summary}

Scenario: {scenario}. Override of a fix-forward advice: {override_reason}. Approved by {approver_names}.

## Components

{components}

## Timeline

{timeline_table}

## Root Cause

_Detailed technical explanation: to be written._ Reason given for the rollback: {brief_reason}

## Impact

- Users affected: _X_
- Revenue impact: _$X_
- Data affected: _Yes/No_
- Service: {service} {environment} rolled back from {version} to {previous_version}

## Deploy Freeze

{deploy_freeze}

## What Went Well

- Rollback {rollback_id} {status} in {duration}, {rto_verdict}
-

## What Went Wrong

- {error}
-

## Action Items

| Action | Owner | Due Date |
| ------ | ----- | -------- |
| Fix the root cause forward and add regression tests | | |
| Update the deployment checklist and this runbook | | |

## Lessons Learned

-
`;
