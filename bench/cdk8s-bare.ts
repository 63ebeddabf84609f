/**
 * Baseline: bare cdk8s + its generated Kubernetes types (lib/imports/k8s.ts) rendering the same objects as fleetchart, without any
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
import * as k8s from '../lib/imports/k8s';
import type { Construct } from 'constructs';
import { DEFAULTS } from '../lib/values/defaults';
import { AuthorizationPolicy, AuthorizationPolicySpecAction } from '../lib/imports/authorizationpolicy-security.istio.io';
import { DestinationRule } from '../lib/imports/destinationrule-networking.istio.io';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../lib/imports/peerauthentication-security.istio.io';
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
interface RefCanary {
  version: string;
  step?: number;
  weight?: number;
  steps?: number[];
  orgs?: string[];
  users?: string[];
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
  release: { stable: string; canary?: RefCanary; holdOrgs?: string[] };
  routes?: Record<string, RefRoute>;
  callers?: { services?: string[]; gateway?: boolean };
  egress?: { namespaces?: string[]; cidrs?: { cidr: string; ports: number[] }[] };
  processes: Record<string, RefProcess>;
  env?: Record<string, string>;
  secrets?: Record<string, { secret: string; key: string }>;
  identity?: true | { azureClientId: string };
  overrides?: Record<string, Partial<RefService>>;
}

/** fleetchart's defaults, from their one place: the baseline must render the same objects. */
const D = DEFAULTS;

