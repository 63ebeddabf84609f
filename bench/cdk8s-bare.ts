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
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicySpecAction } from '../lib/imports/authorizationpolicy-security.istio.io';
import { DestinationRule } from '../lib/imports/destinationrule-networking.istio.io';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../lib/imports/peerauthentication-security.istio.io';
import { VirtualService } from '../lib/imports/virtualservice-networking.istio.io';
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
interface RefService {
  name: string;
  team: string;
  tier?: 'critical' | 'standard' | 'batch';
  image: string;
  release: { stable: string };
  processes: Record<string, RefProcess>;
  env?: Record<string, string>;
  secrets?: Record<string, { secret: string; key: string }>;
  identity?: true | { azureClientId: string };
  overrides?: Record<string, Partial<RefService>>;
}

const D = {
  tier: 'standard',
  replicas: 2,
  cpu: '100m',
  memory: '256Mi',
  maxSurge: '25%',
  minReadySeconds: 10,
  progressDeadlineSeconds: 600,
  revisionHistoryLimit: 5,
  preStopSeconds: 10,
  terminationGracePeriodSeconds: 45,
  runAsUser: 10001,
  tmpSize: '64Mi',
  pdbMaxUnavailable: 1,
  probe: { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3, initialDelaySeconds: 0 },
  livenessFailureThreshold: 6,
} as const;

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
    const trustDomain = (cluster.mesh as { trustDomain?: string }).trustDomain ?? 'cluster.local';
    new PeerAuthentication(this, 'mtls', { metadata: { name: 'default', namespace: ns, labels }, spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } } });
    new AuthorizationPolicy(this, 'authorization', {
      metadata: { name: 'allow-callers', namespace: ns, labels },
      spec: { action: AuthorizationPolicySpecAction.ALLOW, rules: [{ from: [{ source: { principals: [`${trustDomain}/ns/${ns}/sa/${svc.name}`] } }] }] },
    });
    new k8s.KubeNetworkPolicy(this, 'default-deny', { metadata: { name: 'default-deny-ingress', namespace: ns, labels }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    new k8s.KubeNetworkPolicy(this, 'allow', {
      metadata: { name: 'allow-callers', namespace: ns, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }] }] },
    });
    for (const name of Object.keys(svc.processes).sort()) {
      const p = svc.processes[name];
      const fullName = `${svc.name}-${name}`;
      const processLabels = { ...labels, 'app.kubernetes.io/component': name };
      const selector = { 'app.kubernetes.io/name': svc.name, 'app.kubernetes.io/component': name };
      const trackSelector = { ...selector, track: 'stable' };
      const version = svc.release.stable;
      const podLabels = { ...processLabels, ...trackSelector, ...podIdentityLabels, 'app.kubernetes.io/version': version, app: fullName, version };
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
      const spread = (topologyKey: string, whenUnsatisfiable: string): k8s.TopologySpreadConstraint => ({
        topologyKey,
        whenUnsatisfiable,
        maxSkew: 1,
        labelSelector: { matchLabels: trackSelector },
        matchLabelKeys: ['pod-template-hash'],
      });
      new k8s.KubeDeployment(this, `${name}-deployment`, {
        metadata: { name: fullName, namespace: ns, labels: podLabels },
        spec: {
          replicas,
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
                  lifecycle: { preStop: { exec: { command: ['sleep', String(D.preStopSeconds)] } } },
                  securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
                  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                },
              ],
              volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString(D.tmpSize) } }],
            },
          },
        },
      });
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
            http: [{
              name: 'weighted',
              route: [{ destination: { host, subset: 'stable' }, weight: 100 }],
              timeout: '15s',
              retries: { attempts: 2, perTryTimeout: '5s', retryOn: 'connect-failure,refused-stream,unavailable,cancelled' },
            }],
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
