import { Construct } from 'constructs';
import type { ResolvedService } from '../values/model';
import { AuthorizationPolicySpecAction, Istio, PeerAuthenticationSpecMtlsMode, PeerAuthenticationSpecPortLevelMtlsMode } from './istio';
import { k8s, Kube } from './k8s';
import { Manifest } from './manifest';

/**
 * Who may talk to the service: mutual TLS only, Istio authorization by workload identity, and
 * NetworkPolicy as the second wall for anything the mesh does not see.
 */
export class ServiceSecurity extends Construct {
  constructor(scope: Construct, id: string, service: ResolvedService) {
    super(scope, id);
    const t = service.traffic;
    const namespace = service.namespace;
    const labels = { ...service.labels };
    const metricsPorts = [...new Set(service.processes.flatMap((p) => p.metricsPorts))].sort((a, b) => a - b);

    new Manifest(this, 'mtls', Istio.PeerAuthentication, {
      metadata: { name: 'default', namespace, labels },
      spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
    });
    // Prometheus scrapes metrics ports in plain text; every other port stays mutual TLS.
    for (const process of service.processes.filter((p) => p.metricsPorts.length)) {
      new Manifest(this, `metrics-${process.name}`, Istio.PeerAuthentication, {
        metadata: { name: `${process.fullName}-metrics`, namespace, labels: { ...process.labels } },
        spec: {
          selector: { matchLabels: { ...process.selector } },
          mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT },
          portLevelMtls: Object.fromEntries(process.metricsPorts.map((port) => [String(port), { mode: PeerAuthenticationSpecPortLevelMtlsMode.PERMISSIVE }])),
        },
      });
    }

    new Manifest(this, 'authorization', Istio.AuthorizationPolicy, {
      metadata: { name: 'allow-callers', namespace, labels },
      spec: {
        action: AuthorizationPolicySpecAction.ALLOW,
        // Istio ANDs `from` and `to` within a rule and ORs rules; `ports` are the ports the
        // connection reaches on the workload, `paths` match exactly or, ending in `*`, by prefix:
        // https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
        rules: [
          // The service's own pods call each other freely (one trust boundary).
          { from: [{ source: { principals: [principalOf(t.principals, namespace)] } }] },
          ...t.inbound.map((caller) => ({ from: [{ source: { principals: [caller.principal] } }], to: [{ operation: { ports: caller.ports.map(String) } }] })),
          ...(t.gatewayAccess
            ? t.gatewayAccess.routes.length
              ? t.gatewayAccess.routes.map((route) => ({
                  from: [{ source: { principals: [t.gatewayAccess!.principal] } }],
                  to: [{ operation: { ports: [String(route.port)], paths: route.paths.flatMap(pathPatterns) } }],
                }))
              : [{ from: [{ source: { principals: [t.gatewayAccess.principal] } }] }]
            : []),
          ...(metricsPorts.length ? [{ from: [{ source: { namespaces: [t.monitoringNamespace] } }], to: [{ operation: { ports: metricsPorts.map(String) } }] }] : []),
        ],
      },
    });

    new Manifest(this, 'default-deny', Kube.NetworkPolicy, {
      metadata: { name: 'default-deny-ingress', namespace, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    new Manifest(this, 'allow', Kube.NetworkPolicy, {
      metadata: { name: 'allow-callers', namespace, labels },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          { from: [namespacePeer(namespace)] },
          ...t.inbound.map((caller) => ({ from: [namespacePeer(caller.service)], ports: tcpPorts(caller.ports) })),
          ...(t.gatewayAccess
            ? [{ from: [namespacePeer(t.gatewayAccess.namespace)], ...(t.gatewayAccess.routes.length ? { ports: tcpPorts([...new Set(t.gatewayAccess.routes.map((r) => r.port))].sort((a, b) => a - b)) } : {}) }]
            : []),
          ...(metricsPorts.length
            ? [{
                from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': t.monitoringNamespace } } }],
                ports: metricsPorts.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
              }]
            : []),
        ],
      },
    });
    // Egress is denied but for what the service needs: DNS, istiod, its own namespace, its calls
    // and the destinations its values list.
    const dns = [53].flatMap((port) => ['UDP', 'TCP'].map((protocol) => ({ protocol, port: k8s.IntOrString.fromNumber(port) })));
    const callees = new Map<string, number[]>();
    for (const call of t.calls) callees.set(call.service, [...new Set([...(callees.get(call.service) ?? []), call.port])].sort((a, b) => a - b));
    new Manifest(this, 'egress', Kube.NetworkPolicy, {
      metadata: { name: 'restrict-egress', namespace, labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          // DNS must always resolve, or every call fails in confusing ways.
          { to: [namespacePeer('kube-system')], ports: dns },
          // The sidecar fetches its configuration and certificates from istiod.
          { to: [namespacePeer('istio-system')], ports: tcpPorts([15012, 15017]) },
          { to: [namespacePeer(namespace)] },
          ...[...callees].sort(([a], [b]) => (a < b ? -1 : 1)).map(([callee, ports]) => ({ to: [namespacePeer(callee)], ports: tcpPorts(ports) })),
          ...(t.egress?.namespaces.length ? [{ to: t.egress.namespaces.map(namespacePeer) }] : []),
          ...(t.egress?.cidrs ?? []).map((c) => ({ to: [{ ipBlock: { cidr: c.cidr } }], ports: tcpPorts(c.ports) })),
        ],
      },
    });
  }
}

function namespacePeer(name: string) {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } };
}

function tcpPorts(ports: readonly number[]) {
  return ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
}

/** The service's own principal among the allowed ones (it is always first by namespace). */
function principalOf(principals: readonly string[], namespace: string): string {
  return principals.find((p) => p.endsWith(`/ns/${namespace}/sa/${namespace}`))!;
}

/** A route's path prefix as AuthorizationPolicy paths: the prefix itself and everything under it. */
function pathPatterns(prefix: string): string[] {
  if (prefix === '/') return ['/*'];
  const trimmed = prefix.replace(/\/+$/, '');
  return [trimmed, `${trimmed}/*`];
}
