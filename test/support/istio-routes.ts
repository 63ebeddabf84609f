/**
 * Test support for the Istio proof tier (test/istio/): drives scripts/istio-routes, the Go probe on
 * Istio's own pilot code, over a cluster's rendered output, and builds request grids from that
 * output alone (never from the values shape), so the properties keep holding whatever model renders
 * the VirtualServices.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO } from './fleet';

/** Where the probe is: $ISTIO_ROUTES, else .tools/istio-routes/istio-routes when built. */
export function istioRoutesBinary(): string | undefined {
  const fromEnv = process.env.ISTIO_ROUTES;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`ISTIO_ROUTES=${fromEnv} does not exist; run scripts/setup-istio-routes.sh`);
    return fromEnv;
  }
  const built = path.join(REPO, '.tools', 'istio-routes', 'istio-routes');
  return fs.existsSync(built) ? built : undefined;
}

/** Why the tier is skipped when the probe is absent (CI builds it first; see .ci/run). */
export const SKIP_WITHOUT_PROBE = istioRoutesBinary() ? false : 'istio-routes not built (scripts/setup-istio-routes.sh; .ci/run builds it)';

export type View = 'ingress' | 'mesh';

/** Who a grid request claims to be, and how it says so. */
export interface Identity {
  org?: string;
  orgVia?: 'header' | 'cookie' | 'both';
  user?: string;
  userVia?: 'header' | 'cookie' | 'both';
  /** The bucket header's value, as sent (absent when undefined). */
  bucket?: string;
  /** canonical: decimal 0–99 without leading zeros, as the gateway computes it; spoofed: anything else. */
  bucketKind: 'absent' | 'canonical' | 'spoofed';
}

export interface GridRequest {
  id: string;
  view: View;
  host: string;
  port?: number;
  path: string;
  headers: Record<string, string>;
  /** The Kubernetes Service (FQDN) the VirtualService under test routes to. */
  service: string;
  /** The rendered file (= fleetchart service) the VirtualService comes from. */
  app: string;
  identity: Identity;
}

export interface Destination {
  cluster: string;
  host: string;
  subset: string;
  port: number;
  weight: number;
  labels?: Record<string, string>;
  deployments: string[];
  clusterBuilt: boolean;
}

export interface RouteResult {
  id: string;
  view: View;
  routeConfig?: string;
  virtualHost?: string;
  matched: boolean;
  route?: string;
  virtualService?: string;
  routeIndex: number;
  action?: string;
  clusters?: Destination[];
  note?: string;
}

export interface SubsetInfo {
  destinationRule: string;
  host: string;
  subset: string;
  labels: Record<string, string>;
  deployments: string[];
}

export interface ValidationFinding { kind: string; namespace: string; name: string; severity: 'error' | 'warning'; message: string }

export interface RoutesOutput {
  istio: string;
  validation: ValidationFinding[];
  gateways: { name: string; synthesized: boolean }[];
  results: RouteResult[];
  subsets: SubsetInfo[];
}

export interface AnalyzerFinding { code: string; level: string; resource: string; message: string }
export interface AnalyzeOutput { istio: string; analyzers: string[]; skipped: string[]; findings: AnalyzerFinding[]; derivedPods: string[] }

