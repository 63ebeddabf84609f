import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Cluster } from '../lib/clusters/schema';
import { formatFinding } from '../lib/findings';
import type { RenderedFile } from '../lib/pipeline';
import { validateCluster } from '../lib/validate';
import { RULES } from '../lib/validate/catalog';
import { SUPPORTED_MINORS } from '../lib/validate/kinds';
import { GKE_PROD, GKE_STAGE, testCluster } from './support/clusters';
import { baseValues, renderValues } from './support/render';

/**
 * The document rules of the validate stage, one capability at a time. A small fleet (a web
 * service with a worker and a route, and an event consumer that calls it) passes every rule; each
 * failing case breaks one thing in its rendered objects and expects the exact finding lines.
 */

const NOTES = 'apps/notes/values.ts';

function notesValues(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...baseValues('notes'),
    processes: {
      web: { ports: [{ name: 'http', port: 8080 }], replicas: 3, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
      worker: { command: ['node', 'worker.js'], replicas: 2, probes: { live: { command: ['true'] } } },
    },
    env: { LOG_FORMAT: 'json' },
    secrets: { DB_URL: { secret: 'notes-db', key: 'url' } },
    routes: { api: { host: 'notes', paths: ['/api'] } },
    callers: { services: ['events'] },
    ...extra,
  };
}

function eventsValues(): Record<string, unknown> {
  return { ...baseValues('events'), processes: { consumer: { command: ['run'], replicas: 2, probes: { live: { command: ['true'] } } } } };
}

const rendered = new Map<string, RenderedFile[]>();

function fleet(cluster: Cluster, notes: Record<string, unknown> = notesValues()): RenderedFile[] {
  const key = `${cluster.name}\u0000${JSON.stringify(notes)}`;
  if (!rendered.has(key)) rendered.set(key, [renderValues(notes, cluster), renderValues(eventsValues(), cluster)]);
  return structuredClone(rendered.get(key)!);
}

/** Renders the fleet, lets `mutate` break it, validates, and returns the finding lines. */
function lines(mutate: (docs: Docs) => void, cluster: Cluster = GKE_PROD, notes?: Record<string, unknown>): string[] {
  const files = fleet(cluster, notes);
  mutate(new Docs(files));
  return validateCluster(cluster, files, ['notes', 'events']).map(formatFinding).sort();
}

class Docs {
  constructor(readonly files: RenderedFile[]) {}
  get(kind: string, name: string, namespace?: string): any {
    const found = this.files.flatMap((f) => f.documents).find((d: any) => d.kind === kind && d.metadata.name === name && (namespace === undefined || d.metadata.namespace === namespace));
    assert.ok(found, `${kind} ${name} is rendered`);
    return found;
  }
  /** The pod spec of a Deployment. */
  pod(name = 'notes-web-2026-11-3'): any {
    return this.get('Deployment', name).spec.template.spec;
  }
  container(name = 'notes-web-2026-11-3'): any {
    return this.pod(name).containers[0];
  }
  add(file: 'notes' | 'events', doc: Record<string, unknown>): void {
    (this.files.find((f) => f.app === file)!.documents as unknown[]).push(doc);
  }
  remove(kind: string, name: string, namespace?: string): void {
    for (const f of this.files) (f as unknown as { documents: unknown[] }).documents = f.documents.filter((d: any) => !(d.kind === kind && d.metadata.name === name && (namespace === undefined || d.metadata.namespace === namespace)));
  }
}

/** Finding lines are compared as sets: `lines` sorts, so does this. */
function same(actual: string[], expected: string[]): void {
  assert.deepEqual(actual, [...expected].sort());
}

const at = (path: string, message: string, rule: string, cluster = GKE_PROD.name) => `${NOTES}: ${path ? `${path}: ` : ''}${message} [${rule}] (cluster ${cluster})`;

before(() => {
  fleet(GKE_PROD);
  fleet(GKE_STAGE);
});

describe('validate: a well-formed fleet', () => {
  it('passes every rule on a prod and a stage cluster', () => {
    same(lines(() => {}), []);
    same(lines(() => {}, GKE_STAGE), []);
  });

  it('runs a catalog whose ids are unique and whose summaries are single lines', () => {
    const ids = RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const rule of RULES) {
      assert.match(rule.id, /^FC-[A-Z]+-\d{3}$/);
      assert.ok(!rule.summary.includes('\n') && rule.summary.length > 20, rule.id);
    }
  });
});

