import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from '../manifest';

/** One file of a cluster's committed output. */
export interface OutputFile {
  /** `<cluster>/<file>`, as charts-out/ lays it out. */
  readonly path: string;
  readonly content: string;
}

/**
 * The committed output of one cluster: every `*.yaml` file directly in `<outDir>/<cluster>/`
 * (services' `<service>.k8s.yaml` and any other file the pipeline writes there, e.g. the
 * cluster's platform objects), sorted by name. Subfolders are not the cluster's objects (the
 * Argo CD Applications live in `argocd/`, for the cluster that runs Argo CD).
 */
export function readClusterOutput(outDir: string, cluster: string): OutputFile[] {
  const dir = path.join(outDir, cluster);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => ({ path: `${cluster}/${name}`, content: fs.readFileSync(path.join(dir, name), 'utf8') }));
}

export function documentsOfFiles(files: readonly OutputFile[]): Manifest[] {
  return files.flatMap((file) =>
    parseAllDocuments(file.content)
      .map((d) => d.toJS() as Manifest | null)
      .filter((d): d is Manifest => d !== null && typeof d === 'object' && typeof d.kind === 'string'),
  );
}

/** Files where a fresh render and the committed output differ: `changed`, `missing` (not committed), `extra` (committed, no longer rendered). */
export function staleFiles(rendered: readonly OutputFile[], committed: readonly OutputFile[]): { path: string; change: 'changed' | 'missing' | 'extra' }[] {
  const onDisk = new Map(committed.map((f) => [f.path, f.content]));
  const out: { path: string; change: 'changed' | 'missing' | 'extra' }[] = [];
  for (const file of rendered) {
    const before = onDisk.get(file.path);
    if (before === undefined) out.push({ path: file.path, change: 'missing' });
    else if (before !== file.content) out.push({ path: file.path, change: 'changed' });
  }
  const wanted = new Set(rendered.map((f) => f.path));
  for (const file of committed) if (!wanted.has(file.path)) out.push({ path: file.path, change: 'extra' });
  return out;
}
