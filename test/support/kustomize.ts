import { readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/**
 * A tiny `kustomize build` for tests (no kubectl or kustomize binary needed): the subset our
 * manifests use, and an error naming anything else, so a new kustomization feature shows up as a
 * test to extend rather than as a silently wrong rendering.
 *
 * Supported: `resources` (files inside the folder, as kustomize's default load restrictions
 * require), `configMapGenerator` (`name` and `files`, each `path` or `key=path`), `namespace`.
 * One difference from kustomize, on purpose: generated ConfigMaps keep their plain name (kustomize
 * appends a content hash and rewrites the references to it), so references compare equal as written.
 */

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface Rendering {
  /** The kustomization file's own content. */
  kustomization: Record<string, unknown>;
  /** The resources as written, before the namespace is set (to check that they name none). */
  resources: K8sObject[];
  /** What `kustomize build` would output (modulo the hash suffix above). */
  objects: K8sObject[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'configMapGenerator']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']);

/** Every YAML document in a text (empty ones skipped); a syntax error throws, naming the source. */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

export function readObjects(file: string): K8sObject[] {
  return parseYamlDocuments(readFileSync(file, 'utf8'), file).map((value) => {
    const obj = value as K8sObject;
    if (typeof obj?.apiVersion !== 'string' || typeof obj.kind !== 'string' || typeof obj.metadata?.name !== 'string') {
      throw new Error(`${file}: every document needs apiVersion, kind and metadata.name`);
    }
    return obj;
  });
}

/** A path from the kustomization, refused (like kustomize) when it leaves the kustomization's folder. */
function inside(dir: string, path: string, kustomization: string): string {
  const full = resolve(dir, path);
  const rel = relative(dir, full);
  if (/^[a-z]+:\/\//i.test(path) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new Error(`${kustomization}: ${path} is outside ${dir}; kustomize refuses it by default (copy the file into the folder)`);
  }
  if (!statSync(full).isFile()) throw new Error(`${kustomization}: ${path} is not a file; this reader loads files only`);
  return full;
}

export function renderKustomization(dir: string): Rendering {
  const file = join(dir, 'kustomization.yaml');
  const kustomization = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length) throw new Error(`${file} uses ${unsupported.join(', ')}: extend test/support/kustomize.ts to render it`);

  const resources = ((kustomization.resources ?? []) as string[]).flatMap((path) => readObjects(inside(dir, path, file)));

  const generated = ((kustomization.configMapGenerator ?? []) as Record<string, unknown>[]).map((generator): K8sObject => {
    const extra = Object.keys(generator).filter((key) => key !== 'name' && key !== 'files');
    if (extra.length) throw new Error(`${file}: configMapGenerator ${String(generator.name)} uses ${extra.join(', ')}: extend test/support/kustomize.ts`);
    const data: Record<string, string> = {};
    for (const entry of generator.files as string[]) {
      const eq = entry.indexOf('=');
      const [key, path] = eq >= 0 ? [entry.slice(0, eq), entry.slice(eq + 1)] : [basename(entry), entry];
      data[key] = readFileSync(inside(dir, path, file), 'utf8');
    }
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name as string }, data };
  });

  const namespace = kustomization.namespace as string | undefined;
  const objects = [...resources, ...generated].map((obj) => {
    const copy = structuredClone(obj);
    if (namespace && !CLUSTER_SCOPED.has(copy.kind)) copy.metadata.namespace = namespace;
    return copy;
  });
  return { kustomization, resources, objects };
}