describe('validate: schemas (FC-SCHEMA-001, FC-SCHEMA-002)', () => {
  it('rejects an unknown field with a suggestion', () => {
    same(
      lines((d) => (d.get('Deployment', 'notes-web-2026-11-3').spec.replica = 3)),
      [at('processes.web', "Deployment notes-web-2026-11-3 spec.replica: unknown field 'replica'; did you mean 'replicas'?; the API server would reject this object", 'FC-SCHEMA-001')],
    );
  });

  it('rejects a malformed quantity, a wrong type and a missing required field', () => {
    same(
      lines((d) => {
        d.container().resources.requests.cpu = '2 cores';
        d.get('Service', 'notes-web').spec.ports[0].appProtocol = 80;
        delete d.container('notes-worker').name;
      }),
      [
        at('processes.web', "Deployment notes-web-2026-11-3 spec.template.spec.containers[0].resources.requests.cpu: expected a Kubernetes quantity like '250m', '1.5' or '512Mi', got '2 cores'; the API server would reject this object", 'FC-SCHEMA-001'),
        at('processes.web', "Service notes-web spec.ports[0].appProtocol: expected a string, got 80; the API server would reject this object", 'FC-SCHEMA-001'),
        at('processes.worker', "Deployment notes-worker spec.template.spec.containers[0].name: required field 'name' is missing; the API server would reject this object", 'FC-SCHEMA-001'),
      ],
    );
  });

  it('rejects duplicate entries of a keyed list', () => {
    same(
      lines((d) => d.container().ports.push({ ...d.container().ports[0], name: 'again' })),
      [at('processes.web', "Deployment notes-web-2026-11-3 spec.template.spec.containers[0].ports[1]: duplicate list entry: containerPort 8080, protocol 'TCP' appears more than once; the API server would reject this object", 'FC-SCHEMA-001')],
    );
  });

  it('checks custom resources against their CRD schema, one-of alternatives included', () => {
    same(
      lines((d) => {
        d.get('VirtualService', 'notes-ingress-api').spec.http[0].match[0].uri.prefix = '/api/';
        d.get('DestinationRule', 'notes-web').spec.trafficPolicy.loadBalancer = { simple: 'FASTEST' };
      }),
      [
        at('processes.web', "DestinationRule notes-web spec.trafficPolicy.loadBalancer.simple: expected one of 'UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST', got 'FASTEST'; the API server would reject this object", 'FC-SCHEMA-001'),
        at('', 'VirtualService notes-ingress-api spec.http[0].match[0].uri: expected exactly one of 4 allowed shapes, matched 2: set only one of the alternative fields; the API server would reject this object', 'FC-SCHEMA-001'),
      ],
    );
  });

  it('rejects a kind without a schema', () => {
    same(
      lines((d) => d.add('notes', { apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'notes', namespace: 'notes', labels: d.get('ServiceAccount', 'notes').metadata.labels } })),
      [at('', `expected a kind with a known schema, got apiVersion 'extensions/v1beta1' kind 'Ingress' in Ingress notes; known: ${KNOWN_KINDS}`, 'FC-SCHEMA-001')],
    );
  });

  it('rejects a field that the cluster\'s version serves but the newest supported Kubernetes no longer does', () => {
    same(
      lines((d) => (d.pod().resourceClaims = [{ name: 'gpu', source: { resourceClaimName: 'gpu' } }]), testCluster({ name: 'prod-eu-west', kubernetesVersion: '1.30' })),
      [at('processes.web', "Deployment notes-web-2026-11-3 spec.template.spec.resourceClaims[0].source: 'source' is removed in Kubernetes v1.34.4; remove it", 'FC-SCHEMA-002')],
    );
  });
});

const KNOWN_KINDS = [
  'apps/v1/Deployment',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'monitoring.coreos.com/v1/PodMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
  'monitoring.coreos.com/v1/ServiceMonitor',
  'networking.istio.io/v1/DestinationRule',
  'networking.istio.io/v1/ServiceEntry',
  'networking.istio.io/v1/VirtualService',
  'networking.istio.io/v1alpha3/DestinationRule',
  'networking.istio.io/v1alpha3/EnvoyFilter',
  'networking.istio.io/v1alpha3/ServiceEntry',
  'networking.istio.io/v1alpha3/VirtualService',
  'networking.istio.io/v1beta1/DestinationRule',
  'networking.istio.io/v1beta1/ServiceEntry',
  'networking.istio.io/v1beta1/VirtualService',
  'networking.k8s.io/v1/NetworkPolicy',
  'policy/v1/PodDisruptionBudget',
  'security.istio.io/v1/AuthorizationPolicy',
  'security.istio.io/v1/PeerAuthentication',
  'security.istio.io/v1/RequestAuthentication',
  'security.istio.io/v1beta1/AuthorizationPolicy',
  'security.istio.io/v1beta1/PeerAuthentication',
  'security.istio.io/v1beta1/RequestAuthentication',
  'v1/ConfigMap',
  'v1/Namespace',
  'v1/Service',
  'v1/ServiceAccount',
].join(', ');

