import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/catalog.js';
import { envSchema, parseEnv } from '../../src/config/env.js';
import { parseYamlDocuments, readObjects, renderKustomization, type K8sObject } from '../support/kustomize.js';

/** deploy/kubernetes, rendered as `kubectl apply -k` would (test/support/kustomize.ts), against the code and the Kubernetes driver's RBAC (docs/drivers/kubernetes.md). */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy/kubernetes');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

type Labels = Record<string, string>;
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Probe {
  httpGet?: { path: string; port: number | string };
  exec?: unknown;
  tcpSocket?: unknown;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  envFrom?: unknown[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
    seccompProfile?: { type: string };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number; seccompProfile?: { type: string } };
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: object }[];
}
interface Workload extends K8sObject {
  spec: { replicas?: number; selector: { matchLabels: Labels }; template: { metadata: { labels: Labels }; spec: PodSpec } };
}
interface Service extends K8sObject {
  spec: { selector: Labels; ports: { port: number; targetPort: number | string }[] };
}
interface Rbac extends K8sObject {
  rules?: unknown[];
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

const API_VERSIONS: Record<string, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  Service: 'v1',
  ServiceAccount: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  PodDisruptionBudget: 'policy/v1',
};

const rendering = renderKustomization(DEPLOY);
const { objects } = rendering;
const one = <T extends K8sObject>(kind: string, name: string): T => {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind}/${name} in the rendered kustomization`).toHaveLength(1);
  return found[0] as T;
};
const web = one<Workload>('Deployment', 'rewind-web');
const worker = one<Workload>('Deployment', 'rewind-worker');
const deployments = [web, worker];
const containerOf = (w: Workload) => {
  expect(w.spec.template.spec.containers).toHaveLength(1);
  return w.spec.template.spec.containers[0]!;
};
const envOf = (w: Workload) => new Map((containerOf(w).env ?? []).map((e) => [e.name, e]));
const matches = (selector: Labels, labels: Labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const podLabels = (w: Workload) => w.spec.template.metadata.labels;
/** A probe's or Service's port, by number or by the container port's name. */
const portNumber = (c: Container, port: number | string | undefined) =>
  typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;

const secretExample = readObjects(join(DEPLOY, 'secret.example.yaml'));

/** The "RBAC for the Kubernetes driver" YAML block of the Kubernetes driver's page (docs/drivers/kubernetes.md). */
function readmeRbac(): Rbac[] {
  const readme = read('docs/drivers/kubernetes.md');
  const heading = readme.indexOf('## RBAC for the Kubernetes driver');
  expect(heading, 'docs/drivers/kubernetes.md heading "RBAC for the Kubernetes driver"').toBeGreaterThan(-1);
  const rest = readme.slice(heading);
  const block = /\n```yaml\n([\s\S]*?)\n```/.exec(rest);
  const found = rest.slice(1).search(/\n#/);
  const nextHeading = found === -1 ? rest.length : found;
  expect(block && block.index < nextHeading, 'a ```yaml block in that section').toBe(true);
  return parseYamlDocuments(block![1]!, 'docs/drivers/kubernetes.md (RBAC for the Kubernetes driver)') as Rbac[];
}

