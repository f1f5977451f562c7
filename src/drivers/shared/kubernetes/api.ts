import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type KubeConfig,
  type V1Deployment,
  type V1Pod,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import { fromKubeError, type KubeWhere } from './errors.js';

/** Which cluster to talk to: a kubeconfig context (omitted: the current one), or the pod's service account. */
export interface KubeContext {
  context?: string;
  inCluster?: boolean;
}

export interface JsonPatchOp {
  op: 'replace';
  path: string;
  value: unknown;
}

/** The few Kubernetes calls Rewind makes (see docs/drivers/kubernetes.md, RBAC), with errors turned into StepFailed. */
export interface KubeApi {
  readonly context: string;
  readDeployment(namespace: string, name: string): Promise<V1Deployment>;
  /** One Deployment by name as a list, so a watch can start from the list's resourceVersion. */
  listDeployment(namespace: string, name: string): Promise<{ deployment?: V1Deployment; resourceVersion?: string }>;
  listReplicaSets(namespace: string, labelSelector: string): Promise<V1ReplicaSet[]>;
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
  patchDeployment(namespace: string, name: string, patch: JsonPatchOp[]): Promise<V1Deployment>;
  /**
   * `kubectl auth can-i <verb> <resource> -n <namespace>` for Rewind's own identity (a
   * SelfSubjectAccessReview): true, false, or undefined when the review itself could not be made.
   */
  canI(namespace: string, verb: string, resource: string, group: string): Promise<boolean | undefined>;
  /** A strategic merge patch, as `kubectl rollout restart` sends. */
  mergePatchDeployment(namespace: string, name: string, patch: object): Promise<V1Deployment>;
  /**
   * Watches one Deployment from `resourceVersion`. `onEvent` gets the raw wire object; `onDone` fires
   * once when the stream ends for any reason. Abort the returned controller to stop.
   */
  watchDeployment(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    onEvent: (type: string, object: unknown) => void,
    onDone: (error?: unknown) => void,
  ): Promise<AbortController>;
}

export function kubeApi(kc: KubeConfig): KubeApi {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const watch = new Watch(kc);
  const context = kc.getCurrentContext() || 'in-cluster';
  const call = async <R>(action: string, namespace: string, fn: () => Promise<R>): Promise<R> => {
    try {
      return await fn();
    } catch (error) {
      const where: KubeWhere = { namespace, context };
      throw fromKubeError(error, action, where);
    }
  };
  return {
    context,
    readDeployment: (namespace, name) => call(`get deployment ${name}`, namespace, () => apps.readNamespacedDeployment({ namespace, name })),
    listDeployment: (namespace, name) =>
      call(`list deployment ${name}`, namespace, async () => {
        const list = await apps.listNamespacedDeployment({ namespace, fieldSelector: `metadata.name=${name}` });
        return { deployment: list.items[0], resourceVersion: list.metadata?.resourceVersion };
      }),
    listReplicaSets: (namespace, labelSelector) =>
      call(`list replicasets (${labelSelector})`, namespace, async () => (await apps.listNamespacedReplicaSet({ namespace, labelSelector })).items),
    listPods: (namespace, labelSelector) =>
      call(`list pods (${labelSelector})`, namespace, async () => (await core.listNamespacedPod({ namespace, labelSelector })).items),
    patchDeployment: (namespace, name, patch) =>
      call(`patch deployment ${name}`, namespace, () =>
        apps.patchNamespacedDeployment({ namespace, name, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)),
      ),
    canI: async (namespace, verb, resource, group) => {
      try {
        const review = await authz.createSelfSubjectAccessReview({
          body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace, verb, resource, group } } },
        });
        return review.status?.allowed === true;
      } catch {
        // Not allowed to ask, or an API server without the review: the call itself will say.
        return undefined;
      }
    },
    mergePatchDeployment: (namespace, name, patch) =>
      call(`patch deployment ${name}`, namespace, () =>
        apps.patchNamespacedDeployment({ namespace, name, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)),
      ),
    watchDeployment: (namespace, name, resourceVersion, onEvent, onDone) =>
      watch.watch(
        `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments`,
        { fieldSelector: `metadata.name=${name}`, resourceVersion, allowWatchBookmarks: true },
        onEvent,
        (error: unknown) => onDone(error ?? undefined),
      ),
  };
}

/** One KubeApi per cluster context, made on first use: `kubeConfigFor` may read files or the pod's token. */
export function kubeApis(kubeConfigFor: (where: KubeContext) => KubeConfig): (where: KubeContext) => KubeApi {
  const apis = new Map<string, KubeApi>();
  return (where) => {
    const key = where.inCluster ? 'in-cluster' : `context:${where.context ?? ''}`;
    let api = apis.get(key);
    if (!api) {
      api = kubeApi(kubeConfigFor(where));
      apis.set(key, api);
    }
    return api;
  };
}
