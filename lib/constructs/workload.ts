import { Construct } from 'constructs';
import { DEFAULTS } from '../values/defaults';
import type { ResolvedDeployment, ResolvedProbe, ResolvedProcess, ResolvedSecretDirectory, ResolvedService } from '../values/model';
import { k8s, Kube } from './k8s';
import { Manifest } from './manifest';
import { digestOf } from '../values/supply-chain';
import { workloadAnnotations } from './metadata';

const TMP_VOLUME = 'tmp';

/**
 * One Deployment per version a process runs. Rollouts never drop capacity (maxUnavailable 0), pods
 * spread over zones (hard) and hosts (soft), and every pod meets Pod Security `restricted`.
 */
export class ProcessWorkload extends Construct {
  constructor(scope: Construct, id: string, service: ResolvedService, process: ResolvedProcess) {
    super(scope, id);
    for (const track of process.deployments) {
      new Manifest(this, track.deploymentName, Kube.Deployment, {
        metadata: {
          name: track.deploymentName,
          namespace: service.namespace,
          labels: { ...track.podLabels },
          annotations: workloadAnnotations(service, process),
        },
        spec: deploymentSpec(service, process, track),
      });
    }
  }
}

function deploymentSpec(service: ResolvedService, process: ResolvedProcess, track: ResolvedDeployment): k8s.DeploymentSpec {
  const c = process.container;
  const rollout = process.rollout;
  return {
    replicas: track.replicas,
    // Only labels that never change between releases: a Deployment selector is immutable.
    selector: { matchLabels: { ...track.selector } },
    strategy: {
      type: 'RollingUpdate',
      rollingUpdate: {
        maxUnavailable: k8s.IntOrString.fromNumber(0),
        maxSurge: typeof rollout.maxSurge === 'number' ? k8s.IntOrString.fromNumber(rollout.maxSurge) : k8s.IntOrString.fromString(rollout.maxSurge),
      },
    },
    minReadySeconds: rollout.minReadySeconds,
    progressDeadlineSeconds: rollout.progressDeadlineSeconds,
    revisionHistoryLimit: rollout.revisionHistoryLimit,
    template: {
      metadata: {
        labels: { ...track.podLabels },
        annotations: {
          'kubectl.kubernetes.io/default-container': process.name,
          // Start the app after its sidecar, and keep the sidecar draining through the preStop sleep.
          'proxy.istio.io/config': JSON.stringify({
            holdApplicationUntilProxyStarts: true,
            terminationDrainDuration: `${c.preStopSeconds + 5}s`,
          }),
        },
      },
      spec: {
        serviceAccountName: service.serviceAccount.name,
        automountServiceAccountToken: service.serviceAccount.automountToken,
        priorityClassName: service.priorityClassName,
        enableServiceLinks: false,
        terminationGracePeriodSeconds: process.terminationGracePeriodSeconds,
        securityContext: {
          runAsNonRoot: true,
          runAsUser: process.runAsUser,
          runAsGroup: process.runAsUser,
          fsGroup: process.runAsUser,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        topologySpreadConstraints: [
          spread('topology.kubernetes.io/zone', 'DoNotSchedule', track),
          spread('kubernetes.io/hostname', 'ScheduleAnyway', track),
        ],
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...track.selector } } } },
            ],
          },
        },
        containers: [
          {
            name: process.name,
            image: track.image,
            // A digest names fixed bytes: a cached copy is the same image. A tag (stage) may have moved.
            imagePullPolicy: digestOf(track.image) ? 'IfNotPresent' : 'Always',
            command: c.command ? [...c.command] : undefined,
            args: c.args ? [...c.args] : undefined,
            ports: process.ports.length ? process.ports.map((port) => ({ name: port.name, containerPort: port.port, protocol: 'TCP' })) : undefined,
            env: c.env.length
              ? c.env.map((e) => ('value' in e ? { name: e.name, value: e.value } : { name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } }))
              : undefined,
            resources: {
              requests: { cpu: k8s.Quantity.fromString(c.requests.cpu), memory: k8s.Quantity.fromString(c.requests.memory) },
              limits: {
                memory: k8s.Quantity.fromString(c.limits.memory),
                ...(c.limits.cpu ? { cpu: k8s.Quantity.fromString(c.limits.cpu) } : {}),
              },
            },
            readinessProbe: probe(c.readiness),
            livenessProbe: probe(c.liveness),
            startupProbe: probe(c.startup),
            // The kubelet's own sleep (Kubernetes >= 1.30): works on distroless images without a `sleep` binary.
            lifecycle: c.preStopSeconds > 0 ? { preStop: { sleep: { seconds: c.preStopSeconds } } } : undefined,
            securityContext: {
              allowPrivilegeEscalation: false,
              privileged: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              capabilities: { drop: ['ALL'] },
            },
            volumeMounts: [{ name: TMP_VOLUME, mountPath: '/tmp' }, ...c.secretFiles.map((d) => ({ name: d.volume, mountPath: d.directory, readOnly: true }))],
          },
        ],
        volumes: [{ name: TMP_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString(process.tmpSize) } }, ...c.secretFiles.map(secretFilesVolume)],
      },
    },
  };
}

/** Secret keys as read-only files: a projected volume (allowed by Pod Security restricted) of the Secrets' items. */
function secretFilesVolume(d: ResolvedSecretDirectory): k8s.Volume {
  return {
    name: d.volume,
    projected: {
      defaultMode: DEFAULTS.secretFileMode,
      sources: d.files.map((f) => ({ secret: { name: f.secret, items: [{ key: f.key, path: f.file, mode: DEFAULTS.secretFileMode }] } })),
    },
  };
}

function spread(topologyKey: string, whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway', track: ResolvedDeployment): k8s.TopologySpreadConstraint {
  return {
    topologyKey,
    whenUnsatisfiable,
    maxSkew: 1,
    labelSelector: { matchLabels: { ...track.selector } },
    // Count only pods of the same ReplicaSet, so a surge during a rollout is not held back by old pods.
    matchLabelKeys: ['pod-template-hash'],
  };
}

function probe(p: ResolvedProbe | undefined): k8s.Probe | undefined {
  if (!p) return undefined;
  const h = p.handler;
  return {
    ...(h.kind === 'http' ? { httpGet: { path: h.path, port: k8s.IntOrString.fromString(h.port) } } : {}),
    ...(h.kind === 'tcp' ? { tcpSocket: { port: k8s.IntOrString.fromString(h.port) } } : {}),
    ...(h.kind === 'grpc' ? { grpc: { port: h.port } } : {}),
    ...(h.kind === 'exec' ? { exec: { command: [...h.command] } } : {}),
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
  };
}