describe('deploy/kubernetes', () => {
  it('holds exactly the expected objects, with the right apiVersions, and names no namespace of its own', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'ConfigMap/rewind-catalog',
        'Deployment/rewind-web',
        'Deployment/rewind-worker',
        'PodDisruptionBudget/rewind-web',
        'Role/rewind-rollback',
        'RoleBinding/rewind-rollback',
        'Service/rewind-web',
        'ServiceAccount/rewind',
      ].sort(),
    );
    for (const o of objects) expect(o.apiVersion, `${o.kind}/${o.metadata.name}`).toBe(API_VERSIONS[o.kind]);
    // kustomize sets the namespace; the files do not.
    for (const o of rendering.resources) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBeUndefined();
    expect(rendering.kustomization.namespace).toEqual(expect.any(String));
    for (const o of objects) expect(o.metadata.namespace).toBe(rendering.kustomization.namespace);
  });

  it('runs ROLE=web with 2 replicas and ROLE=worker, with selectors that match their own pods only', () => {
    expect(envOf(web).get('ROLE')?.value).toBe('web');
    expect(web.spec.replicas).toBe(2);
    expect(envOf(worker).get('ROLE')?.value).toBe('worker');
    for (const d of deployments) {
      expect(matches(d.spec.selector.matchLabels, podLabels(d)), d.metadata.name).toBe(true);
      for (const other of deployments.filter((o) => o !== d))
        expect(matches(d.spec.selector.matchLabels, podLabels(other)), `${d.metadata.name} vs ${other.metadata.name}`).toBe(false);
    }

    const service = one<Service>('Service', 'rewind-web');
    expect(matches(service.spec.selector, podLabels(web))).toBe(true);
    expect(matches(service.spec.selector, podLabels(worker))).toBe(false);

    const pdb = one<K8sObject & { spec: { minAvailable: number; selector: { matchLabels: Labels } } }>('PodDisruptionBudget', 'rewind-web');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(matches(pdb.spec.selector.matchLabels, podLabels(web))).toBe(true);
    expect(matches(pdb.spec.selector.matchLabels, podLabels(worker))).toBe(false);
  });

  it('uses only variables of the env schema (or AWS/Kubernetes standard ones), with values the schema accepts', () => {
    const schemaKeys = new Set(Object.keys(envSchema.shape));
    const standard = /^(AWS_[A-Z0-9_]+|KUBECONFIG|KUBERNETES_[A-Z0-9_]+)$/;
    const secret = secretExample[0] as K8sObject & { stringData: Record<string, string> };
    for (const d of deployments) {
      const c = containerOf(d);
      expect(c.envFrom, `${d.metadata.name}: name each variable (envFrom hides them from this check)`).toBeUndefined();
      const source: Record<string, string> = {};
      for (const e of c.env ?? []) {
        expect(
          schemaKeys.has(e.name) || standard.test(e.name),
          `${d.metadata.name}: ${e.name} is neither in src/config/env.ts nor a standard AWS/Kubernetes variable`,
        ).toBe(true);
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) {
          expect(ref.name, `${d.metadata.name}: ${e.name}`).toBe(secret.metadata.name);
          if (!ref.optional) expect(Object.keys(secret.stringData), `${d.metadata.name}: ${e.name} in secret.example.yaml`).toContain(ref.key);
          if (ref.key in secret.stringData) source[e.name] = secret.stringData[ref.key]!;
        } else {
          expect(e.value, `${d.metadata.name}: ${e.name}`).toEqual(expect.any(String));
          source[e.name] = e.value!;
        }
      }
      expect(() => parseEnv(source), d.metadata.name).not.toThrow();
    }
  });

  it('probes the web role on GET /healthz at its PORT, the Service sends port 80 there, and the worker (no HTTP server) has no HTTP probe', () => {
    const c = containerOf(web);
    const port = Number(envOf(web).get('PORT')?.value);
    expect(port).toBe(3000);
    expect(c.ports?.map((p) => p.containerPort)).toEqual([port]);
    for (const probe of [c.readinessProbe, c.livenessProbe]) {
      expect(probe?.httpGet?.path).toBe('/healthz');
      expect(portNumber(c, probe?.httpGet?.port)).toBe(port);
    }
    const service = one<Service>('Service', 'rewind-web');
    expect(service.spec.ports).toHaveLength(1);
    expect(service.spec.ports[0]!.port).toBe(80);
    expect(portNumber(c, service.spec.ports[0]!.targetPort)).toBe(port);

    // src/main.ts starts the HTTP receiver (and /healthz) only for ROLE=web|all.
    expect(read('src/main.ts')).toMatch(/if \(env\.ROLE !== 'worker'\) \{[\s\S]*healthRoute\(/);
    const w = containerOf(worker);
    expect([w.readinessProbe, w.livenessProbe, w.startupProbe].filter((p) => p?.httpGet)).toEqual([]);
    expect(w.ports).toBeUndefined();
  });

  it("runs as the image's non-root node user (uid 1000), read-only, unprivileged, and outlives Rewind's shutdown", () => {
    expect(read('Dockerfile')).toMatch(/^USER node$/m);
    const shutdownMs = Number(/const SHUTDOWN_MS = ([\d_]+);/.exec(read('src/main.ts'))?.[1]?.replaceAll('_', ''));
    expect(shutdownMs).toBeGreaterThan(0);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const c = containerOf(d);
      const name = d.metadata.name;
      expect(pod.securityContext, name).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 });
      expect(c.securityContext, name).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(c.securityContext?.capabilities?.drop, name).toEqual(['ALL']);
      expect(c.securityContext?.seccompProfile ?? pod.securityContext?.seccompProfile, name).toEqual({ type: 'RuntimeDefault' });
      // main() allows close() SHUTDOWN_MS and exits at SHUTDOWN_MS + 2 s whatever happens.
      expect(pod.terminationGracePeriodSeconds, name).toBeGreaterThan(shutdownMs / 1000 + 2);
      expect(c.resources?.requests, name).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.resources?.limits, name).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      // A read-only root still leaves runbook commands a writable /tmp.
      const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
      expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir, `${name}: /tmp is an emptyDir`).toBeDefined();
    }
  });

  it('mounts the catalog ConfigMap where REWIND_CONFIG points, and the catalog is a valid, unchanged copy of rewind.config.example.yaml', () => {
    const example = read('rewind.config.example.yaml');
    expect(
      readFileSync(join(DEPLOY, 'rewind.config.example.yaml'), 'utf8'),
      'deploy/kubernetes/rewind.config.example.yaml is a copy of the example: copy it again',
    ).toBe(example);
    const catalog = one<K8sObject & { data: Record<string, string> }>('ConfigMap', 'rewind-catalog');
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const volume = pod.volumes?.find((v) => v.configMap?.name === catalog.metadata.name);
      const mount = containerOf(d).volumeMounts?.find((m) => m.name === volume?.name);
      expect(mount?.readOnly, d.metadata.name).toBe(true);
      const file = envOf(d).get('REWIND_CONFIG')?.value;
      expect(file?.startsWith(`${mount?.mountPath}/`), `${d.metadata.name}: REWIND_CONFIG=${file} under ${mount?.mountPath}`).toBe(true);
      const key = file!.slice(mount!.mountPath.length + 1);
      expect(catalog.data[key], `${d.metadata.name}: ${key} in the ConfigMap`).toBe(example);
    }
    expect(() => parseCatalog(example, 'rewind.config.example.yaml')).not.toThrow();
  });

  it('gives the worker exactly the documented RBAC rules through its ServiceAccount, and the web pods no token', () => {
    const readme = readmeRbac();
    const readmeRole = readme.find((o) => o.kind === 'Role');
    const readmeBinding = readme.find((o) => o.kind === 'RoleBinding');
    const role = one<Rbac>('Role', 'rewind-rollback');
    const binding = one<Rbac>('RoleBinding', 'rewind-rollback');
    expect(role.rules).toEqual(readmeRole?.rules);
    expect(role.metadata.name).toBe(readmeRole?.metadata.name);
    expect(binding.roleRef).toEqual(readmeBinding?.roleRef);

    const account = one<K8sObject>('ServiceAccount', readmeBinding!.subjects![0]!.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name }]);
    // The documented RoleBinding binds the account in namespace `rewind`: where this kustomization puts it.
    expect(readmeBinding!.subjects![0]!.namespace).toBe(rendering.kustomization.namespace);
    expect(worker.spec.template.spec.serviceAccountName).toBe(account.metadata.name);
    expect(web.spec.template.spec.serviceAccountName).toBeUndefined();
    expect(web.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  it('ships the Secret as an example only, with placeholders', () => {
    expect(rendering.kustomization.resources).not.toContain('secret.example.yaml');
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    expect(secretExample).toHaveLength(1);
    const secret = secretExample[0] as K8sObject & { stringData: Record<string, string> };
    expect(secret.apiVersion).toBe(API_VERSIONS.Secret);
    expect(secret.kind).toBe('Secret');
    for (const [key, value] of Object.entries(secret.stringData)) if (key.startsWith('SLACK_')) expect(value, key).toMatch(/replace-me$/);
  });

  it('offers an optional Redis, outside the default kustomization, with AOF and noeviction', () => {
    expect(rendering.kustomization.resources).not.toContain('redis');
    const redis = renderKustomization(join(DEPLOY, 'redis')).objects;
    for (const o of redis) expect(o.apiVersion, `${o.kind}/${o.metadata.name}`).toBe(API_VERSIONS[o.kind]);
    const set = redis.find((o) => o.kind === 'StatefulSet') as Workload;
    const args = containerOf(set).args ?? [];
    expect(args.join(' ')).toContain('--appendonly yes');
    expect(args.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(set.spec.template.spec.securityContext?.runAsNonRoot).toBe(true);
    const service = redis.find((o) => o.kind === 'Service') as Service;
    expect(matches(service.spec.selector, podLabels(set))).toBe(true);
    // The Secret example's REDIS_URL points at it.
    const url = new URL((secretExample[0] as K8sObject & { stringData: Record<string, string> }).stringData.REDIS_URL!);
    expect([url.hostname, Number(url.port)]).toEqual([service.metadata.name, service.spec.ports[0]!.port]);
  });
});

describe('Node versions', () => {
  it("builds and runs the image on Node 22, while the code stays on Node 20's API (typecheck with @types/node 20)", () => {
    const froms = [...read('Dockerfile').matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms).toEqual(['node:22-bookworm-slim', 'node:22-bookworm-slim']);
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; devDependencies: Record<string, string> };
    expect(pkg.engines.node).toBe('>=20.11');
    // `npm run typecheck` (CI) type-checks against these types: an API newer than Node 20 fails it.
    expect(pkg.devDependencies['@types/node']).toMatch(/^\^20\./);
  });
});

describe('Node flags', () => {
  it('starts the image with the flags of `npm start` (bench/idle-rss.ts measures with those)', () => {
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(read('Dockerfile'))![1]!) as string[];
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
    expect(cmd).toEqual(start);
    expect(cmd).toContain('--max-semi-space-size=4');
  });
});
