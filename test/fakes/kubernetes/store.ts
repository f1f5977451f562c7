import { randomUUID } from 'node:crypto';

/** The fake API server's etcd: objects with resourceVersions, an event log for watches, live watchers. */

export type Kind = 'deployments' | 'replicasets' | 'pods';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
  };
  // Shapes differ per kind; the fake reads them loosely like the API server's unstructured objects.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface StoredEvent {
  rv: number;
  kind: Kind;
  type: EventType;
  object: KubeObject;
}

export interface Watcher {
  kind: Kind;
  namespace: string;
  matches(object: KubeObject): boolean;
  send(type: EventType | 'ERROR', object: unknown): void;
}

export const API_VERSION: Record<Kind, string> = { deployments: 'apps/v1', replicasets: 'apps/v1', pods: 'v1' };
export const KIND: Record<Kind, string> = { deployments: 'Deployment', replicasets: 'ReplicaSet', pods: 'Pod' };

/** Events kept for `watch?resourceVersion=`; older versions get 410 Gone, as after etcd compaction. */
const EVENT_LOG_LIMIT = 5000;

const keyOf = (kind: Kind, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

export class ObjectStore {
  private rv = 1000;
  private readonly objects = new Map<string, KubeObject>();
  private readonly log: StoredEvent[] = [];
  readonly watchers = new Set<Watcher>();
  /** While true, watchers stay connected but receive nothing: a stalled stream. */
  stalled = false;

  get resourceVersion(): string {
    return String(this.rv);
  }

  get(kind: Kind, namespace: string, name: string): KubeObject | undefined {
    const object = this.objects.get(keyOf(kind, namespace, name));
    return object && structuredClone(object);
  }

  list(kind: Kind, namespace: string, filter: (o: KubeObject) => boolean = () => true): KubeObject[] {
    const prefix = `${kind}/${namespace}/`;
    return [...this.objects.entries()]
      .filter(([key, o]) => key.startsWith(prefix) && filter(o))
      .map(([, o]) => structuredClone(o))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  all(kind: Kind): KubeObject[] {
    return [...this.objects.entries()].filter(([key]) => key.startsWith(`${kind}/`)).map(([, o]) => structuredClone(o));
  }

  /** Creates or replaces an object, bumping its resourceVersion and telling watchers. */
  put(kind: Kind, object: KubeObject): KubeObject {
    const key = keyOf(kind, object.metadata.namespace, object.metadata.name);
    const existed = this.objects.has(key);
    const stored = structuredClone(object);
    stored.apiVersion = API_VERSION[kind];
    stored.kind = KIND[kind];
    stored.metadata.uid ??= randomUUID();
    stored.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key, stored);
    this.emit(kind, existed ? 'MODIFIED' : 'ADDED', stored);
    return structuredClone(stored);
  }

  remove(kind: Kind, namespace: string, name: string): void {
    const key = keyOf(kind, namespace, name);
    const object = this.objects.get(key);
    if (!object) return;
    this.objects.delete(key);
    object.metadata.resourceVersion = String(++this.rv);
    this.emit(kind, 'DELETED', object);
  }

  private emit(kind: Kind, type: EventType, object: KubeObject): void {
    this.log.push({ rv: this.rv, kind, type, object: structuredClone(object) });
    if (this.log.length > EVENT_LOG_LIMIT) this.log.splice(0, this.log.length - EVENT_LOG_LIMIT);
    if (this.stalled) return;
    for (const w of this.watchers) {
      if (w.kind === kind && w.namespace === object.metadata.namespace && w.matches(object)) w.send(type, object);
    }
  }

  /** Events after `rv` for a watch resuming there; undefined when they were compacted away (410 Gone). */
  eventsSince(kind: Kind, namespace: string, rv: number): { type: EventType; object: KubeObject }[] | undefined {
    const oldest = this.log[0]?.rv ?? this.rv + 1;
    if (rv < oldest - 1 && rv < this.rv) return undefined;
    return this.log.filter((e) => e.rv > rv && e.kind === kind && e.object.metadata.namespace === namespace);
  }
}
