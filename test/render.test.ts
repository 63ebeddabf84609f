import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderService } from '../lib/constructs/service-chart';
import { Manifest, orderDocuments } from '../lib/manifest';
import { ParsedWithOverrides, resolveService } from '../lib/values/resolve';
import { serviceSchema } from '../lib/values/schema';
import { LIBRARY_VERSION, LIBRARY_VERSION_ANNOTATION } from '../lib/version';
import { AKS_PROD, GKE_PROD, testCluster } from './support/clusters';

/** Renders values for one cluster and returns the documents by `Kind/name`. */
function render(values: Record<string, unknown>, cluster = GKE_PROD): Map<string, any> {
  const parsed = serviceSchema.parse({
    name: 'patient-notes',
    team: 'care-records',
    image: 'europe-docker.pkg.dev/acme-care/apps/patient-notes',
    release: { default: '2026.11.3@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' },
    ...values,
  }) as ParsedWithOverrides;
  const { service, findings } = resolveService('apps/patient-notes/values.ts', parsed, cluster);
  // Warnings render (the worker below has no liveness probe: FC-PROBE-003).
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  const docs = orderDocuments(renderService(service!) as Manifest[]);
  return new Map(docs.map((d) => [`${d.kind}/${d.metadata.name}`, d]));
}

const webAndWorker = {
  tier: 'critical',
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9000, protocol: 'grpc' }], replicas: 3, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
    worker: { command: ['node', 'worker.js'], replicas: 1 },
  },
  identity: true,
};

describe('render: objects and names', () => {
  it('renders a namespace, a service account, and per process a Deployment, a Service when it serves, a PDB when it has 2+ pods', () => {
    const core = ['Namespace', 'ServiceAccount', 'Service', 'Deployment', 'PodDisruptionBudget'];
    assert.deepEqual([...render(webAndWorker).keys()].filter((key) => core.includes(key.split('/')[0])), [
      'Namespace/patient-notes',
      'ServiceAccount/patient-notes',
      'Service/patient-notes-web',
      'Deployment/patient-notes-web-2026-11-3',
      'Deployment/patient-notes-worker',
      'PodDisruptionBudget/patient-notes-web',
    ]);
  });

  it('puts every namespaced object in the service namespace', () => {
    for (const [key, doc] of render(webAndWorker)) {
      if (!key.startsWith('Namespace/')) assert.equal(doc.metadata.namespace, 'patient-notes', key);
    }
  });
});

describe('render: namespace', () => {
  it('enforces, audits and warns Pod Security restricted, and enables sidecar injection', () => {
    const labels = render(webAndWorker).get('Namespace/patient-notes').metadata.labels;
    assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.equal(labels['pod-security.kubernetes.io/audit'], 'restricted');
    assert.equal(labels['pod-security.kubernetes.io/warn'], 'restricted');
    assert.equal(labels['istio-injection'], 'enabled');
  });

  it('uses the revision label on clusters with a revisioned mesh', () => {
    const revisioned = testCluster({ name: 'prod-eu-west', mesh: { istioCni: true, revision: 'asm-1-23' } });
    const labels = render(webAndWorker, revisioned).get('Namespace/patient-notes').metadata.labels;
    assert.equal(labels['istio.io/rev'], 'asm-1-23');
    assert.equal(labels['istio-injection'], undefined);
  });
});

