/**
 * The DistroCV runbook's "Internal Notification". `{version}` carries its own `v` when the
 * version is a number (`v2.0.1`), so task definitions read `distrocv-api:42`, not `vdistrocv-api:42`.
 * The runbook's "A rollback has been initiated" is `{status_sentence}`, so a completed one says so.
 */
export const INTERNAL_NOTIFICATION = `Subject: [ROLLBACK] {product} {version} - {status}

Team,

{status_sentence}

*Details:*
- Version: {version}
- Rolled back to: {previous_version}
- Reason: {brief_reason}
- Impact: {user_impact}
- Start Time: {timestamp}
- Current Status: {status}

*Components:*
{components}

*Action Required:*
{list_of_actions_for_team}

*Next Steps:*
{post_mortem_schedule}

--
{your_name}`;
