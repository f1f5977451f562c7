import { defineDriver } from '../define.js';
import { dnsPlanData } from './plan-data.js';
import { dnsTarget } from './target.js';

export const dnsDriver = defineDriver({
  kind: 'dns',
  target: dnsTarget,
  planData: dnsPlanData,
  clients: ['route53'],
  async create({ client, minPollSec }) {
    const [{ createDnsDriver }, route53] = await Promise.all([import('./driver.js'), client('route53')]);
    return createDnsDriver({ route53, minPollSec });
  },
});
