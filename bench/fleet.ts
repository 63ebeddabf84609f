/**
 * The synthetic fleet of the benchmark: N services with a realistic mix, generated
 * deterministically (the same N always gives the same fleet).
 *
 * One spec (`SyntheticService`) feeds every contender:
 * - `valuesModule()` writes it as `apps/<svc>/values.ts` for fleetchart,
 * - `referenceService()` writes it as plain data for the Helm chart under bench/helm/ and for the
 *   bare cdk8s render (bench/cdk8s-bare.ts), with per-cluster overrides expanded per cluster.
 *
 * To add a feature: add a field to `SyntheticService`, decide in
 * `syntheticService()` which services get it (use `rng`, keep the share realistic), emit it in
 * `valuesModule()` and in `referenceService()`, and render it in bench/helm/fleet/templates and
 * bench/cdk8s-bare.ts. Nothing else needs to know.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cluster, clusterSchema } from '../lib/clusters/schema';
import { serviceDashboard } from '../lib/observability/dashboard';
import { resolveService } from '../lib/values/resolve';
import { serviceSchema } from '../lib/values/schema';

export interface SyntheticPort {
  readonly name: string;
  readonly port: number;
  readonly protocol?: 'http' | 'grpc';
}

export interface SyntheticProbe {
  readonly path?: string;
  readonly command?: string[];
  readonly periodSeconds?: number;
}

export interface SyntheticProcess {
  readonly ports?: SyntheticPort[];
  readonly command?: string[];
  readonly replicas?: number;
  readonly cpu?: string;
  readonly memory?: string;
  readonly memoryLimit?: string;
  readonly probes?: { ready?: SyntheticProbe; live?: SyntheticProbe };
  readonly env?: Record<string, string>;
}

/** A rollout: by step into `steps` (default [5, 15, 25, 50, 100]) or by weight. */
export interface SyntheticRollout {
  readonly version: string;
  readonly step?: number;
  readonly weight?: number;
  readonly steps?: number[];
}

/** How the generator draws a release: a new version with the organizations and users pinned to it. */
interface SyntheticCanary {
  readonly version: string;
  readonly step?: number;
  readonly weight?: number;
  readonly steps?: number[];
  readonly orgs?: string[];
  readonly users?: string[];
}

export interface SyntheticRoute {
  readonly host: string;
  readonly paths?: string[];
  readonly port?: string;
  readonly timeout?: string;
  readonly retries?: { attempts: number; perTryTimeout?: string };
  readonly cors?: { allowOrigins: string[]; allowMethods?: ('GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS')[]; allowHeaders?: string[]; allowCredentials?: boolean; maxAge?: string };
}

/** What a per-cluster override may change in the synthetic fleet. */
export interface SyntheticOverride {
  readonly processes?: Record<string, { replicas?: number }>;
  readonly env?: Record<string, string>;
  readonly identity?: { azureClientId: string };
  /** A rollout tried on some clusters first (never a zero value: Helm's mergeOverwrite skips those). */
  readonly release?: { rollout: SyntheticRollout; orgs?: Record<string, string> };
}

export interface SyntheticService {
  readonly name: string;
  readonly team: string;
  readonly tier?: 'critical' | 'standard' | 'batch';
  readonly image: string;
  readonly release: { default: string; rollout?: SyntheticRollout; orgs?: Record<string, string>; users?: Record<string, string> };
  /** External routes; hosts and paths are unique per service, so no two services claim one. */
  readonly routes?: Record<string, SyntheticRoute>;
  /** Callers name services of lower index, which every fleet that holds this service has. */
  readonly callers?: { services: string[] };
  readonly egress?: { namespaces?: string[]; cidrs?: { cidr: string; ports: number[] }[] };
  readonly processes: Record<string, SyntheticProcess>;
  readonly env?: Record<string, string>;
  readonly secrets?: Record<string, { secret: string; key: string }>;
  readonly identity?: true | { azureClientId: string };
  readonly waivers?: Record<string, string>;
  /** Cluster name or glob → override, applied globs first (in order), exact names last. */
  readonly clusters?: Record<string, SyntheticOverride>;
}

