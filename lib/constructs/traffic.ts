import { Construct } from 'constructs';
import { DEFAULTS } from '../values/defaults';
import type { ResolvedProcess, ResolvedRoute, ResolvedService, RouteRule } from '../values/model';
import { HTTP_PROTOCOLS } from '../values/traffic';
import { Istio, VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch } from './istio';
import { Manifest } from './manifest';

/**
 * Mesh routing of one HTTP process: a DestinationRule with a subset per version the process
 * runs, and a VirtualService for in-cluster callers that applies the release's rules.
 *
 * Subsets are the versions the process runs, selected by the labels its Deployments select on;
 * a version leaves (with its subset) only once nothing routes to it (FC-RELEASE-003 keeps pinned
 * versions live; the recipes remove a version one pull request after its last route).
 */
export class ProcessTraffic extends Construct {
  constructor(scope: Construct, id: string, service: ResolvedService, process: ResolvedProcess) {
    super(scope, id);
    if (!process.http) return;
    const cp = DEFAULTS.connectionPool;
    const od = DEFAULTS.outlierDetection;
    const subsets = process.deployments
      .filter((d) => d.release)
      .map((d) => ({ name: d.release!.id, labels: Object.fromEntries(Object.entries(d.selector).filter(([key]) => !(key in process.selector))) }));
    new Manifest(this, 'destination-rule', Istio.DestinationRule, {
      metadata: { name: process.fullName, namespace: service.namespace, labels: { ...process.labels } },
      spec: {
        host: process.internalHost,
        trafficPolicy: {
          connectionPool: {
            tcp: { maxConnections: cp.maxConnections, connectTimeout: cp.connectTimeout },
            http: { http2MaxRequests: cp.http2MaxRequests, idleTimeout: cp.idleTimeout },
          },
          outlierDetection: { consecutive5XxErrors: od.consecutive5xxErrors, interval: od.interval, baseEjectionTime: od.baseEjectionTime, maxEjectionPercent: od.maxEjectionPercent },
        },
        subsets: subsets.length ? subsets : undefined,
      },
    });
    new Manifest(this, 'virtual-service', Istio.VirtualService, {
      metadata: { name: process.fullName, namespace: service.namespace, labels: { ...process.labels } },
      spec: {
        hosts: [process.internalHost],
        gateways: ['mesh'],
        http: meshRoutes(processRules(service, process), process),
      },
    });
  }
}

/** One VirtualService per external route, bound to the cluster's ingress gateway. */
export class ExternalRoute extends Construct {
  constructor(scope: Construct, id: string, service: ResolvedService, route: ResolvedRoute) {
    super(scope, id);
    const process = service.processes.find((p) => p.name === route.process)!;
    new Manifest(this, 'Resource', Istio.VirtualService, {
      metadata: { name: route.objectName, namespace: service.namespace, labels: { ...process.labels } },
      spec: {
        hosts: [route.host],
        gateways: [service.cluster.ingress.gateway],
        http: httpRoutes(
          processRules(service, process),
          route.paths.flatMap(pathMatches),
          route.destinationHost,
          route,
        ),
      },
    });
  }
}

/**
 * The rules a process is routed by: the release's for processes routed by organization; one
 * route to the default version for processes that cannot be (tcp/tls ports beside HTTP), and one
 * without a subset for helpers with their own image.
 */
function processRules(service: ResolvedService, process: ResolvedProcess): readonly (RouteRule | { name: string; match?: undefined; version?: undefined })[] {
  if (process.release === 'routed') return service.traffic.rules;
  if (process.release === 'own-image') return [{ name: 'default' }];
  return service.traffic.rules.filter((rule) => rule.kind === 'default');
}

/**
 * A path prefix with Envoy's plain-string `prefix` made to respect segments: `/api/notes`
 * becomes exact `/api/notes` plus prefix `/api/notes/`, so it never captures `/api/notes-admin`
 * (Envoy's RouteMatch.prefix compares characters:
 * https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routematch).
 */
export function pathMatches(path: string): VirtualServiceSpecHttpMatch[] {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (trimmed === '/') return [{ uri: { prefix: '/' } }];
  return [{ uri: { exact: trimmed } }, { uri: { prefix: `${trimmed}/` } }];
}

/**
 * The mesh routes of a process. A Service with one port needs no port anywhere. With more
 * (http + grpc, a metrics port), each HTTP port gets the rules on its own, matched by port and
 * sent to that port: a destination without a port is ambiguous for such a Service (Istio's
 * analyzer IST0112, VirtualServiceDestinationPortSelectorRequired, an error), and istiod drops a
 * route whose port match is another listener's port, so each port keeps only its own rules
 * (pilot/pkg/networking/core/route/route.go, translateRoute).
 */
function meshRoutes(rules: ReturnType<typeof processRules>, process: ResolvedProcess): VirtualServiceSpecHttp[] {
  if (process.ports.length < 2) return httpRoutes(rules, [{}], process.internalHost, undefined);
  return process.ports
    .filter((port) => HTTP_PROTOCOLS.includes(port.protocol))
    .flatMap((port) =>
      httpRoutes(rules, [{ port: port.port }], process.internalHost, undefined, port.port).map((route) => ({ ...route, name: `${route.name}-${port.name}` })),
    );
}

/** Every rule × every base match (paths, ports), with the route's policies on each. */
function httpRoutes(rules: ReturnType<typeof processRules>, base: VirtualServiceSpecHttpMatch[], host: string, route: ResolvedRoute | undefined, port = route?.port): VirtualServiceSpecHttp[] {
  const timeout = route?.timeout ?? DEFAULTS.routeTimeout;
  const retries = route?.retries ?? DEFAULTS.retries;
  return rules.map((rule) => ({
    name: rule.name,
    match: matches(rule, base),
    // One destination per route: an organization is never split per request.
    route: [{ destination: { host, ...(rule.version ? { subset: rule.version.id } : {}), ...(port !== undefined ? { port: { number: port } } : {}) } }],
    timeout,
    retries: retries.attempts > 0 ? { attempts: retries.attempts, perTryTimeout: retries.perTryTimeout, retryOn: retries.retryOn } : { attempts: 0 },
    ...(route?.cors
      ? {
          corsPolicy: {
            allowOrigins: route.cors.allowOrigins.map((exact) => ({ exact })),
            allowMethods: [...route.cors.allowMethods],
            allowHeaders: route.cors.allowHeaders ? [...route.cors.allowHeaders] : undefined,
            allowCredentials: route.cors.allowCredentials,
            maxAge: route.cors.maxAge,
          },
        }
      : {}),
  }));
}

/** Header matches only: one entry per pinned id (exact) or the bucket regex, times each base match. */
function matches(rule: ReturnType<typeof processRules>[number], base: VirtualServiceSpecHttpMatch[]): VirtualServiceSpecHttpMatch[] | undefined {
  const m = rule.match;
  if (!m) return base.some((b) => Object.keys(b).length) ? base : undefined;
  const headers = 'exact' in m ? m.exact.map((exact) => ({ [m.header]: { exact } })) : [{ [m.header]: { regex: m.regex } }];
  return headers.flatMap((h) => base.map((b) => ({ ...b, headers: h })));
}
