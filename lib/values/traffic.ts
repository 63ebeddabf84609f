import type { Cluster } from '../clusters/schema';
import { DEFAULTS, PROD_MIN_SERVING_REPLICAS } from './defaults';
import type { ResolvedCanary, ResolvedRoute, ResolvedTraffic, RouteStage } from './model';
import type { Report } from './report-rule';
import type { ParsedServiceValues } from './schema';

/**
 * Traffic decisions: which version each request reaches, which routes exist, who may call.
 * Pure functions of the values and the cluster, like the rest of resolve.
 */

export const HTTP_PROTOCOLS: readonly string[] = ['http', 'http2', 'grpc'];

export function resolveCanary(values: ParsedServiceValues, report: Report): ResolvedCanary | undefined {
  const canary = values.release.canary;
  const holdOrgs = values.release.holdOrgs ?? [];
  if (!canary) return undefined;
  const at = (...rest: PropertyKey[]) => ['release', 'canary', ...rest];
  const steps = canary.steps ?? DEFAULTS.canarySteps;
  let weight = canary.weight ?? 0;
  if (canary.weight !== undefined && canary.step !== undefined) {
    report(at('step'), 'FC-CANARY-004', `expected either weight or step, got both (weight ${canary.weight}, step ${canary.step}); keep one`);
  }
  if (canary.step !== undefined) {
    if (canary.step >= steps.length) {
      report(at('step'), 'FC-CANARY-002', `expected an index into steps [${steps.join(', ')}] (0–${steps.length - 1}), got ${canary.step}`);
    } else {
      weight = steps[canary.step];
    }
  }
  for (const org of canary.orgs ?? []) {
    if (holdOrgs.includes(org)) {
      report(at('orgs'), 'FC-CANARY-003', `expected '${org}' in either release.canary.orgs or release.holdOrgs, got both; an organization cannot be pinned to canary and held on stable`);
    }
  }
  if (!canary.version) {
    const pinned = (canary.orgs?.length ?? 0) + (canary.users?.length ?? 0);
    if (weight > 0 || pinned > 0) {
      report(at('version'), 'FC-CANARY-001', `required when the canary receives traffic (weight ${weight}, ${pinned} pinned): set release.canary.version, or remove release.canary to roll back`);
    }
    return undefined;
  }
  return { version: canary.version, weight, orgs: canary.orgs ?? [], users: canary.users ?? [], holdOrgs };
}

/**
 * The routing stages, evaluated in order: held organizations stay on stable, pinned
 * organizations and users go to the canary, then organizations by bucket (a stable hash the
 * auth gateway sets), so all users of one organization see the same version. Requests without
 * a bucket (anonymous, probes) split by weight.
 */
export function routeStages(canary: ResolvedCanary | undefined, routing: Cluster['routing']): RouteStage[] {
  if (!canary) return [{ name: 'weighted', destinations: [{ track: 'stable', weight: 100 }], description: 'all requests → stable' }];
  const stages: RouteStage[] = [];
  if (canary.holdOrgs.length) {
    stages.push({ name: 'hold-orgs', match: idMatch(routing.orgHeader, routing.orgCookie, canary.holdOrgs), destinations: [{ track: 'stable', weight: 100 }], description: `orgs ${canary.holdOrgs.join(', ')} (held) → stable` });
  }
  if (canary.orgs.length) {
    stages.push({ name: 'canary-orgs', match: idMatch(routing.orgHeader, routing.orgCookie, canary.orgs), destinations: [{ track: 'canary', weight: 100 }], description: `orgs ${canary.orgs.join(', ')} → canary` });
  }
  if (canary.users.length) {
    stages.push({ name: 'canary-users', match: idMatch(routing.userHeader, routing.userCookie, canary.users), destinations: [{ track: 'canary', weight: 100 }], description: `users ${canary.users.join(', ')} → canary` });
  }
  if (canary.weight > 0 && canary.weight < 100) {
    stages.push({
      name: 'canary-buckets',
      match: { header: routing.bucketHeader, regex: bucketRegex(canary.weight) },
      destinations: [{ track: 'canary', weight: 100 }],
      description: `org buckets 0–${canary.weight - 1} → canary`,
    });
    stages.push({
      name: 'stable-buckets',
      match: { header: routing.bucketHeader, regex: '.+' },
      destinations: [{ track: 'stable', weight: 100 }],
      description: `org buckets ${canary.weight}–99 → stable`,
    });
  }
  const destinations = [
    { track: 'stable' as const, weight: 100 - canary.weight },
    { track: 'canary' as const, weight: canary.weight },
  ].filter((d) => d.weight > 0);
  const split = destinations.map((d) => `${d.weight}% ${d.track}`).join(', ');
  stages.push({ name: 'weighted', destinations, description: `${stages.length ? 'other requests' : 'all requests'} → ${split}` });
  return stages;
}