describe('render: deployment', () => {
  const docs = render(webAndWorker);
  const web = docs.get('Deployment/patient-notes-web-2026-11-3');
  const pod = web.spec.template.spec;
  const container = pod.containers[0];

  it('rolls out without ever dropping capacity', () => {
    assert.deepEqual(web.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } });
    assert.equal(web.spec.minReadySeconds, 10);
    assert.equal(web.spec.progressDeadlineSeconds, 600);
    assert.equal(web.spec.revisionHistoryLimit, 5);
    assert.equal(web.spec.replicas, 3);
  });

  it('selects only on labels that never change between releases', () => {
    assert.deepEqual(web.spec.selector, { matchLabels: { 'app.kubernetes.io/name': 'patient-notes', 'app.kubernetes.io/component': 'web', version: '2026.11.3' } });
    for (const [key, value] of Object.entries(web.spec.selector.matchLabels)) assert.equal(web.spec.template.metadata.labels[key], value);
    assert.ok(!JSON.stringify(web).includes('cdk8s.io/metadata.addr'), 'no cdk8s path-hash selector');
  });

  it('labels pods for Kubernetes, the team and Istio', () => {
    assert.deepEqual(web.spec.template.metadata.labels, {
      'app.kubernetes.io/name': 'patient-notes',
      'app.kubernetes.io/instance': 'patient-notes',
      'app.kubernetes.io/component': 'web',
      'app.kubernetes.io/part-of': 'care-records',
      'app.kubernetes.io/version': '2026.11.3',
      'app.kubernetes.io/managed-by': 'fleetchart',
      team: 'care-records',
      app: 'patient-notes-web',
      version: '2026.11.3',
    });
  });

  it('spreads pods over zones (hard) and hosts (soft), counting only the current ReplicaSet', () => {
    assert.deepEqual(pod.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable, c.maxSkew, c.matchLabelKeys]), [
      ['topology.kubernetes.io/zone', 'DoNotSchedule', 1, ['pod-template-hash']],
      ['kubernetes.io/hostname', 'ScheduleAnyway', 1, ['pod-template-hash']],
    ]);
    assert.equal(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, undefined, 'never required anti-affinity');
    assert.equal(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey, 'kubernetes.io/hostname');
  });

  it('meets Pod Security restricted', () => {
    assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    assert.deepEqual(container.securityContext, { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    assert.deepEqual(container.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }]);
    assert.deepEqual(pod.volumes, [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
  });

  it('requests resources, limits memory and leaves CPU unthrottled', () => {
    assert.deepEqual(container.resources, { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '256Mi' } });
  });

  it('probes readiness and liveness on the serving port, with a gRPC default for gRPC ports only when asked', () => {
    assert.deepEqual(container.readinessProbe, { httpGet: { path: '/ready', port: 'http' }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
    assert.deepEqual(container.livenessProbe, { httpGet: { path: '/live', port: 'http' }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6 });
    assert.equal(container.startupProbe, undefined);
  });

  it('waits before SIGTERM with the kubelet\'s own sleep (no binary needed in distroless images) and keeps the sidecar alive through the wait', () => {
    assert.deepEqual(container.lifecycle, { preStop: { sleep: { seconds: 10 } } });
    assert.equal(pod.terminationGracePeriodSeconds, 45);
    assert.deepEqual(JSON.parse(web.spec.template.metadata.annotations['proxy.istio.io/config']), { holdApplicationUntilProxyStarts: true, terminationDrainDuration: '15s' });
  });

  it('pins the image by digest behind its readable tag, pulls only when missing, and runs with the service account without a token', () => {
    assert.equal(container.image, 'europe-docker.pkg.dev/acme-care/apps/patient-notes:2026.11.3@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9');
    assert.equal(container.imagePullPolicy, 'IfNotPresent');
    assert.equal(pod.serviceAccountName, 'patient-notes');
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.priorityClassName, 'care-critical');
    assert.equal(pod.enableServiceLinks, false);
  });

  it('gives a worker no ports and no probes, but the same hardening', () => {
    const worker = docs.get('Deployment/patient-notes-worker').spec.template.spec.containers[0];
    assert.equal(worker.ports, undefined);
    assert.equal(worker.readinessProbe, undefined);
    assert.deepEqual(worker.command, ['node', 'worker.js']);
    assert.equal(worker.securityContext.readOnlyRootFilesystem, true);
  });
});

describe('render: image pulls', () => {
  it('pulls an image by tag (stage) always, since a tag may have moved; a digest only when missing', () => {
    const stage = testCluster({ name: 'stage-eu', environment: 'stage' });
    const tagged = render({ release: { default: '2026.11.3' }, processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 1 } } }, stage).get('Deployment/patient-notes-web-2026-11-3');
    assert.equal(tagged.spec.template.spec.containers[0].image, 'europe-docker.pkg.dev/acme-care/apps/patient-notes:2026.11.3');
    assert.equal(tagged.spec.template.spec.containers[0].imagePullPolicy, 'Always');
    const pinned = render({ processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 1 } } }, stage).get([...render({ processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 1 } } }, stage).keys()].find((k) => k.startsWith('Deployment/patient-notes-web'))!);
    assert.equal(pinned.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  });
});

