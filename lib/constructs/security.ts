import { Construct } from 'constructs';
import type { ResolvedService } from '../values/model';
import { AuthorizationPolicySpecAction, Istio, PeerAuthenticationSpecMtlsMode, ServiceEntrySpecLocation, ServiceEntrySpecResolution } from './istio';
import { k8s, Kube } from './k8s';
import { Manifest } from './manifest';
import { servesRequests } from '../observability/rules';
import { ENVOY_STATS_PORT } from './monitoring';

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
    // Prometheus also reads the sidecars' Envoy stats (not intercepted, so no mesh policy applies).
    const scrapedPorts = [...metricsPorts, ...(service.processes.some(servesRequests) ? [ENVOY_STATS_PORT] : [])];

    new Manifest(this, 'mtls', Istio.PeerAuthentication, {
      metadata: { name: 'default', namespace, labels },
      spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
    });
    // Metrics ports stay STRICT too: Prometheus scrapes them with its Istio certificates
    // (lib/constructs/monitoring.ts), so no port-level PERMISSIVE exception is needed.

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
          // Only Prometheus's own mesh identity may read metrics ports (it scrapes over mTLS).
          ...(metricsPorts.length ? [{ from: [{ source: { principals: [service.monitoring.prometheus.principal] } }], to: [{ operation: { ports: metricsPorts.map(String) } }] }] : []),
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
          ...(scrapedPorts.length
            ? [{
                from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': t.monitoringNamespace } } }],
                ports: scrapedPorts.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
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
          // NetworkPolicy matches addresses, not names: an external host is any public address on its port.
          ...[...new Set(t.external.map((e) => e.port))].sort((a, b) => a - b).map((port) => ({ to: [PUBLIC_ADDRESSES], ports: tcpPorts([port]) })),
        ],
      },
    });
    for (const external of t.external) {
      new Manifest(this, `external-${external.name}`, Istio.ServiceEntry, {
        metadata: { name: `${service.name}-${external.name}`, namespace, labels },
        spec: {
          hosts: [external.host],
          // Only this service's namespace sees the entry: other services declare their own.
          exportTo: ['.'],
          location: ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL,
          resolution: ServiceEntrySpecResolution.DNS,
          ports: [{ number: external.port, name: `${external.protocol}-${external.port}`, protocol: external.protocol.toUpperCase() }],
        },
      });
    }
  }
}

/** Every IPv4 address outside the private ranges (RFC 1918). */
const PUBLIC_ADDRESSES = { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } };

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
