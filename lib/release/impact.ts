import { parseAllDocuments } from 'yaml';
import { toYaml } from '../yaml';
import { LIBRARY_VERSION_ANNOTATION } from '../version';

/**
 * What a change to rendered objects does on a cluster, most severe first. One classification for
 * `fleetchart diff` and `fleetchart release-report`.
 */
export const IMPACTS = [
  { impact: 'rejected', title: 'Rejected by Kubernetes', meaning: 'changes a field the API server refuses to update: apply fails for this object (and for everything after it in the apply)' },
  { impact: 'replaced', title: 'Replaced', meaning: 'an object under a new name: apply creates the new one and prunes the old one (delete + create)' },
  { impact: 'removed', title: 'Removed', meaning: 'no longer rendered: apply prunes (deletes) it' },
  { impact: 'restarts', title: 'Restarts pods', meaning: 'the pod template changes: every pod is replaced by a rolling update (maxUnavailable 0, so capacity holds)' },
  { impact: 'traffic', title: 'Traffic changes', meaning: 'routes, weights, subsets, ports, or who may call whom' },
  { impact: 'added', title: 'Added', meaning: 'a new object: apply creates it' },
  { impact: 'other', title: 'Other changes', meaning: 'spec changes that neither restart pods nor change traffic (replicas, budgets, rollout settings)' },
  { impact: 'metadata', title: 'Metadata only', meaning: 'labels and annotations of the object itself: no restart, no traffic change' },
] as const;

export type Impact = (typeof IMPACTS)[number]['impact'];

export interface ObjectChange {
  /** `<cluster>/<service>.k8s.yaml` */
  readonly file: string;
  readonly cluster: string;
  readonly app: string;
  /** `Kind namespace/name` (of the new object for a replacement). */
  readonly object: string;
  readonly kind: string;
  readonly change: 'added' | 'removed' | 'changed' | 'replaced';
  readonly impact: Impact;
  /** Changed field paths, e.g. `spec.template.spec.containers[0].image`. */
  readonly fields: readonly string[];
  /** Each changed field's old → new value (absent: the field is not set on that side). */
  readonly values: readonly FieldChange[];
  /** Why the impact was chosen: the immutable fields with the Kubernetes code that enforces them, what a replacement means for traffic. */
  readonly reasons: readonly string[];
  /** For a replacement: the object it replaces. */
  readonly replaces?: string;
  /** For `restarts`: how many pods are replaced (the new object's replicas). */
  readonly pods?: number;
  /** Unified diff of the object's YAML, old → new. */
  readonly diff: string;
}

export interface FieldChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

type K8sObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: { replicas?: number } };

/**
 * Fields the API server refuses to change on update, per kind: the update validation of
 * k8s.io/kubernetes (v1.34) —
 * - Deployment, ReplicaSet, DaemonSet `spec.selector`: pkg/registry/apps/{deployment,replicaset,daemonset}/strategy.go
 *   `ValidateUpdate` (ValidateImmutableField on Spec.Selector for every group/version but extensions/v1beta1).
 * - StatefulSet: pkg/apis/apps/validation/validation.go `ValidateStatefulSetUpdate` forbids every spec field but
 *   replicas, ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy, minReadySeconds.
 * - Service `spec.clusterIP`, `spec.clusterIPs`: pkg/apis/core/validation/validation.go `ValidateServiceUpdate`
 *   (immutable once assigned, unless the type is ExternalName).
 * - Secret `type`, and `data`/`stringData` when `immutable: true`; ConfigMap `data`/`binaryData` when immutable:
 *   core/validation `ValidateSecretUpdate`, `ValidateConfigMapUpdate`.
 * - PersistentVolumeClaim `spec` (but resources.requests and volumeAttributesClassName): core/validation `ValidatePersistentVolumeClaimUpdate`.
 * - Job `spec.selector`, `spec.template`, `spec.completionMode`, `spec.podFailurePolicy`, `spec.backoffLimitPerIndex`:
 *   pkg/apis/batch/validation/validation.go `validateJobSpecUpdate`.
 * - RoleBinding, ClusterRoleBinding `roleRef`: pkg/apis/rbac/validation/validation.go `ValidateRoleBindingUpdate`.
 */
