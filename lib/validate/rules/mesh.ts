import { ClusterView, Located, describeObject } from '../context';

/**
 * Mesh references the traffic rules (rules/traffic.ts: weights, subsets with pods, host claims,
 * callers, DNS egress) leave out: VirtualService gateways and destination ports (FC-REF-005),
 * DestinationRule hosts and subset names (FC-REF-006), AuthorizationPolicy principals
 * (FC-REF-007).
 */
export function checkMesh(view: ClusterView): void {
  for (const at of view.byKind('DestinationRule')) checkDestinationRule(view, at);
  for (const at of view.byKind('VirtualService')) checkVirtualService(view, at);
  const policies = view.byKind('AuthorizationPolicy');
  if (policies.length === 0) return;
  const ingress = view.cluster.ingress.serviceAccount;
  const namespaces = new Set([...view.byKind('Namespace').map((n) => n.doc.metadata.name), ingress.split('/')[0], view.cluster.monitoringNamespace]);
  for (const at of policies) checkAuthorization(view, at, namespaces);
}

/** The rendered Service a mesh host names (`name`, `name.ns`, `name.ns.svc[.cluster.local]`). */
function serviceFor(view: ClusterView, host: unknown, namespace: string | undefined): Located | undefined {
  if (typeof host !== 'string') return undefined;
  const parts = host.split('.');
  const local = parts.length === 1 || (parts.length === 2) || (parts[2] === 'svc' && (parts.length === 3 || parts.slice(3).join('.') === 'cluster.local'));
  if (!local) return undefined;
  const ns = parts.length === 1 ? namespace : parts[1];
  return view.inNamespace('Service', ns).find((s) => s.doc.metadata.name === parts[0]);
}

function checkDestinationRule(view: ClusterView, at: Located): void {
  const where = describeObject(at);
  const service = serviceFor(view, at.doc.spec?.host, at.doc.metadata.namespace);
  if (!service) {
    view.report(at, 'FC-REF-006', 'routes', `expected host '${at.doc.spec?.host}' of ${where} to be a Service rendered on cluster ${view.cluster.name}, got none; point it at <process service>.<namespace>.svc.cluster.local`);
    return;
  }
  const seen = new Set<string>();
  for (const subset of at.doc.spec?.subsets ?? []) {
    if (seen.has(subset?.name)) view.report(at, 'FC-REF-006', 'routes', `expected unique subset names in ${where}, got '${subset.name}' twice; remove one`);
    seen.add(subset?.name);
  }
}

function checkVirtualService(view: ClusterView, at: Located): void {
  const where = describeObject(at);
  const namespace = at.doc.metadata.namespace;
  const ingress = view.cluster.ingress.gateway;
  for (const gateway of at.doc.spec?.gateways ?? []) {
    const full = typeof gateway === 'string' && !gateway.includes('/') && gateway !== 'mesh' ? `${namespace}/${gateway}` : gateway;
    if (full !== 'mesh' && full !== ingress) {
      view.report(at, 'FC-REF-005', 'routes', `expected gateway 'mesh' or the cluster's ingress gateway '${ingress}' in ${where}, got '${gateway}'; bind routes to the cluster's gateway`);
    }
  }
  for (const kind of ['http', 'tcp', 'tls'] as const) {
    (at.doc.spec?.[kind] ?? []).forEach((route: Record<string, any>, i: number) => {
      for (const d of route?.route ?? []) {
        const port = d?.destination?.port?.number;
        const service = serviceFor(view, d?.destination?.host, namespace);
        if (port === undefined || !service) continue; // A host that is no Service is FC-ROUTE-002's.
        const ports: number[] = (service.doc.spec?.ports ?? []).map((p: { port: number }) => p.port);
        if (!ports.includes(port)) {
          view.report(at, 'FC-REF-005', 'routes', `expected destination port ${port} in ${kind}[${i}] of ${where} to be a port of Service ${service.doc.metadata.name} (${ports.join(', ')}), got none; route to a port the process serves`);
        }
      }
    });
  }
}

const PRINCIPAL = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

function checkAuthorization(view: ClusterView, at: Located, namespaces: ReadonlySet<string>): void {
  const where = describeObject(at);
  const trustDomain = (view.cluster.mesh as { trustDomain?: string }).trustDomain ?? 'cluster.local';
  const ingress = view.cluster.ingress.serviceAccount;
  for (const rule of at.doc.spec?.rules ?? []) {
    for (const from of rule?.from ?? []) {
      const source = from?.source ?? {};
      for (const principal of source.principals ?? []) {
        const match = PRINCIPAL.exec(String(principal));
        if (!match || String(principal).includes('*')) {
          view.report(at, 'FC-REF-007', 'callers', `expected principals like '${trustDomain}/ns/<namespace>/sa/<account>' in ${where}, got '${principal}'; allow named callers only`);
          continue;
        }
        const [, domain, ns, account] = match;
        // Listed callers that do not exist are FC-ROUTE-004's, reported at callers.services.
        const caller = at.file.service.traffic.callerServices.includes(ns);
        const prometheus = String(principal) === at.file.service.monitoring.prometheus.principal;
        const exists = caller || prometheus || `${ns}/${account}` === ingress || view.unrendered.has(ns) || view.inNamespace('ServiceAccount', ns).some((a) => a.doc.metadata.name === account);
        if (domain !== trustDomain) {
          view.report(at, 'FC-REF-007', 'callers', `expected trust domain '${trustDomain}' of cluster ${view.cluster.name} in principal '${principal}' of ${where}, got '${domain}'; use the cluster's trust domain`);
        } else if (!exists) {
          view.report(at, 'FC-REF-007', 'callers', `expected principal '${principal}' in ${where} to be a ServiceAccount on cluster ${view.cluster.name}, got none; list only services that exist there`);
        }
      }
      for (const ns of source.namespaces ?? []) {
        if (!namespaces.has(ns) && !view.unrendered.has(ns) && !at.file.service.traffic.callerServices.includes(ns)) view.report(at, 'FC-REF-007', 'callers', `expected namespace '${ns}' in ${where} to exist on cluster ${view.cluster.name}, got none; list only services that exist there`);
      }
    }
  }
}
