import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeDeploymentController, type DeploymentSeed, type ImageBehaviour } from './controller.js';
import { PatchError, applyJsonPatch, applyMergePatch } from './json-patch.js';
import { isControlledBy } from './objects.js';
import { fieldSelector, labelSelector } from './selectors.js';
import { KIND, ObjectStore, type KubeObject, type Kind, type Watcher } from './store.js';

/**
 * A wire-level Kubernetes API server for the real @kubernetes/client-node: apps/v1 Deployments and
 * ReplicaSets and v1 Pods in namespaces (get, list, watch with resourceVersion and selectors), PATCH
 * of Deployments (JSON patch, merge patch), bearer-token auth, and a small Deployment controller.
 */

export interface FakeKubeCall {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  body?: unknown;
  /** When it arrived (performance.now(), the clock of completedAt), for benchmarks. */
  at: number;
}

export interface FakeKube {
  url: string;
  /** A kubeconfig (contexts `fake`, current, and `fake-other`) pointing at this server. */
  kubeconfigPath: string;
  addDeployment(namespace: string, name: string, seed: DeploymentSeed): KubeObject;
  /** A ReplicaSet matching a Deployment's labels that the Deployment does not own (a stray). */
  addStrayReplicaSet(namespace: string, name: string, opts: { labels: Record<string, string>; revision: number; image: string }): KubeObject;
  setImageBehaviour(image: string, behaviour: ImageBehaviour): void;
  /** Someone else's `kubectl set image` on the first container. */
  setImage(namespace: string, name: string, image: string): void;
  setPaused(namespace: string, name: string, paused: boolean): void;
  /** Ends every open watch: cleanly (the client sees `done(null)`) or by destroying the socket (`done(err)`). */
  dropWatches(opts?: { abrupt?: boolean }): number;
  /** Keeps watches open but silent, like a stalled stream. */
  stallWatches(stalled: boolean): void;
  /**
   * What Rewind's identity may do per resource (`deployments`: ['get', 'list', 'watch']); resources not
   * named allow everything. SelfSubjectAccessReviews answer from it and a forbidden GET or PATCH gets 403.
   */
  setAllowedVerbs(resource: string, verbs: string[] | undefined): void;
  /** Freezes the controller (no rollout progress) until released: lets tests order events without timing. */
  holdController(held: boolean): void;
  deployment(namespace: string, name: string): KubeObject | undefined;
  /** The ReplicaSets the Deployment owns, highest revision first. */
  replicaSets(namespace: string, name: string): KubeObject[];
  pods(namespace: string): KubeObject[];
  /** performance.now() when the controller last marked this Deployment's rollout complete. */
  completedAt(namespace: string, name: string): number | undefined;
  openWatches(): number;
  calls: FakeKubeCall[];
  close(): Promise<void>;
}

const SSAR_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

const ROUTE = /^\/(?:api\/v1|apis\/apps\/v1)\/namespaces\/([^/]+)\/(deployments|replicasets|pods)(?:\/([^/]+))?$/;

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

