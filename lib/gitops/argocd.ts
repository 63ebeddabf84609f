import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Cluster } from '../clusters/schema';
import { ARGOCD_DEFAULTS } from '../values/defaults';
import { LABEL, MANAGED_BY } from '../values/labels';
import { PLATFORM_FILE } from '../pipeline';
import { toYaml } from '../yaml';

/**
 * GitOps: `synth` writes one Argo CD Application per service and cluster, and one for the
 * cluster's platform file, into `charts-out/<cluster>/argocd/`, for clusters whose inventory entry
 * has `argocd`. Each syncs exactly one reviewed file of `charts-out/<cluster>/` (a directory
 * source with `include`), automatically, with prune and self-heal. Sync options (argo-cd
 * docs/user-guide/sync-options.md): ServerSideApply as fleetchart applies, PruneLast so removed
 * objects go only after the rest is synced and healthy (fleetchart apply's order),
 * FailOnSharedResource so two Applications never fight over one object.
 *
 * The folder is not applied by `fleetchart apply` (which applies the files directly in the cluster
 * folder): it is for the cluster that runs Argo CD, e.g. `kubectl apply -f charts-out/<cluster>/argocd/`.
 */
export const ARGOCD_FOLDER = 'argocd';

/**
 * The platform file's Application and file name. Applications of all clusters may share one Argo CD
 * namespace, so names must never collide across clusters: a service's is `<cluster>.<service>` (cluster
 * and service names are DNS labels without dots, so the dot splits them one way only: cluster `stage`
 * with service `eu-api` and cluster `stage-eu` with service `api` differ), and the platform's is
 * `<cluster>--platform` (no dot, so no service's; one per cluster name).
 */
export const PLATFORM_APPLICATION = '-platform';

/** The Application name of `service` (or PLATFORM_APPLICATION) on `cluster`. */
export function applicationName(cluster: string, service: string): string {
  return service === PLATFORM_APPLICATION ? `${cluster}-${service}` : `${cluster}.${service}`;
}

/** `service` is a service's name, or PLATFORM_APPLICATION for the cluster's platform file. */
export function argocdApplication(cluster: Cluster, service: string): { path: string; content: string } | undefined {
  const config = cluster.argocd;
  if (!config) return undefined;
  const platform = service === PLATFORM_APPLICATION;
  const application = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: applicationName(cluster.name, service),
      namespace: config.namespace ?? ARGOCD_DEFAULTS.namespace,
      labels: { [LABEL.managedBy]: MANAGED_BY, 'fleetchart.io/cluster': cluster.name, ...(platform ? {} : { 'fleetchart.io/service': service }) },
    },
    spec: {
      project: config.project ?? ARGOCD_DEFAULTS.project,
      source: {
        repoURL: config.repoURL,
        targetRevision: config.targetRevision ?? ARGOCD_DEFAULTS.targetRevision,
        path: `charts-out/${cluster.name}`,
        directory: { include: platform ? PLATFORM_FILE : `${service}.k8s.yaml` },
      },
      destination: { name: config.destination ?? cluster.name },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['ServerSideApply=true', 'PruneLast=true', 'FailOnSharedResource=true'],
        retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '5m' } },
      },
    },
  };
  return { path: `${cluster.name}/${ARGOCD_FOLDER}/${platform ? '_platform' : service}.yaml`, content: toYaml(application) };
}

/** The Applications of the rendered files (services' and platform) of the clusters with `argocd`. */
export function argocdApplications(clusters: readonly Cluster[], files: readonly { cluster: string; path: string }[]): { path: string; content: string }[] {
  const applications: { path: string; content: string }[] = [];
  for (const cluster of clusters) {
    if (!cluster.argocd) continue;
    for (const file of files) {
      if (file.cluster !== cluster.name) continue;
      const name = path.posix.basename(file.path);
      const application = argocdApplication(cluster, name === PLATFORM_FILE ? PLATFORM_APPLICATION : name.slice(0, -'.k8s.yaml'.length));
      if (application) applications.push(application);
    }
  }
  return applications.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Writes `applications` (paths relative to `outDir`); with `full` also removes the Applications of
 * the clusters' files that are gone, and the folder of a cluster that no longer has `argocd`.
 */
export function writeArgocd(outDir: string, clusters: readonly Cluster[], applications: readonly { path: string; content: string }[], full: boolean): { written: string[]; removed: string[] } {
  const written: string[] = [];
  const removed: string[] = [];
  for (const file of applications) {
    const target = path.join(outDir, file.path);
    if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === file.content) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
    written.push(file.path);
  }
  if (!full) return { written, removed };
  const wanted = new Set(applications.map((a) => a.path));
  for (const cluster of clusters) {
    const dir = path.join(outDir, cluster.name, ARGOCD_FOLDER);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      const relative = `${cluster.name}/${ARGOCD_FOLDER}/${name}`;
      if (wanted.has(relative) || !name.endsWith('.yaml')) continue;
      fs.rmSync(path.join(dir, name));
      removed.push(relative);
    }
    if (!fs.readdirSync(dir).length) fs.rmdirSync(dir);
  }
  return { written, removed };
}