/** The parts of a cluster the reference renderers need. */
export interface ReferenceCluster {
  readonly name: string;
  readonly environment: 'stage' | 'prod';
  readonly provider: { kind: 'gke'; project: string } | { kind: 'aks'; tenantId: string } | { kind: 'eks'; accountId: string };
  readonly priorityClasses: Record<'critical' | 'standard' | 'batch', string>;
  readonly mesh: { istioCni: boolean; revision?: string; trustDomain?: string };
  readonly ingress: { gateway: string; serviceAccount: string };
  readonly baseDomain: string;
  readonly monitoringNamespace: string;
  readonly prometheus?: { serviceAccount?: string; selectorLabels?: Record<string, string>; certDir?: string };
  readonly grafana?: { dashboardLabel?: string; folderAnnotation?: string; folder?: string };
  readonly argocd?: { repoURL: string; targetRevision?: string; project?: string; namespace?: string; destination?: string };
  readonly routing: { orgHeader: string; userHeader: string; bucketHeader: string; orgCookie: string; userCookie: string };
}

const DOMAINS = ['care', 'billing', 'pharmacy', 'rota', 'visits', 'records', 'identity', 'labs', 'family', 'alerts', 'meals', 'audit', 'intake', 'notify', 'sched'];
const NOUNS = ['api', 'sync', 'gateway', 'reports', 'search', 'events', 'export', 'import', 'portal', 'ledger', 'rules', 'files'];
const TEAMS = ['care-records', 'medication', 'interop', 'daily-care', 'integration', 'platform', 'finance', 'family-apps'];
const WORKERS = ['worker', 'consumer', 'indexer', 'scheduler'];
const CPUS = ['50m', '100m', '200m', '250m', '500m'];
const MEMORIES = ['128Mi', '256Mi', '384Mi', '512Mi', '1Gi'];
const ORGS = ['st-marys', 'oak-lodge', 'riverside', 'elm-court', 'hillcrest', 'meadowbank', 'the-willows', 'ashgrove'];
const USERS = ['qa.lead@acme-care.example', 'nurse.jones@st-marys.example', 'carer+pilot@riverside.example', 'ops_oncall@acme-care.example'];
/** Hosts that many services share, each under its own path prefix (relative: the cluster's base domain is appended). */
const SHARED_HOSTS = ['api', 'app', 'portal'];

/** Deterministic PRNG (mulberry32), so a fleet of a given size is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)];
}

function guid(random: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
}

/**
 * Service i of the fleet. The mix: ~80% have a web process with ports (a few with a second gRPC
 * port), 1–3 processes (~50% one, ~35% two, ~15% three), workers without ports run a command and
 * some probe it; most carry env and secrets; ~60% use workload identity; ~25% have per-cluster
 * overrides (stage replicas and log level, an exact-cluster env).
 */
