import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFinding } from '../lib/findings';
import { DEFAULTS } from '../lib/values/defaults';
import { LABEL, versionLabel } from '../lib/values/labels';
import { ParsedWithOverrides, applyOverrides, resolveService, unmatchedOverrideFindings } from '../lib/values/resolve';
import { serviceSchema } from '../lib/values/schema';
import { AKS_PROD, EKS_PROD, GKE_PROD, GKE_STAGE, testCluster } from './support/clusters';

const FILE = 'apps/notes/values.ts';

function parse(values: Record<string, unknown>): ParsedWithOverrides {
  return serviceSchema.parse({
    name: 'notes-api',
    team: 'care-records',
    image: 'europe-docker.pkg.dev/acme-care/apps/notes-api',
    release: { default: '1.0.0@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' },
    processes: { web: { ports: [{ name: 'http', port: 8080 }] } },
    ...values,
  }) as ParsedWithOverrides;
}

function resolve(values: Record<string, unknown>, cluster = GKE_PROD) {
  return resolveService(FILE, parse(values), cluster);
}

function lines(values: Record<string, unknown>, cluster = GKE_PROD): string[] {
  return resolve(values, cluster).findings.map(formatFinding);
}

describe('resolve: defaults', () => {
  it('applies every default from DEFAULTS when the values are minimal', () => {
    const service = resolve({}).service!;
    const web = service.processes[0];
    assert.equal(service.tier, DEFAULTS.tier);
    assert.equal(service.priorityClassName, 'care-standard');
    assert.equal(web.deployments[0].replicas, DEFAULTS.replicas);
    assert.deepEqual(web.container.requests, { cpu: DEFAULTS.cpu, memory: DEFAULTS.memory });
    assert.equal(web.container.limits.memory, DEFAULTS.memory, 'memory limit defaults to the request');
    assert.equal(web.container.limits.cpu, undefined, 'no CPU limit by default');
    assert.equal(web.rollout.maxSurge, DEFAULTS.maxSurge);
    assert.equal(web.rollout.minReadySeconds, DEFAULTS.minReadySeconds);
    assert.equal(web.terminationGracePeriodSeconds, DEFAULTS.terminationGracePeriodSeconds);
    assert.equal(web.container.preStopSeconds, DEFAULTS.preStopSeconds);
    assert.equal(web.runAsUser, DEFAULTS.runAsUser);
    assert.deepEqual(web.disruption, { maxUnavailable: DEFAULTS.pdbMaxUnavailable });
    assert.equal(service.serviceAccount.automountToken, false);
    assert.deepEqual(service.serviceAccount.annotations, {}, 'no cloud identity unless asked');
  });

  it('probes a serving process over TCP on its first port when no probe is given', () => {
    const web = resolve({}).service!.processes[0];
    assert.deepEqual(web.container.readiness?.handler, { kind: 'tcp', port: 'http' });
    assert.deepEqual(web.container.liveness?.handler, { kind: 'tcp', port: 'http' });
    assert.equal(web.container.liveness?.failureThreshold, DEFAULTS.livenessFailureThreshold);
    assert.equal(web.container.startup, undefined);
  });

  it('probes a gRPC port with the gRPC health protocol', () => {
    const web = resolve({ processes: { web: { ports: [{ name: 'grpc', port: 9000, protocol: 'grpc' }] } } }).service!.processes[0];
    assert.deepEqual(web.container.readiness?.handler, { kind: 'grpc', port: 9000 });
  });

  it('gives a worker without ports no probes, no Service and no port-based defaults', () => {
    const worker = resolve({ processes: { worker: { command: ['run'] } } }).service!.processes[0];
    assert.equal(worker.serving, false);
    assert.equal(worker.container.readiness, undefined);
    assert.equal(worker.container.liveness, undefined);
  });

  it('renders no PDB for a single pod, so a drain is never blocked', () => {
    const web = resolve({ processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 1 } } }, GKE_STAGE).service!.processes[0];
    assert.equal(web.disruption, undefined);
  });

  it('maps the tier to the cluster priority class', () => {
    assert.equal(resolve({ tier: 'critical' }).service!.priorityClassName, 'care-critical');
    assert.equal(resolve({ tier: 'batch' }).service!.priorityClassName, 'care-batch');
  });

  it('merges default, service and process env by name, process winning, sorted by name', () => {
    const env = resolve({
      env: { B: 'service', A: 'service' },
      secrets: { DB: { secret: 'db', key: 'url' } },
      processes: { web: { ports: [{ name: 'http', port: 8080 }], env: { B: 'process' } } },
    }).service!.processes[0].container.env;
    assert.deepEqual(env, [
      { name: 'A', value: 'service' },
      { name: 'B', value: 'process' },
      { name: 'DB', secret: 'db', key: 'url' },
      { name: 'LOG_FORMAT', value: DEFAULTS.env.LOG_FORMAT },
    ]);
  });

  it('logs as JSON unless the values choose otherwise', () => {
    const env = (values: Record<string, unknown>) => resolve(values).service!.processes[0].container.env.filter((e) => e.name === 'LOG_FORMAT');
    assert.deepEqual(env({}), [{ name: 'LOG_FORMAT', value: 'json' }]);
    assert.deepEqual(env({ env: { LOG_FORMAT: 'text' } }), [{ name: 'LOG_FORMAT', value: 'text' }]);
  });

  it('labels digests in a form Kubernetes accepts as a label value', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const track = resolve({ release: { default: digest } }).service!.processes[0].deployments[0];
    assert.equal(track.image, `europe-docker.pkg.dev/acme-care/apps/notes-api@${digest}`);
    assert.equal(track.podLabels['app.kubernetes.io/version'], 'sha256-aaaaaaaaaaaa');
  });
});

