import { KIND_ORDER, Manifest } from '../manifest';
import { LABEL, MANAGED_BY } from '../values/labels';

/** What identifies an object in a cluster. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** The field manager of every fleetchart server-side apply. */
export const FIELD_MANAGER = 'fleetchart';

export function refOf(object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): ObjectRef {
  const { apiVersion, kind, metadata } = object;
  return metadata.namespace ? { apiVersion, kind, namespace: metadata.namespace, name: metadata.name } : { apiVersion, kind, name: metadata.name };
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Identity of an object across API versions: group, kind, namespace, name. The same
 * VirtualService read as v1beta1 or v1 has one key.
 */
export function objectKey(ref: ObjectRef): string {
  return `${groupOf(ref.apiVersion)}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}

/** `Deployment patient-notes/patient-notes-web`, `Namespace patient-notes` (as `fleetchart diff` prints objects). */
export function displayName(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

const rank = new Map<string, number>(KIND_ORDER.map((kind, i) => [kind, i]));

/**
 * Kinds fleetchart's own services do not render (platform files, other teams' additions) by
 * category: each goes right after the kind of KIND_ORDER it belongs with. Identities, config and
 * mesh/egress definitions before the workloads that use them; other workloads with Deployments;
 * routes with VirtualServices. Any other kind goes last (monitoring and the like), by name.
 */
const CATEGORY_OF: Record<string, (typeof KIND_ORDER)[number]> = {
  Role: 'ServiceAccount',
  RoleBinding: 'ServiceAccount',
  ClusterRole: 'ServiceAccount',
  ClusterRoleBinding: 'ServiceAccount',
  Secret: 'ServiceAccount',
  ConfigMap: 'ServiceAccount',
  RequestAuthentication: 'AuthorizationPolicy',
  ServiceEntry: 'NetworkPolicy',
  Sidecar: 'NetworkPolicy',
  WorkloadEntry: 'NetworkPolicy',
  Gateway: 'Service',
  StatefulSet: 'Deployment',
  DaemonSet: 'Deployment',
  Job: 'Deployment',
  CronJob: 'Deployment',
  HTTPRoute: 'VirtualService',
  GRPCRoute: 'VirtualService',
  TCPRoute: 'VirtualService',
};
for (const [kind, anchor] of Object.entries(CATEGORY_OF)) if (!rank.has(kind)) rank.set(kind, rank.get(anchor)! + 0.5);

/**
 * Apply order: Namespaces, then other cluster-scoped objects, then namespaced objects in the
 * order of KIND_ORDER across the whole cluster (identities and policies before workloads,
 * DestinationRules before the VirtualServices that route to their subsets). Prune in reverse.
 */
export function applyOrder<T extends ObjectRef>(refs: readonly T[]): T[] {
  const phase = (r: ObjectRef) => (r.kind === 'Namespace' ? 0 : r.namespace ? 2 : 1);
  const kindRank = (r: ObjectRef) => rank.get(r.kind) ?? KIND_ORDER.length;
  return [...refs].sort(
    (a, b) =>
      phase(a) - phase(b) ||
      kindRank(a) - kindRank(b) ||
      compare(a.kind, b.kind) ||
      compare(a.namespace ?? '', b.namespace ?? '') ||
      compare(a.name, b.name),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A live object as the API server returns it (the fields fleetchart reads). */
export interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    ownerReferences?: unknown[];
    managedFields?: { manager?: string; operation?: string; time?: string }[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/**
 * Whether fleetchart owns a live object: it carries fleetchart's managed-by label and fleetchart's
 * field manager applied it. Objects without both are never changed or deleted without --adopt.
 */
export function ownedByFleetchart(object: LiveObject): boolean {
  const labelled = object.metadata.labels?.[LABEL.managedBy] === MANAGED_BY;
  const applied = (object.metadata.managedFields ?? []).some((f) => f.manager === FIELD_MANAGER && f.operation === 'Apply');
  return labelled && applied;
}

/** Objects as one multi-document YAML stream for `kubectl -f -` (JSON is YAML). */
export function toStream(objects: readonly unknown[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n---\n');
}

/** The smallest object kubectl can address: for get and delete of objects fleetchart no longer renders. */
export function stub(ref: ObjectRef): Manifest {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: ref.namespace ? { name: ref.name, namespace: ref.namespace } : { name: ref.name } };
}

/** Items of `kubectl ... -o json` output: a List, or one object when there was one. */
export function itemsOf(output: string): LiveObject[] {
  const text = output.trim();
  if (!text) return [];
  // kubectl prints one JSON document per object when it cannot build a List (e.g. after errors).
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
  }
  const out: LiveObject[] = [];
  for (const value of values as any[]) {
    if (value?.kind === 'List' || (typeof value?.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items))) out.push(...value.items);
    else if (value?.kind) out.push(value);
  }
  return out;
}
