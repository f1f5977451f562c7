import type { Catalog } from '../config/catalog.js';
import { checklistOf } from '../policy/checklist.js';
import { adviceOf, adviceText, decisionMatrix } from '../policy/matrix.js';
import { groupsText, recommendation } from './matrix.js';
import type { ModalChoices } from './modal.js';

/** The request form's choices from the catalog: its targets, the decision matrix, the checklist. */
export function modalChoices(catalog: Catalog): ModalChoices {
  const m = decisionMatrix(catalog);
  return {
    targets: [
      ...Object.entries(catalog.services).flatMap(([service, envs]) => Object.keys(envs).map((environment) => ({ service, environment }))),
      ...Object.entries(catalog.stacks ?? {}).flatMap(([stack, envs]) =>
        Object.entries(envs).map(([environment, def]) => ({ service: stack, environment, stack: Object.keys(def.components).length })),
      ),
    ],
    scenarios: Object.entries(m.scenarios).map(([id, row]) => ({
      id,
      title: row.title,
      severity: row.severity,
      approve: groupsText(row.require ?? m.severities[row.severity]?.require ?? []),
      recommendation: recommendation(row),
    })),
    severities: Object.entries(m.severities).map(([id, s]) => ({ id, label: s.label, advice: adviceText(adviceOf(s)).toLowerCase() })),
    checklist: checklistOf(catalog),
  };
}