describe('resolve: per-cluster overrides', () => {
  it('merges objects deeply and replaces scalars', () => {
    const values = parse({
      env: { A: '1', B: '2' },
      processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 3, cpu: '200m' } },
      clusters: { 'prod-*': { env: { B: 'prod' }, processes: { web: { replicas: 5 } } } },
    });
    const merged = applyOverrides(values, 'prod-eu-west');
    assert.deepEqual(merged.env, { A: '1', B: 'prod' });
    assert.equal(merged.processes.web.replicas, 5);
    assert.equal(merged.processes.web.cpu, '200m', 'untouched fields survive');
    assert.equal(applyOverrides(values, 'stage-eu').processes.web.replicas, 3, 'non-matching clusters keep the base');
  });

  it('merges ports by name and replaces other lists; names the base does not declare are not applied (FC-OVR-002 reports them)', () => {
    const values = parse({
      processes: { web: { ports: [{ name: 'http', port: 8080 }], command: ['a', 'b'] } },
      clusters: { 'prod-eu-west': { processes: { web: { ports: [{ name: 'http', port: 8081 }, { name: 'admin', port: 9901 }], command: ['c'] }, wbe: { replicas: 1 } } } },
    });
    const applied = applyOverrides(values, 'prod-eu-west');
    assert.deepEqual(applied.processes.web.ports, [{ name: 'http', port: 8081 }]);
    assert.deepEqual(applied.processes.web.command, ['c']);
    assert.deepEqual(Object.keys(applied.processes), ['web']);
  });

  it('applies globs first and the exact cluster name last, whatever the written order', () => {
    const values = parse({ clusters: { 'prod-eu-west': { tier: 'critical' }, 'prod-*': { tier: 'batch' } } });
    assert.equal(applyOverrides(values, 'prod-eu-west').tier, 'critical');
    assert.equal(applyOverrides(values, 'prod-eu-north').tier, 'batch');
  });

  it('reports an override key that matches no cluster of the inventory', () => {
    const values = parse({ clusters: { 'prd-*': { tier: 'batch' } } });
    const findings = unmatchedOverrideFindings(FILE, values, ['stage-eu', 'prod-eu-west']).map(formatFinding);
    assert.deepEqual(findings, [
      `${FILE}: clusters['prd-*']: expected a cluster name or glob matching the inventory, got 'prd-*', which matches none; known clusters: stage-eu, prod-eu-west [FC-OVR-001]`,
    ]);
  });
});