const IMMUTABLE: Record<string, { readonly fields: readonly string[]; readonly except?: readonly string[]; readonly source: string }> = {
  Deployment: { fields: ['spec.selector'], source: 'pkg/registry/apps/deployment/strategy.go ValidateUpdate' },
  ReplicaSet: { fields: ['spec.selector'], source: 'pkg/registry/apps/replicaset/strategy.go ValidateUpdate' },
  DaemonSet: { fields: ['spec.selector'], source: 'pkg/registry/apps/daemonset/strategy.go ValidateUpdate' },
  StatefulSet: {
    fields: ['spec'],
    except: ['spec.replicas', 'spec.ordinals', 'spec.template', 'spec.updateStrategy', 'spec.revisionHistoryLimit', 'spec.persistentVolumeClaimRetentionPolicy', 'spec.minReadySeconds'],
    source: 'pkg/apis/apps/validation/validation.go ValidateStatefulSetUpdate',
  },
  Service: { fields: ['spec.clusterIP', 'spec.clusterIPs'], source: 'pkg/apis/core/validation/validation.go ValidateServiceUpdate' },
  Secret: { fields: ['type'], source: 'pkg/apis/core/validation/validation.go ValidateSecretUpdate' },
  PersistentVolumeClaim: { fields: ['spec'], except: ['spec.resources.requests', 'spec.volumeAttributesClassName'], source: 'pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimUpdate' },
  Job: {
    fields: ['spec.selector', 'spec.template', 'spec.completionMode', 'spec.podFailurePolicy', 'spec.backoffLimitPerIndex'],
    source: 'pkg/apis/batch/validation/validation.go validateJobSpecUpdate',
  },
  RoleBinding: { fields: ['roleRef'], source: 'pkg/apis/rbac/validation/validation.go ValidateRoleBindingUpdate' },
  ClusterRoleBinding: { fields: ['roleRef'], source: 'pkg/apis/rbac/validation/validation.go ValidateClusterRoleBindingUpdate' },
};
/** Objects made immutable as a whole by `immutable: true` (core/validation ValidateSecretUpdate, ValidateConfigMapUpdate). */
const IMMUTABLE_WHEN_FLAGGED: Record<string, readonly string[]> = { Secret: ['data', 'stringData'], ConfigMap: ['data', 'binaryData'] };

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);
const TRAFFIC_KINDS = new Set(['VirtualService', 'DestinationRule', 'AuthorizationPolicy', 'PeerAuthentication', 'NetworkPolicy', 'Gateway', 'ServiceEntry', 'Sidecar']);

/** What deleting one object and creating another under a new name means, by kind. */
function replacementMeaning(kind: string): string {
  switch (kind) {
    case 'Deployment':
      return 'the new Deployment starts all its pods from zero while the old one keeps serving until the prune deletes it at once: capacity doubles, then the old pods go without a rolling update or a disruption budget';
    case 'Service':
      return 'the DNS name and cluster IP change: callers using the old name fail once it is pruned';
    case 'Namespace':
      return 'deleting the old namespace deletes everything in it';
    case 'PodDisruptionBudget':
      return 'between the prune and the create no budget protects the pods from a drain';
    case 'Application':
      return "Argo CD: both Applications claim the service's objects until the old one is deleted, and FailOnSharedResource stops the new one syncing meanwhile; delete the old Application (it has no resources finalizer, so the objects stay) before applying the new one";
    default:
      return TRAFFIC_KINDS.has(kind)
        ? 'routing and authorization rules are deleted and created anew: requests between the two steps see neither or both'
        : 'deleted and created anew';
  }
}

export function objectsOf(content: string): Map<string, K8sObject> {
  const out = new Map<string, K8sObject>();
  for (const doc of parseAllDocuments(content)) {
    const value = doc.toJS() as K8sObject | null;
    if (value?.kind) out.set(objectName(value), value);
  }
  return out;
}

const objectName = (o: K8sObject) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;

/**
 * Every object change between two renders of one file (`<cluster>/<service>.k8s.yaml`, or an Argo CD
 * Application `<cluster>/argocd/<service>.yaml`); '' is a missing file.
 */
export function compareFile(file: string, before: string, after: string): ObjectChange[] {
  const parts = file.split('/');
  const cluster = parts[0];
  const app = parts[parts.length - 1].replace(/\.k8s\.yaml$|\.yaml$/, '');
  const a = objectsOf(before);
  const b = objectsOf(after);
  const changes: ObjectChange[] = [];
  const added = [...b.keys()].filter((k) => !a.has(k));
  const removed = [...a.keys()].filter((k) => !b.has(k));
  // A removed and an added object of the same kind in the same file: the object was renamed.
  const replacedBy = new Map<string, string>();
  for (const key of added) {
    const kind = b.get(key)!.kind;
    const old = removed.find((r) => a.get(r)!.kind === kind && ![...replacedBy.values()].includes(r));
    if (old) replacedBy.set(key, old);
  }
  const base = { file, cluster, app };
  for (const [key, object] of b) {
    const kind = object.kind!;
    const old = a.get(key) ?? (replacedBy.has(key) ? a.get(replacedBy.get(key)!) : undefined);
    const values: FieldChange[] = [];
    if (old) changedPaths(old, object, '', values);
    const fields = values.map((v) => v.path);
    const diff = old ? unifiedDiff(toYaml(old), toYaml(object)) : unifiedDiff('', toYaml(object));
    if (!a.has(key) && replacedBy.has(key)) {
      changes.push({ ...base, object: key, kind, change: 'replaced', impact: 'replaced', fields, values, reasons: [replacementMeaning(kind)], replaces: replacedBy.get(key), diff });
    } else if (!a.has(key)) {
      changes.push({ ...base, object: key, kind, change: 'added', impact: TRAFFIC_KINDS.has(kind) || kind === 'Service' ? 'traffic' : 'added', fields, values, reasons: [], diff });
    } else if (fields.length > 0) {
      changes.push({ ...base, object: key, kind, change: 'changed', ...classify(old!, object, fields), fields, values, diff });
    }
  }
  const replaced = new Set(replacedBy.values());
  for (const key of removed) {
    if (replaced.has(key)) continue;
    const object = a.get(key)!;
    changes.push({ ...base, object: key, kind: object.kind!, change: 'removed', impact: 'removed', fields: [], values: [], reasons: [], diff: unifiedDiff(toYaml(object), '') });
  }
  return changes;
}

