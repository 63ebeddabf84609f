import type { Cluster } from './clusters/schema';
import { inventorySchema } from './clusters/schema';
import { renderPlatform } from './constructs/platform-chart';
import { renderService } from './constructs/service-chart';
import { Finding, aggregateFindings, closest } from './findings';
import { IndexSource, fleetContext, recordFleet } from './fleet-index';
import { FleetDirectory, directoryEntry } from './values/calls';
import { INVENTORY_FILE, discoverApps, loadDefaultExport, valuesFile } from './load';
import { Manifest, manifestFile, orderDocuments } from './manifest';
import { globMatches } from './values/merge';
import { issuesToFindings } from './values/report';
import { ParsedWithOverrides, applyOverrides, resolveService, unknownOverrideNameFindings, unmatchedOverrideFindings } from './values/resolve';
import type { ResolvedService } from './values/model';
import { withoutRejected } from './values/recover';
import { saveSourceChecks, sourceFindings } from './values/source-check';
import { serviceSchema } from './values/schema';
import { validateCluster } from './validate';
import { validatePlatform } from './validate/platform';

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

/**
 * The file of a cluster's platform objects: owned by the inventory (apps/clusters.ts), not by a
 * service. No service can be named `_platform` (service names are DNS labels), so the writer and
 * `--app` runs tell it apart by name.
 */
export const PLATFORM_FILE = '_platform.k8s.yaml';

/** A cluster's platform objects (lib/constructs/platform-chart.ts), rendered and checked. */
export interface PlatformFile {
  /** `<cluster>/_platform.k8s.yaml`. */
  readonly path: string;
  readonly cluster: string;
  readonly documents: readonly Manifest[];
  readonly content: string;
}

export interface FleetResult {
  readonly findings: readonly Finding[];
  readonly files: readonly RenderedFile[];
  /** One per selected cluster, unless the run selected one service (`--app`). */
  readonly platform: readonly PlatformFile[];
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

  const parsedApps: ParsedApp[] = [];
  for (const app of apps) {
    const parsed = parseApp(root, app, findings);
    if (!parsed) continue;
    if (inventory) findings.push(...unmatchedOverrideFindings(parsed.file, parsed.values, inventory.map((c) => c.name)));
    findings.push(...unknownOverrideNameFindings(parsed.file, parsed.values));
    parsedApps.push(parsed);
  }

  // `--app`: the other services come from the fleet index, for the checks that cross services.
  const context = selection.app !== undefined && apps.length > 0 && inventory ? fleetContext(root, allApps.filter((a) => !apps.includes(a)), clusters, (other) => renderForIndex(root, other, inventory)) : undefined;
  const parsedNames = new Set(parsedApps.map((p) => p.app));

  const files: RenderedFile[] = [];
  const indexed: IndexSource[] = [];
  const platform: PlatformFile[] = [];
  for (const cluster of clusters) {
    if (selection.app === undefined) {
      const documents = orderDocuments(renderPlatform(cluster) as Manifest[]);
      findings.push(...validatePlatform(cluster, documents));
      platform.push({ path: `${cluster.name}/${PLATFORM_FILE}`, cluster: cluster.name, documents, content: manifestFile(documents) });
    }
    // The fleet as calls resolve against it: the parsed services and, with --app, the index's.
    const own = new Map(parsedApps.map((p) => [p.app, directoryEntry(applyOverrides(p.values, cluster.name), p.file)]));
    const others = context?.get(cluster.name)?.directory ?? [];
    const known = new Set([...own.keys(), ...others.map((e) => e.name)]);
    const directory = new FleetDirectory([...own.values(), ...others], new Set(allApps.filter((a) => !known.has(a) && !parsedNames.has(a))));
    // Services resolve found errors in are still rendered and validated (not written), so one
    // run reports every stage's problems; validate findings about what resolve already
    // reported are left out (one problem, one line).
    const checked: RenderedFile[] = [];
    const resolveErrors = new Map<string, string[]>();
    for (const { app, file, values, rejected } of parsedApps) {
      const resolution = resolveService(file, values, cluster, directory);
      findings.push(...resolution.findings.filter((f) => !repeatsEarlierError(f, rejected)));
      const rendered = renderFile(cluster, app, resolution.service ?? resolution.draft, !resolution.service);
      if (resolution.service && rendered) {
        files.push(rendered);
        indexed.push({ file: rendered, directory: own.get(app)! });
      }
      const errors = resolution.findings.filter((f) => f.severity === 'error').map((f) => f.path);
      if (!resolution.service || rejected) resolveErrors.set(file, [...(rejected ?? []), ...errors]);
      if (rendered) checked.push(rendered);
    }
    findings.push(...validateCluster(cluster, checked, allApps, context?.get(cluster.name)?.files).filter((f) => !repeatsEarlierError(f, resolveErrors.get(f.file))));
  }
  if (selection.app === undefined && selection.cluster === undefined && inventory) recordFleet(root, indexed);
  saveSourceChecks();
  return { findings: aggregateFindings(findings), files, platform, clusters, apps, inventory: inventory ?? [] };
}