describe('resolve: workload identity per provider', () => {
  it('derives the GKE service account from the service name and the cluster project', () => {
    const sa = resolve({ identity: true }).service!.serviceAccount;
    assert.deepEqual(sa.annotations, { 'iam.gke.io/gcp-service-account': 'notes-api@acme-care-prod.iam.gserviceaccount.com' });
    assert.deepEqual(sa.podLabels, {});
  });

  it('uses a given GKE service account instead of deriving one', () => {
    const sa = resolve({ identity: { gcpServiceAccount: 'shared-notes@acme-care-prod.iam.gserviceaccount.com' } }).service!.serviceAccount;
    assert.equal(sa.annotations['iam.gke.io/gcp-service-account'], 'shared-notes@acme-care-prod.iam.gserviceaccount.com');
  });

  it('rejects a derived GCP account id that GCP would not accept', () => {
    const findings = resolveService(FILE, serviceSchema.parse({ ...parse({ identity: true }), name: 'notes' }) as ParsedWithOverrides, GKE_PROD).findings.map(formatFinding);
    assert.deepEqual(findings, [
      `${FILE}: identity: expected a valid GCP service account e-mail, derived 'notes@acme-care-prod.iam.gserviceaccount.com', which is not (account ids have 6–30 characters); set identity.gcpServiceAccount [FC-ID-003] (cluster prod-eu-west)`,
    ]);
  });

  it('annotates the AKS client id and tenant, and labels the pods for the webhook', () => {
    const service = resolve({ identity: { azureClientId: '0f5c2a7e-8d41-4b6f-a3e9-71c5d2b8e604' } }, AKS_PROD).service!;
    assert.deepEqual(service.serviceAccount.annotations, {
      'azure.workload.identity/client-id': '0f5c2a7e-8d41-4b6f-a3e9-71c5d2b8e604',
      'azure.workload.identity/tenant-id': '4d6a8f0e-2c1b-4e7a-9f3d-5b8c2a1e7d40',
    });
    assert.equal(service.processes[0].deployments[0].podLabels['azure.workload.identity/use'], 'true');
  });

  it('requires an AKS client id when identity is on for an AKS cluster', () => {
    assert.deepEqual(lines({ identity: true }, AKS_PROD), [
      `${FILE}: identity.azureClientId: required on AKS clusters: the client id of the service's managed identity; set identity: { azureClientId: '<guid>' } (per cluster under clusters['prod-azure-weu'] if it differs) [FC-ID-001] (cluster prod-azure-weu)`,
    ]);
  });

  it('annotates the EKS role ARN, and requires it', () => {
    const arn = 'arn:aws:iam::123456789012:role/notes-api';
    assert.deepEqual(resolve({ identity: { awsRoleArn: arn } }, EKS_PROD).service!.serviceAccount.annotations, { 'eks.amazonaws.com/role-arn': arn });
    assert.deepEqual(lines({ identity: true }, EKS_PROD), [
      `${FILE}: identity.awsRoleArn: required on EKS clusters: the IAM role the pods assume; set identity: { awsRoleArn: 'arn:aws:iam::123456789012:role/notes-api' } [FC-ID-002] (cluster prod-aws-euc1)`,
    ]);
  });

  it('mounts the API token only when the values ask for it', () => {
    assert.equal(resolve({ automountServiceAccountToken: true }).service!.serviceAccount.automountToken, true);
  });
});

