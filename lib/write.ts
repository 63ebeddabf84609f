import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Cluster } from './clusters/schema';
import { ARGOCD_FOLDER, argocdApplications } from './gitops/argocd';

export interface WriteScope {
  /** Cluster folders the run rendered; stale files are removed only inside them. */
  readonly clusters: readonly string[];
  /** Services the run rendered; undefined means every service (a full run). */
  readonly apps?: readonly string[];
  /** Every cluster of the inventory: on a full run, folders of other clusters are removed. */
  readonly inventory?: readonly string[];
}

export interface WriteSummary {
  written: string[];
  unchanged: number;
  removed: string[];
}

const SUFFIX = '.k8s.yaml';

/**
 * Writes rendered files into `outDir`. Called only after every check passed. Each file is
 * written to a temporary name and renamed over the old one, so a reader never sees half a file;
 * files whose content is unchanged are not touched. Files of services or clusters that are gone
 * are removed, within the scope of the run.
 */
export function writeOutputs(outDir: string, files: readonly { path: string; content: string }[], scope: WriteScope): WriteSummary {
  const summary: WriteSummary = { written: [], unchanged: 0, removed: [] };
  const wanted = new Set(files.map((f) => f.path));
  for (const file of files) {
    const target = path.join(outDir, file.path);
    if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === file.content) {
      summary.unchanged++;
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, file.content);
    fs.renameSync(temporary, target);
    summary.written.push(file.path);
  }
  for (const cluster of scope.clusters) {
    const dir = path.join(outDir, cluster);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (!name.endsWith(SUFFIX)) continue;
      // A service's file is named after it; the platform file (`_platform.k8s.yaml`, owned by the
      // inventory) is no service's, so a `--app` run keeps it and a cluster-wide run replaces it.
      const app = name.slice(0, -SUFFIX.length);
      const relative = `${cluster}/${name}`;
      if (wanted.has(relative) || (scope.apps && !scope.apps.includes(app))) continue;
      fs.rmSync(path.join(dir, name));
      summary.removed.push(relative);
    }
  }
  if (scope.inventory && fs.existsSync(outDir)) {
    for (const entry of fs.readdirSync(outDir, { withFileTypes: true })) {
      if (entry.isDirectory() && !scope.inventory.includes(entry.name)) {
        fs.rmSync(path.join(outDir, entry.name), { recursive: true });
        summary.removed.push(`${entry.name}/`);
      }
    }
  }
  return summary;
}

/**
 * Every file a render puts in charts-out/, paths relative to it: the platform files, the
 * services' manifests, and the Argo CD Applications beside them (clusters with `argocd`).
 * What `synth` writes, `diff` compares and the committed output must equal.
 */
export function outputFiles(render: {
  readonly clusters: readonly Cluster[];
  readonly platform: readonly { path: string; cluster: string; content: string }[];
  readonly files: readonly { path: string; cluster: string; content: string }[];
}): { path: string; content: string }[] {
  const manifests = [...render.platform, ...render.files];
  return [...manifests.map((f) => ({ path: f.path, content: f.content })), ...argocdApplications(render.clusters, manifests)];
}

/** Whether a path below charts-out/ (as the file system lists it) is a kind of file outputFiles lists. */
export function isOutputFile(relative: string): boolean {
  return relative.endsWith('.k8s.yaml') || (relative.split(path.sep)[1] === ARGOCD_FOLDER && relative.endsWith('.yaml'));
}
