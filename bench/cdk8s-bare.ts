/**
 * Baseline: bare cdk8s + cdk8s-plus-27 rendering the same objects as fleetchart, without any
 * validation (no schema, no platform rules). Reads the reference values the Helm chart reads
 * (bench/fleet.ts `referenceService`), builds one App per cluster and one Chart per service, and
 * writes `<out>/<cluster>/<service>.k8s.yaml`.
 *
 * Serialization is per chart and linear: each chart's ApiObjects are turned into JSON with
 * `ApiObject.toJson()` and written with cdk8s's `Yaml.stringify`. (`app.synth()` and
 * `Chart.toJson()` re-resolve the whole App for every chart, which is quadratic in the charts per
 * App; `--app-synth` measures that path instead.)
 *
 * Usage: node --require tsx/cjs bench/cdk8s-bare.ts <values.json> <out-dir> [--app-synth]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import type { Construct } from 'constructs';
import { ARGOCD_DEFAULTS, DEFAULTS } from '../lib/values/defaults';
import { LINTER_CHECKS } from '../lib/constructs/metadata';
import * as k8s from '../lib/imports/k8s';
import { AuthorizationPolicy, AuthorizationPolicySpecAction } from '../lib/imports/authorizationpolicy-security.istio.io';
import { DestinationRule } from '../lib/imports/destinationrule-networking.istio.io';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../lib/imports/peerauthentication-security.istio.io';
import { PodMonitor } from '../lib/imports/podmonitor-monitoring.coreos.com';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../lib/imports/prometheusrule-monitoring.coreos.com';
import { VirtualService, VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch } from '../lib/imports/virtualservice-networking.istio.io';
import type { ReferenceCluster } from './fleet';

interface RefProbe {
  path?: string;
  command?: string[];
  periodSeconds?: number;
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}
interface RefPort {
  name: string;
  port: number;
  protocol?: string;
}
interface RefProcess {
  ports?: RefPort[];
  command?: string[];
  replicas?: number;
  cpu?: string;
  memory?: string;
  memoryLimit?: string;
  probes?: { ready?: RefProbe; live?: RefProbe };
  env?: Record<string, string>;
}
interface RefRollout {
  version: string;
  step?: number;
  weight?: number;
  steps?: number[];
  rollback?: boolean;
}
interface RefRoute {
  host: string;
  paths?: string[];
  process?: string;
  port?: string;
  timeout?: string;
  retries?: { attempts: number; perTryTimeout?: string; retryOn?: string };
  cors?: { allowOrigins: string[]; allowMethods?: string[]; allowHeaders?: string[]; allowCredentials?: boolean; maxAge?: string };
}
interface RefService {
  name: string;
  team: string;
  tier?: 'critical' | 'standard' | 'batch';
  image: string;
  release: { versions?: string[]; default: string; rollout?: RefRollout; orgs?: Record<string, string>; users?: Record<string, string> };
  routes?: Record<string, RefRoute>;
  callers?: { services?: string[]; gateway?: boolean };
  egress?: { namespaces?: string[]; cidrs?: { cidr: string; ports: number[] }[] };
  processes: Record<string, RefProcess>;
  env?: Record<string, string>;
  secrets?: Record<string, { secret: string; key: string }>;
  identity?: true | { azureClientId: string };
  waivers?: Record<string, string>;
  slo?: Partial<Record<keyof typeof DEFAULTS.slo, number | string>>;
  overrides?: Record<string, Partial<RefService>>;
  /** Given ready-made per cluster (bench/fleet.ts referenceService): the Grafana dashboard JSON. */
  generated?: Record<string, { dashboardJson: string }>;
}

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The SRE workbook's burn-rate alerts: 2% of a 30-day budget in 1h, or 5% in 6h. */
const BURN_RATES = [
  { name: 'Fast', factor: 14.4, long: '1h', short: '5m', severity: 'critical' },
  { name: 'Slow', factor: 6, long: '6h', short: '30m', severity: 'critical' },
];
const RUNBOOK = 'docs/runbooks.md';
const sig6 = (x: number) => Number(x.toPrecision(6));

/**
 * The service's alerts: SLO burn rates (availability, latency) and version versus default version,
 * on requests as the callers' sidecars see them (reporter="source").
 */