export function syntheticService(i: number): SyntheticService {
  const random = rng(i + 1);
  const name = serviceName(i, random);
  const team = pick(random, TEAMS);
  const processes: Record<string, SyntheticProcess> = {};
  const roll = random();
  const count = roll < 0.5 ? 1 : roll < 0.85 ? 2 : 3;
  const hasWeb = random() < 0.8;
  if (hasWeb) {
    const grpc = random() < 0.15;
    processes.web = {
      ports: grpc ? [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9000, protocol: 'grpc' }] : [{ name: 'http', port: 8080 }],
      replicas: pick(random, [2, 2, 3, 4]),
      cpu: pick(random, CPUS),
      memory: pick(random, MEMORIES),
      probes: random() < 0.7 ? { ready: { path: '/healthz/ready' }, live: { path: '/healthz/live' } } : undefined,
      env: random() < 0.3 ? { HTTP_PORT: '8080' } : undefined,
    };
  }
  const workerNames = [...WORKERS].sort(() => random() - 0.5);
  while (Object.keys(processes).length < count) {
    const worker = workerNames.pop()!;
    processes[worker] = {
      command: ['/app/bin', worker],
      replicas: pick(random, [1, 2, 2, 3]),
      cpu: pick(random, CPUS),
      memory: pick(random, MEMORIES),
      probes: random() < 0.5 ? { live: { command: ['/app/bin', 'healthcheck'], periodSeconds: 20 } } : undefined,
    };
  }
  const identityRoll = random();
  const clientId = guid(random);
  const identity: SyntheticService['identity'] = identityRoll < 0.45 ? { azureClientId: clientId } : identityRoll < 0.6 ? true : undefined;
  const clusters: Record<string, SyntheticOverride> = {};
  const serving = Object.keys(processes).filter((p) => processes[p].ports);
  if (random() < 0.2) clusters['stage-*'] = { processes: Object.fromEntries(serving.map((p) => [p, { replicas: 1 }])), env: { LOG_LEVEL: 'debug' } };
  if (random() < 0.1) clusters['prod-eu-west'] = { env: { FEATURE_FLAGS: 'eu-west-pilot' } };
  if (identity === true) clusters['prod-azure-*'] = { identity: { azureClientId: clientId } };
  const secrets = random() < 0.7 ? { DATABASE_URL: { secret: `${name}-db`, key: 'url' } } : undefined;
  const tier = pick(random, ['critical', 'standard', 'standard', 'batch', undefined] as const);
  const month = 1 + Math.floor(random() * 12);
  const patch = Math.floor(random() * 20);
  // Traffic features draw from a stream of their own, so the mix above stays as it was.
  const traffic = syntheticTraffic(i, name, processes, `2026.${month}.${patch + 1}`);
  if (traffic.stageCanary) clusters['stage-*'] = { ...clusters['stage-*'], release: { rollout: rolloutOf(traffic.stageCanary), orgs: pinsTo(traffic.stageCanary.orgs, traffic.stageCanary.version) } };
  const stable = `2026.${month}.${patch}`;
  const canary = traffic.canary;
  const orgs = { ...pinsTo(traffic.holdOrgs, stable), ...pinsTo(canary?.orgs, canary?.version ?? '') };
  return {
    name,
    team,
    tier,
    image: `europe-docker.pkg.dev/acme-care/apps/${name}`,
    release: { default: stable, rollout: canary && rolloutOf(canary), orgs: Object.keys(orgs).length ? orgs : undefined, users: pinsTo(canary?.users, canary?.version ?? '') },
    routes: traffic.routes,
    callers: traffic.callers,
    egress: traffic.egress,
    processes,
    env: { LOG_FORMAT: 'json', SERVICE_NAME: name },
    secrets,
    identity,
    // Synthetic images are never pulled; the Helm and bare-cdk8s baselines have no digests either.
    waivers: { 'FC-IMG-002': 'synthetic benchmark fleet: its images are never pulled, so tags stand in for digests' },
    clusters: Object.keys(clusters).length ? clusters : undefined,
  };
}

function rolloutOf(canary: SyntheticCanary): SyntheticRollout {
  return { version: canary.version, step: canary.step, weight: canary.weight, steps: canary.steps };
}

/** Pins of these ids to a version (holds are pins to the default), or undefined for none. */
function pinsTo(ids: string[] | undefined, version: string): Record<string, string> | undefined {
  return ids?.length ? Object.fromEntries(ids.map((id) => [id, version])) : undefined;
}

/** The name of service i: the first two draws of its stream, so other services can name it. */
function serviceName(i: number, random = rng(i + 1)): string {
  return `${pick(random, DOMAINS)}-${pick(random, NOUNS)}-${String(i).padStart(4, '0')}`;
}

/** `count` distinct services of index below i (fewer when there are not that many). */
function earlierServices(random: () => number, i: number, count: number): string[] {
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, i)) chosen.add(Math.floor(random() * i));
  return [...chosen].map((j) => serviceName(j));
}

function pickSome<T>(random: () => number, list: readonly T[], count: number): T[] {
  return [...list].sort(() => random() - 0.5).slice(0, count);
}

interface SyntheticTraffic {
  canary?: SyntheticCanary;
  holdOrgs?: string[];
  /** A canary on the stage clusters only (the base values have none). */
  stageCanary?: SyntheticCanary;
  routes?: Record<string, SyntheticRoute>;
  callers?: { services: string[] };
  egress?: SyntheticService['egress'];
}

