import { formatPath } from '../../findings';
import { ClusterView, Located, describeObject, mapSelects, replicasOf } from '../context';

/**
 * Traffic rules over a whole cluster: routes reach pods, weights add up, hosts are claimed once,
 * callers exist, and egress restrictions keep DNS.
 */
export function checkTraffic(view: ClusterView): void {
  checkRouteDestinations(view);
  checkHostClaims(view);
  checkCallers(view);
  checkEgressKeepsDns(view);
}

type HttpRoute = { name?: string; route?: { destination?: { host?: string; subset?: string }; weight?: number }[] };

/** FC-ROUTE-001 and FC-ROUTE-002: weights sum to 100; every subset has a Deployment with pods. */
function checkRouteDestinations(view: ClusterView): void {
  for (const vs of view.byKind('VirtualService')) {
    const routes: HttpRoute[] = vs.doc.spec?.http ?? [];
    routes.forEach((route, i) => {
      const where = `${describeObject(vs)} http[${i}]${route.name ? ` (${route.name})` : ''}`;
      const destinations = route.route ?? [];
      const weights = destinations.map((d) => d.weight ?? (destinations.length === 1 ? 100 : 0));
      const sum = weights.reduce((a, b) => a + b, 0);
      if (sum !== 100) {
        view.report(vs, 'FC-ROUTE-001', routesPath(view, vs), `${where}: expected destination weights that sum to 100, got ${weights.join(' + ')} = ${sum}`);
      }
      for (const d of destinations) {
        const problem = subsetProblem(view, d.destination?.host, d.destination?.subset);
        if (problem) view.report(vs, 'FC-ROUTE-002', routesPath(view, vs), `${where}: ${problem}; no request may be routed where no pod can answer`);
      }
    });
  }
}

function subsetProblem(view: ClusterView, host: string | undefined, subset: string | undefined): string | undefined {
  const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(host ?? '');
  if (!match) return `expected a destination host '<service>.<namespace>.svc.cluster.local', got '${host}'`;
  const [, serviceName, namespace] = match;
  const service = view.inNamespace('Service', namespace).find((s) => s.doc.metadata.name === serviceName);
  if (!service) return `expected a Service ${serviceName} in namespace ${namespace} for host ${host}, found none`;
  let labels: Record<string, string> = {};
  if (subset !== undefined) {
    const rule = view.inNamespace('DestinationRule', namespace).find((dr) => dr.doc.spec?.host === host);
    const defined = rule?.doc.spec?.subsets?.find((s: { name: string }) => s.name === subset);
    if (!defined) return `expected subset '${subset}' of ${host} to be defined by a DestinationRule, found ${rule ? 'none with that name' : 'no DestinationRule'}`;
    labels = defined.labels ?? {};
  }
  const selector = { ...service.doc.spec?.selector, ...labels };
  const running = view.inNamespace('Deployment', namespace).some((d) => replicasOf(d.doc) > 0 && mapSelects(selector, d.doc.spec?.template?.metadata?.labels));
  return running ? undefined : `expected a Deployment running pods for subset '${subset ?? '(none)'}' of ${host}, found none`;
}

function routesPath(view: ClusterView, vs: Located): string {
  const route = vs.file.service.traffic.routes.find((r) => r.objectName === vs.doc.metadata.name);
  return route ? formatPath(['routes', route.name]) : view.processPath(vs);
}