/** The API server's RBAC refusal, worded as kube-apiserver words it. */
function forbidden(res: ServerResponse, verb: string, resource: string, namespace: string, what: string): void {
  const group = resource === 'pods' ? '""' : '"apps"';
  status(
    res,
    403,
    'Forbidden',
    `${what} is forbidden: User "system:serviceaccount:rewind:rewind" cannot ${verb} resource "${resource}" in API group ${group} in the namespace "${namespace}"`,
  );
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeKube(opts: { tickMs?: number } = {}): Promise<FakeKube> {
  const store = new ObjectStore();
  const controller = new FakeDeploymentController(store);
  const token = `fake-${randomBytes(12).toString('hex')}`;
  const calls: FakeKubeCall[] = [];
  const streams = new Set<{ res: ServerResponse; watcher: Watcher }>();
  const allowed = new Map<string, Set<string>>();
  const may = (verb: string, resource: string) => allowed.get(resource)?.has(verb) ?? true;

  const accessReview = async (req: IncomingMessage, res: ServerResponse, call: FakeKubeCall) => {
    let body: { spec?: { resourceAttributes?: { verb?: string; resource?: string; namespace?: string; group?: string } } };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch {
      return status(res, 400, 'BadRequest', 'the request body is not JSON');
    }
    call.body = body;
    const attrs = body.spec?.resourceAttributes ?? {};
    const ok = may(attrs.verb ?? '', attrs.resource ?? '');
    res.writeHead(201, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: body.spec,
        status: ok ? { allowed: true, reason: 'RBAC: allowed by RoleBinding "rewind"' } : { allowed: false },
      }),
    );
  };

  const watch = (res: ServerResponse, kind: Kind, namespace: string, matches: (o: KubeObject) => boolean, query: URLSearchParams) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.socket?.setNoDelay(true);
    const send = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    const watcher: Watcher = { kind, namespace, matches, send };
    const entry = { res, watcher };
    const rv = query.get('resourceVersion');
    if (rv && rv !== '0') {
      const events = store.eventsSince(kind, namespace, Number(rv));
      if (!events) {
        send('ERROR', {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${rv}`,
          reason: 'Expired',
          code: 410,
        });
        res.end();
        return;
      }
      for (const e of events) if (matches(e.object)) send(e.type, e.object);
    } else {
      for (const o of store.list(kind, namespace, matches)) send('ADDED', o);
    }
    store.watchers.add(watcher);
    streams.add(entry);
    const timeout = Number(query.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      store.watchers.delete(watcher);
      streams.delete(entry);
    });
  };

  const patchDeployment = async (req: IncomingMessage, res: ServerResponse, namespace: string, name: string, call: FakeKubeCall) => {
    const before = store.get('deployments', namespace, name);
    if (!before) return status(res, 404, 'NotFound', `deployments.apps "${name}" not found`);
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return status(res, 400, 'BadRequest', 'the request body is not JSON');
    }
    call.body = body;
    const type = (req.headers['content-type'] ?? '').split(';')[0];
    let after: KubeObject;
    try {
      if (type === 'application/json-patch+json') after = applyJsonPatch(before, body);
      else if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') after = applyMergePatch(before, body);
      else
        return status(
          res,
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
        );
    } catch (error) {
      if (error instanceof PatchError) return status(res, 422, 'Invalid', `the server rejected our request due to an error in our request: ${error.message}`);
      throw error;
    }
    after.metadata = {
      ...after.metadata,
      name,
      namespace,
      uid: before.metadata.uid,
      generation: before.metadata.generation,
      creationTimestamp: before.metadata.creationTimestamp,
    };
    after.status = before.status;
    const labels = after.spec?.template?.metadata?.labels ?? {};
    const selector = after.spec?.selector?.matchLabels ?? {};
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) {
      return status(
        res,
        422,
        'Invalid',
        `Deployment.apps "${name}" is invalid: spec.template.metadata.labels: Invalid value: \`selector\` does not match template \`labels\``,
      );
    }
    if (JSON.stringify(after.spec) !== JSON.stringify(before.spec)) after.metadata.generation = (before.metadata.generation ?? 0) + 1;
    json(res, store.put('deployments', after));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const call: FakeKubeCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers['content-type'],
      at: performance.now(),
    };
    calls.push(call);
    if (req.headers.authorization !== `Bearer ${token}`) return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (url.pathname === SSAR_PATH && req.method === 'POST') return accessReview(req, res, call);
    const m = ROUTE.exec(url.pathname);
    if (!m) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const [, namespace = '', kind = 'pods', name] = m as unknown as [string, string, Kind, string | undefined];
    if (url.pathname.startsWith('/api/v1/') !== (kind === 'pods')) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const group = kind === 'pods' ? '' : '.apps';

    if (name) {
      if (req.method === 'PATCH' && kind === 'deployments') {
        if (!may('patch', 'deployments')) {
          return status(
            res,
            403,
            'Forbidden',
            `deployments.apps "${name}" is forbidden: User "system:serviceaccount:rewind:rewind" cannot patch resource "deployments" in API group "apps" in the namespace "${namespace}"`,
          );
        }
        return patchDeployment(req, res, namespace, name, call);
      }
      if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', `the fake does not support ${req.method} on ${kind}`);
      if (!may('get', kind)) return forbidden(res, 'get', kind, namespace, `${kind}${group} "${name}"`);
      const object = store.get(kind, namespace, name);
      return object ? json(res, object) : status(res, 404, 'NotFound', `${kind}${group} "${name}" not found`);
    }
    if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', `the fake does not support ${req.method} on ${kind}`);
    let matches: (o: KubeObject) => boolean;
    try {
      const byLabel = labelSelector(url.searchParams.get('labelSelector'));
      const byField = fieldSelector(url.searchParams.get('fieldSelector'));
      matches = (o) => byLabel(o.metadata.labels) && byField(o);
    } catch (error) {
      return status(res, 400, 'BadRequest', (error as Error).message);
    }
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') return watch(res, kind, namespace, matches, url.searchParams);
    json(res, {
      kind: `${KIND[kind]}List`,
      apiVersion: kind === 'pods' ? 'v1' : 'apps/v1',
      metadata: { resourceVersion: store.resourceVersion },
      items: store.list(kind, namespace, matches),
    });
  };

  const server = createServer({ noDelay: true }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) status(res, 500, 'InternalError', String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const dir = mkdtempSync(join(tmpdir(), 'rewind-fake-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      `  cluster: { server: "${url}", insecure-skip-tls-verify: true }`,
      'users:',
      '- name: rewind',
      `  user: { token: "${token}" }`,
      'contexts:',
      '- name: fake',
      '  context: { cluster: fake, user: rewind, namespace: default }',
      '- name: fake-other',
      '  context: { cluster: fake, user: rewind, namespace: default }',
      'current-context: fake',
      '',
    ].join('\n'),
  );

  let held = false;
  const ticker = setInterval(() => {
    if (!held) controller.tick();
  }, opts.tickMs ?? 50);

  const mutate = (namespace: string, name: string, change: (d: KubeObject) => void) => {
    const d = store.get('deployments', namespace, name);
    if (!d) throw new Error(`fake kube: no deployment ${namespace}/${name}`);
    const spec = JSON.stringify(d.spec);
    change(d);
    if (JSON.stringify(d.spec) !== spec) d.metadata.generation = (d.metadata.generation ?? 0) + 1;
    store.put('deployments', d);
  };

  return {
    url,
    kubeconfigPath,
    calls,
    addDeployment: (namespace, name, seed) => controller.seed(namespace, name, seed),
    addStrayReplicaSet: (namespace, name, o) =>
      store.put('replicasets', {
        metadata: { name, namespace, labels: { ...o.labels }, annotations: { 'deployment.kubernetes.io/revision': String(o.revision) } },
        spec: {
          replicas: 0,
          selector: { matchLabels: { ...o.labels } },
          template: { metadata: { labels: { ...o.labels } }, spec: { containers: [{ name: 'stray', image: o.image }] } },
        },
        status: {},
      }),
    setImageBehaviour: (image, behaviour) => void controller.behaviours.set(image, behaviour),
    setImage: (namespace, name, image) =>
      mutate(namespace, name, (d) => {
        d.spec.template.spec.containers[0].image = image;
      }),
    setPaused: (namespace, name, paused) =>
      mutate(namespace, name, (d) => {
        d.spec.paused = paused || undefined;
      }),
    dropWatches: ({ abrupt = false } = {}) => {
      const n = streams.size;
      for (const { res } of [...streams]) {
        if (abrupt) res.destroy();
        else res.end();
      }
      return n;
    },
    stallWatches: (stalled) => {
      store.stalled = stalled;
    },
    setAllowedVerbs: (resource, verbs) => {
      if (verbs) allowed.set(resource, new Set(verbs));
      else allowed.delete(resource);
    },
    holdController: (hold) => {
      held = hold;
    },
    deployment: (namespace, name) => store.get('deployments', namespace, name),
    replicaSets: (namespace, name) => {
      const d = store.get('deployments', namespace, name);
      if (!d) return [];
      const revision = (rs: KubeObject) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
      return store.list('replicasets', namespace, (rs) => isControlledBy(rs, d)).sort((a, b) => revision(b) - revision(a));
    },
    pods: (namespace) => store.list('pods', namespace),
    completedAt: (namespace, name) => controller.completedAt(namespace, name),
    openWatches: () => streams.size,
    close: async () => {
      clearInterval(ticker);
      for (const { res } of [...streams]) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
