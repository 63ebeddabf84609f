import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Cluster } from '../clusters/schema';
import { ARGOCD_DEFAULTS } from '../values/defaults';
import { LABEL, MANAGED_BY } from '../values/labels';
import { toYaml } from '../yaml';

/**
 * GitOps (`synth --format argocd`): one Argo CD Application per service and cluster, in
 * `charts-out/<cluster>/argocd/`, for clusters whose inventory entry has `argocd`. Each syncs exactly the reviewed file
 * `charts-out/<cluster>/<service>.k8s.yaml` (a directory source with `include`), automatically,
 * with prune and self-heal. Sync options (argo-cd docs/user-guide/sync-options.md):
 * ServerSideApply as fleetchart applies, PruneLast so removed objects go only after the rest is
 * synced and healthy (fleetchart apply's order), FailOnSharedResource so two Applications never
 * fight over one object.
 *
 * The folder is not applied by `fleetchart apply` (which applies the files directly in the cluster
 * folder): it is for the cluster that runs Argo CD, e.g. `kubectl apply -f charts-out/<cluster>/argocd/`.
 */
export const ARGOCD_FOLDER = 'argocd';

export function argocdApplication(cluster: Cluster, service: string): { path: string; content: string } | undefined {
  const config = cluster.argocd;
  if (!config) return undefined;
  const application = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `${cluster.name}-${service}`,
      namespace: config.namespace ?? ARGOCD_DEFAULTS.namespace,
      labels: { [LABEL.managedBy]: MANAGED_BY, 'fleetchart.io/cluster': cluster.name, 'fleetchart.io/service': service },
    },
    spec: {
      project: config.project ?? ARGOCD_DEFAULTS.project,
      source: {
        repoURL: config.repoURL,
        targetRevision: config.targetRevision ?? ARGOCD_DEFAULTS.targetRevision,
        path: `charts-out/${cluster.name}`,
        directory: { include: `${service}.k8s.yaml` },
      },
      destination: { name: config.destination ?? cluster.name },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['ServerSideApply=true', 'PruneLast=true', 'FailOnSharedResource=true'],
        retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '5m' } },
      },
    },
  };
  return { path: `${cluster.name}/${ARGOCD_FOLDER}/${service}.yaml`, content: toYaml(application) };
}

/**
 * Writes the Applications of the rendered services; on a full run (`apps` undefined) also removes
 * Applications of services that are gone, and the folder of a cluster that no longer has `argocd`.
 */
export function writeArgocd(outDir: string, clusters: readonly Cluster[], services: readonly string[], full: boolean): { written: string[]; removed: string[] } {
  const written: string[] = [];
  const removed: string[] = [];
  for (const cluster of clusters) {
    const dir = path.join(outDir, cluster.name, ARGOCD_FOLDER);
    const wanted = new Set<string>();
    for (const service of services) {
      const file = argocdApplication(cluster, service);
      if (!file) continue;
      wanted.add(path.basename(file.path));
      const target = path.join(outDir, file.path);
      if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === file.content) continue;
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, file.content);
      written.push(file.path);
    }
    if (!full || !fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (wanted.has(name) || !name.endsWith('.yaml')) continue;
      fs.rmSync(path.join(dir, name));
      removed.push(`${cluster.name}/${ARGOCD_FOLDER}/${name}`);
    }
    if (!fs.readdirSync(dir).length) fs.rmdirSync(dir);
  }
  return { written, removed };
}
