import { defineDriver } from '../define.js';
import { terraformPlanData } from './plan-data.js';
import { terraformTarget } from './target.js';

export const terraformDriver = defineDriver({
  kind: 'terraform',
  target: terraformTarget,
  planData: terraformPlanData,
  clients: [],
  async create({ env }) {
    const { createTerraformDriver } = await import('./driver.js');
    return createTerraformDriver({ env });
  },
});