describe('resolve: availability rules', () => {
  const single = { processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 1 } } };

  it('rejects a single-replica serving process in prod', () => {
    assert.deepEqual(lines(single), [
      `${FILE}: processes.web.replicas: expected at least 2 replicas for a serving process in a prod cluster, got 1; raise replicas, or add waivers: { 'FC-AVAIL-001': '<reason>' } [FC-AVAIL-001] (cluster prod-eu-west)`,
    ]);
  });

  it('allows it in stage, for workers, and in prod with a waiver that says why', () => {
    assert.deepEqual(lines(single, GKE_STAGE), []);
    assert.deepEqual(lines({ processes: { worker: { replicas: 1, probes: { live: { command: ['/app/healthcheck'] } } } } }), []);
    const waived = resolve({ ...single, waivers: { 'FC-AVAIL-001': 'singleton leader: the vendor API allows one session' } });
    assert.deepEqual(waived.findings, []);
    assert.deepEqual(waived.service!.waivers, { 'FC-AVAIL-001': 'singleton leader: the vendor API allows one session' });
  });

  it('rejects a budget that lets a drain take every pod at once', () => {
    assert.deepEqual(lines({ processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, disruption: { maxUnavailable: 2 } } } }), [
      `${FILE}: processes.web.disruption.maxUnavailable: expected fewer than replicas (2), got 2: such a budget lets a drain evict every pod at once; lower it or raise replicas [FC-AVAIL-002] (cluster prod-eu-west)`,
    ]);
  });

  it('refuses every service on a cluster whose mesh has no Istio CNI', () => {
    const noCni = testCluster({ name: 'prod-legacy', mesh: { istioCni: false } });
    const result = resolve({}, noCni);
    assert.equal(result.service, undefined);
    assert.deepEqual(result.findings.map(formatFinding), [
      `${FILE}: the cluster runs Istio without the CNI plugin, so injected sidecars need the NET_ADMIN/NET_RAW init container that Pod Security 'restricted' forbids; the infra team must enable istio-cni there and set mesh.istioCni: true in apps/clusters.ts [FC-MESH-001] (cluster prod-legacy)`,
    ]);
  });
});