function alertGroups(svc: RefService, cluster: ReferenceCluster): { name: string; rules: AlertRule[] }[] {
  const slo = { ...D.slo, ...svc.slo } as typeof D.slo;
  const name = svc.name;
  const prefix = name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  const sel = `reporter="source",destination_service_namespace="${name}"`;
  const labels = (severity: string) => ({ team: svc.team, service: name, cluster: cluster.name, severity });
  const errorRatio = (w: string) => `(sum (rate(istio_requests_total{${sel},response_code=~"5.."}[${w}])) / sum (rate(istio_requests_total{${sel}}[${w}])))`;
  const slowRatio = (w: string) => `(1 - (sum (rate(istio_request_duration_milliseconds_bucket{${sel},le="${slo.latencyP99Ms}"}[${w}])) / sum (rate(istio_request_duration_milliseconds_count{${sel}}[${w}]))))`;
  const budget = sig6((100 - slo.availability) / 100);
  const sloRules: AlertRule[] = BURN_RATES.flatMap((burn) => {
    const threshold = sig6(burn.factor * budget);
    const slow = sig6(burn.factor * 0.01);
    const days = 30 / burn.factor;
    const gone = days >= 1 ? `${Number(days.toFixed(1))} days` : `${Number((days * 24).toFixed(1))} hours`;
    return [
      {
        alert: `${prefix}ErrorBudget${burn.name}Burn`,
        expr: `${errorRatio(burn.long)} > ${threshold}\nand\n${errorRatio(burn.short)} > ${threshold}`,
        labels: labels(burn.severity),
        annotations: {
          summary: `${name} on ${cluster.name} burns its ${slo.availability}% availability budget ${burn.factor}x too fast`,
          description: `More than ${sig6(threshold * 100)}% of requests failed with a 5xx over the last ${burn.long} and ${burn.short} (including 5xx returned by the mesh itself). At this rate the 30-day error budget is gone in ${gone}.`,
          runbook_url: `${RUNBOOK}#error-budget-burn`,
        },
      },
      {
        alert: `${prefix}LatencyBudget${burn.name}Burn`,
        expr: `${slowRatio(burn.long)} > ${slow}\nand\n${slowRatio(burn.short)} > ${slow}`,
        labels: labels(burn.severity),
        annotations: {
          summary: `${name} on ${cluster.name} answers too slowly: p99 target ${slo.latencyP99Ms}ms`,
          description: `More than ${sig6(slow * 100)}% of requests took longer than ${slo.latencyP99Ms}ms over the last ${burn.long} and ${burn.short} (the target allows 1%).`,
          runbook_url: `${RUNBOOK}#latency-budget-burn`,
        },
      },
    ];
  });
  // A version other than the default that takes enough traffic and is clearly worse than the default version.
  const def = svc.release.default.slice(0, 63).replace(/^[-_.]+/, '').replace(/[-_.]+$/, '');
  const w = slo.compareWindow;
  const others = `${sel},destination_version!~"${def.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&')}|unknown"`;
  const onDefault = `${sel},destination_version="${def}"`;
  const enough = `sum by (destination_version) (increase(istio_requests_total{${others}}[${w}])) >= ${slo.minRequests}`;
  const errorIncrease = sig6(slo.maxErrorRatioIncrease / 100);
  const quantileOthers = `histogram_quantile(0.99, sum by (destination_version, le) (rate(istio_request_duration_milliseconds_bucket{${others}}[${w}])))`;
  const quantileDefault = `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${onDefault}}[${w}])))`;
  const verdict = `Run 'fleetchart verdict ${name} --cluster ${cluster.name} --prometheus <url>' and roll back.`;
  const versionRules: AlertRule[] = [
    {
      alert: `${prefix}VersionErrorRatio`,
      expr: `(\n  (sum by (destination_version) (rate(istio_requests_total{${others},response_code=~"5.."}[${w}])) / on (destination_version) sum by (destination_version) (rate(istio_requests_total{${others}}[${w}])))\n  - on () group_left ()\n  ((sum (rate(istio_requests_total{${onDefault},response_code=~"5.."}[${w}])) or vector(0)) / sum (rate(istio_requests_total{${onDefault}}[${w}])))\n) > ${errorIncrease}\nand on (destination_version)\n${enough}`,
      for: '5m',
      labels: labels('warning'),
      annotations: {
        summary: `${name} version {{ $labels.destination_version }} on ${cluster.name} fails more often than the default version ${def}`,
        description: `Its 5xx ratio over the last ${w} exceeds the default version's by more than ${sig6(errorIncrease * 100)}% (at least ${slo.minRequests} requests). ${verdict}`,
        runbook_url: `${RUNBOOK}#version-worse-than-default`,
      },
    },
    {
      alert: `${prefix}VersionLatency`,
      expr: `(\n  ${quantileOthers}\n  > on () group_left ()\n  (${quantileDefault} * ${slo.maxLatencyFactor})\n)\nand on (destination_version)\n(\n  ${quantileOthers}\n  - on () group_left ()\n  ${quantileDefault}\n) > ${slo.maxLatencyIncreaseMs}\nand on (destination_version)\n${enough}`,
      for: '5m',
      labels: labels('warning'),
      annotations: {
        summary: `${name} version {{ $labels.destination_version }} on ${cluster.name} is slower than the default version ${def}`,
        description: `Its p99 over the last ${w} is more than ${slo.maxLatencyFactor}x and ${slo.maxLatencyIncreaseMs}ms above the default version's (at least ${slo.minRequests} requests). ${verdict}`,
        runbook_url: `${RUNBOOK}#version-worse-than-default`,
      },
    },
  ];
  return [
    { name: `${name}.slo`, rules: sloRules },
    { name: `${name}.versions`, rules: versionRules },
  ];
}

