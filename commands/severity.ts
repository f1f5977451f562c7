import type { Catalog } from '../src/config/catalog.js';
import { own } from '../src/config/own.js';
import { decisionMatrix, type Classification } from '../src/policy/matrix.js';

/**
 * The classification words after the target (and `to <version>`), before the reason:
 *   sev P0 | sev data-corruption     a severity, or a decision-matrix scenario (which brings its severity)
 *   override <why…>                  roll back although the matrix says fix forward; the reason is the why
 */
export type Tail = { reason: string; classification?: Classification } | { error: string };

export const SEVERITY_USAGE = '`sev <P0…P3 or scenario>` (`/rollback matrix` lists them), then optionally `override <why>` for a fix-forward severity';

export function parseTail(words: readonly string[], catalog: Catalog, example: string): Tail {
  let rest = [...words];
  const classification: Classification = {};
  if (rest[0] === 'sev' || rest[0] === 'severity') {
    const value = rest[1];
    const matrix = decisionMatrix(catalog);
    if (!value) return { error: `\`${rest[0]}\` needs a severity or scenario after it, e.g. \`${example} sev P1 <reason>\`. ${SEVERITY_USAGE}.` };
    // Own keys only: `sev constructor` must not find Object.prototype's function.
    if (own(matrix.severities, value.toUpperCase())) classification.severity = value.toUpperCase();
    else if (own(matrix.scenarios, value.toLowerCase())) classification.scenario = value.toLowerCase();
    else {
      const choices = [...Object.keys(matrix.severities), ...Object.keys(matrix.scenarios)].map((c) => `\`${c}\``).join(', ');
      return { error: `\`${value}\` is neither a severity nor a scenario of the decision matrix: use one of ${choices}.` };
    }
    rest = rest.slice(2);
  }
  const reason = rest.join(' ').slice(0, 500);
  if (rest[0] === 'override') {
    const why = rest.slice(1).join(' ').slice(0, 500);
    if (!why) return { error: `\`override\` needs the reason after it, e.g. \`${example} sev P3 override checkout broken for all EU users\`.` };
    classification.override = why;
    return { reason: why, classification };
  }
  return Object.keys(classification).length ? { reason, classification } : { reason };
}