/** Another service on every cluster of the inventory, for the fleet index (its findings are its own run's). */
function renderForIndex(root: string, app: string, inventory: readonly Cluster[]): IndexSource[] | undefined {
  const parsed = parseApp(root, app, []);
  if (!parsed) return undefined;
  const out: IndexSource[] = [];
  for (const cluster of inventory) {
    // Without the fleet's directory: the index keeps the values' calls, not their resolution.
    const resolution = resolveService(parsed.file, parsed.values, cluster);
    const rendered = renderFile(cluster, app, resolution.service ?? resolution.draft, !resolution.service);
    if (rendered) out.push({ file: rendered, directory: directoryEntry(applyOverrides(parsed.values, cluster.name), parsed.file) });
  }
  return out;
}

function renderFile(cluster: Cluster, app: string, service: ResolvedService, draft: boolean): RenderedFile | undefined {
  let documents: Manifest[];
  try {
    documents = orderDocuments(renderService(service) as Manifest[]);
  } catch (error) {
    // Only a draft (a model with resolve errors, which are reported) may fail to render.
    if (!draft) throw error;
    return undefined;
  }
  return { path: `${cluster.name}/${app}.k8s.yaml`, cluster: cluster.name, app, documents, content: manifestFile(documents), service };
}

/** Whether a finding is about a values path an earlier stage reported an error at (or within or around). */
function repeatsEarlierError(finding: Finding, errorPaths: readonly string[] | undefined): boolean {
  if (!errorPaths) return false;
  const within = (inner: string, outer: string) => outer === '' || inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return errorPaths.some((path) => within(path, finding.path) || within(finding.path, path));
}

export function loadInventory(root: string, findings: Finding[]): Cluster[] | undefined {
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

interface ParsedApp {
  readonly app: string;
  readonly file: string;
  readonly values: ParsedWithOverrides;
  /** Values paths the schema rejected (reported), when the rest was kept for the later stages. */
  readonly rejected?: readonly string[];
}

function parseApp(root: string, app: string, findings: Finding[]): ParsedApp | undefined {
  const file = valuesFile(app);
  const loaded = loadDefaultExport(root, file, 'service({ ... })');
  findings.push(...loaded.findings);
  if (loaded.exported === undefined) return undefined;
  findings.push(...sourceFindings(root, file));
  const result = serviceSchema.safeParse(loaded.exported, { reportInput: true });
  let data = result.data;
  let rejected: string[] | undefined;
  if (!result.success) {
    const parseFindings = issuesToFindings(file, serviceSchema, result.error.issues);
    findings.push(...parseFindings);
    rejected = parseFindings.map((f) => f.path);
    // Resolve and validate still check what parses, so one run reports every stage's problems.
    data = withoutRejected(serviceSchema, loaded.exported, result.error.issues);
    if (!data) return undefined;
  }
  if (data!.name !== app) {
    findings.push({ file, path: 'name', severity: 'error', message: `expected '${app}' (the folder name), got '${data!.name}'; rename the folder or the service so they match` });
    return undefined;
  }
  return { app, file, values: data as ParsedWithOverrides, rejected };
}

function selectApps(all: readonly string[], wanted: string | undefined, findings: Finding[]): string[] {
  if (wanted === undefined) return [...all];
  if (all.includes(wanted)) return [wanted];
  const suggestion = closest(wanted, all);
  findings.push({ file: 'apps/', path: '', severity: 'error', message: `expected a service folder named '${wanted}', found none${suggestion ? `; did you mean '${suggestion}'?` : `; services: ${all.join(', ')}`}` });
  return [];
}

export function selectClusters(inventory: readonly Cluster[], pattern: string | undefined, findings: Finding[]): Cluster[] {
  if (pattern === undefined) return [...inventory];
  const selected = inventory.filter((c) => globMatches(pattern, c.name));
  if (selected.length === 0) {
    findings.push({ file: INVENTORY_FILE, path: '', severity: 'error', message: `expected a cluster name or glob matching the inventory, got '${pattern}'; clusters: ${inventory.map((c) => c.name).join(', ')}` });
  }
  return selected;
}