/** FC-ROUTE-003: a host and path prefix belong to one service of the cluster. */
function checkHostClaims(view: ClusterView): void {
  const claims: { host: string; path: string; at: Located; route: string }[] = [];
  for (const vs of view.fleetByKind('VirtualService')) {
    const route = vs.file.service.traffic.routes.find((r) => r.objectName === vs.doc.metadata.name);
    if (!route) continue;
    for (const path of route.paths) claims.push({ host: route.host, path, at: vs, route: route.name });
  }
  // Index claims by host and path: a claim collides with the same path or with one of its
  // segment prefixes (`/api` covers `/api/notes`), so lookups replace comparing every pair.
  // Segments are what Envoy matches: each path renders as exact `/p` plus prefix `/p/`
  // (lib/constructs/traffic.ts pathMatches), so `/api/notes` never takes `/api/notes-admin`.
  const byPath = new Map<string, typeof claims>();
  const key = (host: string, path: string) => `${host} ${path}`;
  for (const claim of claims) {
    const k = key(claim.host, normalize(claim.path));
    const list = byPath.get(k);
    if (list) list.push(claim);
    else byPath.set(k, [claim]);
  }
  const report = (claim: (typeof claims)[number], other: (typeof claims)[number], same: boolean) =>
    view.report(
      claim.at,
      'FC-ROUTE-003',
      formatPath(['routes', claim.route, 'paths']),
      `expected a host and path prefix no other service claims, got ${claim.host}${claim.path}, which ${same ? 'is also claimed' : `overlaps ${other.host}${other.path}`} by ${other.at.file.service.file} (routes.${other.route}); choose another host or path`,
    );
  for (const claim of claims) {
    const path = normalize(claim.path);
    for (const other of byPath.get(key(claim.host, path)) ?? []) if (other.at.file !== claim.at.file) report(claim, other, true);
    // Each nested pair is found once, from the inner claim, and reported on both.
    for (const prefix of segmentPrefixes(path)) {
      for (const other of byPath.get(key(claim.host, prefix)) ?? []) {
        if (other.at.file === claim.at.file) continue;
        report(claim, other, false);
        report(other, claim, false);
      }
    }
  }
}

function normalize(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** The shorter prefixes a path lies under on segment boundaries: `/api/notes` → `/`, `/api`. */
function segmentPrefixes(path: string): string[] {
  if (path === '/') return [];
  const prefixes = ['/'];
  for (let i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) prefixes.push(path.slice(0, i));
  return prefixes;
}

/** FC-ROUTE-004: callers name services that exist on this cluster. */
function checkCallers(view: ClusterView): void {
  // Services a partial run (--app) did not render exist all the same; a full run checks them.
  const services = new Set([...view.files.map((f) => f.service.name), ...view.unrendered]);
  const known = [...services].sort();
  const namespaces = new Map(view.byKind('Namespace').map((l) => [l.file, l]));
  for (const file of view.files) {
    const namespace = namespaces.get(file);
    if (!namespace) continue;
    file.service.traffic.callerServices.forEach((caller) => {
      if (services.has(caller)) return;
      view.report(namespace, 'FC-ROUTE-004', 'callers.services', `expected services that run on cluster ${view.cluster.name}, got '${caller}', which does not; known: ${known.join(', ')}`);
    });
  }
}

/** FC-NET-001: a policy that restricts egress must still let pods resolve names. */
function checkEgressKeepsDns(view: ClusterView): void {
  for (const policy of view.byKind('NetworkPolicy')) {
    const spec = policy.doc.spec ?? {};
    if (!(spec.policyTypes ?? []).includes('Egress')) continue;
    const missing = ['UDP', 'TCP'].filter((protocol) => !(spec.egress ?? []).some((rule: EgressRule) => allowsDns(rule, protocol)));
    if (missing.length) {
      view.report(policy, 'FC-NET-001', 'egress', `${describeObject(policy)}: expected egress to kube-system on port 53 (${missing.join(' and ')}), found none; every name lookup would fail`);
    }
  }
}

type EgressRule = { to?: { namespaceSelector?: { matchLabels?: Record<string, string> }; podSelector?: unknown; ipBlock?: unknown }[]; ports?: { protocol?: string; port?: number | string }[] };

function allowsDns(rule: EgressRule, protocol: string): boolean {
  const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === 53));
  const toOk =
    !rule.to ||
    rule.to.length === 0 ||
    rule.to.some((peer) => {
      if (peer.ipBlock || peer.podSelector && !peer.namespaceSelector) return false;
      const labels = peer.namespaceSelector?.matchLabels;
      return !labels || Object.keys(labels).length === 0 || labels['kubernetes.io/metadata.name'] === 'kube-system';
    });
  return portOk && toOk;
}
