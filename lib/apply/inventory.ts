import { gunzipSync, gzipSync } from 'node:zlib';
import { LABEL, MANAGED_BY } from '../values/labels';
import { ObjectRef, objectKey } from './objects';

/**
 * The per-cluster inventory: what fleetchart applied to a cluster, kept in the cluster itself as
 * the ConfigMap `fleetchart-system/inventory`. Prune deletes only objects listed here (and only
 * while they still carry fleetchart's label and field manager), so objects fleetchart never
 * applied are never touched, whatever their labels say. It also records which inventory cluster
 * the API server is, so the output of one cluster is never applied (and pruned) into another.
 */
export const INVENTORY_NAMESPACE = 'fleetchart-system';
export const INVENTORY_NAME = 'inventory';

export interface Inventory {
  /** The cluster name of apps/clusters.ts that was applied here. */
  readonly cluster: string;
  readonly objects: readonly ObjectRef[];
}

/** Above this, the list is stored gzipped in binaryData (ConfigMaps hold at most 1 MiB). */
const PLAIN_LIMIT = 512 * 1024;

/** One line per object: `<apiVersion> <Kind> [<namespace>/]<name>`, sorted, deduplicated by identity. */
export function encodeObjects(objects: readonly ObjectRef[]): string {
  const byKey = new Map<string, ObjectRef>();
  for (const ref of objects) byKey.set(objectKey(ref), ref);
  return [...byKey.values()]
    .map((r) => `${r.apiVersion} ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`)
    .sort()
    .join('\n');
}

export function decodeObjects(text: string): ObjectRef[] {
  const refs: ObjectRef[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 3) continue;
    const [apiVersion, kind, id] = fields;
    const slash = id.indexOf('/');
    refs.push(slash < 0 ? { apiVersion, kind, name: id } : { apiVersion, kind, namespace: id.slice(0, slash), name: id.slice(slash + 1) });
  }
  return refs;
}

/** The Namespace and ConfigMap that hold an inventory, ready for server-side apply. */
export function inventoryObjects(inventory: Inventory): unknown[] {
  const labels = { [LABEL.managedBy]: MANAGED_BY };
  const list = encodeObjects(inventory.objects);
  const data: Record<string, string> = { cluster: inventory.cluster };
  const binaryData: Record<string, string> = {};
  if (Buffer.byteLength(list) <= PLAIN_LIMIT) data.objects = list;
  else binaryData['objects.gz'] = gzipSync(list).toString('base64');
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: INVENTORY_NAMESPACE,
        labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: INVENTORY_NAME, namespace: INVENTORY_NAMESPACE, labels },
      // Both keys always present, so a switch between plain and gzipped removes the other.
      data: { objects: '', ...data },
      binaryData: Object.keys(binaryData).length ? binaryData : undefined,
    },
  ];
}

/** Reads an inventory from its ConfigMap as `kubectl get -o json` returns it. */
export function parseInventory(configMap: { data?: Record<string, string>; binaryData?: Record<string, string> }): Inventory {
  const gz = configMap.binaryData?.['objects.gz'];
  const list = gz ? gunzipSync(Buffer.from(gz, 'base64')).toString('utf8') : (configMap.data?.objects ?? '');
  return { cluster: configMap.data?.cluster ?? '', objects: decodeObjects(list) };
}