/** Istio's protocols by port-name prefix (`<protocol>[-<suffix>]`), for ports without a protocol. */
const PROTOCOL_BY_NAME: Record<string, string> = { http: 'http', http2: 'http2', grpc: 'grpc', tcp: 'tcp', tls: 'tls', https: 'tls', mongo: 'tcp', mysql: 'tcp', redis: 'tcp' };
const portProtocol = (port: RefPort) => port.protocol ?? PROTOCOL_BY_NAME[port.name.split('-')[0]] ?? D_PORT_PROTOCOL;
const D_PORT_PROTOCOL: string = DEFAULTS.portProtocol;
/** The sidecars' Envoy stats, which Prometheus scrapes on every process serving requests. */
const ENVOY_STATS = { port: 'http-envoy-prom', portNumber: 15090, path: '/stats/prometheus' };
const servesRequests = (p: RefProcess) => (p.ports ?? []).some((port) => ['http', 'http2', 'grpc'].includes(portProtocol(port)) && port.name !== DEFAULTS.metrics.port);

/** waiver.fleetchart.io/<rule> per waived rule, and each linter's own ignore annotation for the checks it covers (plus kube-score checks answered by design). */
function waiverAnnotations(waivers: Record<string, string> | undefined, kubeScoreByDesign: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const kubeScore: string[] = [];
  let checkov = 0;
  for (const rule of Object.keys(waivers ?? {}).sort()) {
    const reason = waivers![rule];
    out[`waiver.fleetchart.io/${rule}`] = reason;
    const checks = LINTER_CHECKS[rule] ?? {};
    kubeScore.push(...(checks.kubeScore ?? []));
    for (const check of checks.checkov ?? []) out[`checkov.io/skip${++checkov}`] = `${check}=${rule}: ${reason}`;
    for (const check of checks.monokle ?? []) out[`monokle.io/suppress.${check}`] = `${rule}: ${reason}`;
  }
  const ignored = [...new Set([...kubeScore, ...kubeScoreByDesign])];
  if (ignored.length) out['kube-score/ignore'] = ignored.join(',');
  return out;
}

/** fleetchart's defaults, from their one place: the baseline must render the same objects. */
const D = DEFAULTS;

interface Rule {
  name: string;
  match?: { header: string; exact: string[] } | { header: string; regex: string };
  version: string;
}

/** A version as a DNS label (subset name, Deployment suffix), as lib/values/release.ts writes it. */
function versionId(version: string): string {
  if (version.startsWith('sha256:')) return `sha256-${version.slice(7, 19)}`;
  return version.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, 40).replace(/-+$/, '') || 'v';
}

/** Organization buckets 0 … weight-1 as decimals with any leading zeros. */
function bucketRegex(weight: number): string {
  if (weight >= 100) return '^0*[0-9]{1,2}$';
  const n = weight - 1;
  if (n < 10) return `^0*[0-${n}]$`;
  const tens = Math.floor(n / 10);
  const parts = ['[0-9]'];
  if (tens === 2) parts.push('1[0-9]');
  else if (tens > 2) parts.push(`[1-${tens - 1}][0-9]`);
  parts.push(`${tens}[0-${n % 10}]`);
  return `^0*(${parts.join('|')})$`;
}

/** The rollout's share of organization buckets. */
function rolloutWeight(rollout: RefRollout): number {
  return rollout.step !== undefined ? (rollout.steps ?? D.rolloutSteps)[rollout.step] : (rollout.weight ?? 0);
}

function liveVersions(svc: RefService): string[] {
  return svc.release.versions ?? [...new Set([svc.release.default, ...(svc.release.rollout ? [svc.release.rollout.version] : [])])];
}