type Track = 'stable' | 'canary';
interface Stage {
  name: string;
  match?: { header: string; regex: string; cookie?: string };
  destinations: { track: Track; weight: number }[];
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Organization buckets 0 … weight-1 as a regex (buckets are 0–99). */
function bucketRegex(weight: number): string {
  const n = weight - 1;
  if (n < 10) return `^[0-${n}]$`;
  const tens = Math.floor(n / 10);
  const parts = ['[0-9]'];
  if (tens === 2) parts.push('1[0-9]');
  else if (tens > 2) parts.push(`[1-${tens - 1}][0-9]`);
  parts.push(`${tens}[0-${n % 10}]`);
  return `^(${parts.join('|')})$`;
}

/** The canary's share of unpinned traffic. */
function canaryWeight(canary: RefCanary): number {
  return canary.step !== undefined ? (canary.steps ?? D.canarySteps)[canary.step] : (canary.weight ?? 0);
}

/** Routing stages: held orgs, pinned orgs, pinned users, org buckets, then the weighted split. */
function routingStages(svc: RefService, cluster: ReferenceCluster): Stage[] {
  const canary = svc.release.canary;
  if (!canary) return [{ name: 'weighted', destinations: [{ track: 'stable', weight: 100 }] }];
  const r = cluster.routing;
  const weight = canaryWeight(canary);
  const stages: Stage[] = [];
  const pin = (name: string, ids: string[] | undefined, header: string, cookie: string, track: Track) => {
    if (!ids?.length) return;
    const alternatives = ids.map(escapeRegex).join('|');
    stages.push({ name, match: { header, regex: `^(${alternatives})$`, cookie: `^(.*;\\s*)?${escapeRegex(cookie)}=(${alternatives})(;.*)?$` }, destinations: [{ track, weight: 100 }] });
  };
  pin('hold-orgs', svc.release.holdOrgs, r.orgHeader, r.orgCookie, 'stable');
  pin('canary-orgs', canary.orgs, r.orgHeader, r.orgCookie, 'canary');
  pin('canary-users', canary.users, r.userHeader, r.userCookie, 'canary');
  if (weight > 0 && weight < 100) {
    stages.push({ name: 'canary-buckets', match: { header: r.bucketHeader, regex: bucketRegex(weight) }, destinations: [{ track: 'canary', weight: 100 }] });
    stages.push({ name: 'stable-buckets', match: { header: r.bucketHeader, regex: '.+' }, destinations: [{ track: 'stable', weight: 100 }] });
  }
  const split: Stage['destinations'] = [];
  if (weight < 100) split.push({ track: 'stable', weight: 100 - weight });
  if (weight > 0) split.push({ track: 'canary', weight });
  stages.push({ name: 'weighted', destinations: split });
  return stages;
}

/** Every stage × every path prefix, with the route's timeout, retries and CORS. */
function httpRoutes(stages: Stage[], o: { host: string; paths?: string[]; port?: number; timeout: string; retries: { attempts: number; perTryTimeout: string; retryOn: string }; cors?: RefRoute['cors'] }): VirtualServiceSpecHttp[] {
  const bases: VirtualServiceSpecHttpMatch[] = o.paths ? o.paths.map((prefix) => ({ uri: { prefix } })) : [{}];
  return stages.map((stage) => {
    const m = stage.match;
    const match = m
      ? bases.flatMap((b) => [
          { ...b, headers: { [m.header]: { regex: m.regex } } },
          ...(m.cookie ? [{ ...b, headers: { cookie: { regex: m.cookie } }, withoutHeaders: { [m.header]: { regex: '.*' } } }] : []),
        ])
      : o.paths
        ? bases
        : undefined;
    return {
      name: stage.name,
      match,
      route: stage.destinations.map((d) => ({ destination: { host: o.host, subset: d.track, port: o.port === undefined ? undefined : { number: o.port } }, weight: d.weight })),
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
  constructor(scope: Construct, base: RefService, cluster: ReferenceCluster) {
    super(scope, base.name, { disableResourceNameHashes: true });
    const svc = deepMerge(base, base.overrides?.[cluster.name]);
    const ns = svc.name;
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
      },
    });
    const annotations: Record<string, string> = {};
    const podIdentityLabels: Record<string, string> = {};
    if (svc.identity) {
      const p = cluster.provider;
      if (p.kind === 'gke') annotations['iam.gke.io/gcp-service-account'] = `${svc.name}@${p.project}.iam.gserviceaccount.com`;
      if (p.kind === 'aks' && svc.identity !== true) {
        annotations['azure.workload.identity/client-id'] = svc.identity.azureClientId;
        annotations['azure.workload.identity/tenant-id'] = p.tenantId;
      }
      if (p.kind === 'aks') podIdentityLabels['azure.workload.identity/use'] = 'true';
    }
    new k8s.KubeServiceAccount(this, 'identity', {
      metadata: { name: svc.name, namespace: ns, labels, annotations: Object.keys(annotations).length ? annotations : undefined },
      automountServiceAccountToken: false,
    });
    const trustDomain = cluster.mesh.trustDomain ?? 'cluster.local';
    const callerServices = [...new Set(svc.callers?.services ?? [])].sort();
    const routes = Object.keys(svc.routes ?? {}).sort();
    const gateway = svc.callers?.gateway ?? routes.length > 0;
    const [gatewayNamespace, gatewayAccount] = cluster.ingress.serviceAccount.split('/');
    const principals = [ns, ...callerServices].map((s) => `${trustDomain}/ns/${s}/sa/${s}`);
    if (gateway) principals.push(`${trustDomain}/ns/${gatewayNamespace}/sa/${gatewayAccount}`);
    const callerNamespaces = [...new Set([ns, ...callerServices, ...(gateway ? [gatewayNamespace] : [])])].sort();
    const namespaceSelector = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
    const tcp = (port: number) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
    new PeerAuthentication(this, 'mtls', { metadata: { name: 'default', namespace: ns, labels }, spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } } });
    new AuthorizationPolicy(this, 'authorization', {
      metadata: { name: 'allow-callers', namespace: ns, labels },
      spec: { action: AuthorizationPolicySpecAction.ALLOW, rules: [{ from: [{ source: { principals: principals.sort() } }] }] },
    });
    new k8s.KubeNetworkPolicy(this, 'default-deny', { metadata: { name: 'default-deny-ingress', namespace: ns, labels }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    new k8s.KubeNetworkPolicy(this, 'allow', {
      metadata: { name: 'allow-callers', namespace: ns, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: callerNamespaces.map(namespaceSelector) }] },
    });
    if (svc.egress) {
      const egressNamespaces = [...(svc.egress.namespaces ?? [])].sort();
      new k8s.KubeNetworkPolicy(this, 'egress', {
        metadata: { name: 'restrict-egress', namespace: ns, labels },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            { to: [namespaceSelector('kube-system')], ports: ['UDP', 'TCP'].map((protocol) => ({ protocol, port: k8s.IntOrString.fromNumber(53) })) },
            { to: [namespaceSelector('istio-system')], ports: [15012, 15017].map(tcp) },
            ...(egressNamespaces.length ? [{ to: egressNamespaces.map(namespaceSelector) }] : []),
            ...(svc.egress.cidrs ?? []).map((c) => ({ to: [{ ipBlock: { cidr: c.cidr } }], ports: c.ports.map(tcp) })),
          ],
        },
      });
    }
    const stages = routingStages(svc, cluster);
    const canary = svc.release.canary;
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
          metadata: { name: fullName, namespace: ns, labels: processLabels },
          spec: {
            type: 'ClusterIP',
            selector,
            ports: p.ports.map((port) => ({ name: port.name, port: port.port, targetPort: k8s.IntOrString.fromString(port.name), protocol: 'TCP', appProtocol: port.protocol ?? 'http' })),
          },
        });
      }
      const tracks: { track: Track; version: string; replicas: number }[] = [{ track: 'stable', version: svc.release.stable, replicas }];
      if (canary) {
        // Canary pods: its share of the traffic, at least what a prod serving process needs, at most stable's.
        const floor = cluster.environment === 'prod' && p.ports ? 2 : 1;
        tracks.push({ track: 'canary', version: canary.version, replicas: Math.min(replicas, Math.max(floor, Math.ceil((replicas * canaryWeight(canary)) / 100))) });
      }
      for (const { track, version, replicas: trackReplicas } of tracks) {
        const trackSelector = { ...selector, track };
        // `tag@sha256:…` (prod pins digests): the tag is the label.
        const label = version.split('@')[0];
        const podLabels = { ...processLabels, ...trackSelector, ...podIdentityLabels, 'app.kubernetes.io/version': label, app: fullName, version: label };
        const spread = (topologyKey: string, whenUnsatisfiable: string): k8s.TopologySpreadConstraint => ({
          topologyKey,
          whenUnsatisfiable,
          maxSkew: 1,
          labelSelector: { matchLabels: trackSelector },
          matchLabelKeys: ['pod-template-hash'],
        });
        new k8s.KubeDeployment(this, `${name}-deployment-${track}`, {
          metadata: { name: track === 'stable' ? fullName : `${fullName}-${track}`, namespace: ns, labels: podLabels },
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
                    imagePullPolicy: 'IfNotPresent',
                    command: p.command,
                    ports: p.ports?.map((port) => ({ name: port.name, containerPort: port.port, protocol: 'TCP' })),
                    env: env.length ? env : undefined,
                    resources: {
                      requests: { cpu: k8s.Quantity.fromString(p.cpu ?? D.cpu), memory: k8s.Quantity.fromString(memory) },
                      limits: { memory: k8s.Quantity.fromString(p.memoryLimit ?? memory) },
                    },
                    readinessProbe: p.ports || p.probes?.ready ? probe(p.probes?.ready, p.ports, D.probe.failureThreshold) : undefined,
                    livenessProbe: p.ports || p.probes?.live ? probe(p.probes?.live, p.ports, D.livenessFailureThreshold) : undefined,
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
          metadata: { name: fullName, namespace: ns, labels: processLabels },
          spec: {
            host,
            trafficPolicy: {
              connectionPool: { tcp: { maxConnections: 1024, connectTimeout: '2s' }, http: { http2MaxRequests: 1024, idleTimeout: '300s' } },
              outlierDetection: { consecutive5XxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
            },
            subsets: ['stable', 'canary'].map((track) => ({ name: track, labels: { track } })),
          },
        });
        new VirtualService(this, `${name}-virtual-service`, {
          metadata: { name: fullName, namespace: ns, labels: processLabels },
          spec: {
            hosts: [host],
            gateways: ['mesh'],
            http: httpRoutes(stages, { host, timeout: D.routeTimeout, retries: D.retries }),
          },
        });
      }
      if (replicas >= 2) {
        new k8s.KubePodDisruptionBudget(this, `${name}-pdb`, {
          metadata: { name: fullName, namespace: ns, labels: processLabels },
          spec: { maxUnavailable: k8s.IntOrString.fromNumber(D.pdbMaxUnavailable), selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
        });
      }
    }
    for (const routeName of routes) {
      const route = svc.routes![routeName];
      const process = route.process ?? Object.keys(svc.processes).find((n) => svc.processes[n].ports)!;
      const ports = svc.processes[process].ports!;
      const port = route.port ? ports.find((x) => x.name === route.port)! : ports[0];
      new VirtualService(this, `route-${routeName}`, {
        metadata: { name: `${svc.name}-ingress-${routeName}`, namespace: ns, labels: { ...labels, 'app.kubernetes.io/component': process } },
        spec: {
          hosts: [route.host.includes('.') ? route.host : `${route.host}.${cluster.baseDomain}`],
          gateways: [cluster.ingress.gateway],
          http: httpRoutes(stages, {
            host: `${svc.name}-${process}.${ns}.svc.cluster.local`,
            paths: route.paths ?? [...D.routePaths],
            port: port.port,
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
  const values = JSON.parse(fs.readFileSync(valuesFile, 'utf8')) as { clusters: ReferenceCluster[]; services: RefService[] };
  let files = 0;
  for (const cluster of values.clusters) {
    const dir = path.join(outDir, cluster.name);
    const app = new App({ outdir: dir, outputFileExtension: '.k8s.yaml' });
    const charts = values.services.map((svc) => new ServiceChart(app, svc, cluster));
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
