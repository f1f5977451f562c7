import { DEFAULT_SCENARIOS, DEFAULT_SEVERITIES } from './matrix-defaults.js';
import { own } from './own.js';

/**
 * Start-up checks that every approval rule can be met: the roles a catalog's decision-matrix row
 * needs exist (also through the severity a row without `require` falls back to), or `sev <row>`
 * would be refused mid-incident; and no rule asks for more people than hold its roles (only where
 * the roles list Slack users: a role with user groups is resolved at run time, so it is skipped).
 */

interface Group {
  from: string[];
  count: number;
}

/** The parts of a catalog these checks read (structural, so catalog.ts can call them while defining its schema). */
export interface ApprovalCatalog {
  roles: Record<string, { users: string[]; usergroups: string[] }>;
  approval?: Group;
  services: Record<string, Record<string, { approval?: Group }>>;
  flags?: Record<string, Record<string, { approval?: Group }>>;
  stacks?: Record<string, Record<string, { approval?: Group }>>;
  severities?: Record<string, { require: Group[] }>;
  matrix?: Record<string, { title: string; severity: string; require?: Group[] }>;
  defaultSeverity?: string;
}

type Issue = { path: (string | number)[]; message: string };

/** Whether distinct people can fill every slot: Hall's condition over each set of groups (a row has a handful). */
function fillable(groups: Group[], people: (role: string) => string[]): boolean {
  for (let mask = 1; mask < 1 << groups.length; mask++) {
    const chosen = groups.filter((_, i) => mask & (1 << i));
    const union = new Set(chosen.flatMap((g) => g.from.flatMap(people)));
    if (union.size < chosen.reduce((n, g) => n + g.count, 0)) return false;
  }
  return true;
}

function describe(groups: Group[]): string {
  return groups.map((g) => `${g.count} from ${g.from.join(' or ')}`).join(' and ');
}

export function approvalIssues(catalog: ApprovalCatalog): Issue[] {
  const issues: Issue[] = [];
  const defined = Object.keys(catalog.roles);
  const people = (role: string) => own(catalog.roles, role)?.users ?? [];
  const isStatic = (groups: Group[]) => groups.every((g) => g.from.every((r) => own(catalog.roles, r) && catalog.roles[r]!.usergroups.length === 0));
  const meetable = (groups: Group[], path: (string | number)[]) => {
    if (!groups.every((g) => g.from.every((r) => own(catalog.roles, r))) || !isStatic(groups) || fillable(groups, people)) return;
    const holders = new Set(groups.flatMap((g) => g.from.flatMap(people)));
    issues.push({
      path,
      message: `${describe(groups)} can never be met: ${holders.size} ${holders.size === 1 ? 'person holds' : 'people hold'} those roles (${[...holders].join(', ') || 'nobody'}) and each counts once, never for their own request. Add users to the roles or lower \`count\``,
    });
  };

  if (catalog.approval) meetable([catalog.approval], ['approval']);
  for (const [key, table] of [
    ['services', catalog.services],
    ['flags', catalog.flags],
    ['stacks', catalog.stacks],
  ] as const) {
    for (const [name, envs] of Object.entries(table ?? {}))
      for (const [env, target] of Object.entries(envs)) if (target.approval) meetable([target.approval], [key, name, env, 'approval']);
  }

  // The catalog's own rows: a row without `require` takes its severity's, which must name defined roles too.
  const severities = catalog.severities ?? DEFAULT_SEVERITIES;
  for (const [id, sev] of Object.entries(catalog.severities ?? {}))
    if (!missingRole(catalog, sev.require)) meetable(sev.require, ['severities', id, 'require']);
  for (const [id, row] of Object.entries(catalog.matrix ?? {})) {
    if (row.require) {
      if (!missingRole(catalog, row.require)) meetable(row.require, ['matrix', id, 'require']);
      continue;
    }
    // A catalog severity naming an undefined role is reported at the severity itself (policy.ts).
    const role = catalog.severities ? undefined : missingRole(catalog, own(severities, row.severity)?.require ?? []);
    if (role)
      issues.push({
        path: ['matrix', id],
        message: `has no \`require\`, so it takes severity ${row.severity}'s, which needs role "${role}"; the catalog defines no such role (roles: ${defined.join(', ') || 'none'}), so a request classified \`sev ${id}\` could never be approved. Fix: add \`roles.${role}\` (Slack user ids or a user group), or give this row its own \`require\``,
      });
  }
  // Every unclassified request takes the default severity's row: one that cannot be approved stops every rollback.
  const byDefault = catalog.defaultSeverity ? own(severities, catalog.defaultSeverity) : undefined;
  const role = byDefault && !catalog.severities ? missingRole(catalog, byDefault.require) : undefined;
  if (role)
    issues.push({
      path: ['defaultSeverity'],
      message: `severity ${catalog.defaultSeverity} needs role "${role}", which is not defined (roles: ${defined.join(', ') || 'none'}), so no request could be approved. Fix: add \`roles.${role}\`, or choose another severity`,
    });
  return issues;
}

function missingRole(catalog: Pick<ApprovalCatalog, 'roles'>, groups: Group[]): string | undefined {
  return groups.flatMap((g) => g.from).find((r) => !own(catalog.roles, r));
}

/**
 * The built-in decision matrix (no `severities:` / `matrix:` in the catalog) rows whose roles the
 * catalog does not define: a start-up warning, not an error, since a catalog that never classifies
 * requests needs no CTO; a request classified so is refused at once with the same fix.
 */
export function builtInMatrixWarnings(catalog: Pick<ApprovalCatalog, 'roles' | 'severities' | 'matrix'>): string[] {
  const defined = Object.keys(catalog.roles).join(', ') || 'none';
  const severities = catalog.severities ?? DEFAULT_SEVERITIES;
  const rows = [
    ...(catalog.severities
      ? []
      : Object.entries(DEFAULT_SEVERITIES).map(([id, sev]) => ({ key: 'severities', id, what: `severity ${id}`, groups: sev.require }))),
    ...(catalog.matrix
      ? []
      : Object.entries(DEFAULT_SCENARIOS).map(([id, row]) => ({
          key: 'matrix',
          id,
          what: `row ${id} (${row.title})`,
          groups: row.require ?? own(severities, row.severity)?.require ?? [],
        }))),
  ];
  return rows.flatMap(({ key, id, what, groups }) => {
    const role = missingRole(catalog, groups);
    return role
      ? [
          `The built-in decision matrix's ${what} needs role "${role}", which the catalog does not define (roles: ${defined}): a request classified \`sev ${id}\` would be refused. Add \`roles.${role}\` (Slack user ids or a user group), or write your own \`${key}:\` (docs/catalog.md).`,
        ]
      : [];
  });
}