describe('resolve: process consistency rules', () => {
  it('rejects duplicate port names and numbers', () => {
    assert.deepEqual(lines({ processes: { web: { ports: [{ name: 'http', port: 8080 }, { name: 'http', port: 8080 }] } } }), [
      `${FILE}: processes.web.ports[1].name: expected unique port names, got 'http' twice; rename one [FC-PROC-001] (cluster prod-eu-west)`,
      `${FILE}: processes.web.ports[1].port: expected unique port numbers, got 8080 twice; remove the duplicate [FC-PROC-001] (cluster prod-eu-west)`,
    ]);
  });

  it('rejects a probe on a port the process does not serve', () => {
    assert.deepEqual(lines({ processes: { web: { ports: [{ name: 'http', port: 8080 }], probes: { ready: { path: '/ready', port: 'admin' } } } } }), [
      `${FILE}: processes.web.probes.ready.port: expected one of this process's ports ('http'), got 'admin' [FC-PROC-001] (cluster prod-eu-west)`,
    ]);
  });

  it('rejects an HTTP probe on a process without ports', () => {
    assert.deepEqual(lines({ processes: { worker: { probes: { live: { path: '/live' } } } } }), [
      `${FILE}: processes.worker.probes.live: expected a probe with 'command' for a process without ports, got one that needs a port; add command: [...] or add ports [FC-PROC-004] (cluster prod-eu-west)`,
    ]);
  });

  it('warns when liveness is the same HTTP path or command as readiness (FC-PROBE-002), and accepts a waiver', () => {
    const web = (probes: Record<string, unknown>) => ({ processes: { web: { ports: [{ name: 'http', port: 8080 }], probes } } });
    assert.deepEqual(lines(web({ ready: { path: '/_healthz' }, live: { path: '/_healthz', failureThreshold: 10 } })), [
      `${FILE}: processes.web.probes.live: warning: expected a liveness check other than the readiness check, got HTTP GET /_healthz on port 'http' for both: when readiness fails (a dependency down, overload), liveness restarts every pod too; point probes.live at a check of the process alone (e.g. path: '/livez'), or add waivers: { 'FC-PROBE-002': '<reason>' } [FC-PROBE-002] (cluster prod-eu-west)`,
    ]);
    const worker = { processes: { worker: { probes: { ready: { command: ['/app/check'] }, live: { command: ['/app/check'] } } } } };
    assert.match(lines(worker)[0], /got the command \["\/app\/check"\] for both.*\[FC-PROBE-002\]/);
    assert.deepEqual(lines({ ...worker, waivers: { 'FC-PROBE-002': '/app/check reads only the process state' } }), []);
    // Different paths, and the default TCP connect on both (it cannot fail because of a dependency), pass.
    assert.deepEqual(lines(web({ ready: { path: '/ready' }, live: { path: '/live' } })), []);
    assert.deepEqual(lines({}), []);
    const defaults = resolve({}).service!.processes[0].container;
    assert.deepEqual([defaults.readiness!.handler, defaults.liveness!.handler], [{ kind: 'tcp', port: 'http' }, { kind: 'tcp', port: 'http' }]);
  });

  it('warns about a process without ports and without a liveness command (FC-PROBE-003), and accepts a waiver', () => {
    assert.deepEqual(lines({ processes: { worker: { command: ['/app/worker'] } } }), [
      `${FILE}: processes.worker.probes.live: warning: expected a liveness command for a process without ports, got none: a hung worker is never restarted; add probes: { live: { command: [...] } } with a check the image can run (e.g. ['/app/bin', 'healthcheck']), or add waivers: { 'FC-PROBE-003': '<reason>' } [FC-PROBE-003] (cluster prod-eu-west)`,
    ]);
    assert.deepEqual(lines({ processes: { worker: { command: ['/app/worker'] } }, waivers: { 'FC-PROBE-003': 'a one-shot job the platform reruns' } }), []);
    assert.deepEqual(lines({ processes: { worker: { command: ['/app/worker'], probes: { live: { command: ['/app/worker', 'healthcheck'] } } } } }), []);
  });

  it('rejects a grace period that ends before the preStop sleep', () => {
    assert.deepEqual(lines({ processes: { web: { ports: [{ name: 'http', port: 8080 }], preStopSeconds: 30, terminationGracePeriodSeconds: 30 } } }), [
      `${FILE}: processes.web.terminationGracePeriodSeconds: expected more than preStopSeconds (30), got 30: the app would be killed before it can shut down; raise it or lower preStopSeconds [FC-PROC-002] (cluster prod-eu-west)`,
    ]);
  });

  it('rejects limits below requests', () => {
    assert.deepEqual(lines({ processes: { web: { ports: [{ name: 'http', port: 8080 }], memory: '1Gi', memoryLimit: '512Mi', cpu: '2', cpuLimit: '500m' } } }), [
      `${FILE}: processes.web.memoryLimit: expected at least the memory request (1Gi), got '512Mi'; raise memoryLimit or lower memory [FC-PROC-003] (cluster prod-eu-west)`,
      `${FILE}: processes.web.cpuLimit: expected at least the cpu request (2), got '500m'; raise cpuLimit or lower cpu [FC-PROC-003] (cluster prod-eu-west)`,
    ]);
  });

  it('rejects a variable that is both plain and from a secret', () => {
    assert.deepEqual(lines({ env: { DB: 'x' }, secrets: { DB: { secret: 'db', key: 'url' } } }), [
      `${FILE}: env.DB: expected 'DB' in either env or secrets, got both; remove one [FC-PROC-005] (cluster prod-eu-west)`,
    ]);
  });
});

describe('resolve: version labels', () => {
  it('turns any release version into a valid label value', () => {
    assert.equal(versionLabel('2026.11.3'), '2026.11.3');
    assert.equal(versionLabel('2026.11.3-'), '2026.11.3');
    assert.equal(versionLabel('_build.7'), 'build.7');
    assert.equal(versionLabel(`v${'1'.repeat(80)}`), `v${'1'.repeat(62)}`);
    assert.equal(versionLabel(`sha256:${'ab'.repeat(32)}`), 'sha256-abababababab');
  });
});

