import { Construct } from 'constructs';
import { DEFAULTS } from '../values/defaults';
import { LABEL } from '../values/labels';
import type { ResolvedProcess, ResolvedRoute, ResolvedService, RouteStage } from '../values/model';
import { Istio, VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch } from './istio';
import { Manifest } from './manifest';

const TRACKS = ['stable', 'canary'] as const;

/**
 * Mesh routing of one HTTP process: a DestinationRule with a subset per track and a
 * VirtualService for in-cluster callers that applies the pins and the weighted split.
 *
 * Both subsets always exist, whether or not a canary runs: routes come and go, subsets never
 * do, so no route can ever point at a subset that was removed first (make before break).
 */
export class ProcessTraffic extends Construct {
  constructor(scope: Construct, id: string, service: ResolvedService, process: ResolvedProcess) {
    super(scope, id);
    if (!process.http) return;
    const cp = DEFAULTS.connectionPool;
    const od = DEFAULTS.outlierDetection;
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
        subsets: TRACKS.map((track) => ({ name: track, labels: { [LABEL.track]: track } })),
      },
    });
    new Manifest(this, 'virtual-service', Istio.VirtualService, {
      metadata: { name: process.fullName, namespace: service.namespace, labels: { ...process.labels } },
      spec: {
        hosts: [process.internalHost],
        gateways: ['mesh'],
        http: httpRoutes(service.traffic.stages, [{}], process.internalHost, undefined),
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
          service.traffic.stages,
          route.paths.map((prefix) => ({ uri: { prefix } })),
          route.destinationHost,
          route,
        ),
      },
    });
  }
}

/** Every stage × every base match (path prefixes), with the route's policies on each. */
function httpRoutes(stages: readonly RouteStage[], base: VirtualServiceSpecHttpMatch[], host: string, route: ResolvedRoute | undefined): VirtualServiceSpecHttp[] {
  const timeout = route?.timeout ?? DEFAULTS.routeTimeout;
  const retries = route?.retries ?? DEFAULTS.retries;
  return stages.map((stage) => ({
    name: stage.name,
    match: matches(stage, base),
    route: stage.destinations.map((d) => ({
      destination: { host, subset: d.track, ...(route ? { port: { number: route.port } } : {}) },
      weight: d.weight,
    })),
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

function matches(stage: RouteStage, base: VirtualServiceSpecHttpMatch[]): VirtualServiceSpecHttpMatch[] | undefined {
  const m = stage.match;
  if (!m) return base.some((b) => Object.keys(b).length) ? base : undefined;
  const out: VirtualServiceSpecHttpMatch[] = [];
  for (const b of base) {
    out.push({ ...b, headers: { [m.header]: { regex: m.regex } } });
    // The cookie counts only when the header is absent: the header set by the gateway wins.
    if (m.cookie) out.push({ ...b, headers: { [m.cookie.header]: { regex: m.cookie.regex } }, withoutHeaders: { [m.header]: { regex: '.*' } } });
  }
  return out;
}