function classify(old: K8sObject, object: K8sObject, fields: readonly string[]): { impact: Impact; reasons: string[]; pods?: number } {
  const kind = object.kind!;
  const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
  const rule = IMMUTABLE[kind];
  const immutable = rule ? fields.filter((f) => rule.fields.some((p) => under(f, p)) && !(rule.except ?? []).some((p) => under(f, p))) : [];
  const flagged = IMMUTABLE_WHEN_FLAGGED[kind];
  if (flagged && (old as { immutable?: boolean }).immutable === true) immutable.push(...fields.filter((f) => flagged.some((p) => under(f, p))));
  if (immutable.length > 0) {
    const source = rule?.source ?? `pkg/apis/core/validation/validation.go Validate${kind}Update`;
    return { impact: 'rejected', reasons: [...new Set(immutable.map((f) => `${f} cannot change on an existing ${kind} (k8s.io/kubernetes ${source})`))] };
  }
  if (WORKLOADS.has(kind) && fields.some((f) => under(f, 'spec.template'))) {
    return { impact: 'restarts', reasons: [], pods: object.spec?.replicas ?? 1 };
  }
  const metadataOnly = fields.every((f) => under(f, 'metadata.labels') || under(f, 'metadata.annotations'));
  if (metadataOnly) return { impact: 'metadata', reasons: [] };
  if (TRAFFIC_KINDS.has(kind) || (kind === 'Service' && fields.some((f) => under(f, 'spec')))) return { impact: 'traffic', reasons: [] };
  return { impact: 'other', reasons: [] };
}

/** Leaf fields that differ, e.g. `spec.template.spec.containers[0].image`, with both values. */
export function changedPaths(a: unknown, b: unknown, at: string, out: FieldChange[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => changedPaths(item, b[i], `${at}[${i}]`, out));
  } else if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of [...keys].sort()) changedPaths(a[key], b[key], at ? `${at}.${key}` : key, out);
  } else {
    out.push({ path: at || '(whole object)', ...(a === undefined ? {} : { before: a }), ...(b === undefined ? {} : { after: b }) });
  }
}

/** A unified diff (3 lines of context) of two texts, `-`/`+`/` ` prefixed, hunks headed by `@@`. */
export function unifiedDiff(before: string, after: string, context = 3): string {
  const a = before ? before.replace(/\n$/, '').split('\n') : [];
  const b = after ? after.replace(/\n$/, '').split('\n') : [];
  // Longest common subsequence table from the end (objects are at most a few hundred lines).
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const lines: { op: ' ' | '-' | '+'; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) lines.push({ op: ' ', text: a[i++] }), j++;
    else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) lines.push({ op: '-', text: a[i++] });
    else lines.push({ op: '+', text: b[j++] });
  }
  const keep = lines.map((l, k) => l.op !== ' ' || lines.slice(Math.max(0, k - context), k + context + 1).some((n) => n.op !== ' '));
  const out: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (let k = 0; k < lines.length; k++) {
    if (keep[k] && (k === 0 || !keep[k - 1])) {
      let end = k;
      while (end < lines.length && keep[end]) end++;
      const hunk = lines.slice(k, end);
      const oldCount = hunk.filter((l) => l.op !== '+').length;
      const newCount = hunk.filter((l) => l.op !== '-').length;
      out.push(`@@ -${oldCount ? oldLine : oldLine - 1},${oldCount} +${newCount ? newLine : newLine - 1},${newCount} @@`);
    }
    if (keep[k]) out.push(`${lines[k].op}${lines[k].text}`);
    if (lines[k].op !== '+') oldLine++;
    if (lines[k].op !== '-') newLine++;
  }
  return out.join('\n');
}

/** Every change between two renders of the fleet, file by file ('<cluster>/<service>.k8s.yaml' → content). */
export function compareRenders(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): ObjectChange[] {
  const files = [...new Set([...before.keys(), ...after.keys()])].sort();
  return files.flatMap((file) => (before.get(file) === after.get(file) ? [] : compareFile(file, before.get(file) ?? '', after.get(file) ?? '')));
}

/** The library version an object was rendered by, from its annotation. */
export function renderedBy(content: string): string | undefined {
  return new RegExp(`${LIBRARY_VERSION_ANNOTATION.replace(/[./]/g, '\\$&')}: "?([^"\\n]+)"?`).exec(content)?.[1];
}