describe('resolve: rollout settings', () => {
  it('FC-PROC-006: rejects a progress deadline that is not above minReadySeconds', () => {
    assert.deepEqual(lines({ processes: { web: { ports: [{ name: 'http', port: 8080 }], minReadySeconds: 120, progressDeadlineSeconds: 120 } } }), [
      `${FILE}: processes.web.progressDeadlineSeconds: expected more than minReadySeconds (120), got 120: every rollout would be reported as failed; raise it or lower minReadySeconds [FC-PROC-006] (cluster prod-eu-west)`,
    ]);
  });
});

describe("resolve: port protocols by Istio's naming convention", () => {
  const protocolOf = (port: Record<string, unknown>) => resolve({ processes: { web: { ports: [port] } } }).service!.processes[0].ports[0].protocol;

  it('takes the protocol from the port name when protocol is left out, as Istio reads <protocol>[-<suffix>]', () => {
    assert.equal(protocolOf({ name: 'grpc', port: 9000 }), 'grpc', 'a gRPC port must not be spoken to as HTTP/1.1');
    assert.equal(protocolOf({ name: 'grpc-internal', port: 9000 }), 'grpc');
    assert.equal(protocolOf({ name: 'http2', port: 8080 }), 'http2');
    assert.equal(protocolOf({ name: 'http-api', port: 8080 }), 'http');
    assert.equal(protocolOf({ name: 'tcp-db', port: 5432 }), 'tcp');
    assert.equal(protocolOf({ name: 'tls', port: 8443 }), 'tls');
    assert.equal(protocolOf({ name: 'https', port: 8443 }), 'tls', 'the sidecar does not decrypt https: same as tls');
    assert.equal(protocolOf({ name: 'redis', port: 6379 }), 'tcp', 'experimental Istio protocols are opaque TCP unless enabled');
    assert.equal(protocolOf({ name: 'mongo', port: 27017 }), 'tcp');
  });

  it('falls back to the default for names that imply no protocol, and keeps an explicit protocol', () => {
    assert.equal(protocolOf({ name: 'web', port: 8080 }), DEFAULTS.portProtocol);
    assert.equal(protocolOf({ name: 'api', port: 9000, protocol: 'grpc' }), 'grpc');
  });

  it('probes a port named grpc with the gRPC health protocol without protocol: grpc', () => {
    const web = resolve({ processes: { web: { ports: [{ name: 'grpc', port: 9000 }] } } }).service!.processes[0];
    assert.deepEqual(web.container.readiness?.handler, { kind: 'grpc', port: 9000 });
  });

  it('rejects a protocol that contradicts the port name, and an ambiguous name without protocol', () => {
    assert.deepEqual(lines({ processes: { web: { ports: [{ name: 'grpc-api', port: 9000, protocol: 'http' }] } } }), [
      `${FILE}: processes.web.ports[0].protocol: expected protocol 'grpc' for a port named 'grpc-api' (Istio reads the name's prefix as its protocol), got 'http'; rename the port (e.g. 'http-grpc-api') or set protocol: 'grpc' [FC-PROC-007] (cluster prod-eu-west)`,
    ]);
    assert.deepEqual(lines({ processes: { web: { ports: [{ name: 'grpc-web', port: 8080 }] } } }), [
      `${FILE}: processes.web.ports[0]: expected protocol for port 'grpc-web', got none: Istio treats 'grpc-web' as HTTP/2, but gRPC-Web clients are browsers speaking HTTP/1.1; set protocol: 'http' or 'http2' [FC-PROC-007] (cluster prod-eu-west)`,
    ]);
    assert.deepEqual(lines({ processes: { web: { ports: [{ name: 'grpc-web', port: 8080, protocol: 'http' }] } } }), []);
  });
});

