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
        rules: [
          { from: [{ source: { principals: [...t.principals] } }] },
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
          { from: t.callerNamespaces.map((name) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } })) },
          ...(metricsPorts.length
            ? [{
                from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': t.monitoringNamespace } } }],
                ports: metricsPorts.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
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