describe('validate: Pod Security restricted (FC-PSS-001…007)', () => {
  it('requires the namespace to enforce restricted', () => {
    same(
      lines((d) => (d.get('Namespace', 'notes').metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline')),
      [at('', "expected pod-security.kubernetes.io/enforce: restricted on Namespace notes, got 'baseline'; every service namespace enforces Pod Security restricted", 'FC-PSS-001')],
    );
  });

  it('requires non-root pods', () => {
    same(
      lines((d) => {
        delete d.pod().securityContext.runAsNonRoot;
        delete d.container().securityContext.runAsNonRoot;
        d.container('notes-worker').securityContext.runAsUser = 0;
      }),
      [
        at('processes.web', "expected runAsNonRoot: true for container 'web' in Deployment notes-web-2026-11-3, got none; set securityContext.runAsNonRoot: true on the pod", 'FC-PSS-002'),
        at('processes.worker', "expected a non-zero runAsUser for container 'worker' in Deployment notes-worker, got 0; run as an unprivileged user id", 'FC-PSS-002'),
      ],
    );
  });

  it('forbids privilege and privilege escalation', () => {
    same(
      lines((d) => {
        d.container().securityContext.privileged = true;
        delete d.container('notes-worker').securityContext.allowPrivilegeEscalation;
      }),
      [
        at('processes.web', "expected container 'web' in Deployment notes-web-2026-11-3 not to be privileged, got privileged: true; remove it", 'FC-PSS-003'),
        at('processes.worker', "expected allowPrivilegeEscalation: false for container 'worker' in Deployment notes-worker, got none; set it on the container's securityContext", 'FC-PSS-003'),
      ],
    );
  });

  it('requires dropping ALL capabilities and adding none but NET_BIND_SERVICE', () => {
    same(
      lines((d) => {
        d.container().securityContext.capabilities = { drop: ['NET_RAW'], add: ['NET_BIND_SERVICE', 'NET_ADMIN'] };
      }),
      [
        at('processes.web', "expected capabilities.drop: ['ALL'] for container 'web' in Deployment notes-web-2026-11-3, got ['NET_RAW']; drop ALL", 'FC-PSS-004'),
        at('processes.web', "expected no added capabilities but NET_BIND_SERVICE for container 'web' in Deployment notes-web-2026-11-3, got ['NET_ADMIN']; remove them", 'FC-PSS-004'),
      ],
    );
  });

  it('requires the RuntimeDefault or a Localhost seccomp profile', () => {
    same(
      lines((d) => (d.pod().securityContext.seccompProfile = { type: 'Unconfined' })),
      [
        at('processes.web', "expected seccompProfile RuntimeDefault or Localhost for container 'web' in Deployment notes-web-2026-11-3, got 'Unconfined'; set securityContext.seccompProfile.type: RuntimeDefault on the pod", 'FC-PSS-005'),
        at('processes.web', "expected seccompProfile RuntimeDefault or Localhost in Deployment notes-web-2026-11-3, got 'Unconfined'; set securityContext.seccompProfile.type: RuntimeDefault", 'FC-PSS-005'),
      ],
    );
  });

  it('forbids host namespaces, host ports, hostPath volumes and sysctls', () => {
    same(
      lines((d) => {
        d.pod().hostNetwork = true;
        d.pod().volumes.push({ name: 'docker', hostPath: { path: '/var/run/docker.sock' } });
        d.pod().securityContext.sysctls = [{ name: 'net.core.somaxconn', value: '1024' }];
        d.container().ports[0].hostPort = 8080;
      }),
      [
        at('processes.web', "expected no hostNetwork in Deployment notes-web-2026-11-3, got true; remove it", 'FC-PSS-006'),
        at('processes.web', "expected no hostPort for container 'web' in Deployment notes-web-2026-11-3, got 8080; expose the port through a Service", 'FC-PSS-006'),
        at('processes.web', 'expected no sysctls in Deployment notes-web-2026-11-3, got 1; remove them', 'FC-PSS-006'),
        at('processes.web', "expected volume 'docker' in Deployment notes-web-2026-11-3 to be one of configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret, got hostPath; restricted pods cannot mount it", 'FC-PSS-006'),
      ],
    );
  });

  it('requires a read-only root filesystem unless waived', () => {
    const expected = [at('processes.web', "expected readOnlyRootFilesystem: true for container 'web' in Deployment notes-web-2026-11-3, got false; write only to emptyDir mounts like /tmp", 'FC-PSS-007')];
    same(lines((d) => (d.container().securityContext.readOnlyRootFilesystem = false)), expected);
    const waived = notesValues({ waivers: { 'FC-PSS-007': 'the legacy PDF renderer writes to its install dir' } });
    same(lines((d) => (d.container().securityContext.readOnlyRootFilesystem = false), GKE_PROD, waived), []);
  });
});

describe('validate: containers (FC-PROBE-001, FC-RES-001, FC-IMG-001)', () => {
  it('requires readiness and liveness probes on serving containers only', () => {
    same(
      lines((d) => {
        delete d.container().readinessProbe;
        delete d.container('notes-worker').livenessProbe;
      }),
      [at('processes.web.probes', "expected readinessProbe on container 'web' in Deployment notes-web-2026-11-3, which serves ports, got none; set probes.ready and probes.live", 'FC-PROBE-001')],
    );
  });

  it('requires cpu and memory requests and a memory limit', () => {
    same(
      lines((d) => (d.container().resources = { requests: { memory: '256Mi' } })),
      [at('processes.web', "expected requests.cpu, limits.memory on container 'web' in Deployment notes-web-2026-11-3, got none; set cpu and memory (the memory limit defaults to the request)", 'FC-RES-001')],
    );
  });

  it('rejects latest and untagged images', () => {
    same(
      lines((d) => {
        d.container().image = 'europe-docker.pkg.dev/acme-care/apps/notes:latest';
        d.container('notes-worker').image = 'europe-docker.pkg.dev/acme-care/apps/notes';
      }),
      [
        at('processes.web', "expected an image pinned by tag or digest for container 'web' in Deployment notes-web-2026-11-3, got 'europe-docker.pkg.dev/acme-care/apps/notes:latest'; set the release version (or the process image) to a version like '2026.11.3' or 'sha256:<digest>'", 'FC-IMG-001'),
        at('processes.worker', "expected an image pinned by tag or digest for container 'worker' in Deployment notes-worker, got 'europe-docker.pkg.dev/acme-care/apps/notes'; set the release version (or the process image) to a version like '2026.11.3' or 'sha256:<digest>'", 'FC-IMG-001'),
      ],
    );
  });

});

describe('validate: availability (FC-AVAIL-001…006)', () => {
  it('requires 2 replicas for serving processes in prod, counting all tracks', () => {
    same(
      lines((d) => (d.get('Deployment', 'notes-web-2026-11-3').spec.replicas = 1)),
      [
        at('processes.web.disruption.maxUnavailable', 'expected maxUnavailable below the 1 selected pod(s) in PodDisruptionBudget notes-web, got 1: a drain may evict every pod at once; lower it or raise replicas', 'FC-AVAIL-002'),
        at('processes.web.replicas', "expected at least 2 replicas for a serving process in prod cluster prod-eu-west, got 1 in Deployment notes-web-2026-11-3; raise replicas, or add waivers: { 'FC-AVAIL-001': '<reason>' }", 'FC-AVAIL-001'),
      ].sort(),
    );
    const worker = lines((d) => (d.get('Deployment', 'notes-worker').spec.replicas = 1));
    assert.ok(!worker.some((l) => l.includes('FC-AVAIL-001')), 'a process without ports may run 1 pod');
  });

  it('requires budgets that use maxUnavailable, allow at least one eviction and evict unhealthy pods', () => {
    same(
      lines((d) => {
        const pdb = d.get('PodDisruptionBudget', 'notes-web');
        pdb.spec = { minAvailable: 3, selector: pdb.spec.selector };
        d.get('PodDisruptionBudget', 'notes-worker').spec.maxUnavailable = '0%';
      }),
      [
        at('processes.web.disruption.maxUnavailable', 'expected maxUnavailable in PodDisruptionBudget notes-web, got minAvailable: 3, which blocks drains whenever pods are missing; use maxUnavailable', 'FC-AVAIL-002'),
        at('processes.web.disruption.maxUnavailable', 'expected unhealthyPodEvictionPolicy: AlwaysAllow in PodDisruptionBudget notes-web, got none; without it a crash-looping pod blocks node drains', 'FC-AVAIL-002'),
        at('processes.worker.disruption.maxUnavailable', 'expected maxUnavailable of at least 1 in PodDisruptionBudget notes-worker, got "0%", which blocks every node drain; allow at least 1', 'FC-AVAIL-002'),
      ],
    );
  });

  it('requires exactly one budget per Deployment with 2 or more replicas', () => {
    same(
      lines((d) => d.remove('PodDisruptionBudget', 'notes-web')),
      [at('processes.web.disruption', 'expected a PodDisruptionBudget covering Deployment notes-web-2026-11-3 (3 replicas), got none; a drain could take all its pods at once', 'FC-AVAIL-003')],
    );
    same(
      lines((d) => d.add('notes', { ...structuredClone(d.get('PodDisruptionBudget', 'notes-web')), metadata: { ...d.get('PodDisruptionBudget', 'notes-web').metadata, name: 'notes-web-extra' } })),
      [at('processes.web.disruption', 'expected exactly one PodDisruptionBudget covering Deployment notes-web-2026-11-3, got 2 (notes-web, notes-web-extra); the eviction API refuses pods under two budgets, which blocks drains', 'FC-AVAIL-003')],
    );
  });

  it('requires autoscalers to leave room for their budget and to target a rendered Deployment', () => {
    const hpa = (name: string, minReplicas: number) => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'notes-web', namespace: 'notes', labels: {} as Record<string, string> },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas, maxReplicas: 6 },
    });
    const add = (name: string, minReplicas: number) => (d: Docs) => d.add('notes', { ...hpa(name, minReplicas), metadata: { ...hpa(name, minReplicas).metadata, labels: d.get('Service', 'notes-web').metadata.labels } });
    same(lines(add('notes-web-2026-11-3', 3)), []);
    same(lines(add('notes-web-2026-11-3', 1)), [
      at('processes.web.replicas', 'expected minReplicas above the maxUnavailable (1) of PodDisruptionBudget notes-web in HorizontalPodAutoscaler notes-web, got 1: scaled down, a drain could evict every pod; raise minReplicas', 'FC-AVAIL-004'),
      at('processes.web.replicas', 'expected minReplicas of at least 2 for a serving process in prod cluster prod-eu-west, got 1 in HorizontalPodAutoscaler notes-web; raise minReplicas', 'FC-AVAIL-004'),
    ]);
    same(lines(add('notes-api', 3)), [
      at('processes.web.replicas', "expected HorizontalPodAutoscaler notes-web to scale a Deployment rendered in its namespace, got Deployment 'notes-api'; point scaleTargetRef at the process's Deployment", 'FC-AVAIL-004'),
    ]);
  });

  it('requires rollouts that never drop capacity', () => {
    same(
      lines((d) => {
        d.get('Deployment', 'notes-web-2026-11-3').spec.strategy.rollingUpdate.maxUnavailable = '25%';
        d.get('Deployment', 'notes-worker').spec.strategy = { type: 'Recreate' };
      }),
      [
        at('processes.web', 'expected rollingUpdate.maxUnavailable: 0 in Deployment notes-web-2026-11-3, got "25%"; surge new pods instead of removing old ones', 'FC-AVAIL-005'),
        at('processes.worker', 'expected strategy RollingUpdate in Deployment notes-worker, got Recreate, which stops every pod before starting new ones; use RollingUpdate with maxUnavailable: 0', 'FC-AVAIL-005'),
      ],
    );
  });

  it('requires a zone spread constraint that selects the Deployment’s own pods', () => {
    same(
      lines((d) => {
        d.pod().topologySpreadConstraints = d.pod().topologySpreadConstraints.filter((c: any) => c.topologyKey !== 'topology.kubernetes.io/zone');
        d.pod('notes-worker').topologySpreadConstraints[0].labelSelector.matchLabels['app.kubernetes.io/component'] = 'web';
      }),
      [
        at('processes.web', 'expected a topologySpreadConstraint on topology.kubernetes.io/zone in Deployment notes-web-2026-11-3, got none; spread pods over zones so one zone outage leaves capacity', 'FC-AVAIL-006'),
        at('processes.worker', "expected the zone spread constraint of Deployment notes-worker to select its own pods, got a labelSelector that matches none of them; select the Deployment's selector labels", 'FC-AVAIL-006'),
      ],
    );
  });
});