function runProbe(args: string[], input?: string): unknown {
  const bin = istioRoutesBinary();
  if (!bin) throw new Error('istio-routes is not built: run scripts/setup-istio-routes.sh');
  const res = spawnSync(bin, args, { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (res.status !== 0) throw new Error(`istio-routes ${args.join(' ')} exited ${res.status}: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

/**
 * Translates the cluster's VirtualServices/DestinationRules with istiod's code and routes each
 * request. istiod orders VirtualServices of one host by creation time, which a chart cannot fix:
 * `reverseCreation` creates the objects in reverse name order instead of name order.
 */
export function translateRoutes(
  clusterDir: string,
  requests: Pick<GridRequest, 'id' | 'view' | 'host' | 'port' | 'path' | 'headers'>[],
  options: { reverseCreation?: boolean } = {},
): RoutesOutput {
  const input = JSON.stringify(requests.map(({ id, view, host, port, path: p, headers }) => ({ id, view, host, port, path: p, headers })));
  const args = ['routes', '--dir', clusterDir, '--requests', '-', ...(options.reverseCreation ? ['--reverse-creation'] : [])];
  const out = runProbe(args, input) as RoutesOutput;
  out.results ??= [];
  return out;
}

/** Istio's analyzers (istioctl analyze's combined set) over the cluster's files plus one Pod per Deployment. */
export function analyzeCluster(clusterDir: string): AnalyzeOutput {
  return runProbe(['analyze', '--dir', clusterDir]) as AnalyzeOutput;
}

// ---------------------------------------------------------------------------------------------
// Reading the rendered output

export interface RoutingNames { orgHeader: string; userHeader: string; bucketHeader: string; orgCookie: string; userCookie: string }

export interface RenderedDoc { app: string; doc: any }

export function readCluster(clusterDir: string): RenderedDoc[] {
  const out: RenderedDoc[] = [];
  for (const file of fs.readdirSync(clusterDir).filter((f) => f.endsWith('.yaml')).sort()) {
    const app = file.replace(/\.k8s\.yaml$|\.ya?ml$/, '');
    for (const d of parseAllDocuments(fs.readFileSync(path.join(clusterDir, file), 'utf8'))) {
      const doc = d.toJS();
      if (doc) out.push({ app, doc });
    }
  }
  return out;
}

/**
 * The literal values a routing regex or exact match names: `^(a|b\.c)$` → ['a', 'b.c'];
 * cookie forms `...care_org=(a|b)(;.*)?$` → ['a', 'b']. Anything it cannot read yields [].
 */
export function literalsOf(match: any, cookieName?: string): string[] {
  if (!match) return [];
  if (typeof match.exact === 'string') return [match.exact];
  const re: unknown = match.regex;
  if (typeof re !== 'string') return [];
  const group = cookieName ? re.match(new RegExp(`${cookieName}=\\(([^)]*)\\)`)) : re.match(/^\^?\(([^()]*)\)\$?$/);
  if (!group) return [];
  return group[1]
    .split('|')
    .map((s) => s.replace(/\\(.)/g, '$1'))
    .filter((s) => /^[A-Za-z0-9._@+-]+$/.test(s));
}

export interface ClusterRouting {
  /** Org ids named anywhere in a routing match (pinned, held, ...). */
  orgs: string[];
  users: string[];
  /** Ingress entry points: host, path claimed, and the VirtualService (namespace/name) that claims it. */
  ingress: { host: string; path: string; kind: 'prefix' | 'exact'; virtualService: string; service: string; app: string }[];
  /** Mesh entry points: the Service host and each HTTP port. */
  mesh: { host: string; port: number; virtualService: string; service: string; app: string }[];
  /** Deployments by namespace/name with their pod labels and replicas. */
  deployments: { name: string; labels: Record<string, string>; replicas?: number }[];
}

const HTTP_PROTOCOLS = /^(http|http2|grpc|grpc-web|h2c|kubernetes\.io\/h2c)$/i;

export function clusterRouting(clusterDir: string, names: RoutingNames): ClusterRouting {
  const docs = readCluster(clusterDir);
  const orgs = new Set<string>();
  const users = new Set<string>();
  const out: ClusterRouting = { orgs: [], users: [], ingress: [], mesh: [], deployments: [] };
  const services = new Map<string, any>();
  for (const { doc } of docs) {
    if (doc.kind === 'Service') services.set(`${doc.metadata.name}.${doc.metadata.namespace}.svc.cluster.local`, doc);
    if (doc.kind === 'Deployment') out.deployments.push({ name: `${doc.metadata.namespace}/${doc.metadata.name}`, labels: doc.spec.template.metadata?.labels ?? {}, replicas: doc.spec.replicas });
  }
  for (const { app, doc } of docs) {
    if (doc.kind !== 'VirtualService') continue;
    const vsName = `${doc.metadata.namespace}/${doc.metadata.name}`;
    const gateways: string[] = doc.spec.gateways ?? ['mesh'];
    const http: any[] = doc.spec.http ?? [];
    const service = http.flatMap((r) => (r.route ?? []).map((d: any) => d.destination?.host)).find(Boolean) ?? doc.spec.hosts[0];
    for (const r of http) {
      for (const m of r.match ?? []) {
        for (const [header, sm] of Object.entries<any>({ ...(m.headers ?? {}), ...(m.withoutHeaders ?? {}) })) {
          const h = header.toLowerCase();
          if (h === names.orgHeader) literalsOf(sm).forEach((o) => orgs.add(o));
          if (h === names.userHeader) literalsOf(sm).forEach((u) => users.add(u));
          if (h === 'cookie') {
            literalsOf(sm, names.orgCookie).forEach((o) => orgs.add(o));
            literalsOf(sm, names.userCookie).forEach((u) => users.add(u));
          }
        }
      }
    }
    if (gateways.some((g) => g !== 'mesh')) {
      for (const host of doc.spec.hosts) {
        const claims = new Map<string, 'prefix' | 'exact'>();
        for (const r of http) for (const m of r.match ?? [{}]) {
          const uri = m.uri ?? { prefix: '/' };
          if (typeof uri.prefix === 'string') claims.set(uri.prefix, 'prefix');
          else if (typeof uri.exact === 'string') claims.set(uri.exact, 'exact');
        }
        for (const [p, kind] of claims) out.ingress.push({ host, path: p, kind, virtualService: vsName, service, app });
      }
    }
    if (gateways.includes('mesh')) {
      const svc = services.get(doc.spec.hosts[0]);
      const ports: number[] = (svc?.spec.ports ?? [])
        .filter((p: any) => HTTP_PROTOCOLS.test(p.appProtocol ?? '') || /^(http|http2|grpc)(-|$)/.test(p.name ?? ''))
        .map((p: any) => p.port);
      for (const port of ports) out.mesh.push({ host: doc.spec.hosts[0], port, virtualService: vsName, service, app });
    }
  }
  out.orgs = [...orgs].sort();
  out.users = [...users].sort();
  return out;
}

// ---------------------------------------------------------------------------------------------
// The grid

/** An organization no routing rule names: it must get one version like everybody else. */
export const UNLISTED_ORG = 'grid-unlisted-org';
export const CANONICAL_BUCKETS = Array.from({ length: 100 }, (_, i) => String(i));
/** Bucket spellings a client could send that the gateway never computes. */
export const SPOOFED_BUCKETS = ['05', '00', '-1', '100', '1e1', ' 5', 'x'];

export interface GridOptions {
  names: RoutingNames;
  /** Which identities to combine (default: all of gridIdentities()). */
  identities?: Identity[];
}

function cookie(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${k}=${v}`).join('; ');
}

export function headersFor(identity: Identity, names: RoutingNames): Record<string, string> {
  const headers: Record<string, string> = {};
  const cookies: [string, string][] = [];
  if (identity.org) {
    if (identity.orgVia !== 'cookie') headers[names.orgHeader] = identity.org;
    if (identity.orgVia === 'cookie' || identity.orgVia === 'both') cookies.push([names.orgCookie, identity.org]);
  }
  if (identity.user) {
    if (identity.userVia !== 'cookie') headers[names.userHeader] = identity.user;
    if (identity.userVia === 'cookie' || identity.userVia === 'both') cookies.push([names.userCookie, identity.user]);
  }
  if (identity.bucket !== undefined) headers[names.bucketHeader] = identity.bucket;
  if (cookies.length) headers.cookie = cookie([['session', 'abc'], ...cookies]);
  return headers;
}

/**
 * Identities of the grid: every named org and an unlisted one, by header, cookie or both, with no
 * bucket, every canonical bucket, or a spoofed one; users named by the output, alone or with an org;
 * and nobody at all.
 */
export function gridIdentities(routing: ClusterRouting): Identity[] {
  const out: Identity[] = [{ bucketKind: 'absent' }];
  const buckets: Pick<Identity, 'bucket' | 'bucketKind'>[] = [
    { bucketKind: 'absent' },
    ...CANONICAL_BUCKETS.map((bucket) => ({ bucket, bucketKind: 'canonical' as const })),
    ...SPOOFED_BUCKETS.map((bucket) => ({ bucket, bucketKind: 'spoofed' as const })),
  ];
  for (const org of [...routing.orgs, UNLISTED_ORG]) {
    for (const orgVia of ['header', 'cookie', 'both'] as const) for (const b of buckets) out.push({ org, orgVia, ...b });
  }
  for (const b of buckets) out.push(b.bucketKind === 'absent' ? { bucketKind: 'absent' } : { ...b });
  for (const user of routing.users) {
    for (const userVia of ['header', 'cookie'] as const) {
      out.push({ user, userVia, bucketKind: 'absent' });
      out.push({ org: UNLISTED_ORG, orgVia: 'header', user, userVia, bucket: '99', bucketKind: 'canonical' });
      for (const org of routing.orgs) out.push({ org, orgVia: 'header', user, userVia, bucket: '0', bucketKind: 'canonical' });
    }
  }
  return dedupeIdentities(out);
}

function dedupeIdentities(ids: Identity[]): Identity[] {
  const seen = new Set<string>();
  return ids.filter((i) => {
    const k = JSON.stringify(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A path inside a claim: the claim itself for an exact match, claim + '/grid' for a prefix. */
export function pathInside(claim: { path: string; kind: 'prefix' | 'exact' }): string {
  if (claim.kind === 'exact') return claim.path;
  return claim.path.endsWith('/') ? `${claim.path}grid` : `${claim.path}/grid`;
}

/** Every (entry point × identity) request of a cluster: ingress host+path and mesh host+port. */
export function requestGrid(routing: ClusterRouting, identities: Identity[], names: RoutingNames): GridRequest[] {
  const out: GridRequest[] = [];
  let n = 0;
  for (const identity of identities) {
    const headers = headersFor(identity, names);
    for (const e of routing.ingress) {
      out.push({ id: `r${n++}`, view: 'ingress', host: e.host, path: pathInside(e), headers, service: e.service, app: e.app, identity });
    }
    for (const e of routing.mesh) {
      out.push({ id: `r${n++}`, view: 'mesh', host: e.host, port: e.port, path: '/grid', headers, service: e.service, app: e.app, identity });
    }
  }
  return out;
}

export function identified(identity: Identity): boolean {
  return Boolean(identity.org || identity.user);
}

/** The subsets a result can reach: every weighted cluster with weight > 0. */
export function reachable(result: RouteResult): string[] {
  return (result.clusters ?? []).filter((c) => c.weight > 0).map((c) => `${c.host}|${c.subset}`);
}

export function describeRequest(r: GridRequest): string {
  const i = r.identity;
  const who = [i.org && `org ${i.org} via ${i.orgVia}`, i.user && `user ${i.user} via ${i.userVia}`, i.bucket !== undefined ? `bucket '${i.bucket}'` : 'no bucket'].filter(Boolean).join(', ');
  return `${r.view} ${r.host}${r.port ? `:${r.port}` : ''}${r.path} (${who || 'anonymous'})`;
}

/** Expected subset for a request, supplied by whoever knows the release model (undefined: no opinion). */
export type ExpectedSubset = (cluster: string, service: string, request: GridRequest) => string | undefined;

/** Violations of `expected`: requests that do not reach exactly the expected subset. */
export function checkExpected(cluster: string, requests: GridRequest[], results: Map<string, RouteResult>, expected: ExpectedSubset): string[] {
  const problems: string[] = [];
  for (const r of requests) {
    const want = expected(cluster, r.service, r);
    if (want === undefined) continue;
    const got = reachable(results.get(r.id)!).map((s) => s.split('|')[1]);
    if (got.length !== 1 || got[0] !== want) problems.push(`${cluster}: ${describeRequest(r)} reaches [${got.join(', ')}], expected ${want}`);
  }
  return problems;
}

export const CHARTS_OUT = path.join(REPO, 'charts-out');
export function clusterDirs(root = CHARTS_OUT): { cluster: string; dir: string }[] {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ cluster: d.name, dir: path.join(root, d.name) }))
    .sort((a, b) => a.cluster.localeCompare(b.cluster));
}
