import { defineDriver } from '../define.js';
import { runbookGrammar } from './grammar.js';
import { runbookPlanData } from './plan-data.js';
import { runbookTarget } from './target.js';

export const runbookDriver = defineDriver({
  kind: 'runbook',
  target: runbookTarget,
  planData: runbookPlanData,
  grammar: runbookGrammar,
  clients: [],
  async create({ env }) {
    const { createRunbookDriver } = await import('./driver.js');
    return createRunbookDriver({ env });
  },
});