/** Routing rules: pinned users, pinned organizations (per version), the rollout's buckets, the default. */
function routingRules(svc: RefService, cluster: ReferenceCluster): Rule[] {
  const r = cluster.routing;
  const rules: Rule[] = [];
  const pin = (kind: string, header: string, pins: Record<string, string> | undefined) => {
    for (const version of liveVersions(svc)) {
      const ids = Object.keys(pins ?? {}).sort().filter((id) => pins![id] === version);
      if (ids.length) rules.push({ name: `${kind}-${versionId(version)}`, match: { header, exact: ids }, version });
    }
  };
  pin('users', r.userHeader, svc.release.users);
  pin('orgs', r.orgHeader, svc.release.orgs);
  const rollout = svc.release.rollout;
  if (rollout && rolloutWeight(rollout) > 0 && !rollout.rollback) rules.push({ name: 'rollout', match: { header: r.bucketHeader, regex: bucketRegex(rolloutWeight(rollout)) }, version: rollout.version });
  rules.push({ name: 'default', version: svc.release.default });
  return rules;
}

/** Pods per version of a process routed by organization (see versionReplicas in lib/values/release.ts). */
function versionReplicas(svc: RefService, version: string, replicas: number, prod: boolean): number {
  const rollout = svc.release.rollout;
  if (version === svc.release.default) return replicas;
  if (Object.values(svc.release.orgs ?? {}).includes(version)) return replicas;
  const floor = Math.min(replicas, prod ? 2 : 1);
  if (version === rollout?.version && !rollout.rollback) return Math.min(replicas, Math.max(floor, Math.ceil((replicas * rolloutWeight(rollout)) / 100)));
  return floor;
}

/** Every rule × every path (exact /p and prefix /p/), with the route's timeout, retries and CORS. */
function httpRoutes(rules: Rule[], o: { host: string; paths?: string[]; port?: number; matchPort?: number; nameSuffix?: string; timeout: string; retries: { attempts: number; perTryTimeout: string; retryOn: string }; cors?: RefRoute['cors'] }): VirtualServiceSpecHttp[] {
  const pathMatch = (path: string): VirtualServiceSpecHttpMatch[] => {
    const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
    return p === '/' ? [{ uri: { prefix: '/' } }] : [{ uri: { exact: p } }, { uri: { prefix: `${p}/` } }];
  };
  const bases: VirtualServiceSpecHttpMatch[] = o.paths ? o.paths.flatMap(pathMatch) : o.matchPort !== undefined ? [{ port: o.matchPort }] : [{}];
  return rules.map((rule) => {
    const m = rule.match;
    const headers = m ? ('exact' in m ? m.exact.map((exact) => ({ [m.header]: { exact } })) : [{ [m.header]: { regex: m.regex } }]) : [];
    const match = m ? headers.flatMap((h) => bases.map((b) => ({ ...b, headers: h }))) : o.paths || o.matchPort !== undefined ? bases : undefined;
    return {
      name: rule.name + (o.nameSuffix ?? ''),
      match,
      route: [{ destination: { host: o.host, subset: versionId(rule.version), port: o.port === undefined ? undefined : { number: o.port } } }],
      timeout: o.timeout,
      retries: o.retries.attempts > 0 ? o.retries : { attempts: 0 },
      corsPolicy: o.cors
        ? {
            allowOrigins: o.cors.allowOrigins.map((exact) => ({ exact })),
            allowMethods: o.cors.allowMethods ?? ['GET', 'POST'],
            allowHeaders: o.cors.allowHeaders,
            allowCredentials: o.cors.allowCredentials,
            maxAge: o.cors.maxAge,
          }
        : undefined,
    };
  });
}

function deepMerge<T>(base: T, override: unknown): T {
  if (override === undefined) return base;
  if (base && override && typeof base === 'object' && typeof override === 'object' && !Array.isArray(base) && !Array.isArray(override)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(override)) out[k] = deepMerge((base as Record<string, unknown>)[k], v);
    return out as T;
  }
  return override as T;
}

function probe(given: RefProbe | undefined, ports: RefPort[] | undefined, failureThreshold: number): k8s.Probe {
  const g = given ?? {};
  const first = ports?.[0];
  const handler: k8s.Probe = g.command
    ? { exec: { command: g.command } }
    : g.path
      ? { httpGet: { path: g.path, port: k8s.IntOrString.fromString(first!.name) } }
      : first?.protocol === 'grpc'
        ? { grpc: { port: first.port } }
        : { tcpSocket: { port: k8s.IntOrString.fromString(first!.name) } };
  return {
    ...handler,
    initialDelaySeconds: g.initialDelaySeconds ?? D.probe.initialDelaySeconds,
    periodSeconds: g.periodSeconds ?? D.probe.periodSeconds,
    timeoutSeconds: g.timeoutSeconds ?? D.probe.timeoutSeconds,
    failureThreshold: g.failureThreshold ?? failureThreshold,
  };
}

