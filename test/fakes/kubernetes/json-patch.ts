/** RFC 6902 JSON Patch (add, remove, replace, test) and RFC 7386 merge patch, as the API server applies them. */

export class PatchError extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Json[] | { [key: string]: Json };

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, tokens: string[], path: string): { parent: Container; key: string } {
  let node: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(node) ? node[Number(token)] : node && typeof node === 'object' ? node[token] : undefined;
    if (next === undefined || next === null || typeof next !== 'object') throw new PatchError(`path "${path}" does not exist`);
    node = next;
  }
  if (node === null || typeof node !== 'object') throw new PatchError(`path "${path}" does not exist`);
  return { parent: node, key: tokens.at(-1) ?? '' };
}

function has(parent: Container, key: string): boolean {
  return Array.isArray(parent) ? Number(key) >= 0 && Number(key) < parent.length : Object.prototype.hasOwnProperty.call(parent, key);
}

export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

export function applyJsonPatch<T>(document: T, operations: unknown): T {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be an array of operations');
  const doc = structuredClone(document) as Json;
  for (const raw of operations as PatchOperation[]) {
    const tokens = pointer(raw.path);
    if (tokens.length === 0) throw new PatchError('replacing the whole object is not supported');
    const { parent, key } = parentOf(doc, tokens, raw.path);
    const value = structuredClone(raw.value) as Json;
    switch (raw.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(key === '-' ? parent.length : Number(key), 0, value);
        else parent[key] = value;
        break;
      case 'replace':
        if (!has(parent, key)) throw new PatchError(`replace operation does not apply: doc is missing key: ${raw.path}`);
        if (Array.isArray(parent)) parent[Number(key)] = value;
        else parent[key] = value;
        break;
      case 'remove':
        if (!has(parent, key)) throw new PatchError(`remove operation does not apply: doc is missing path: ${raw.path}`);
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      case 'test': {
        const current = Array.isArray(parent) ? parent[Number(key)] : parent[key];
        if (JSON.stringify(current) !== JSON.stringify(value)) throw new PatchError(`testing value ${raw.path} failed`);
        break;
      }
      default:
        throw new PatchError(`unsupported JSON patch operation "${raw.op}"`);
    }
  }
  return doc as T;
}

export function applyMergePatch<T>(document: T, patch: unknown): T {
  const merge = (target: Json, change: Json): Json => {
    if (change === null || typeof change !== 'object' || Array.isArray(change)) return change;
    const base: { [key: string]: Json } = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(change)) {
      if (v === null) delete base[k];
      else base[k] = merge(base[k] ?? null, v);
    }
    return base;
  };
  return merge(structuredClone(document) as Json, patch as Json) as T;
}
