import type { Cluster } from './clusters/schema';
import { inventorySchema } from './clusters/schema';
import { renderService } from './constructs/service-chart';
import { Finding, aggregateFindings, closest } from './findings';
import { INVENTORY_FILE, discoverApps, loadDefaultExport, valuesFile } from './load';
import { Manifest, manifestFile, orderDocuments } from './manifest';
import { globMatches } from './values/merge';
import { issuesToFindings } from './values/report';
import { ParsedWithOverrides, resolveService, unmatchedOverrideFindings } from './values/resolve';
import type { ResolvedService } from './values/model';
import { serviceSchema } from './values/schema';
import { validateCluster } from './validate';

/** Which part of the fleet a command works on. */
export interface FleetSelection {
  /** Cluster name or glob; all clusters when absent. */
  readonly cluster?: string;
  /** Service name; all services when absent. */
  readonly app?: string;
}

export interface RenderedFile {
  /** Relative to the output folder: `<cluster>/<service>.k8s.yaml`. */
  readonly path: string;
  readonly cluster: string;
  readonly app: string;
  readonly documents: readonly Manifest[];
  readonly content: string;
  readonly service: ResolvedService;
}

export interface FleetResult {
  readonly findings: readonly Finding[];
  readonly files: readonly RenderedFile[];
  /** The clusters and services the selection covered (the scope of stale-file removal). */
  readonly clusters: readonly Cluster[];
  readonly apps: readonly string[];
  readonly inventory: readonly Cluster[];
}

/**
 * parse → resolve → render for the selected part of the fleet, all in memory. Every problem of
 * every file is collected; nothing is thrown for bad input.
 */
export function renderFleet(root: string, selection: FleetSelection = {}): FleetResult {
  const findings: Finding[] = [];
  const inventory = loadInventory(root, findings);
  const allApps = discoverApps(root);
  const apps = selectApps(allApps, selection.app, findings);
  const clusters = inventory ? selectClusters(inventory, selection.cluster, findings) : [];

  const parsedApps: { app: string; file: string; values: ParsedWithOverrides }[] = [];
  for (const app of apps) {
    const parsed = parseApp(root, app, findings);
    if (!parsed) continue;
    if (inventory) findings.push(...unmatchedOverrideFindings(parsed.file, parsed.values, inventory.map((c) => c.name)));
    parsedApps.push(parsed);
  }

  const files: RenderedFile[] = [];
  for (const cluster of clusters) {
    for (const { app, file, values } of parsedApps) {
      const resolution = resolveService(file, values, cluster);
      findings.push(...resolution.findings);
      if (!resolution.service) continue;
      const documents = orderDocuments(renderService(resolution.service) as Manifest[]);
      files.push({ path: `${cluster.name}/${app}.k8s.yaml`, cluster: cluster.name, app, documents, content: manifestFile(documents), service: resolution.service });
    }
    findings.push(...validateCluster(cluster, files.filter((f) => f.cluster === cluster.name), allApps));
  }
  return { findings: aggregateFindings(findings), files, clusters, apps, inventory: inventory ?? [] };
}

function loadInventory(root: string, findings: Finding[]): Cluster[] | undefined {
  const loaded = loadDefaultExport(root, INVENTORY_FILE, 'clusters([...])');
  findings.push(...loaded.findings);
  if (loaded.exported === undefined) return undefined;
  const result = inventorySchema.safeParse(loaded.exported, { reportInput: true });
  if (!result.success) {
    findings.push(...issuesToFindings(INVENTORY_FILE, inventorySchema, result.error.issues));
    return undefined;
  }
  return result.data;
}

function parseApp(root: string, app: string, findings: Finding[]): { app: string; file: string; values: ParsedWithOverrides } | undefined {
  const file = valuesFile(app);
  const loaded = loadDefaultExport(root, file, 'service({ ... })');
  findings.push(...loaded.findings);
  if (loaded.exported === undefined) return undefined;
  const result = serviceSchema.safeParse(loaded.exported, { reportInput: true });
  if (!result.success) {
    findings.push(...issuesToFindings(file, serviceSchema, result.error.issues));
    return undefined;
  }
  if (result.data.name !== app) {
    findings.push({ file, path: 'name', severity: 'error', message: `expected '${app}' (the folder name), got '${result.data.name}'; rename the folder or the service so they match` });
    return undefined;
  }
  return { app, file, values: result.data as ParsedWithOverrides };
}

function selectApps(all: readonly string[], wanted: string | undefined, findings: Finding[]): string[] {
  if (wanted === undefined) return [...all];
  if (all.includes(wanted)) return [wanted];
  const suggestion = closest(wanted, all);
  findings.push({ file: 'apps/', path: '', severity: 'error', message: `expected a service folder named '${wanted}', found none${suggestion ? `; did you mean '${suggestion}'?` : `; services: ${all.join(', ')}`}` });
  return [];
}

function selectClusters(inventory: readonly Cluster[], pattern: string | undefined, findings: Finding[]): Cluster[] {
  if (pattern === undefined) return [...inventory];
  const selected = inventory.filter((c) => globMatches(pattern, c.name));
  if (selected.length === 0) {
    findings.push({ file: INVENTORY_FILE, path: '', severity: 'error', message: `expected a cluster name or glob matching the inventory, got '${pattern}'; clusters: ${inventory.map((c) => c.name).join(', ')}` });
  }
  return selected;
}
