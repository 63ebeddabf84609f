import { Construct } from 'constructs';
import { serviceDashboard } from '../observability/dashboard';
import { serviceRuleGroups, servesRequests } from '../observability/rules';
import { LABEL } from '../values/labels';
import type { ResolvedProcess, ResolvedService } from '../values/model';
import { Kube } from './k8s';
import { Manifest } from './manifest';
import { Monitoring, PrometheusRuleSpecGroupsRulesExpr, ServiceMonitorSpecEndpointsScheme } from './prometheus';

/**
 * Port and path of the Envoy stats on every injected sidecar (the `istio-proxy` container's port
 * `http-envoy-prom`, 15090, in Istio's injection template,
 * manifests/charts/istio-control/istio-discovery/files/injection-template.yaml). The sidecar does
 * not intercept it, so Prometheus scrapes it in plain text under STRICT mTLS.
 */
export const ENVOY_STATS = { port: 'http-envoy-prom', path: '/stats/prometheus' } as const;
export const ENVOY_STATS_PORT = 15090;

/**
 * How Prometheus scrapes a process under STRICT mTLS, Istio's "Prometheus with Istio
 * certificates" set-up (https://istio.io/latest/docs/ops/integrations/prometheus/#tls-settings):
 * the Prometheus pods run an Istio sidecar that only writes its workload certificates to a shared
 * volume (certDir), and Prometheus presents them when scraping app metrics, so metrics ports stay
 * STRICT and admit Prometheus's mesh identity only (lib/constructs/security.ts). The certificate
 * names a SPIFFE identity, not the pod's address, hence insecureSkipVerify, as in Istio's example.
 *
 * - a ServiceMonitor per process with app metrics: the process Service's metrics port, over mTLS;
 * - a PodMonitor per process serving HTTP: the sidecars' Envoy stats (Istio's request metrics,
 *   which the alerts and dashboards read), in plain text on a port the sidecar does not intercept.
 */
export class ProcessMonitoring extends Construct {
  constructor(scope: Construct, id: string, service: ResolvedService, process: ResolvedProcess) {
    super(scope, id);
    const prometheus = service.monitoring.prometheus;
    const labels = { ...process.labels, ...prometheus.selectorLabels };
    const namespaceSelector = { matchNames: [service.namespace] };
    if (process.metrics) {
      const certs = prometheus.certDir;
      new Manifest(this, 'service-monitor', Monitoring.ServiceMonitor, {
        metadata: { name: process.fullName, namespace: service.namespace, labels },
        spec: {
          // The process Service carries exactly the process labels (lib/constructs/network.ts).
          selector: { matchLabels: { ...process.labels } },
          namespaceSelector,
          podTargetLabels: [LABEL.istioVersion, LABEL.team],
          endpoints: [
            {
              port: process.metrics.port,
              path: process.metrics.path,
              interval: process.metrics.interval,
              scheme: ServiceMonitorSpecEndpointsScheme.HTTPS,
              tlsConfig: { caFile: `${certs}/root-cert.pem`, certFile: `${certs}/cert-chain.pem`, keyFile: `${certs}/key.pem`, insecureSkipVerify: true },
            },
          ],
        },
      });
    }
    if (servesRequests(process)) {
      new Manifest(this, 'mesh-monitor', Monitoring.PodMonitor, {
        metadata: { name: `${process.fullName}-mesh`, namespace: service.namespace, labels },
        spec: {
          selector: { matchLabels: { ...process.selector } },
          namespaceSelector,
          podMetricsEndpoints: [{ port: ENVOY_STATS.port, path: ENVOY_STATS.path, interval: service.monitoring.scrapeInterval }],
        },
      });
    }
  }
}

/** The service's alert rules (lib/observability/rules.ts) as a PrometheusRule. */
export class ServiceAlerts extends Construct {
  constructor(scope: Construct, id: string, service: ResolvedService) {
    super(scope, id);
    const groups = serviceRuleGroups(service);
    if (groups.length === 0) return;
    new Manifest(this, 'rules', Monitoring.PrometheusRule, {
      metadata: { name: `${service.name}-alerts`, namespace: service.namespace, labels: { ...service.labels, ...service.monitoring.prometheus.selectorLabels } },
      spec: {
        groups: groups.map((group) => ({
          name: group.name,
          rules: group.rules.map((rule) => ({
            alert: rule.alert,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr),
            for: rule.for,
            labels: { ...rule.labels },
            annotations: { ...rule.annotations },
          })),
        })),
      },
    });
  }
}

/**
 * The service's Grafana dashboard (lib/observability/dashboard.ts) as a ConfigMap that Grafana's
 * dashboard sidecar (k8s-sidecar, as the Grafana Helm chart runs it) loads: found by its label,
 * filed in the folder its annotation names.
 */
export class ServiceDashboard extends Construct {
  constructor(scope: Construct, id: string, service: ResolvedService) {
    super(scope, id);
    const grafana = service.monitoring.grafana;
    new Manifest(this, 'dashboard', Kube.ConfigMap, {
      metadata: {
        name: `${service.name}-dashboard`,
        namespace: service.namespace,
        labels: { ...service.labels, [grafana.dashboardLabel]: '1' },
        annotations: { [grafana.folderAnnotation]: grafana.folder },
      },
      data: { [`${service.name}.json`]: `${JSON.stringify(serviceDashboard(service), null, 2)}\n` },
    });
  }
}
