import { defineDriver } from '../define.js';
import { kubernetesPlanData } from './plan-data.js';
import { kubernetesTarget } from './target.js';

export const kubernetesDriver = defineDriver({
  kind: 'kubernetes',
  target: kubernetesTarget,
  planData: kubernetesPlanData,
  clients: ['kubeConfigFor'],
  async create({ client }) {
    const [{ createKubernetesDriver }, kubeConfigFor] = await Promise.all([import('./driver.js'), client('kubeConfigFor')]);
    return createKubernetesDriver({ kubeConfigFor });
  },
});
