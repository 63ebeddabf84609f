import type { Cluster } from '../clusters/schema';
import { DEFAULTS } from './defaults';
import type { ResolvedRoute, ResolvedTraffic } from './model';
import type { Report } from './report-rule';
import type { ParsedServiceValues } from './schema';

/**
 * Traffic decisions: which routes exist and who may call (which version a request reaches is
 * lib/values/release.ts). Pure functions of the values and the cluster, like the rest of resolve.
 */

export const HTTP_PROTOCOLS: readonly string[] = ['http', 'http2', 'grpc'];

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
