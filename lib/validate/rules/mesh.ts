import { ClusterView, Located, describeObject, mapSelects, podTemplate, quoted } from '../context';

/**
 * Mesh and network references across the whole cluster: VirtualService destinations
 * (FC-REF-005), DestinationRule hosts and subsets (FC-REF-006), AuthorizationPolicy principals
 * (FC-REF-007), host and path claims across services (FC-ROUTE-001), DNS egress (FC-NET-001).
 */
export function checkMesh(view: ClusterView): void {
  const rules = view.byKind('DestinationRule');
  for (const at of rules) checkDestinationRule(view, at);
  for (const at of view.byKind('VirtualService')) checkVirtualService(view, at, rules);
  for (const at of view.byKind('AuthorizationPolicy')) checkAuthorization(view, at);
  for (const at of view.byKind('NetworkPolicy')) checkDnsEgress(view, at);
  checkHostClaims(view);
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

function subsetPods(view: ClusterView, service: Located, labels: Record<string, string> | undefined): Located[] {
  return view
    .inNamespace('Deployment', service.doc.metadata.namespace)
    .filter((d) => {
      const podLabels = podTemplate(d.doc)?.metadata.labels;
      return mapSelects(service.doc.spec?.selector, podLabels) && (!labels || Object.keys(labels).length === 0 || mapSelects(labels, podLabels));
    })
    .filter((d) => (typeof d.doc.spec?.replicas === 'number' ? d.doc.spec.replicas : 1) > 0);
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

function checkVirtualService(view: ClusterView, at: Located, rules: readonly Located[]): void {
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
      const destinations: Record<string, any>[] = route?.route ?? [];
      const label = `${kind}[${i}]${route?.name ? ` ('${route.name}')` : ''}`;
      if (destinations.length > 1) {
        const sum = destinations.reduce((n, d) => n + (typeof d.weight === 'number' ? d.weight : 0), 0);
        if (sum !== 100) view.report(at, 'FC-REF-005', 'routes', `expected the weights of ${label} in ${where} to add up to 100, got ${sum}; fix the split`);
      }
      for (const d of destinations) checkDestination(view, at, rules, d, destinations.length === 1 || (d.weight ?? 0) > 0, `${label} of ${where}`);
    });
  }
}

function checkDestination(view: ClusterView, at: Located, rules: readonly Located[], route: Record<string, any>, receivesTraffic: boolean, where: string): void {
  const destination = route.destination ?? {};
  const service = serviceFor(view, destination.host, at.doc.metadata.namespace);
  if (!service) {
    view.report(at, 'FC-REF-005', 'routes', `expected destination host '${destination.host}' in ${where} to be a Service rendered on cluster ${view.cluster.name}, got none; route to <process service>.<namespace>.svc.cluster.local`);
    return;
  }
  const port = destination.port?.number;
  const ports: number[] = (service.doc.spec?.ports ?? []).map((p: { port: number }) => p.port);
  if (port !== undefined && !ports.includes(port)) {
    view.report(at, 'FC-REF-005', 'routes', `expected destination port ${port} in ${where} to be a port of Service ${service.doc.metadata.name} (${ports.join(', ')}), got none; route to a port the process serves`);
  }
  if (destination.subset === undefined) return;
  const rule = rules.find((r) => serviceFor(view, r.doc.spec?.host, r.doc.metadata.namespace) === service);
  const subset = (rule?.doc.spec?.subsets ?? []).find((s: { name: string }) => s?.name === destination.subset);
  if (!subset) {
    view.report(at, 'FC-REF-005', 'routes', `expected subset '${destination.subset}' in ${where} to be defined by a DestinationRule for ${service.doc.metadata.name}, got ${rule ? `none in ${describeObject(rule)}` : 'no DestinationRule'}; define the subset before routing to it`);
    return;
  }
  if (receivesTraffic && subsetPods(view, service, subset.labels).length === 0) {
    view.report(at, 'FC-REF-005', 'routes', `expected subset '${destination.subset}' in ${where} to select running pods, got no Deployment with replicas matching ${JSON.stringify(subset.labels ?? {})}; send it weight 0 or deploy that track`);
  }
}