/**
 * Releases, routes, callers and egress of service i. The mix: ~20% mid-cutover with a canary
 * (by step into the default or their own steps, or by weight: 0 (rolled back, pins kept), 1,
 * 33 or 100), half of those with pinned organizations, some with pinned users and held
 * organizations; ~4% with a canary on the stage clusters only; ~60% of web services with 1–2
 * routes (a path prefix of their own on a shared host, and some a host of their own, some with
 * CORS, some on the gRPC port), some with their own timeout or retries; ~30% with 1–3 callers
 * among the services before them; ~10% with restricted egress.
 */
function syntheticTraffic(i: number, name: string, processes: Record<string, SyntheticProcess>, nextVersion: string): SyntheticTraffic {
  const random = rng((Math.imul(i + 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0);
  const out: SyntheticTraffic = {};

  const canaryRoll = random();
  if (canaryRoll < 0.24) {
    const mode = random();
    const pinned = random() < 0.5 ? pickSome(random, ORGS, 1 + Math.floor(random() * 2)) : undefined;
    const users = random() < 0.3 ? pickSome(random, USERS, 1 + Math.floor(random() * 2)) : undefined;
    let canary: SyntheticCanary;
    if (mode < 0.6) canary = { version: nextVersion, step: Math.floor(random() * 5) };
    else if (mode < 0.8) {
      const steps = pick(random, [[10, 50, 100], [1, 10, 25, 50, 75, 100], [20, 100]]);
      canary = { version: nextVersion, step: Math.floor(random() * steps.length), steps };
    } else canary = { version: nextVersion, weight: pick(random, [0, 1, 33, 100]) };
    canary = { ...canary, orgs: pinned, users };
    if (canaryRoll < 0.2) {
      out.canary = canary;
      if (random() < 0.3) out.holdOrgs = pickSome(random, ORGS.filter((o) => !pinned?.includes(o)), 1 + Math.floor(random() * 2));
    } else {
      // Tried on stage first: a non-zero step, as the override cannot carry zero values to Helm.
      out.stageCanary = { version: nextVersion, step: 1 + Math.floor(random() * 4), orgs: pinned };
    }
  }

  const web = processes.web;
  if (web && random() < 0.6) {
    const routes: Record<string, SyntheticRoute> = {};
    const paths = random() < 0.3 ? [`/${name}/v1`, `/${name}/v2`] : [`/${name}`];
    const api: { -readonly [K in keyof SyntheticRoute]: SyntheticRoute[K] } = { host: pick(random, SHARED_HOSTS), paths };
    const policy = random();
    if (policy < 0.2) api.timeout = pick(random, ['5s', '30s', '60s']);
    else if (policy < 0.3) api.retries = { attempts: 0 };
    else if (policy < 0.4) api.retries = { attempts: 3, perTryTimeout: '2s' };
    routes.api = api;
    if (random() < 0.4) {
      const own = random() < 0.7 ? name : `${name}.partner.example.com`;
      const cors = random() < 0.5
        ? {
            allowOrigins: [`https://${name}.care.example.com`],
            allowMethods: random() < 0.5 ? (['GET', 'POST', 'PUT', 'DELETE'] as const).slice() : undefined,
            allowHeaders: random() < 0.5 ? ['authorization', 'content-type'] : undefined,
            allowCredentials: random() < 0.3 ? true : undefined,
            maxAge: random() < 0.5 ? '10m' : undefined,
          }
        : undefined;
      routes.site = { host: own, cors };
    }
    if (web.ports?.some((p) => p.protocol === 'grpc') && random() < 0.5) {
      routes.grpc = { host: `${name}-grpc`, port: 'grpc', timeout: '30s' };
    }
    out.routes = routes;
  }

  if (random() < 0.3 && i > 0) out.callers = { services: earlierServices(random, i, 1 + Math.floor(random() * 3)) };

  if (random() < 0.1) {
    const shape = random();
    const namespaces = shape < 0.7 && i > 0 ? earlierServices(random, i, 1 + Math.floor(random() * 2)) : undefined;
    const cidrs = shape > 0.3
      ? pickSome(random, [{ cidr: '10.40.0.0/16', ports: [5432] }, { cidr: '10.50.12.0/24', ports: [443, 8443] }, { cidr: '192.168.100.0/24', ports: [6379] }], 1 + Math.floor(random() * 2))
      : undefined;
    out.egress = { namespaces, cidrs: cidrs ?? (namespaces ? undefined : [{ cidr: '10.40.0.0/16', ports: [5432] }]) };
  }
  return out;
}

export function syntheticFleet(size: number): SyntheticService[] {
  return Array.from({ length: size }, (_, i) => syntheticService(i));
}

/** `apps/<svc>/values.ts` for fleetchart. */
export function valuesModule(service: SyntheticService): string {
  const values = JSON.parse(JSON.stringify(service)); // drops undefined fields
  return `import { service } from '../../lib';\n\nexport default service(${JSON.stringify(values, null, 2)});\n`;
}

function globMatches(pattern: string, name: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(name);
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (base && override && typeof base === 'object' && typeof override === 'object' && !Array.isArray(base) && !Array.isArray(override)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(override)) out[k] = deepMerge((base as Record<string, unknown>)[k], v);
    return out;
  }
  return override;
}

/**
 * The service as plain data for the reference renderers (Helm values, bare cdk8s): the same
 * fields, with the overrides expanded to one merged override per cluster name, as a Helm user
 * would keep per-cluster values files.
 *
 * `generated.<cluster>.dashboardJson` is the one large generated payload, given ready-made as
 * fleetchart's own function (lib/observability/dashboard.ts) writes it: the Grafana dashboard JSON
 * (the dashboard ConfigMap's data). Helm and bare cdk8s only wrap it in its ConfigMap, so their
 * times are lower bounds (bench/README.md). Everything else they compute from the plain data.
 */
export function referenceService(service: SyntheticService, clusters: readonly ReferenceCluster[]): Record<string, unknown> {
  const { clusters: overrides, ...base } = service;
  const perCluster: Record<string, unknown> = {};
  const generated: Record<string, unknown> = {};
  const parsed = serviceSchema.parse(JSON.parse(JSON.stringify(service)));
  for (const cluster of clusters) {
    const keys = Object.keys(overrides ?? {});
    const ordered = [...keys.filter((k) => /[*?]/.test(k) && globMatches(k, cluster.name)), ...keys.filter((k) => k === cluster.name)];
    if (ordered.length) perCluster[cluster.name] = ordered.reduce<unknown>((merged, key) => deepMerge(merged, overrides![key]), {});
    const resolved = resolveService(`apps/${service.name}/values.ts`, parsed, parsedCluster(cluster)).draft;
    generated[cluster.name] = { dashboardJson: `${JSON.stringify(serviceDashboard(resolved), null, 2)}\n` };
  }
  return JSON.parse(JSON.stringify({ ...base, overrides: perCluster, generated }));
}

const parsedClusters = new WeakMap<ReferenceCluster, Cluster>();
function parsedCluster(cluster: ReferenceCluster): Cluster {
  let parsed = parsedClusters.get(cluster);
  if (!parsed) parsedClusters.set(cluster, (parsed = clusterSchema.parse(cluster)));
  return parsed;
}

/**
 * Writes a fleet repository: apps/<svc>/values.ts, the repository's cluster inventory, and lib/
 * symlinked to the repository's lib (so the fleet runs the code under test).
 */
export function writeFleetRepo(root: string, repo: string, services: readonly SyntheticService[]): void {
  fs.mkdirSync(path.join(root, 'apps'), { recursive: true });
  fs.symlinkSync(path.join(repo, 'lib'), path.join(root, 'lib'));
  fs.copyFileSync(path.join(repo, 'apps', 'clusters.ts'), path.join(root, 'apps', 'clusters.ts'));
  for (const service of services) {
    fs.mkdirSync(path.join(root, 'apps', service.name));
    fs.writeFileSync(path.join(root, 'apps', service.name, 'values.ts'), valuesModule(service));
  }
}
