import { KubeConfig } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from '../../test/fakes/kubernetes/server.js';
import type { EstateItem, EstatePiece } from './types.js';

const NAMESPACE = 'production';
const APPS = ['web', 'api'] as const;
const RELEASES = ['v1.0.0-rc.4', 'v1.0.0-rc.5', 'v1.0.0-rc.6'];
const image = (app: string, tag: string) => `registry.skillancer.com/skillancer-${app}:${tag}`;
/** The release `rollout undo` goes back to (the one before the live rc.6). */
const ROLLBACK_TAG = 'v1.0.0-rc.5';
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);

/**
 * Skillancer's Kubernetes runbook: Deployments skillancer-web and skillancer-api in namespace
 * production, three revisions each (rc.4, rc.5, rc.6 live), 3 replicas, labelled app=skillancer.
 * A rollout that makes no progress for 30 s is reported ProgressDeadlineExceeded.
 */
export function seedSkillancerDeployments(kube: FakeKube): void {
  for (const app of APPS) {
    kube.addDeployment(NAMESPACE, `skillancer-${app}`, {
      replicas: 3,
      revisions: RELEASES.map((tag) => image(app, tag)),
      labels: { app: 'skillancer', component: app },
      progressDeadlineMs: 30_000,
    });
  }
}

export interface KubernetesPieceOptions {
  /** Controller pace: one pod surged or retired per tick. */
  tickMs: number;
  crashloop?: boolean;
}

export async function startKubernetesPiece(opts: KubernetesPieceOptions): Promise<EstatePiece> {
  const kube = await startFakeKube({ tickMs: opts.tickMs });
  seedSkillancerDeployments(kube);
  let crashloop = false;
  let unhealthy = false;
  const setCrashloop = (on: boolean) => {
    crashloop = on;
    for (const app of APPS) kube.setImageBehaviour(image(app, ROLLBACK_TAG), on ? 'crashloop' : 'healthy');
  };
  setCrashloop(Boolean(opts.crashloop));

  const view = (): EstateItem[] =>
    APPS.map((app) => {
      const name = `skillancer-${app}`;
      const d = kube.deployment(NAMESPACE, name);
      const s = d?.status ?? {};
      const replicas = d?.spec?.replicas ?? 0;
      const revision = d?.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '?';
      const tag = String(d?.spec?.template?.spec?.containers?.[0]?.image ?? '')
        .split(':')
        .pop();
      const done =
        (s.observedGeneration ?? 0) >= (d?.metadata?.generation ?? 0) &&
        (s.updatedReplicas ?? 0) === replicas &&
        (s.availableReplicas ?? 0) === replicas &&
        (s.replicas ?? 0) === replicas;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Deployment status conditions as the API serves them
      const stuck = (s.conditions ?? []).some((c: any) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
      // ContainerCreating is a rollout's normal pace; CrashLoopBackOff and friends are the failures to show.
      const waiting = kube
        .pods(NAMESPACE)
        .filter((p) => p.metadata.labels?.component === app)
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        .flatMap((p) => (p.status?.containerStatuses ?? []).map((c: any) => c.state?.waiting?.reason).filter((r: string | undefined) => r && !STARTING.has(r)));
      return {
        id: `kube-${app}`,
        title: `Kubernetes ${NAMESPACE} / ${name}`,
        status: stuck || waiting.length ? 'failing' : done ? 'steady' : 'busy',
        lines: [
          `revision ${revision} (${tag}), ${s.availableReplicas ?? 0}/${replicas} available, ${s.updatedReplicas ?? 0} updated`,
          ...(waiting.length ? [`${waiting.length} pod(s) ${[...new Set(waiting)].join(', ')}`] : []),
          ...(stuck ? ['rollout stuck: ProgressDeadlineExceeded'] : []),
        ],
      };
    });

  return {
    summary: 'Skillancer Deployments skillancer-web and skillancer-api in namespace production (live: rc.6)',
    example: '/rollback skillancer production Checkout errors after rc.6',
    clients: {
      // The kubeconfig is what differs from production: it points at the fake API server.
      kubeConfigFor: (target) => {
        const kc = new KubeConfig();
        kc.loadFromFile(kube.kubeconfigPath);
        if (target.context) kc.setCurrentContext(target.context);
        return kc;
      },
    },
    view,
    toggles: () => [
      { id: 'skillancer-crashloop', label: 'Skillancer rc.5 (the rollback target) crash-loops', on: crashloop },
      { id: 'skillancer-unhealthy', label: 'Skillancer /health answers 503', on: unhealthy },
    ],
    setToggle(id, on) {
      if (id === 'skillancer-crashloop') setCrashloop(on);
      else if (id === 'skillancer-unhealthy') unhealthy = on;
      else return false;
      return true;
    },
    health: { skillancer: () => !unhealthy },
    close: () => kube.close(),
  };
}