describe('render: secrets as files', () => {
  const docs = render({
    processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 2 } },
    secrets: {
      DB_PASSWORD_FILE: { secret: 'notes-db', key: 'password', file: '/etc/notes/db/password' },
      API_TOKEN_FILE: { secret: 'notes-api', key: 'token', file: '/etc/notes/db/token' },
      DATABASE_URL: { secret: 'notes-db', key: 'url' },
    },
  });
  const pod = docs.get('Deployment/patient-notes-web-2026-11-3').spec.template.spec;
  const container = pod.containers[0];

  it('mounts each key read-only with mode 0400 from one projected volume per directory, the variable holding the path', () => {
    assert.deepEqual(pod.volumes[1], {
      name: 'secret-files-0',
      projected: {
        defaultMode: 0o400,
        sources: [
          { secret: { name: 'notes-api', items: [{ key: 'token', path: 'token', mode: 0o400 }] } },
          { secret: { name: 'notes-db', items: [{ key: 'password', path: 'password', mode: 0o400 }] } },
        ],
      },
    });
    assert.deepEqual(container.volumeMounts[1], { name: 'secret-files-0', mountPath: '/etc/notes/db', readOnly: true });
    assert.deepEqual(container.env.find((e: any) => e.name === 'DB_PASSWORD_FILE'), { name: 'DB_PASSWORD_FILE', value: '/etc/notes/db/password' });
    assert.deepEqual(container.env.find((e: any) => e.name === 'DATABASE_URL').valueFrom, { secretKeyRef: { name: 'notes-db', key: 'url' } }, 'without file: the environment, as before');
  });

  it('keeps the root filesystem read-only', () => {
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  });
});

describe('render: service', () => {
  it('exposes named ports with appProtocol so Istio need not sniff, selecting the process across tracks', () => {
    const svc = render(webAndWorker).get('Service/patient-notes-web');
    assert.deepEqual(svc.spec, {
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'patient-notes', 'app.kubernetes.io/component': 'web' },
      ports: [
        { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
        { name: 'grpc', port: 9000, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' },
      ],
    });
  });
});

describe('render: disruption budget', () => {
  it('allows one eviction at a time, always lets unhealthy pods go, and selects exactly one process', () => {
    const pdb = render(webAndWorker).get('PodDisruptionBudget/patient-notes-web');
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.deepEqual(pdb.spec, {
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'patient-notes', 'app.kubernetes.io/component': 'web' } },
    });
  });
});

describe('render: service account', () => {
  it('carries the workload identity and does not automount a token', () => {
    const sa = render(webAndWorker).get('ServiceAccount/patient-notes');
    assert.deepEqual(sa.metadata.annotations, { 'iam.gke.io/gcp-service-account': 'patient-notes@acme-care-prod.iam.gserviceaccount.com', [LIBRARY_VERSION_ANNOTATION]: LIBRARY_VERSION });
    assert.equal(sa.automountServiceAccountToken, false);
  });

  it('labels AKS pods for the workload identity webhook', () => {
    const docs = render({ ...webAndWorker, identity: { azureClientId: '0f5c2a7e-8d41-4b6f-a3e9-71c5d2b8e604' } }, AKS_PROD);
    assert.equal(docs.get('Deployment/patient-notes-web-2026-11-3').spec.template.metadata.labels['azure.workload.identity/use'], 'true');
  });
});

describe('render: library version', () => {
  it('stamps every object with the library version that rendered it, and no pod template (a release alone restarts no pod)', () => {
    const docs = [...render(webAndWorker).values()];
    for (const doc of docs) assert.equal(doc.metadata.annotations[LIBRARY_VERSION_ANNOTATION], LIBRARY_VERSION, `${doc.kind} ${doc.metadata.name}`);
    for (const doc of docs.filter((d) => d.spec?.template)) assert.equal(doc.spec.template.metadata.annotations?.[LIBRARY_VERSION_ANNOTATION], undefined);
    assert.match(LIBRARY_VERSION, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'a semantic version');
  });
});

describe('render: waivers', () => {
  it('shows each waiver and its reason as an annotation on the namespace and the workloads', () => {
    const docs = render({ ...webAndWorker, waivers: { 'FC-AVAIL-001': 'single consumer by design of the vendor API' } });
    const expected = { 'waiver.fleetchart.io/FC-AVAIL-001': 'single consumer by design of the vendor API', 'kube-score/ignore': 'deployment-replicas', [LIBRARY_VERSION_ANNOTATION]: LIBRARY_VERSION };
    assert.deepEqual(docs.get('Namespace/patient-notes').metadata.annotations, expected);
    assert.deepEqual(docs.get('Deployment/patient-notes-web-2026-11-3').metadata.annotations, expected);
  });
});
