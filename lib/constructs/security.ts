import { Construct } from 'constructs';
import type { ResolvedService } from '../values/model';
import { AuthorizationPolicySpecAction, Istio, PeerAuthenticationSpecMtlsMode } from './istio';
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
        rules: [
          { from: [{ source: { principals: [...t.principals] } }] },
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
          { from: t.callerNamespaces.map((name) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } })) },
          ...(scrapedPorts.length
            ? [{
                from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': t.monitoringNamespace } } }],
                ports: scrapedPorts.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
              }]
            : []),
        ],
      },
    });
    if (t.egress) {
      const dns = [53].flatMap((port) => ['UDP', 'TCP'].map((protocol) => ({ protocol, port: k8s.IntOrString.fromNumber(port) })));
      new Manifest(this, 'egress', Kube.NetworkPolicy, {
        metadata: { name: 'restrict-egress', namespace, labels },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            // DNS must always resolve, or every call fails in confusing ways.
            { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: dns },
            // The sidecar fetches its configuration and certificates from istiod.
            { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }], ports: [15012, 15017].map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })) },
            ...(t.egress.namespaces.length ? [{ to: t.egress.namespaces.map((name) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } })) }] : []),
            ...t.egress.cidrs.map((c) => ({ to: [{ ipBlock: { cidr: c.cidr } }], ports: c.ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })) })),
          ],
        },
      });
    }
  }
}
