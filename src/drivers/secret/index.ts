import { defineDriver } from '../define.js';
import { secretPlanData } from './plan-data.js';
import { secretTarget } from './target.js';

export const secretDriver = defineDriver({
  kind: 'secret',
  target: secretTarget,
  planData: secretPlanData,
  clients: ['secrets', 'ecs', 'kubeConfigFor'],
  async create({ client, minPollSec }) {
    const [{ createSecretDriver }, { lazyKubeApis }, secrets, ecs] = await Promise.all([
      import('./driver.js'),
      import('../shared/restart/restart.js'),
      client('secrets'),
      client('ecs'),
    ]);
    return createSecretDriver({ secrets, restart: { ecs, kube: lazyKubeApis(() => client('kubeConfigFor')) }, minPollSec });
  },
});