describe("validate: against the cluster's Kubernetes version (FC-SCHEMA-001, FC-SCHEMA-003)", () => {
  it('rejects a field the cluster\'s version does not have, which a newer version accepts', () => {
    const addStopSignal = (d: Docs) => (d.container().lifecycle.stopSignal = 'SIGTERM');
    same(lines(addStopSignal, testCluster({ name: 'prod-eu-west', kubernetesVersion: '1.34' })), []);
    same(lines(addStopSignal, testCluster({ name: 'prod-eu-west', kubernetesVersion: '1.30' })), [
      at('processes.web', "Deployment notes-web-2026-11-3 spec.template.spec.containers[0].lifecycle.stopSignal: unknown field 'stopSignal'; known fields: postStart, preStop; the API server would reject this object", 'FC-SCHEMA-001'),
    ]);
  });

  it('refuses a cluster older than the preStop sleep action needs, once per cluster, naming the cluster, version, feature and minimum', () => {
    const old = testCluster({ name: 'prod-legacy', kubernetesVersion: '1.29' });
    same(lines(() => {}, old), [
      'apps/clusters.ts: kubernetesVersion: expected Kubernetes 1.30 or newer for cluster prod-legacy, got 1.29: the rendered objects use the preStop sleep action (lifecycle.preStop.sleep: the drain delay on images without a sleep binary), which needs 1.30 (services: events, notes); upgrade the cluster and raise kubernetesVersion [FC-SCHEMA-003] (cluster prod-legacy)',
    ]);
  });

  it('refuses a version it has no schemas for', () => {
    const newer = testCluster({ name: 'prod-next', kubernetesVersion: '1.99' });
    same(lines(() => {}, newer), [
      `apps/clusters.ts: kubernetesVersion: expected a Kubernetes version fleetchart has the API schemas of (${SUPPORTED_MINORS.join(', ')}), got '1.99' for cluster prod-next; upgrade the cluster, or vendor that version (SUPPORTED in lib/validate/schemas/vendor.ts) [FC-SCHEMA-003] (cluster prod-next)`,
    ]);
  });
});