class ServiceChart extends Chart {
  constructor(scope: Construct, base: RefService, cluster: ReferenceCluster, libraryVersion: string) {
    super(scope, base.name, { disableResourceNameHashes: true });
    const svc = deepMerge(base, base.overrides?.[cluster.name]);
    const ns = svc.name;
    // Every object's own metadata names the library release; the namespace and Deployments also carry the waivers.
    const annotations = { 'fleetchart.io/library-version': libraryVersion };
    const waived: Record<string, string> = { ...waiverAnnotations(svc.waivers), ...annotations };
    const labels = {
      'app.kubernetes.io/name': svc.name,
      'app.kubernetes.io/instance': svc.name,
      'app.kubernetes.io/part-of': svc.team,
      'app.kubernetes.io/managed-by': 'fleetchart',
      team: svc.team,
    };
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: ns,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
          ...(cluster.mesh.revision ? { 'istio.io/rev': cluster.mesh.revision } : { 'istio-injection': 'enabled' }),
        },
        annotations: waived,
      },
    });
    const identityAnnotations: Record<string, string> = {};
    const podIdentityLabels: Record<string, string> = {};
    if (svc.identity) {
      const p = cluster.provider;
      if (p.kind === 'gke') identityAnnotations['iam.gke.io/gcp-service-account'] = `${svc.name}@${p.project}.iam.gserviceaccount.com`;
      if (p.kind === 'aks' && svc.identity !== true) {
        identityAnnotations['azure.workload.identity/client-id'] = svc.identity.azureClientId;
        identityAnnotations['azure.workload.identity/tenant-id'] = p.tenantId;
      }
      if (p.kind === 'aks') podIdentityLabels['azure.workload.identity/use'] = 'true';
    }
    new k8s.KubeServiceAccount(this, 'identity', {
      metadata: { name: svc.name, namespace: ns, labels, annotations: { ...identityAnnotations, ...annotations } },
      automountServiceAccountToken: false,
    });
    const trustDomain = cluster.mesh.trustDomain ?? 'cluster.local';
    const routes = Object.keys(svc.routes ?? {}).sort();
    // Each route's process and port, for its VirtualService and the gateway's access rules.
    const routed = routes.map((routeName) => {
      const route = svc.routes![routeName];
      // The process serving HTTP unless named, its first HTTP port unless named.
      const isHttp = (port: RefPort) => ['http', 'http2', 'grpc'].includes(portProtocol(port));
      const process = route.process ?? Object.keys(svc.processes).sort().find((n) => (svc.processes[n].ports ?? []).some(isHttp))!;
      const ports = svc.processes[process].ports!.filter(isHttp);
      const port = route.port ? ports.find((x) => x.name === route.port)! : ports[0];
      return { routeName, route, process, port: port.port, paths: route.paths ?? [...D.routePaths] };
    });
    // callers.services only consent: a caller is let in on the ports it calls (calls), and the synthetic fleet has none.
    const gateway = svc.callers?.gateway ?? routes.length > 0;
    const [gatewayNamespace, gatewayAccount] = cluster.ingress.serviceAccount.split('/');
    const gatewayPrincipal = `${trustDomain}/ns/${gatewayNamespace}/sa/${gatewayAccount}`;
    const namespaceSelector = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
    const tcp = (port: number) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
    const pathPatterns = (prefix: string) => (prefix === '/' ? ['/*'] : [prefix.replace(/\/+$/, ''), `${prefix.replace(/\/+$/, '')}/*`]);
    const serving = Object.values(svc.processes).some(servesRequests);
    new PeerAuthentication(this, 'mtls', { metadata: { name: 'default', namespace: ns, labels, annotations }, spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } } });
    new AuthorizationPolicy(this, 'authorization', {
      metadata: { name: 'allow-callers', namespace: ns, labels, annotations },
      spec: {
        action: AuthorizationPolicySpecAction.ALLOW,
        rules: [
          { from: [{ source: { principals: [`${trustDomain}/ns/${ns}/sa/${ns}`] } }] },
          ...(gateway
            ? routed.length
              ? routed.map((r) => ({ from: [{ source: { principals: [gatewayPrincipal] } }], to: [{ operation: { ports: [String(r.port)], paths: r.paths.flatMap(pathPatterns) } }] }))
              : [{ from: [{ source: { principals: [gatewayPrincipal] } }] }]
            : []),
        ],
      },
    });
    new k8s.KubeNetworkPolicy(this, 'default-deny', { metadata: { name: 'default-deny-ingress', namespace: ns, labels, annotations }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    const routePorts = [...new Set(routed.map((r) => r.port))].sort((a, b) => a - b);
    new k8s.KubeNetworkPolicy(this, 'allow', {
      metadata: { name: 'allow-callers', namespace: ns, labels, annotations },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          { from: [namespaceSelector(ns)] },
          ...(gateway ? [{ from: [namespaceSelector(gatewayNamespace)], ports: routePorts.length ? routePorts.map(tcp) : undefined }] : []),
          // Prometheus reads the sidecars' Envoy stats.
          ...(serving ? [{ from: [namespaceSelector(cluster.monitoringNamespace)], ports: [tcp(ENVOY_STATS.portNumber)] }] : []),
        ],
      },
    });
    // Egress is denied but for DNS, istiod, the service's own namespace and the destinations its values list.
    const egressNamespaces = [...(svc.egress?.namespaces ?? [])].sort();
    new k8s.KubeNetworkPolicy(this, 'egress', {
      metadata: { name: 'restrict-egress', namespace: ns, labels, annotations },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          { to: [namespaceSelector('kube-system')], ports: ['UDP', 'TCP'].map((protocol) => ({ protocol, port: k8s.IntOrString.fromNumber(53) })) },
          { to: [namespaceSelector('istio-system')], ports: [15012, 15017].map(tcp) },
          { to: [namespaceSelector(ns)] },
          ...(egressNamespaces.length ? [{ to: egressNamespaces.map(namespaceSelector) }] : []),
          ...(svc.egress?.cidrs ?? []).map((c) => ({ to: [{ ipBlock: { cidr: c.cidr } }], ports: c.ports.map(tcp) })),
        ],
      },
    });
    const prometheusLabels = cluster.prometheus?.selectorLabels ?? {};
    const generated = svc.generated?.[cluster.name];
    if (serving) {
      new PrometheusRule(this, 'alerts', {
        metadata: { name: `${svc.name}-alerts`, namespace: ns, labels: { ...labels, ...prometheusLabels }, annotations },
        spec: {
          groups: alertGroups(svc, cluster).map((group) => ({
            name: group.name,
            rules: group.rules.map((rule) => ({ alert: rule.alert, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr), for: rule.for, labels: rule.labels, annotations: rule.annotations })),
          })),
        },
      });
    }
    const grafana = cluster.grafana ?? {};
    new k8s.KubeConfigMap(this, 'dashboard', {
      metadata: {
        name: `${svc.name}-dashboard`,
        namespace: ns,
        labels: { ...labels, [grafana.dashboardLabel ?? D.grafana.dashboardLabel]: '1' },
        annotations: { ...annotations, [grafana.folderAnnotation ?? D.grafana.folderAnnotation]: grafana.folder ?? D.grafana.folder },
      },
      data: { [`${svc.name}.json`]: generated!.dashboardJson },
    });
    const argocd = cluster.argocd;
    if (argocd) {
      // Argo CD's Application: no generated class here, a plain ApiObject.
      new ApiObject(this, 'application', {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: `${cluster.name}.${svc.name}`,
          namespace: argocd.namespace ?? ARGOCD_DEFAULTS.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'fleetchart', 'fleetchart.io/cluster': cluster.name, 'fleetchart.io/service': svc.name },
        },
        spec: {
          project: argocd.project ?? ARGOCD_DEFAULTS.project,
          source: { repoURL: argocd.repoURL, targetRevision: argocd.targetRevision ?? ARGOCD_DEFAULTS.targetRevision, path: `charts-out/${cluster.name}`, directory: { include: `${svc.name}.k8s.yaml` } },
          destination: { name: argocd.destination ?? cluster.name },
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            syncOptions: ['ServerSideApply=true', 'PruneLast=true', 'FailOnSharedResource=true'],
            retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '5m' } },
          },
        },
      });
    }
    const rules = routingRules(svc, cluster);
    for (const name of Object.keys(svc.processes).sort()) {
      const p = svc.processes[name];
      const fullName = `${svc.name}-${name}`;
      const processLabels = { ...labels, 'app.kubernetes.io/component': name };
      const selector = { 'app.kubernetes.io/name': svc.name, 'app.kubernetes.io/component': name };
      const replicas = p.replicas ?? D.replicas;
      const memory = p.memory ?? D.memory;
      const plain = { ...svc.env, ...p.env };
      const env: k8s.EnvVar[] = [
        ...Object.entries(plain).map(([n, value]) => ({ name: n, value })),
        ...Object.entries(svc.secrets ?? {}).map(([n, ref]) => ({ name: n, valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } } })),
      ].sort((a, b) => (a.name < b.name ? -1 : 1));
      if (p.ports) {
        new k8s.KubeService(this, `${name}-service`, {
          metadata: { name: fullName, namespace: ns, labels: processLabels, annotations },
          spec: {
            type: 'ClusterIP',
            selector,
            ports: p.ports.map((port) => ({ name: port.name, port: port.port, targetPort: k8s.IntOrString.fromString(port.name), protocol: 'TCP', appProtocol: portProtocol(port) })),
          },
        });
      }
      // Processes with ports (all HTTP in the synthetic fleet) run a Deployment per live version; workers the default only.
      const tracks = p.ports
        ? liveVersions(svc).map((version) => ({ deploymentName: `${fullName}-${versionId(version)}`, extra: { version } as Record<string, string>, version, replicas: versionReplicas(svc, version, replicas, cluster.environment === 'prod') }))
        : [{ deploymentName: fullName, extra: { track: 'stable' } as Record<string, string>, version: svc.release.default, replicas }];
      for (const { deploymentName, extra, version, replicas: trackReplicas } of tracks) {
        const trackSelector = { ...selector, ...extra };
        const podLabels = { ...processLabels, ...trackSelector, ...podIdentityLabels, 'app.kubernetes.io/version': version, app: fullName, version };
        const spread = (topologyKey: string, whenUnsatisfiable: string): k8s.TopologySpreadConstraint => ({
          topologyKey,
          whenUnsatisfiable,
          maxSkew: 1,
          labelSelector: { matchLabels: trackSelector },
          matchLabelKeys: ['pod-template-hash'],
        });
        const readiness = p.ports || p.probes?.ready ? probe(p.probes?.ready, p.ports, D.probe.failureThreshold) : undefined;
        const liveness = p.ports || p.probes?.live ? probe(p.probes?.live, p.ports, D.livenessFailureThreshold) : undefined;
        // Both probes the same TCP connect: kube-score's pod-probes-identical is ignored by design.
        const tcpBoth = readiness?.tcpSocket && liveness?.tcpSocket && readiness.tcpSocket.port.value === liveness.tcpSocket.port.value;
        new k8s.KubeDeployment(this, `${name}-deployment-${deploymentName}`, {
          metadata: { name: deploymentName, namespace: ns, labels: podLabels, annotations: tcpBoth ? { ...waiverAnnotations(svc.waivers, ['pod-probes-identical']), ...annotations } : waived },
          spec: {
            replicas: trackReplicas,
            selector: { matchLabels: trackSelector },
            strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromString(D.maxSurge) } },
            minReadySeconds: D.minReadySeconds,
            progressDeadlineSeconds: D.progressDeadlineSeconds,
            revisionHistoryLimit: D.revisionHistoryLimit,
            template: {
              metadata: {
                labels: podLabels,
                annotations: {
                  'kubectl.kubernetes.io/default-container': name,
                  'proxy.istio.io/config': JSON.stringify({ holdApplicationUntilProxyStarts: true, terminationDrainDuration: `${D.preStopSeconds + 5}s` }),
                },
              },
              spec: {
                serviceAccountName: svc.name,
                automountServiceAccountToken: false,
                priorityClassName: cluster.priorityClasses[svc.tier ?? D.tier],
                enableServiceLinks: false,
                terminationGracePeriodSeconds: D.terminationGracePeriodSeconds,
                securityContext: { runAsNonRoot: true, runAsUser: D.runAsUser, runAsGroup: D.runAsUser, fsGroup: D.runAsUser, seccompProfile: { type: 'RuntimeDefault' } },
                topologySpreadConstraints: [spread('topology.kubernetes.io/zone', 'DoNotSchedule'), spread('kubernetes.io/hostname', 'ScheduleAnyway')],
                affinity: {
                  podAntiAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: trackSelector } } }],
                  },
                },
                containers: [
                  {
                    name,
                    image: `${svc.image}:${version}`,
                    // A digest names fixed bytes: a cached copy is the same image. A tag may have moved.
                    imagePullPolicy: /sha256:[a-f0-9]{64}$/.test(version) ? 'IfNotPresent' : 'Always',
                    command: p.command,
                    ports: p.ports?.map((port) => ({ name: port.name, containerPort: port.port, protocol: 'TCP' })),
                    env: env.length ? env : undefined,
                    resources: {
                      requests: { cpu: k8s.Quantity.fromString(p.cpu ?? D.cpu), memory: k8s.Quantity.fromString(memory) },
                      limits: { memory: k8s.Quantity.fromString(p.memoryLimit ?? memory) },
                    },
                    readinessProbe: readiness,
                    livenessProbe: liveness,
                    lifecycle: { preStop: { sleep: { seconds: D.preStopSeconds } } },
                    securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
                    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                  },
                ],
                volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString(D.tmpSize) } }],
              },
            },
          },
        });
      }
      if (p.ports) {
        const host = `${fullName}.${ns}.svc.cluster.local`;
        new DestinationRule(this, `${name}-destination-rule`, {
          metadata: { name: fullName, namespace: ns, labels: processLabels, annotations },
          spec: {
            host,
            trafficPolicy: {
              connectionPool: { tcp: { maxConnections: 1024, connectTimeout: '2s' }, http: { http2MaxRequests: 1024, idleTimeout: '300s' } },
              outlierDetection: { consecutive5XxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
            },
            subsets: liveVersions(svc).map((version) => ({ name: versionId(version), labels: { version } })),
          },
        });
        new VirtualService(this, `${name}-virtual-service`, {
          metadata: { name: fullName, namespace: ns, labels: processLabels, annotations },
          spec: {
            hosts: [host],
            gateways: ['mesh'],
            // A Service with several ports: each HTTP port's rules matched by and sent to that port.
            http:
              p.ports.length < 2
                ? httpRoutes(rules, { host, timeout: D.routeTimeout, retries: D.retries })
                : p.ports
                    .filter((port) => ['http', 'http2', 'grpc'].includes(portProtocol(port)))
                    .flatMap((port) => httpRoutes(rules, { host, port: port.port, matchPort: port.port, nameSuffix: `-${port.name}`, timeout: D.routeTimeout, retries: D.retries })),
          },
        });
      }
      if (servesRequests(p)) {
        new PodMonitor(this, `${name}-mesh-monitor`, {
          metadata: { name: `${fullName}-mesh`, namespace: ns, labels: { ...processLabels, ...prometheusLabels }, annotations },
          spec: {
            selector: { matchLabels: selector },
            namespaceSelector: { matchNames: [ns] },
            podMetricsEndpoints: [{ port: ENVOY_STATS.port, path: ENVOY_STATS.path, interval: D.metrics.interval }],
          },
        });
      }
      if (replicas >= 2) {
        new k8s.KubePodDisruptionBudget(this, `${name}-pdb`, {
          metadata: { name: fullName, namespace: ns, labels: processLabels, annotations },
          spec: { maxUnavailable: k8s.IntOrString.fromNumber(D.pdbMaxUnavailable), selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
        });
      }
    }
    for (const { routeName, route, process, port, paths } of routed) {
      new VirtualService(this, `route-${routeName}`, {
        metadata: { name: `${svc.name}-ingress-${routeName}`, namespace: ns, labels: { ...labels, 'app.kubernetes.io/component': process }, annotations },
        spec: {
          hosts: [route.host.includes('.') ? route.host : `${route.host}.${cluster.baseDomain}`],
          gateways: [cluster.ingress.gateway],
          http: httpRoutes(rules, {
            host: `${svc.name}-${process}.${ns}.svc.cluster.local`,
            paths,
            port,
            timeout: route.timeout ?? D.routeTimeout,
            retries: { ...D.retries, ...route.retries },
            cors: route.cors,
          }),
        },
      });
    }
  }
}

function main(argv: string[]): void {
  const [valuesFile, outDir] = argv.filter((a) => !a.startsWith('--'));
  const appSynth = argv.includes('--app-synth');
  const values = JSON.parse(fs.readFileSync(valuesFile, 'utf8')) as { libraryVersion: string; clusters: ReferenceCluster[]; services: RefService[] };
  let files = 0;
  for (const cluster of values.clusters) {
    const dir = path.join(outDir, cluster.name);
    const app = new App({ outdir: dir, outputFileExtension: '.k8s.yaml' });
    const charts = values.services.map((svc) => new ServiceChart(app, svc, cluster, values.libraryVersion));
    if (appSynth) {
      app.synth();
    } else {
      fs.mkdirSync(dir, { recursive: true });
      for (const chart of charts) {
        const objects = chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
        fs.writeFileSync(path.join(dir, `${chart.node.id}.k8s.yaml`), Yaml.stringify(...objects.map((o) => o.toJson())));
      }
    }
    files += charts.length;
  }
  console.log(`${files} files`);
}

main(process.argv.slice(2));
