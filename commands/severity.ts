import type { Catalog } from '../src/config/catalog.js';
import { own } from '../src/config/own.js';
import { decisionMatrix, type Classification } from '../src/policy/matrix.js';

/**
 * The classification words after the target (and `to <version>`), before the reason:
 *   sev P0 | sev data-corruption     a severity, or a decision-matrix scenario (which brings its severity)
 *   [reason] override <why…>         roll back although the matrix says fix forward; the why is kept beside the reason
 */
export type Tail = { reason: string; classification?: Classification } | { error: string };

export const SEVERITY_USAGE = '`sev <P0…P3 or scenario>` (`/rollback matrix` lists them), then for a fix-forward severity `<reason> override <why>`';

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
  // `<reason> override <why>` after a severity: both are kept; `override <why>` alone gives the why as the reason too.
  const at = rest[0] === 'override' ? 0 : Object.keys(classification).length ? rest.indexOf('override') : -1;
  if (at >= 0) {
    const why = rest
      .slice(at + 1)
      .join(' ')
      .slice(0, 500);
    if (!why) return { error: `\`override\` needs the reason after it, e.g. \`${example} sev P3 checkout errors override broken for all EU users\`.` };
    classification.override = why;
    return { reason: rest.slice(0, at).join(' ').slice(0, 500) || why, classification };
  }
  const reason = rest.join(' ').slice(0, 500);
  return Object.keys(classification).length ? { reason, classification } : { reason };
}