describe('validate: no secrets in manifests (FC-SEC-001…003)', () => {
  it('rejects a secret-looking variable with a literal value, once per values location', () => {
    const fix = (name: string) => `expected a Secret reference for secret-looking variable '${name}', got a literal value; move it to secrets: { ${name}: { secret: '<secret name>', key: '<key>' } }, or add waivers: { 'FC-SEC-001': '<why it is not secret>' }`;
    same(lines(() => {}, GKE_PROD, notesValues({ env: { LOG_FORMAT: 'json', DB_PASSWORD: 'hunter2' } })), [at('env.DB_PASSWORD', fix('DB_PASSWORD'), 'FC-SEC-001')]);
    const perProcess = notesValues();
    (perProcess.processes as any).worker.env = { QUEUE_TOKEN: 'abc123' };
    same(lines(() => {}, GKE_PROD, perProcess), [at('processes.worker.env.QUEUE_TOKEN', fix('QUEUE_TOKEN'), 'FC-SEC-001')]);
    same(lines(() => {}, GKE_PROD, notesValues({ env: { LOG_FORMAT: 'json', DB_PASSWORD: 'x' }, waivers: { 'FC-SEC-001': 'the value is a placeholder the app ignores' } })), []);
  });

  it('accepts names that only talk about a secret', () => {
    same(lines(() => {}, GKE_PROD, notesValues({ env: { TOKEN_EXCHANGE_URL: 'http://token-exchange:8081', SECRET_FILE: '/var/run/secret', PASSWORD_MIN_LENGTH: '12', CACHE_KEY_PREFIX: 'notes' } })), []);
  });

  it('rejects credential-shaped literals anywhere in env, command and args', () => {
    const values = notesValues({ env: { LOG_FORMAT: 'json', DATABASE_URL: 'postgres://notes:s3cret@db.internal:5432/notes' } });
    (values.processes as any).worker.args = ['--aws-key=AKIAIOSFODNN7EXAMPLE'];
    same(lines(() => {}, GKE_PROD, values), [
      at('env.DATABASE_URL', "expected no credential in plain env, got a URL with a password in 'DATABASE_URL'; store it in a Secret and use secrets: { DATABASE_URL: { secret: '<secret name>', key: '<key>' } }", 'FC-SEC-002'),
      at('processes.worker.args', "expected no credential on the command line, got an AWS access key id in args[0] of container 'worker' (Deployment notes-worker); read it from an environment variable backed by a Secret", 'FC-SEC-002'),
    ]);
  });

  it('recognizes common secret names beyond the usual words: PGPASSWORD, DB_PASS, MYSQL_PWD, *TOKEN*, *KEY*', () => {
    const fix = (name: string) => `expected a Secret reference for secret-looking variable '${name}', got a literal value; move it to secrets: { ${name}: { secret: '<secret name>', key: '<key>' } }, or add waivers: { 'FC-SEC-001': '<why it is not secret>' }`;
    for (const name of ['PGPASSWORD', 'DB_PASS', 'MYSQL_PWD', 'GITHUBTOKEN', 'STRIPE_APIKEY', 'SIGNING_KEY', 'AWS_SECRET_ACCESS_KEY', 'BASIC_AUTH']) {
      same(lines(() => {}, GKE_PROD, notesValues({ env: { LOG_FORMAT: 'json', [name]: 'hunter2' } })), [at(`env.${name}`, fix(name), 'FC-SEC-001')]);
    }
  });

  it('accepts the documented non-secret names: public keys, key ids, words that only contain a fragment', () => {
    const env = { LOG_FORMAT: 'json', JWT_PUBLIC_KEY: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE', AWS_ACCESS_KEY_ID: 'notes-reader', KEYCLOAK_REALM: 'care', CACHE_BYPASS: 'false', CASSANDRA_KEYSPACE: 'notes', TOKEN_TTL: '5m', PASSWORD_MIN_LENGTH: '12', OAUTH_ISSUER: 'https://login.example.com' };
    same(lines(() => {}, GKE_PROD, notesValues({ env })), []);
  });

  it('rejects secret-looking flags with literal values in command and args, and accepts $(VAR) and file paths', () => {
    const values = notesValues();
    (values.processes as any).worker.command = ['worker', '--db-password=hunter2'];
    (values.processes as any).worker.args = ['--api-key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', '--token', 'abc', '--verbose'];
    const flag = (name: string, field: string, i: number) =>
      `expected no literal value for secret-looking flag '${name}' in ${field}[${i}] of container 'worker' (Deployment notes-worker), got one; put the value in secrets: { NAME: { secret, key } } and pass '${name}=$(NAME)' (Kubernetes expands it), or add waivers: { 'FC-SEC-001': '<why it is not secret>' }`;
    same(lines(() => {}, GKE_PROD, values), [
      at('processes.worker.args', "expected no credential on the command line, got a Stripe live secret key in args[1] of container 'worker' (Deployment notes-worker); read it from an environment variable backed by a Secret", 'FC-SEC-002'),
      at('processes.worker.args', flag('--token', 'args', 3), 'FC-SEC-001'),
      at('processes.worker.command', flag('--db-password', 'command', 1), 'FC-SEC-001'),
    ]);
    const fine = notesValues();
    (fine.processes as any).worker.args = ['--db-password=$(DB_PASSWORD)', '--password-file=/var/run/secrets/db/password', '--api-key', '$(API_KEY)', '--token-ttl=5m'];
    same(lines(() => {}, GKE_PROD, fine), []);
  });

  it('recognizes known token shapes in any variable: cloud keys, sk_live_, GitHub and Slack tokens, JWTs, PEM blocks', () => {
    const samples: Record<string, [string, string]> = {
      'an AWS access key id': ['UPSTREAM', 'AKIAIOSFODNN7EXAMPLE'],
      'a Google API key': ['MAPS', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
      'a Google service account key': ['GOOGLE_APPLICATION_JSON', '{"type": "service_account", "project_id": "acme"}'],
      'a GitHub token': ['GH', 'ghp_0123456789abcdefghijklmnopqrstuvwxyz'],
      'a Slack token': ['SLACK', 'xoxb-123456789012-abcdefghijkl'],
      'a Stripe live secret key': ['STRIPE', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
      'a JSON web token': ['BEARER', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
      'a private key': ['CERT', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----'],
      'an Azure storage account key': ['STORAGE', 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abcdefghijklmnopqrstuvwxyz0123=='],
    };
    for (const [what, [name, value]] of Object.entries(samples)) {
      same(lines(() => {}, GKE_PROD, notesValues({ env: { LOG_FORMAT: 'json', [name]: value } })), [
        at(`env.${name}`, `expected no credential in plain env, got ${what} in '${name}'; store it in a Secret and use secrets: { ${name}: { secret: '<secret name>', key: '<key>' } }`, 'FC-SEC-002'),
      ]);
    }
  });

  it('rejects Secret objects', () => {
    same(
      lines((d) => d.add('notes', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'notes-db', namespace: 'notes' }, stringData: { url: 'x' } })).filter((l) => l.includes('FC-SEC-003')),
      [at('', 'expected no Secret objects in rendered output, got Secret notes-db; create Secrets outside git and reference them with secrets: { NAME: { secret, key } }', 'FC-SEC-003')],
    );
  });
});

describe('validate: references resolve (FC-REF-001…007, FC-ID-004)', () => {
  it('requires a Service to select the pods of exactly one process', () => {
    same(
      lines((d) => delete d.get('Service', 'notes-web').spec.selector['app.kubernetes.io/component']),
      [at('processes.web', "expected Service notes-web to select the pods of one process, got 2 ('web', 'worker'); add app.kubernetes.io/component to its selector", 'FC-REF-001')],
    );
    same(
      lines((d) => (d.get('Service', 'notes-web').spec.selector['app.kubernetes.io/component'] = 'api')).filter((l) => l.includes('FC-REF-001')),
      [at('processes.web', 'expected Service notes-web to select the pods of a Deployment in namespace notes, got a selector that matches none; fix the selector', 'FC-REF-001')],
    );
  });

  it('requires the pods’ ServiceAccount to be rendered', () => {
    same(
      lines((d) => (d.pod().serviceAccountName = 'notes-api')),
      [at('processes.web', "expected ServiceAccount 'notes-api' of Deployment notes-web-2026-11-3 to be rendered in namespace notes, got none; run pods as the service's own ServiceAccount", 'FC-REF-002')],
    );
  });

  it('requires every Secret a pod reads to be declared, and required', () => {
    same(
      lines((d) => {
        d.container().env.push({ name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'notes-api', key: 'key', optional: true } } });
      }),
      [
        at('processes.web.secrets', "expected Secret 'notes-api' (variable 'API_KEY' in Deployment notes-web-2026-11-3) to be declared in the service's secrets, got an undeclared reference; declared: 'notes-db'", 'FC-REF-003'),
        at('processes.web.secrets', "expected a required Secret reference for variable 'API_KEY' in Deployment notes-web-2026-11-3, got optional: true, which starts pods without it; remove optional", 'FC-REF-003'),
      ],
    );
  });

  it('requires named ports to resolve', () => {
    same(
      lines((d) => {
        d.get('Service', 'notes-web').spec.ports[0].targetPort = 'web';
        d.container().readinessProbe.httpGet.port = 'admin';
      }),
      [
        at('processes.web', "expected targetPort 'web' of Service notes-web to name a container port of Deployment notes-web-2026-11-3, got none by that name (ports: 'http'); name the port the same on both", 'FC-REF-004'),
        at('processes.web.probes', "expected the readinessProbe port 'admin' of container 'web' in Deployment notes-web-2026-11-3 to be one of its ports ('http'), got no such port; probe a port the process serves", 'FC-REF-004'),
      ],
    );
  });

  it('requires the token to be set explicitly and mounted only when asked', () => {
    same(
      lines((d) => {
        delete d.get('ServiceAccount', 'notes').automountServiceAccountToken;
        d.pod().automountServiceAccountToken = true;
      }),
      [
        at('automountServiceAccountToken', 'expected automountServiceAccountToken: false on ServiceAccount notes, got none (Kubernetes mounts a token by default); set it explicitly', 'FC-ID-004'),
        at('automountServiceAccountToken', 'expected no Kubernetes API token in the pods of Deployment notes-web-2026-11-3, got automountServiceAccountToken: true although the service does not ask for it; remove it, or set automountServiceAccountToken: true in the values if the service calls the Kubernetes API', 'FC-ID-004'),
      ],
    );
    same(lines(() => {}, GKE_PROD, notesValues({ automountServiceAccountToken: true })), []);
  });

  it('requires VirtualServices to bind to the cluster gateway and to route to served ports', () => {
    same(
      lines((d) => {
        const vs = d.get('VirtualService', 'notes-ingress-api');
        vs.spec.gateways = ['istio-system/public-gateway'];
        vs.spec.http[0].route[0].destination.port.number = 9090;
      }),
      [
        at('routes', "expected destination port 9090 in http[0] of VirtualService notes-ingress-api to be a port of Service notes-web (8080), got none; route to a port the process serves", 'FC-REF-005'),
        at('routes', "expected gateway 'mesh' or the cluster's ingress gateway 'istio-ingress/care-gateway' in VirtualService notes-ingress-api, got 'istio-system/public-gateway'; bind routes to the cluster's gateway", 'FC-REF-005'),
      ],
    );
  });

  it('requires DestinationRules to name a rendered Service and unique subsets', () => {
    same(
      lines((d) => {
        const rule = d.get('DestinationRule', 'notes-web');
        rule.spec.subsets.push({ ...rule.spec.subsets[0] });
      }),
      [at('routes', "expected unique subset names in DestinationRule notes-web, got '2026-11-3' twice; remove one", 'FC-REF-006')],
    );
    same(
      lines((d) => (d.get('DestinationRule', 'notes-web').spec.host = 'notes-api.notes.svc.cluster.local')).filter((l) => l.includes('FC-REF-006')),
      [at('routes', "expected host 'notes-api.notes.svc.cluster.local' of DestinationRule notes-web to be a Service rendered on cluster prod-eu-west, got none; point it at <process service>.<namespace>.svc.cluster.local", 'FC-REF-006')],
    );
  });

  it('requires AuthorizationPolicies to allow only named principals that exist', () => {
    same(
      lines((d) => {
        const principals = d.get('AuthorizationPolicy', 'allow-callers', 'notes').spec.rules[0].from[0].source.principals;
        principals.push('cluster.local/ns/billing/sa/billing', 'cluster.local/ns/*/sa/*', 'example.org/ns/events/sa/events');
      }),
      [
        at('callers', "expected principal 'cluster.local/ns/billing/sa/billing' in AuthorizationPolicy allow-callers to be a ServiceAccount on cluster prod-eu-west, got none; list only services that exist there", 'FC-REF-007'),
        at('callers', "expected principals like 'cluster.local/ns/<namespace>/sa/<account>' in AuthorizationPolicy allow-callers, got 'cluster.local/ns/*/sa/*'; allow named callers only", 'FC-REF-007'),
        at('callers', "expected trust domain 'cluster.local' of cluster prod-eu-west in principal 'example.org/ns/events/sa/events' of AuthorizationPolicy allow-callers, got 'example.org'; use the cluster's trust domain", 'FC-REF-007'),
      ],
    );
  });

  it('accepts callers that a partial run (--app) did not render', () => {
    const files = fleet(GKE_PROD).filter((f) => f.app === 'notes');
    assert.deepEqual(validateCluster(GKE_PROD, files, ['notes', 'events']).map(formatFinding), []);
    assert.equal(validateCluster(GKE_PROD, files, ['notes']).length > 0, true, 'without events in the fleet, the caller is unknown');
  });
});

describe('validate: names and labels (FC-META-001…003, FC-NS-001)', () => {
  it('rejects label values the API server refuses, once per value and object', () => {
    same(
      lines((d) => {
        const deployment = d.get('Deployment', 'notes-web-2026-11-3');
        // Not `version`: the selector, spread constraints and subset select on it.
        for (const labels of [deployment.metadata.labels, deployment.spec.template.metadata.labels]) labels['app.kubernetes.io/version'] = '2026.11.3-';
      }).filter((l) => l.includes('processes.web')),
      [at('processes.web', "expected a valid label value for app.kubernetes.io/version in Deployment notes-web-2026-11-3, got '2026.11.3-'; use a release version that starts and ends with a letter or digit", 'FC-META-001')],
    );
  });

  it('rejects invalid object names and label keys', () => {
    same(
      lines((d) => {
        d.get('PodDisruptionBudget', 'notes-worker').metadata.name = 'Notes_Worker';
        d.get('ServiceAccount', 'notes').metadata.labels['-bad'] = 'x';
      }),
      [
        at('processes.worker', "expected a PodDisruptionBudget name of at most 253 lowercase letters, digits and '-' or '.', got 'Notes_Worker' in PodDisruptionBudget Notes_Worker; shorten the service or process name", 'FC-META-001').replace('processes.worker: ', 'name: '),
        at('', "expected a label key like 'team' or 'app.kubernetes.io/name' (name of at most 63 characters, optional DNS prefix), got '-bad' in ServiceAccount notes; rename it", 'FC-META-001'),
      ],
    );
  });

  it('requires the standard labels', () => {
    same(
      lines((d) => {
        delete d.get('ServiceAccount', 'notes').metadata.labels.team;
        delete d.get('Deployment', 'notes-web-2026-11-3').spec.template.metadata.labels['app.kubernetes.io/version'];
        d.get('Service', 'notes-web').metadata.labels['app.kubernetes.io/managed-by'] = 'helm';
      }),
      [
        at('', 'expected labels team on ServiceAccount notes, got none; every object carries the standard labels', 'FC-META-002'),
        at('processes.web', "expected app.kubernetes.io/managed-by: fleetchart on Service notes-web, got 'helm'; fleetchart owns this object", 'FC-META-002'),
        at('processes.web', 'expected pod labels app.kubernetes.io/version in Deployment notes-web-2026-11-3, got none; Istio and dashboards group pods by them', 'FC-META-002'),
      ],
    );
  });

  it('rejects two objects with one name', () => {
    same(
      lines((d) => d.add('notes', structuredClone(d.get('Service', 'notes-web')))),
      [at('processes.web', 'expected one Service notes-web in namespace notes on cluster prod-eu-west, got another from apps/notes/values.ts; rename one', 'FC-META-003')],
    );
  });

  it('rejects a service namespace the platform owns', () => {
    const file = 'apps/monitoring/values.ts';
    const monitoring = renderValues({ ...baseValues('monitoring'), processes: { agent: { command: ['run'], replicas: 2, probes: { live: { command: ['true'] } } } } }, GKE_PROD);
    const findings = validateCluster(GKE_PROD, [monitoring], ['monitoring']).map(formatFinding);
    assert.deepEqual(findings, [`${file}: name: expected a service name that is not a system or platform namespace, got 'monitoring', which cluster prod-eu-west reserves; rename the service and its folder [FC-NS-001] (cluster prod-eu-west)`]);
  });
});

describe('validate: waivers (FC-WAIVE-001)', () => {
  it('rejects a waiver of a rule that cannot be waived', () => {
    const summary = RULES.find((r) => r.id === 'FC-PSS-003')!.summary;
    same(
      // The values schema refuses such a waiver; this guards objects that carry one anyway.
      lines((d) => {
        d.get('Namespace', 'notes').metadata.annotations = { 'waiver.fleetchart.io/FC-PSS-003': 'the agent needs root to read host logs' };
      }),
      [at("waivers['FC-PSS-003']", `expected a waivable rule, got FC-PSS-003, which cannot be waived: ${summary} Fix the values instead and remove the waiver`, 'FC-WAIVE-001')],
    );
  });

  it('renders each waiver as an annotation, so a waived rule is visible on the cluster', () => {
    const files = fleet(GKE_PROD, notesValues({ waivers: { 'FC-SEC-001': 'the value is a placeholder the app ignores' } }));
    const namespace = files[0].documents.find((d) => d.kind === 'Namespace') as any;
    assert.equal(namespace.metadata.annotations['waiver.fleetchart.io/FC-SEC-001'], 'the value is a placeholder the app ignores');
  });
});

describe('validate: monitoring objects (FC-REF-008, FC-PROM-001)', () => {
  const withMetrics = notesValues({
    processes: {
      web: { ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }], replicas: 3, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
      worker: { command: ['node', 'worker.js'], replicas: 2, probes: { live: { command: ['true'] } } },
    },
  });

  it('passes the monitoring objects fleetchart renders', () => {
    same(lines(() => undefined, GKE_PROD, withMetrics), []);
  });

  it('FC-REF-008: a ServiceMonitor whose selector matches no Service', () => {
    same(
      lines((d) => (d.get('ServiceMonitor', 'notes-web').spec.selector.matchLabels['app.kubernetes.io/component'] = 'api'), GKE_PROD, withMetrics),
      [at('processes.web', "expected ServiceMonitor notes-web to select exactly one rendered Service by its labels, got none; select the process Service's labels", 'FC-REF-008')],
    );
  });

  it('FC-REF-008: a ServiceMonitor scraping a port name its Service does not expose', () => {
    same(
      lines((d) => (d.get('ServiceMonitor', 'notes-web').spec.endpoints[0].port = 'prometheus'), GKE_PROD, withMetrics),
      [at('processes.web', "expected endpoint port 'prometheus' of ServiceMonitor notes-web to be a port name of Service notes-web ('http', 'metrics'), got none; name a port the Service exposes", 'FC-REF-008')],
    );
  });

  it('FC-REF-008: a PodMonitor selecting the pods of two processes', () => {
    same(
      lines((d) => delete d.get('PodMonitor', 'notes-web-mesh').spec.selector.matchLabels['app.kubernetes.io/component']),
      [at('', "expected PodMonitor notes-web-mesh to select the pods of exactly one process, got 2 ('web', 'worker'); select by app.kubernetes.io/name and app.kubernetes.io/component", 'FC-REF-008')],
    );
  });

  it('FC-PROM-001: an alert expression that does not parse fails with the object, rule and position', () => {
    same(
      lines((d) => (d.get('PrometheusRule', 'notes-alerts').spec.groups[0].rules[0].expr = 'sum(rate(istio_requests_total[5m])')),
      [at('slo', "expected valid PromQL in PrometheusRule notes-alerts spec.groups[0].rules[0].expr (NotesErrorBudgetFastBurn), got a syntax error at line 1, column 35 (unexpected end); this is a fleetchart bug if the values are valid, report it to the infra team", 'FC-PROM-001')],
    );
  });
});