const PRINCIPAL = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

function checkAuthorization(view: ClusterView, at: Located): void {
  const where = describeObject(at);
  const trustDomain = (view.cluster.mesh as { trustDomain?: string }).trustDomain ?? 'cluster.local';
  const ingress = view.cluster.ingress.serviceAccount;
  const namespaces = new Set([...view.byKind('Namespace').map((n) => n.doc.metadata.name), ingress.split('/')[0], view.cluster.monitoringNamespace]);
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
        const exists = `${ns}/${account}` === ingress || view.unrendered.has(ns) || view.inNamespace('ServiceAccount', ns).some((a) => a.doc.metadata.name === account);
        if (domain !== trustDomain) {
          view.report(at, 'FC-REF-007', 'callers', `expected trust domain '${trustDomain}' of cluster ${view.cluster.name} in principal '${principal}' of ${where}, got '${domain}'; use the cluster's trust domain`);
        } else if (!exists) {
          view.report(at, 'FC-REF-007', 'callers', `expected principal '${principal}' in ${where} to be a ServiceAccount on cluster ${view.cluster.name}, got none; list only services that exist there`);
        }
      }
      for (const ns of source.namespaces ?? []) {
        if (!namespaces.has(ns) && !view.unrendered.has(ns)) view.report(at, 'FC-REF-007', 'callers', `expected namespace '${ns}' in ${where} to exist on cluster ${view.cluster.name}, got none; list only services that exist there`);
      }
    }
  }
}

function checkDnsEgress(view: ClusterView, at: Located): void {
  const spec = at.doc.spec ?? {};
  const types: string[] = spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
  if (!types.includes('Egress')) return;
  const rules: Record<string, any>[] = spec.egress ?? [];
  const allows = (protocol: string) =>
    rules.some((r) => !Array.isArray(r?.ports) || r.ports.length === 0 || r.ports.some((p: Record<string, any>) => (p?.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === 53 || p.port === 'dns' || p.port === 'dns-tcp' || (typeof p.port === 'number' && p.port <= 53 && (p.endPort ?? p.port) >= 53))));
  const missing = ['UDP', 'TCP'].filter((p) => !allows(p));
  if (missing.length) {
    view.report(at, 'FC-NET-001', 'egress', `expected ${describeObject(at)}, which restricts egress, to allow DNS on port 53 over ${missing.join(' and ')}, got no such rule; every lookup would fail`);
  }
}

/** FC-ROUTE-001: a host and path prefix served through the gateway belongs to one service. */
function checkHostClaims(view: ClusterView): void {
  const claims = new Map<string, Map<string, Located>>();
  for (const at of view.byKind('VirtualService')) {
    const gateways: string[] = at.doc.spec?.gateways ?? [];
    if (!gateways.some((g) => g !== 'mesh')) continue;
    for (const host of at.doc.spec?.hosts ?? []) {
      for (const route of at.doc.spec?.http ?? []) {
        const matches: Record<string, any>[] = route?.match?.length ? route.match : [{}];
        for (const match of matches) {
          const path = match.uri?.prefix ?? match.uri?.exact ?? (match.uri ? undefined : '/');
          if (path === undefined) continue;
          const key = `${host}${path}`;
          let owners = claims.get(key);
          if (!owners) claims.set(key, (owners = new Map()));
          if (!owners.has(at.file.service.file)) owners.set(at.file.service.file, at);
        }
      }
    }
  }
  for (const [key, owners] of claims) {
    if (owners.size < 2) continue;
    const files = [...owners.keys()].sort();
    for (const [file, at] of owners) {
      const others = files.filter((f) => f !== file);
      view.report(at, 'FC-ROUTE-001', 'routes', `expected host and path '${key}' to belong to one service on cluster ${view.cluster.name}, got it also in ${quoted(others)}; change the host or path of one of them`);
    }
  }
}
