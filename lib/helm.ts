import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/**
 * `synth --format helm`: one Helm chart per service and cluster that renders exactly the
 * service's `charts-out/<cluster>/<service>.k8s.yaml`, for teams whose deploy tooling takes Helm
 * charts. The chart takes no values: what it renders was reviewed in charts-out/.
 *
 * - One template file per object, numbered in the file's order (`helm template` sorts objects by
 *   kind, helm.sh/helm/v3 pkg/releaseutil/kind_sorter.go; the number gives back the order).
 * - Helm runs every template through Go's text/template: `{{` starts an action there, so each
 *   `{{` in a manifest is written as `{{ "{{" }}`, an action printing the two braces (a lone `}}`
 *   outside an action is plain text, text/template parse.lexText).
 * - Chart version `0.0.0-sha-<content hash>`: a chart whose content changes gets a new version.
 */
export interface ChartFile {
  /** Relative to the Helm output folder: `<cluster>/<service>/...`. */
  readonly path: string;
  readonly content: string;
}

export const HELM_OUTPUT_DIR = 'helm-charts';

export function escapeTemplate(text: string): string {
  return text.split('{{').join('{{ "{{" }}');
}

/** The documents of a manifest file as text, each ending in one newline (the file joins them with `---`). */
export function documentTexts(content: string): string[] {
  return content.split(/^---\n/m).filter((d) => d.trim() !== '');
}

export function helmChart(file: { cluster: string; app: string; content: string; path: string }): ChartFile[] {
  const dir = `${file.cluster}/${file.app}`;
  const hash = createHash('sha256').update(file.content).digest('hex').slice(0, 16);
  const documents = documentTexts(file.content);
  const width = String(documents.length).length;
  const templates = documents.map((text, i) => {
    const object = parse(text) as { kind?: string; metadata?: { name?: string } };
    const kind = (object?.kind ?? 'object').toLowerCase();
    const name = `${String(i + 1).padStart(width, '0')}-${kind}-${object?.metadata?.name ?? 'unnamed'}.yaml`;
    return { path: `${dir}/templates/${name}`, content: escapeTemplate(text) };
  });
  return [
    {
      path: `${dir}/Chart.yaml`,
      content: [
        'apiVersion: v2',
        `name: ${file.app}`,
        `description: ${file.app} on cluster ${file.cluster}, exactly as charts-out/${file.path} (rendered by fleetchart; takes no values)`,
        'type: application',
        `version: 0.0.0-sha-${hash}`,
        '',
      ].join('\n'),
    },
    { path: `${dir}/values.yaml`, content: `# This chart takes no values: it renders charts-out/${file.path} as reviewed.\n{}\n` },
    ...templates,
  ];
}

/**
 * Writes the charts; files of a chart that it no longer has (templates of objects gone) are
 * removed, and so are charts of services or clusters no longer rendered, within `clusters`.
 */
export function writeCharts(outDir: string, charts: readonly ChartFile[], clusters: readonly string[]): { written: number; removed: number } {
  let written = 0;
  let removed = 0;
  const wanted = new Set(charts.map((c) => c.path));
  for (const chart of charts) {
    const target = path.join(outDir, chart.path);
    if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === chart.content) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, chart.content);
    written++;
  }
  for (const cluster of clusters) {
    const dir = path.join(outDir, cluster);
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const relative = path.relative(outDir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
      if (!wanted.has(relative)) {
        fs.rmSync(path.join(outDir, relative));
        removed++;
      }
    }
    removeEmptyFolders(dir);
  }
  return { written, removed };
}

function removeEmptyFolders(dir: string): boolean {
  let empty = true;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && removeEmptyFolders(path.join(dir, entry.name))) continue;
    empty = false;
  }
  if (empty) fs.rmdirSync(dir);
  return empty;
}
