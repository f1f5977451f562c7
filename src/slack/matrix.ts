import { formatDuration } from '../domain/duration.js';
import type { RoleGroup } from '../policy/authority.js';
import type { DecisionMatrix, ScenarioDef, SeverityDef } from '../policy/matrix.js';

const ADVICE: Record<SeverityDef['rollback'], string> = {
  yes: 'roll back',
  consider: 'consider a rollback',
  'fix-forward': 'fix forward (a rollback needs an override reason)',
};

/** `oncall + lead`, `2× lead`, `oncall or lead`. */
export function groupsText(groups: readonly RoleGroup[]): string {
  return groups.map((g) => `${g.count > 1 ? `${g.count}× ` : ''}${g.from.join(' or ')}`).join(' + ');
}

function missingRoles(groups: readonly RoleGroup[], m: DecisionMatrix): string {
  const missing = [...new Set(groups.flatMap((g) => g.from).filter((r) => !m.roles.includes(r)))];
  return missing.length ? ` :warning: _needs role ${missing.map((r) => `\`${r}\``).join(', ')}, not in the catalog_` : '';
}

/** `Full stack, ~45m 00s`: the DistroCV recommendation for a scenario. */
export function recommendation(row: Pick<ScenarioDef, 'rollbackType' | 'estimate'>): string {
  const parts = [row.rollbackType, row.estimate !== undefined ? `~${formatDuration(row.estimate)}` : undefined].filter(Boolean);
  return parts.join(', ');
}

/** `/rollback matrix`: severities, then scenarios with who decides and the recommended rollback. */
export function matrixText(m: DecisionMatrix): string {
  const severities = Object.entries(m.severities).map(
    ([id, s]) =>
      `• *${id}* ${s.label}: ${ADVICE[s.rollback]} · approve: ${groupsText(s.require)}${missingRoles(s.require, m)}${m.defaultSeverity === id ? ' _(default)_' : ''}`,
  );
  const scenarios = Object.entries(m.scenarios).map(([id, row]) => {
    const require = row.require ?? m.severities[row.severity]?.require ?? [];
    const rec = recommendation(row);
    return `• \`${id}\` ${row.title} · *${row.severity}* · approve: ${groupsText(require)}${rec ? ` · ${rec}` : ''}${missingRoles(require, m)}`;
  });
  return [
    '*Rollback decision matrix*',
    '*Severities*',
    ...severities,
    '*Scenarios* (`/rollback <service> <env> sev <scenario or severity> <reason>`)',
    ...scenarios,
    `Every rollback also needs its service's own approval rule, and the requester never counts as an approver.${m.defaultSeverity ? '' : ' A request without a severity needs only the service rule.'}`,
  ].join('\n');
}
