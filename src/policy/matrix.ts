import { refusal, type Refusal } from '../domain/refusal.js';
import { DEFAULT_SCENARIOS, DEFAULT_SEVERITIES } from '../config/matrix-defaults.js';
import type { Advice, Authority, Requirement, RoleGroup } from './authority.js';

/**
 * The decision matrix: severities (Skillancer P0–P3: roll back, consider, or fix forward, and who
 * decides) and scenarios (what happened: the Skillancer rows with the DistroCV rollback type and
 * time estimate). The catalog's `severities:` and `matrix:` replace these defaults.
 */

export interface SeverityDef {
  label: string;
  /** `yes`: roll back; `consider`: weigh it; `fix-forward`: roll back only with an override reason. */
  rollback: 'yes' | 'consider' | 'fix-forward';
  require: RoleGroup[];
}

export interface ScenarioDef {
  title: string;
  severity: string;
  /** Who decides in this scenario; default: the severity's authority. */
  require?: RoleGroup[];
  /** DistroCV "Rollback Type", e.g. `Frontend only`. */
  rollbackType?: string;
  /** DistroCV "Time Estimate", in ms. */
  estimate?: number;
  /** The catalog stack this scenario's rollback type means. */
  stack?: string;
  /** The row is about data: an application rollback under it warns that it may not repair the data. */
  data?: boolean;
}

/** The catalog keys the matrix reads (structural, so src/policy stays free of config code). */
export interface PolicyCatalog {
  roles: Record<string, unknown>;
  severities?: Record<string, SeverityDef>;
  matrix?: Record<string, ScenarioDef>;
  defaultSeverity?: string;
}

export interface DecisionMatrix {
  severities: Record<string, SeverityDef>;
  scenarios: Record<string, ScenarioDef>;
  defaultSeverity?: string;
  /** Roles the catalog defines; a rule naming another role cannot be met. */
  roles: string[];
}

export function decisionMatrix(catalog: PolicyCatalog): DecisionMatrix {
  return {
    severities: catalog.severities ?? DEFAULT_SEVERITIES,
    scenarios: catalog.matrix ?? DEFAULT_SCENARIOS,
    defaultSeverity: catalog.defaultSeverity,
    roles: Object.keys(catalog.roles),
  };
}

const ADVICE: Record<SeverityDef['rollback'], Advice> = { yes: 'rollback', consider: 'consider', 'fix-forward': 'fix-forward' };

export function adviceOf(severity: SeverityDef): Advice {
  return ADVICE[severity.rollback];
}

export function adviceText(advice: Advice): string {
  return advice === 'rollback' ? 'Roll back' : advice === 'consider' ? 'Consider a rollback' : 'Fix forward';
}

/** What the requester chose: a severity, a scenario (which brings its severity), an override reason. */
export interface Classification {
  severity?: string;
  scenario?: string;
  override?: string;
}

export type AuthorityResult = { authority: Authority } | { refusal: Refusal };

/**
 * How a classified request's matrix row relates to the target's own rule: `replace` (the runbooks'
 * "CTO required": the row is the rule) or `combine` (both must be met).
 */
export type MatrixMode = 'replace' | 'combine';

/**
 * The authority for one request. Unclassified: the target's own rule. Classified by the requester
 * (a severity or scenario): the matrix row for it, in place of the target's rule unless `mode` is
 * `combine`. Classified only by the catalog's `defaultSeverity`: both, since nobody chose the row.
 * Fix-forward severities need an override reason.
 */
export function authorityFor(matrix: DecisionMatrix, service: Requirement, choice: Classification, mode: MatrixMode = 'replace'): AuthorityResult {
  const scenarioDef = ownEntry(matrix.scenarios, choice.scenario);
  if (choice.scenario && !scenarioDef) {
    return refusal(
      'unknown_scenario',
      `Unknown scenario \`${choice.scenario}\`: use one of ${list(Object.keys(matrix.scenarios))}.`,
      '`/rollback matrix` shows them.',
    );
  }
  const severityId = choice.severity ?? scenarioDef?.severity ?? matrix.defaultSeverity;
  const authority: Authority = { requirements: [service], ...(choice.override?.trim() ? { override: choice.override.trim() } : {}) };
  if (!severityId) return { authority };
  const severity = ownEntry(matrix.severities, severityId);
  if (!severity) {
    return refusal('unknown_severity', `Unknown severity \`${severityId}\`: use one of ${list(Object.keys(matrix.severities))}.`);
  }
  authority.severity = { id: severityId, label: severity.label, advice: adviceOf(severity) };
  if (scenarioDef && choice.scenario) {
    authority.scenario = {
      id: choice.scenario,
      title: scenarioDef.title,
      ...(scenarioDef.rollbackType ? { rollbackType: scenarioDef.rollbackType } : {}),
      ...(scenarioDef.estimate !== undefined ? { estimateMs: scenarioDef.estimate } : {}),
      ...(scenarioDef.data ? { data: true as const } : {}),
    };
  }
  const label = `${severityId}${scenarioDef ? ` · ${scenarioDef.title}` : ` · ${severity.label}`}`;
  const groups = scenarioDef?.require ?? severity.require;
  const undefinedRole = groups.flatMap((g) => g.from).find((r) => !matrix.roles.includes(r));
  if (undefinedRole) {
    return refusal(
      'missing_role',
      `${label} must be approved by ${groups.map((g) => g.from.join(' or ')).join(' and ')}, but the catalog defines no role \`${undefinedRole}\`.`,
      `Add \`roles.${undefinedRole}\` (Slack user ids or a user group), or change this row under \`matrix:\`/\`severities:\`.`,
    );
  }
  const chosen = choice.severity !== undefined || choice.scenario !== undefined;
  if (chosen && mode === 'replace') {
    authority.requirements = [];
    authority.replaced = service.label;
  }
  authority.requirements.push({ label, groups, row: true });
  if (severity.rollback === 'fix-forward' && !authority.override) {
    return refusal(
      'needs_override',
      `${label}: the decision matrix says *fix forward*, not roll back.`,
      'If a rollback is still the right call, give an override reason; it is recorded in the audit trail.',
    );
  }
  return { authority };
}

/** Scenario and severity ids are typed in Slack: own keys only, never Object.prototype's `constructor`. */
function ownEntry<T>(table: Record<string, T>, id: string | undefined): T | undefined {
  return id !== undefined && Object.hasOwn(table, id) ? table[id] : undefined;
}

function list(names: string[]): string {
  return names.map((n) => `\`${n}\``).join(', ') || '(none configured)';
}
