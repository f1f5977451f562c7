import { StepFailed } from '../../errors.js';

/** Where a Kubernetes call went, for error sentences: `namespace production (context prod-eu)`. */
export interface KubeWhere {
  namespace: string;
  context: string;
}

const RBAC_HINT =
  "Grant Rewind's identity the Role in docs/drivers/kubernetes.md (deployments: get, list, watch, patch; replicasets: list; pods: list) in this namespace.";

interface ApiExceptionLike {
  code?: number | string;
  body?: { message?: string; reason?: string } | string;
  type?: string;
  message?: string;
}

/** The client hands back the Status body as raw text for non-2xx answers. */
function statusOf(body: ApiExceptionLike['body']): { message?: string; reason?: string } | undefined {
  if (typeof body === 'object') return body;
  try {
    const parsed: unknown = JSON.parse(body ?? '');
    return parsed && typeof parsed === 'object' ? (parsed as { message?: string; reason?: string }) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns a @kubernetes/client-node error (ApiException with a Status body, or a network error)
 * into a StepFailed naming the call, what the API said and what to do. Retryable ones are not permanent.
 */
export function fromKubeError(error: unknown, action: string, where: KubeWhere): StepFailed {
  if (error instanceof StepFailed) return error;
  const e = (error ?? {}) as ApiExceptionLike;
  const place = `in namespace ${where.namespace} (context ${where.context})`;
  if (typeof e.code === 'number') {
    const status = statusOf(e.body);
    const said = status?.message ? `: ${status.message}` : '';
    switch (e.code) {
      case 401:
        return new StepFailed(
          'Unauthorized',
          `Kubernetes rejected Rewind's credentials (401) for ${action} ${place}`,
          'Refresh the kubeconfig credentials or the service account token Rewind uses for this context.',
        );
      case 403:
        return new StepFailed('Forbidden', `Kubernetes refused ${action} ${place} (403)${said}`, RBAC_HINT);
      case 404:
        return new StepFailed(
          'NotFound',
          `Kubernetes found nothing for ${action} ${place} (404)${said}`,
          'Check the namespace and deployments for this service in the catalog, and that the context points at the right cluster.',
        );
      case 409:
      case 429:
        return new StepFailed(
          status?.reason || 'Conflict',
          `Kubernetes asked Rewind to retry ${action} ${place} (${e.code})${said}`,
          'Rewind retries this on its own; if it keeps failing, check the API server load.',
          false,
        );
      default:
        return new StepFailed(
          status?.reason || `HTTP${e.code}`,
          `Kubernetes failed ${action} ${place} (${e.code})${said}`,
          e.code >= 500
            ? 'The API server had a problem; Rewind retries. Check the control plane if it persists.'
            : 'Read the message above; the request was refused as invalid.',
          !(e.code >= 500),
        );
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StepFailed(
    'KubeUnreachable',
    `Rewind could not reach the Kubernetes API for ${action} ${place}: ${message}`,
    'Check that the cluster is reachable from Rewind (VPN, network policy, API server address in the kubeconfig).',
    false,
  );
}
