import type { Manifest } from '../manifest';
import { ObjectRef, displayName, objectKey, refOf } from './objects';

/** An object the rendered output needs in the cluster without rendering it, and who needs it. */
export interface Reference {
  readonly ref: ObjectRef;
  readonly users: readonly ObjectRef[];
}

/**
 * What the output refers to and expects someone else to provide: Secrets and ConfigMaps of pod
 * templates (env, envFrom, volumes, projected volumes, imagePullSecrets; `optional: true` ones
 * do not count, a pod starts without them) and the Istio Gateways VirtualServices bind to
 * (`<namespace>/<name>`, or a name in the VirtualService's namespace; `mesh` is not a Gateway).
 * Objects the output renders itself are left out.
 */
export function externalReferences(documents: readonly Manifest[]): Reference[] {
  const rendered = new Set(documents.map((d) => objectKey(refOf(d))));
  const found = new Map<string, { ref: ObjectRef; users: ObjectRef[] }>();
  const add = (ref: ObjectRef, user: ObjectRef) => {
    const key = objectKey(ref);
    if (rendered.has(key)) return;
    const entry = found.get(key) ?? { ref, users: [] };
    if (!entry.users.some((u) => objectKey(u) === objectKey(user))) entry.users.push(user);
    found.set(key, entry);
  };
  for (const doc of documents) {
    const user = refOf(doc);
    const namespace = doc.metadata.namespace;
    const pod = podSpecOf(doc);
    if (pod && namespace) {
      const secret = (name: unknown) => typeof name === 'string' && add({ apiVersion: 'v1', kind: 'Secret', namespace, name }, user);
      const configMap = (name: unknown) => typeof name === 'string' && add({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name }, user);
      for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
        for (const env of container.env ?? []) {
          const from = env.valueFrom ?? {};
          if (from.secretKeyRef && !from.secretKeyRef.optional) secret(from.secretKeyRef.name);
          if (from.configMapKeyRef && !from.configMapKeyRef.optional) configMap(from.configMapKeyRef.name);
        }
        for (const source of container.envFrom ?? []) {
          if (source.secretRef && !source.secretRef.optional) secret(source.secretRef.name);
          if (source.configMapRef && !source.configMapRef.optional) configMap(source.configMapRef.name);
        }
      }
      for (const volume of pod.volumes ?? []) {
        if (volume.secret && !volume.secret.optional) secret(volume.secret.secretName);
        if (volume.configMap && !volume.configMap.optional) configMap(volume.configMap.name);
        for (const source of volume.projected?.sources ?? []) {
          if (source.secret && !source.secret.optional) secret(source.secret.name);
          if (source.configMap && !source.configMap.optional) configMap(source.configMap.name);
        }
      }
      for (const pull of pod.imagePullSecrets ?? []) secret(pull.name);
    }
    if (doc.kind === 'VirtualService' && doc.apiVersion.startsWith('networking.istio.io/')) {
      for (const gateway of ((doc as any).spec?.gateways ?? []) as string[]) {
        if (gateway === 'mesh') continue;
        const [ns, name] = gateway.includes('/') ? gateway.split('/', 2) : [namespace ?? 'default', gateway];
        add({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', namespace: ns, name }, user);
      }
    }
  }
  return [...found.values()].sort((a, b) => (displayName(a.ref) < displayName(b.ref) ? -1 : 1));
}

function podSpecOf(doc: Manifest): any {
  return (doc as any).spec?.template?.spec ?? (doc as any).spec?.jobTemplate?.spec?.template?.spec;
}