describe('resolve: a pasted secret is reported even beside another finding', () => {
  it('reports a literal password shadowed by a secrets entry of the same name, not only FC-PROC-005', () => {
    const values = { env: { DB_PASSWORD: 'hunter2' }, secrets: { DB_PASSWORD: { secret: 'notes-db', key: 'password' } } };
    assert.deepEqual(lines(values), [
      `${FILE}: env.DB_PASSWORD: expected 'DB_PASSWORD' in either env or secrets, got both; remove one [FC-PROC-005] (cluster prod-eu-west)`,
      `${FILE}: env.DB_PASSWORD: expected a Secret reference for secret-looking variable 'DB_PASSWORD', got a literal value beside its secrets: entry; remove the env entry and rotate the value if it was real [FC-SEC-001] (cluster prod-eu-west)`,
    ]);
    const shaped = { env: { UPSTREAM: 'ghp_0123456789abcdefghijklmnopqrstuvwxyz' }, secrets: { UPSTREAM: { secret: 'notes-gh', key: 'token' } } };
    assert.deepEqual(lines(shaped)[1], `${FILE}: env.UPSTREAM: expected no credential in plain env, got a GitHub token in 'UPSTREAM'; remove the env entry (secrets: already reads it from a Secret) and rotate the credential [FC-SEC-002] (cluster prod-eu-west)`);
  });
});

describe('resolve: supply chain (FC-IMG-002)', () => {
  const DIGEST = 'sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9';
  const pinned = (at: string, version: string, cluster = 'prod-eu-west') =>
    `${FILE}: ${at}: expected a version pinned by digest in prod cluster ${cluster}, got '${version}' (a tag can be moved to other bytes); write '${version}@sha256:<digest>' (the tag stays readable; the digest is what runs), or add waivers: { 'FC-IMG-002': '<reason>' } [FC-IMG-002] (cluster ${cluster})`;

  it('requires a digest in prod, pointing at where each tag was written, and accepts tags in stage', () => {
    const values = {
      release: { default: '1.0.0', rollout: { version: '1.1.0', weight: 5 } },
      processes: { web: { ports: [{ name: 'http', port: 8080 }] }, proxy: { image: 'docker.io/envoyproxy/envoy:v1.31.2', ports: [{ name: 'admin', port: 9901 }] } },
    };
    assert.deepEqual(lines(values), [pinned('release.default', '1.0.0'), pinned('release.rollout.version', '1.1.0'), pinned('processes.proxy.image', 'docker.io/envoyproxy/envoy:v1.31.2')]);
    assert.deepEqual(lines(values, GKE_STAGE), []);
  });

  it('accepts tag@sha256 (the version stays readable) and a bare digest, and runs the digest', () => {
    const service = resolve({ release: { default: `1.0.0@${DIGEST}` } }).service!;
    assert.equal(service.processes[0].deployments[0].image, `europe-docker.pkg.dev/acme-care/apps/notes-api:1.0.0@${DIGEST}`);
    assert.equal(service.processes[0].deployments[0].podLabels[LABEL.version], '1.0.0', 'people see the version');
    assert.deepEqual(lines({ release: { default: DIGEST } }), []);
  });

  it('lets a service waive it with a reason', () => {
    assert.deepEqual(lines({ release: { default: 'main' }, waivers: { 'FC-IMG-002': 'nightly build for the clinical pilot' } }), []);
  });
});

describe('resolve: secrets as files', () => {
  it('rejects two secrets mounted at the same file', () => {
    const secrets = { A_FILE: { secret: 'notes-a', key: 'x', file: '/etc/notes/key' }, B_FILE: { secret: 'notes-b', key: 'y', file: '/etc/notes/key' } };
    assert.deepEqual(lines({ secrets }), [
      `${FILE}: secrets.B_FILE.file: expected a file path no other secret uses, got '/etc/notes/key', which 'A_FILE' mounts too; choose another file name [FC-PROC-001] (cluster prod-eu-west)`,
    ]);
  });
});