/** An exact-match regex over a set of ids, with the cookie fallback for browsers. */
function idMatch(header: string, cookie: string, ids: readonly string[]): RouteStage['match'] {
  const alternatives = ids.map(escapeRegex).join('|');
  return {
    header,
    regex: `^(${alternatives})$`,
    cookie: { header: 'cookie', regex: `^(.*;\\s*)?${escapeRegex(cookie)}=(${alternatives})(;.*)?$` },
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regex matching the decimal numbers 0 … weight-1 exactly (buckets are 0–99). */
export function bucketRegex(weight: number): string {
  const n = weight - 1;
  if (n < 10) return `^[0-${n}]$`;
  const tens = Math.floor(n / 10);
  const units = n % 10;
  const parts = ['[0-9]'];
  if (tens >= 2) parts.push(tens === 2 ? '1[0-9]' : `[1-${tens - 1}][0-9]`);
  parts.push(`${tens}[0-${units}]`);
  return `^(${parts.join('|')})$`;
}

/**
 * Canary pods per process: enough for its share of the traffic, never fewer than a prod
 * serving process needs to survive one pod loss, never more than stable runs.
 */
export function canaryReplicas(stableReplicas: number, weight: number, prodServing: boolean): number {
  const floor = prodServing ? PROD_MIN_SERVING_REPLICAS : 1;
  return Math.min(stableReplicas, Math.max(floor, Math.ceil((stableReplicas * weight) / 100)));
}

interface ProcessPorts {
  readonly name: string;
  readonly internalHost: string;
  readonly ports: readonly { name: string; port: number; protocol: string }[];
}

export function resolveRoutes(values: ParsedServiceValues, processes: readonly ProcessPorts[], cluster: Cluster, report: Report): ResolvedRoute[] {
  const routes: ResolvedRoute[] = [];
  const httpProcesses = processes.filter((p) => p.ports.some((port) => HTTP_PROTOCOLS.includes(port.protocol)));
  for (const name of Object.keys(values.routes ?? {}).sort()) {
    const route = values.routes![name];
    const at = (...rest: PropertyKey[]) => ['routes', name, ...rest];
    let process: ProcessPorts | undefined;
    if (route.process) {
      process = httpProcesses.find((p) => p.name === route.process);
      if (!process) {
        report(at('process'), 'FC-ROUTE-005', `expected a process that serves HTTP (${httpProcesses.map((p) => `'${p.name}'`).join(', ') || 'none'}), got '${route.process}'`);
        continue;
      }
    } else if (httpProcesses.length === 1) {
      process = httpProcesses[0];
    } else {
      report(at('process'), 'FC-ROUTE-005', httpProcesses.length === 0
        ? `expected a process with an HTTP port to route to, found none; add ports to a process or remove the route`
        : `required when several processes serve HTTP (${httpProcesses.map((p) => `'${p.name}'`).join(', ')}); name the one that serves this route`);
      continue;
    }
    const httpPorts = process.ports.filter((p) => HTTP_PROTOCOLS.includes(p.protocol));
    const port = route.port ? httpPorts.find((p) => p.name === route.port) : httpPorts[0];
    if (!port) {
      report(at('port'), 'FC-ROUTE-005', `expected an HTTP port of process '${process.name}' (${httpPorts.map((p) => `'${p.name}'`).join(', ')}), got '${route.port}'`);
      continue;
    }
    const timeout = route.timeout ?? DEFAULTS.routeTimeout;
    const retries = {
      attempts: route.retries?.attempts ?? DEFAULTS.retries.attempts,
      perTryTimeout: route.retries?.perTryTimeout ?? DEFAULTS.retries.perTryTimeout,
      retryOn: route.retries?.retryOn ?? DEFAULTS.retries.retryOn,
    };
    routes.push({
      name,
      objectName: `${values.name}-ingress-${name}`,
      host: route.host.includes('.') ? route.host : `${route.host}.${cluster.baseDomain}`,
      paths: route.paths ?? DEFAULTS.routePaths,
      process: process.name,
      destinationHost: process.internalHost,
      port: port.port,
      timeout,
      retries,
      cors: route.cors ? { ...route.cors, allowMethods: route.cors.allowMethods ?? ['GET', 'POST'] } : undefined,
    });
  }
  return routes;
}

export function resolveCallers(
  values: ParsedServiceValues,
  cluster: Cluster,
  hasRoutes: boolean,
): Pick<ResolvedTraffic, 'principals' | 'callerNamespaces' | 'gateway' | 'callerServices' | 'monitoringNamespace' | 'egress'> {
  const trustDomain = cluster.mesh.trustDomain ?? 'cluster.local';
  const principal = (namespace: string, account: string) => `${trustDomain}/ns/${namespace}/sa/${account}`;
  const callerServices = [...new Set(values.callers?.services ?? [])].sort();
  const gateway = values.callers?.gateway ?? hasRoutes;
  const [gatewayNamespace, gatewayAccount] = cluster.ingress.serviceAccount.split('/');
  const principals = [principal(values.name, values.name), ...callerServices.map((s) => principal(s, s))];
  if (gateway) principals.push(principal(gatewayNamespace, gatewayAccount));
  const namespaces = new Set([values.name, ...callerServices]);
  if (gateway) namespaces.add(gatewayNamespace);
  return {
    principals: principals.sort(),
    callerNamespaces: [...namespaces].sort(),
    gateway,
    callerServices,
    monitoringNamespace: cluster.monitoringNamespace,
    egress: values.egress ? { namespaces: [...(values.egress.namespaces ?? [])].sort(), cidrs: values.egress.cidrs ?? [] } : undefined,
  };
}
