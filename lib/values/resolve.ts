import type { Cluster } from '../clusters/schema';
import { Finding, closest, formatPath } from '../findings';
import { RuleId, ruleInfo } from '../validate/catalog';
import { DEFAULTS, METRICS_PORT_NAME, PROD_MIN_SERVING_REPLICAS } from './defaults';
import { GCP_SERVICE_ACCOUNT, imageAt, parseCpuMillis, parseMemoryBytes, splitImage } from './formats';
import { LABEL, MANAGED_BY, versionLabel } from './labels';
import { PortProtocol, protocolFromName } from './protocols';
import { credentialShape, secretLookingName } from './secret-detection';
import { checkVersionPinned } from './supply-chain';
import { globMatches, matchingOverrideKeys, mergeOverride } from './merge';
import { FleetDirectory, checkEnvAddresses, resolveCalls } from './calls';
import type { ResolvedCall, ResolvedRoute, ResolvedTraffic, ResolvedContainer, ResolvedDeployment, ResolvedEnv, ResolvedMonitoring, ResolvedProbe, ResolvedProcess, ResolvedRelease, ResolvedSecretDirectory, ResolvedService, ResolvedServiceAccount, ResolvedSlo, ResolvedVersion } from './model';
import { defaultOnlyRelease, resolveRelease, routeRules, versionReplicas } from './release';
import type { Report } from './report-rule';
import type { ParsedServiceValues, ProcessValues } from './schema';
import { HTTP_PROTOCOLS, resolveCallers, resolveRoutes } from './traffic';

export type ParsedWithOverrides = ParsedServiceValues & { clusters?: Record<string, unknown> };

export interface Resolution {
  /** The model, when resolve found no error. */
  readonly service?: ResolvedService;
  /** The model as far as resolve got, errors or not: later stages still check it. */
  readonly draft: ResolvedService;
  readonly findings: readonly Finding[];
}

/**
 * values × cluster → the resolved model. Pure: every default and every decision is taken here,
 * and every problem is returned as a finding rather than thrown.
 */
export function resolveService(file: string, parsed: ParsedWithOverrides, cluster: Cluster, directory?: FleetDirectory): Resolution {
  const values = applyOverrides(parsed, cluster.name);
  const findings: Finding[] = [];
  const report = (path: PropertyKey[], rule: RuleId, message: string) => {
    const waived = ruleInfo(rule).waivable && values.waivers?.[rule] !== undefined;
    if (!waived) findings.push({ file, path: formatPath(path), message, rule, severity: ruleInfo(rule).severity, cluster: cluster.name });
  };

  if (!cluster.mesh.istioCni) {
    report([], 'FC-MESH-001', `the cluster runs Istio without the CNI plugin, so injected sidecars need the NET_ADMIN/NET_RAW init container that Pod Security 'restricted' forbids; the infra team must enable istio-cni there and set mesh.istioCni: true in apps/clusters.ts`);
  }

  const tier = values.tier ?? DEFAULTS.tier;
  const labels = {
    [LABEL.name]: values.name,
    [LABEL.instance]: values.name,
    [LABEL.partOf]: values.partOf ?? values.team,
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.team]: values.team,
  };
  const serviceAccount = resolveServiceAccount(values, cluster, report);
  // A release with errors still lets every other check run, on its default alone: all problems in one run.
  const release = resolveRelease(values, report) ?? defaultOnlyRelease(values.release.default);
  // Every version this cluster runs, checked where it was written.
  const r = values.release;
  if (r.versions) r.versions.forEach((v, i) => checkVersionPinned(v, ['release', 'versions', i], cluster, report));
  else {
    checkVersionPinned(r.default, ['release', 'default'], cluster, report);
    if (r.rollout?.version) checkVersionPinned(r.rollout.version, ['release', 'rollout', 'version'], cluster, report);
  }
  for (const [name, p] of Object.entries(values.processes)) if (p.image) checkVersionPinned(p.image, ['processes', name, 'image'], cluster, report);
  const calls = resolveCalls(values, directory, report);
  checkEnvAddresses(values, directory, report);
  const processes = withCallAddresses(
    calls,
    Object.keys(values.processes)
      .sort()
      .map((name) => resolveProcess(values, name, cluster, labels, serviceAccount, release, report)),
    report,
  );
  const routes = resolveRoutes(values, processes, cluster, report);
  const callers = resolveCallers(values, cluster, routes.length > 0);

  const service: ResolvedService = {
    name: values.name,
    file,
    cluster,
    namespace: values.name,
    team: values.team,
    tier,
    priorityClassName: cluster.priorityClasses[tier],
    labels,
    namespaceLabels: {
      ...labels,
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      ...(cluster.mesh.revision ? { 'istio.io/rev': cluster.mesh.revision } : { 'istio-injection': 'enabled' }),
    },
    serviceAccount,
    processes,
    waivers: values.waivers ?? {},
    traffic: { release, rules: routeRules(release, cluster.routing), routes, ...callers, calls, external: resolveExternal(values), ...resolveAccess(values.name, cluster, callers.gateway, routes, directory) },
    slo: resolveSlo(values),
    monitoring: resolveMonitoring(cluster),
  };
  return { service: findings.some((f) => f.severity === 'error') ? undefined : service, draft: service, findings };
}

function resolveExternal(values: ParsedServiceValues): ResolvedTraffic['external'] {
  return Object.keys(values.external ?? {})
    .sort()
    .map((name) => {
      const e = values.external![name];
      return { name, host: e.host, port: e.port ?? DEFAULTS.external.port, protocol: e.protocol ?? DEFAULTS.external.protocol };
    });
}

/** Each call's address in the environment of every process, as `host:port`. */
function withCallAddresses(calls: readonly ResolvedCall[], processes: ResolvedProcess[], report: Report): ResolvedProcess[] {
  if (calls.length === 0) return processes;
  for (const call of calls) {
    const elsewhere = processes.some((p) => p.container.env.some((e) => e.name === call.env));
    if (elsewhere) report(['calls', call.name, 'env'], 'FC-CALL-001', `expected '${call.env}' to be set by calls.${call.name} only, got it in env or secrets too; remove it there (or set calls.${call.name}.env to another name)`);
  }
  const addresses = calls.map((c) => ({ name: c.env, value: `${c.host}:${c.port}` }));
  return processes.map((p) => ({
    ...p,
    container: { ...p.container, env: [...p.container.env, ...addresses.filter((a) => !p.container.env.some((e) => e.name === a.name))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) },
  }));
}

/** Who may reach the service, port by port: consenting to a caller that calls, and the gateway on its routes. */
function resolveAccess(name: string, cluster: Cluster, gateway: boolean, routes: readonly ResolvedRoute[], directory: FleetDirectory | undefined): Pick<ResolvedTraffic, 'inbound' | 'gatewayAccess'> {
  const trustDomain = cluster.mesh.trustDomain ?? 'cluster.local';
  const inbound = [...(directory?.inbound(name) ?? new Map<string, number[]>())]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([service, ports]) => ({ service, principal: `${trustDomain}/ns/${service}/sa/${service}`, ports }));
  if (!gateway) return { inbound };
  const [namespace, account] = cluster.ingress.serviceAccount.split('/');
  return { inbound, gatewayAccess: { principal: `${trustDomain}/ns/${namespace}/sa/${account}`, namespace, routes: routes.map((r) => ({ port: r.port, paths: r.paths })) } };
}

/** The values as they apply to one cluster: base values with the matching overrides merged in. */
export function applyOverrides(parsed: ParsedWithOverrides, clusterName: string): ParsedServiceValues {
  const { clusters: overrides, ...base } = parsed;
  let values = base as ParsedServiceValues;
  for (const key of matchingOverrideKeys(Object.keys(overrides ?? {}), clusterName)) {
    values = mergeOverride(values, splitOverride(overrides![key] as Record<string, any>, base as ParsedServiceValues).declared);
  }
  return values;
}

/** A name an override uses that the base values do not declare, where it is (below the override) and what is declared. */
interface Undeclared {
  readonly at: PropertyKey[];
  readonly what: string;
  readonly name: string;
  readonly known: readonly string[];
}

/**
 * An override split into what the base values declare and the processes, ports, routes and calls
 * they do not: FC-OVR-002 reports those (unknownOverrideNameFindings), and applying them would only
 * add findings about objects that must not exist (a worker `<service>-wbe` without probes), so
 * applyOverrides merges `declared` only. Valid values lose nothing.
 */
function splitOverride(override: Record<string, any>, base: ParsedServiceValues): { declared: Record<string, any>; undeclared: Undeclared[] } {
  const declared = { ...override };
  const undeclared: Undeclared[] = [];
  if (override.processes) {
    const processes: Record<string, unknown> = {};
    for (const [name, settings] of Object.entries(override.processes as Record<string, any>)) {
      const process = base.processes[name];
      if (!process) {
        undeclared.push({ at: ['processes', name], what: 'a process', name, known: Object.keys(base.processes) });
        continue;
      }
      const known = (process.ports ?? []).map((p) => p.name);
      if (!Array.isArray(settings?.ports)) {
        processes[name] = settings;
        continue;
      }
      settings.ports.forEach((port: { name: string }, i: number) => {
        if (!known.includes(port.name)) undeclared.push({ at: ['processes', name, 'ports', i, 'name'], what: `a port of process '${name}'`, name: port.name, known });
      });
      processes[name] = { ...settings, ports: settings.ports.filter((port: { name: string }) => known.includes(port.name)) };
    }
    declared.processes = processes;
  }
  for (const group of ['routes', 'calls'] as const) {
    if (!override[group]) continue;
    const known = Object.keys((base[group] as object | undefined) ?? {});
    const names = Object.keys(override[group] as object);
    for (const name of names) if (!known.includes(name)) undeclared.push({ at: [group, name], what: group === 'routes' ? 'a route' : 'a call', name, known });
    declared[group] = Object.fromEntries(Object.entries(override[group] as object).filter(([name]) => known.includes(name)));
  }
  return { declared, undeclared };
}

/** Override keys that match no cluster of the inventory: almost always a typo. */
export function unmatchedOverrideFindings(file: string, parsed: ParsedWithOverrides, clusterNames: readonly string[]): Finding[] {
  return Object.keys(parsed.clusters ?? {})
    .filter((key) => !clusterNames.some((name) => globMatches(key, name)))
    .map((key) => ({
      file,
      path: formatPath(['clusters', key]),
      message: `expected a cluster name or glob matching the inventory, got '${key}', which matches none; known clusters: ${clusterNames.join(', ')}`,
      rule: 'FC-OVR-001' as const,
      severity: 'error' as const,
    }));
}

/**
 * Names in an override that the base values do not declare: a typo there (`processes: { wbe: … }`)
 * would otherwise add a Deployment running the image's entrypoint on those clusters only.
 */
export function unknownOverrideNameFindings(file: string, parsed: ParsedWithOverrides): Finding[] {
  return (Object.entries(parsed.clusters ?? {}) as [string, Record<string, any>][]).flatMap(([key, override]) =>
    splitOverride(override, parsed as ParsedServiceValues).undeclared.map(({ at, what, name, known }) => {
      const suggestion = closest(name, known);
      const fix = suggestion ? `did you mean '${suggestion}'?` : known.length ? `declared: ${known.join(', ')}` : 'the service declares none';
      return {
        file,
        path: formatPath(['clusters', key, ...at]),
        message: `expected ${what} the service declares, got '${name}'; overrides change what exists and cannot add to it; ${fix}`,
        rule: 'FC-OVR-002' as const,
        severity: 'error' as const,
      };
    }),
  );
}

function resolveServiceAccount(values: ParsedServiceValues, cluster: Cluster, report: Report): ResolvedServiceAccount {
  const annotations: Record<string, string> = {};
  const podLabels: Record<string, string> = {};
  const identity = values.identity ?? DEFAULTS.identity;
  if (identity !== false) {
    const given = identity === true ? {} : identity;
    const provider = cluster.provider;
    switch (provider.kind) {
      case 'gke': {
        const account = given.gcpServiceAccount ?? `${values.name}@${provider.project}.iam.gserviceaccount.com`;
        if (!GCP_SERVICE_ACCOUNT.test(account)) {
          report(['identity'], 'FC-ID-003', `expected a valid GCP service account e-mail, derived '${account}', which is not (account ids have 6–30 characters); set identity.gcpServiceAccount`);
        }
        annotations['iam.gke.io/gcp-service-account'] = account;
        break;
      }
      case 'aks':
        if (!given.azureClientId) {
          report(['identity', 'azureClientId'], 'FC-ID-001', `required on AKS clusters: the client id of the service's managed identity; set identity: { azureClientId: '<guid>' } (per cluster under clusters['${cluster.name}'] if it differs)`);
        } else {
          annotations['azure.workload.identity/client-id'] = given.azureClientId;
          annotations['azure.workload.identity/tenant-id'] = provider.tenantId;
        }
        podLabels['azure.workload.identity/use'] = 'true';
        break;
      case 'eks':
        if (!given.awsRoleArn) {
          report(['identity', 'awsRoleArn'], 'FC-ID-002', `required on EKS clusters: the IAM role the pods assume; set identity: { awsRoleArn: 'arn:aws:iam::${provider.accountId}:role/${values.name}' }`);
        } else {
          annotations['eks.amazonaws.com/role-arn'] = given.awsRoleArn;
        }
        break;
    }
  }
  return {
    name: values.name,
    annotations,
    podLabels,
    automountToken: values.automountServiceAccountToken ?? DEFAULTS.automountServiceAccountToken,
  };
}

function resolveProcess(
  values: ParsedServiceValues,
  name: string,
  cluster: Cluster,
  serviceLabels: Record<string, string>,
  serviceAccount: ResolvedServiceAccount,
  release: ResolvedRelease,
  report: Report,
): ResolvedProcess {
  const p: ProcessValues = values.processes[name];
  const at = (...rest: PropertyKey[]) => ['processes', name, ...rest];
  const fullName = `${values.name}-${name}`;
  const ports = (p.ports ?? []).map((port, i) => ({ name: port.name, port: port.port, protocol: portProtocol(port, at('ports', i), report) }));
  const serving = ports.length > 0;
  const replicas = p.replicas ?? DEFAULTS.replicas;

  checkPorts(ports, at, report);
  if (cluster.environment === 'prod' && serving && replicas < PROD_MIN_SERVING_REPLICAS) {
    report(at('replicas'), 'FC-AVAIL-001', `expected at least ${PROD_MIN_SERVING_REPLICAS} replicas for a serving process in a prod cluster, got ${replicas}; raise replicas, or add waivers: { 'FC-AVAIL-001': '<reason>' }`);
  }
  const maxUnavailable = p.disruption?.maxUnavailable ?? DEFAULTS.pdbMaxUnavailable;
  if (replicas >= 2 && maxUnavailable >= replicas) {
    report(at('disruption', 'maxUnavailable'), 'FC-AVAIL-002', `expected fewer than replicas (${replicas}), got ${maxUnavailable}: such a budget lets a drain evict every pod at once; lower it or raise replicas`);
  }

  const preStopSeconds = p.preStopSeconds ?? DEFAULTS.preStopSeconds;
  const grace = p.terminationGracePeriodSeconds ?? DEFAULTS.terminationGracePeriodSeconds;
  if (grace <= preStopSeconds) {
    report(at('terminationGracePeriodSeconds'), 'FC-PROC-002', `expected more than preStopSeconds (${preStopSeconds}), got ${grace}: the app would be killed before it can shut down; raise it or lower preStopSeconds`);
  }

  const minReadySeconds = p.minReadySeconds ?? DEFAULTS.minReadySeconds;
  const progressDeadlineSeconds = p.progressDeadlineSeconds ?? DEFAULTS.progressDeadlineSeconds;
  if (progressDeadlineSeconds <= minReadySeconds) {
    report(at('progressDeadlineSeconds'), 'FC-PROC-006', `expected more than minReadySeconds (${minReadySeconds}), got ${progressDeadlineSeconds}: every rollout would be reported as failed; raise it or lower minReadySeconds`);
  }

  const labels = { ...serviceLabels, [LABEL.component]: name };
  const selector = { [LABEL.name]: values.name, [LABEL.component]: name };
  const container = resolveContainer(values, p, ports, at, report, preStopSeconds);
  const metrics = resolveMetrics(p, ports, at, report);
  const mode = releaseMode(p, ports);
  if (p.followRollout !== undefined && mode !== 'default-only' && mode !== 'shared') {
    report(at('followRollout'), 'FC-RELEASE-006', `expected followRollout only on a process that cannot be routed by organization (no ports, or a tcp/tls port), got it on ${mode === 'own-image' ? 'a helper with its own image, which runs outside the release' : 'a process whose HTTP requests are routed by organization: it runs every live version already'}; remove it`);
  }
  const prod = cluster.environment === 'prod';
  const deployment = (version: ResolvedVersion | undefined, name: string, selectorExtra: Record<string, string>, count: number) =>
    resolveDeployment(values, p, version, name, count, labels, { ...selector, ...selectorExtra }, serviceAccount);
  let deployments: ResolvedDeployment[];
  if (mode === 'routed') {
    // One Deployment per live version, selected by its version: promotion renames and reselects nothing.
    deployments = release.versions.map((v) => deployment(v, `${fullName}-${v.id}`, { [LABEL.istioVersion]: v.label }, versionReplicas(release, v, replicas, mode, prod)));
  } else {
    // One Deployment for the default, rolled in place at promotion (maxUnavailable 0), plus the
    // rollout's when the process shares work with it. The track values are the two-track model's,
    // so the Deployments of earlier releases keep their immutable selectors.
    deployments = [deployment(mode === 'own-image' ? undefined : release.default, fullName, { [LABEL.track]: 'stable' }, replicas)];
    if (mode === 'shared' && release.rollout) {
      deployments.push(deployment(release.rollout.version, `${fullName}-canary`, { [LABEL.track]: 'canary' }, versionReplicas(release, release.rollout.version, replicas, mode, prod)));
    }
  }

  return {
    name,
    fullName,
    serving,
    ports,
    labels,
    selector,
    release: mode,
    deployments,
    container,
    rollout: {
      maxSurge: p.maxSurge ?? DEFAULTS.maxSurge,
      minReadySeconds,
      progressDeadlineSeconds,
      revisionHistoryLimit: DEFAULTS.revisionHistoryLimit,
    },
    terminationGracePeriodSeconds: grace,
    tmpSize: p.tmpSize ?? DEFAULTS.tmpSize,
    runAsUser: p.runAsUser ?? DEFAULTS.runAsUser,
    disruption: replicas >= 2 ? { maxUnavailable } : undefined,
    http: ports.some((port) => HTTP_PROTOCOLS.includes(port.protocol)),
    internalHost: `${fullName}.${values.name}.svc.cluster.local`,
    metricsPorts: metrics ? [metrics.portNumber] : [],
    metrics,
  };
}

/** The app's metrics endpoint: as given, or by convention the port named `metrics`. */
function resolveMetrics(p: ProcessValues, ports: readonly { name: string; port: number }[], at: (...rest: PropertyKey[]) => PropertyKey[], report: Report): ResolvedProcess['metrics'] {
  const portName = p.metrics?.port ?? METRICS_PORT_NAME;
  const port = ports.find((candidate) => candidate.name === portName);
  if (!p.metrics && !port) return undefined;
  if (!port) {
    const known = ports.length ? `one of this process's ports (${ports.map((x) => `'${x.name}'`).join(', ')})` : 'a port, but the process has none';
    report(at('metrics', 'port'), 'FC-PROC-001', `expected ${known}, got '${portName}'; name the port that serves metrics, or add it to ports`);
    return undefined;
  }
  return { port: port.name, portNumber: port.port, path: p.metrics?.path ?? DEFAULTS.metrics.path, interval: p.metrics?.interval ?? DEFAULTS.metrics.interval };
}

function resolveSlo(values: ParsedServiceValues): ResolvedSlo {
  const slo = values.slo ?? {};
  const d = DEFAULTS.slo;
  return {
    availability: slo.availability ?? d.availability,
    latencyP99Ms: slo.latencyP99Ms ?? d.latencyP99Ms,
    minRequests: slo.minRequests ?? d.minRequests,
    maxErrorRatioIncrease: slo.maxErrorRatioIncrease ?? d.maxErrorRatioIncrease,
    maxLatencyFactor: slo.maxLatencyFactor ?? d.maxLatencyFactor,
    maxLatencyIncreaseMs: slo.maxLatencyIncreaseMs ?? d.maxLatencyIncreaseMs,
    compareWindow: d.compareWindow,
  };
}

function resolveMonitoring(cluster: Cluster): ResolvedMonitoring {
  const serviceAccount = cluster.prometheus?.serviceAccount ?? DEFAULTS.prometheus.serviceAccount;
  const trustDomain = cluster.mesh.trustDomain ?? 'cluster.local';
  return {
    prometheus: {
      namespace: cluster.monitoringNamespace,
      serviceAccount,
      principal: `${trustDomain}/ns/${cluster.monitoringNamespace}/sa/${serviceAccount}`,
      selectorLabels: { ...DEFAULTS.prometheus.selectorLabels, ...cluster.prometheus?.selectorLabels },
      certDir: cluster.prometheus?.certDir ?? DEFAULTS.prometheus.certDir,
    },
    scrapeInterval: DEFAULTS.metrics.interval,
    grafana: {
      dashboardLabel: cluster.grafana?.dashboardLabel ?? DEFAULTS.grafana.dashboardLabel,
      folderAnnotation: cluster.grafana?.folderAnnotation ?? DEFAULTS.grafana.folderAnnotation,
      folder: cluster.grafana?.folder ?? DEFAULTS.grafana.folder,
    },
  };
}

/** How a process follows the release (see ResolvedProcess.release). */
function releaseMode(p: ProcessValues, ports: readonly { protocol: string }[]): ResolvedProcess['release'] {
  if (p.image) return 'own-image';
  const routable = ports.length > 0 && ports.every((port) => HTTP_PROTOCOLS.includes(port.protocol));
  if (routable) return 'routed';
  return p.followRollout ? 'shared' : 'default-only';
}

function resolveDeployment(
  values: ParsedServiceValues,
  p: ProcessValues,
  release: ResolvedVersion | undefined,
  deploymentName: string,
  replicas: number,
  labels: Record<string, string>,
  selector: Record<string, string>,
  serviceAccount: ResolvedServiceAccount,
): ResolvedDeployment {
  const releaseVersion = release?.version;
  const image = p.image ?? imageAt(values.image, releaseVersion!);
  const version = p.image ? splitImage(p.image)!.version : releaseVersion!;
  return {
    deploymentName,
    version,
    release,
    image,
    replicas,
    selector,
    podLabels: {
      ...labels,
      ...selector,
      ...serviceAccount.podLabels,
      [LABEL.version]: versionLabel(version),
      [LABEL.istioApp]: `${values.name}-${selector[LABEL.component]}`,
      [LABEL.istioVersion]: versionLabel(version),
    },
  };
}

/** The given protocol, else the one the name implies by Istio's convention, else the default; FC-PROC-007 when they disagree. */
function portProtocol(port: { name: string; protocol?: PortProtocol }, path: PropertyKey[], report: Report): PortProtocol {
  const implied = protocolFromName(port.name);
  if (implied && typeof implied === 'object') {
    if (!port.protocol) report(path, 'FC-PROC-007', `expected protocol for port '${port.name}', got none: ${implied.ambiguous}`);
    return port.protocol ?? DEFAULTS.portProtocol;
  }
  if (port.protocol && implied && port.protocol !== implied) {
    report([...path, 'protocol'], 'FC-PROC-007', `expected protocol '${implied}' for a port named '${port.name}' (Istio reads the name's prefix as its protocol), got '${port.protocol}'; rename the port (e.g. '${port.protocol}-${port.name}') or set protocol: '${implied}'`);
  }
  return port.protocol ?? implied ?? DEFAULTS.portProtocol;
}

function checkPorts(ports: readonly { name: string; port: number }[], at: (...rest: PropertyKey[]) => PropertyKey[], report: Report): void {
  const names = new Set<string>();
  const numbers = new Set<number>();
  ports.forEach((port, i) => {
    if (names.has(port.name)) report(at('ports', i, 'name'), 'FC-PROC-001', `expected unique port names, got '${port.name}' twice; rename one`);
    if (numbers.has(port.port)) report(at('ports', i, 'port'), 'FC-PROC-001', `expected unique port numbers, got ${port.port} twice; remove the duplicate`);
    names.add(port.name);
    numbers.add(port.port);
  });
}

function resolveContainer(
  values: ParsedServiceValues,
  p: ProcessValues,
  ports: readonly { name: string; port: number; protocol: string }[],
  at: (...rest: PropertyKey[]) => PropertyKey[],
  report: Report,
  preStopSeconds: number,
): ResolvedContainer {
  const cpu = p.cpu ?? DEFAULTS.cpu;
  const memory = p.memory ?? DEFAULTS.memory;
  const memoryLimit = p.memoryLimit ?? memory;
  if (parseMemoryBytes(memoryLimit) < parseMemoryBytes(memory)) {
    report(at('memoryLimit'), 'FC-PROC-003', `expected at least the memory request (${memory}), got '${memoryLimit}'; raise memoryLimit or lower memory`);
  }
  if (p.cpuLimit && parseCpuMillis(p.cpuLimit) < parseCpuMillis(cpu)) {
    report(at('cpuLimit'), 'FC-PROC-003', `expected at least the cpu request (${cpu}), got '${p.cpuLimit}'; raise cpuLimit or lower cpu`);
  }

  const probe = (kind: 'ready' | 'live' | 'startup'): ResolvedProbe | undefined => {
    const given = p.probes?.[kind];
    if (!given && (kind === 'startup' || ports.length === 0)) return undefined;
    const settings = given ?? {};
    const path = at('probes', kind);
    let handler: ResolvedProbe['handler'];
    if (settings.command) {
      handler = { kind: 'exec', command: settings.command };
    } else if (ports.length === 0) {
      report(path, 'FC-PROC-004', `expected a probe with 'command' for a process without ports, got one that needs a port; add command: [...] or add ports`);
      return undefined;
    } else {
      const portName = settings.port ?? ports[0].name;
      const port = ports.find((candidate) => candidate.name === portName);
      if (!port) {
        report([...path, 'port'], 'FC-PROC-001', `expected one of this process's ports (${ports.map((x) => `'${x.name}'`).join(', ')}), got '${portName}'`);
        return undefined;
      }
      if (settings.path) handler = { kind: 'http', path: settings.path, port: port.name };
      else if (port.protocol === 'grpc') handler = { kind: 'grpc', port: port.port };
      else handler = { kind: 'tcp', port: port.name };
    }
    return {
      handler,
      initialDelaySeconds: settings.initialDelaySeconds ?? DEFAULTS.probe.initialDelaySeconds,
      periodSeconds: settings.periodSeconds ?? DEFAULTS.probe.periodSeconds,
      timeoutSeconds: settings.timeoutSeconds ?? DEFAULTS.probe.timeoutSeconds,
      failureThreshold: settings.failureThreshold ?? (kind === 'live' ? DEFAULTS.livenessFailureThreshold : DEFAULTS.probe.failureThreshold),
    };
  };

  const readiness = probe('ready');
  const liveness = probe('live');
  checkProbePair(readiness, liveness, ports.length > 0 || p.probes?.live !== undefined, at, report);
  return {
    command: p.command,
    args: p.args,
    env: resolveEnv(values, p, at, report),
    secretFiles: resolveSecretFiles(values, p, at, report),
    requests: { cpu, memory },
    limits: { cpu: p.cpuLimit, memory: memoryLimit },
    readiness,
    liveness,
    startup: probe('startup'),
    preStopSeconds,
  };
}

/**
 * FC-PROBE-002: the same HTTP path or command for readiness and liveness (kube-score's
 * pod-probes-identical compares the path and port, the TCP port, or the command:
 * github.com/zegl/kube-score score/probes). A TCP connect on both, the default of a serving process
 * without probes, is left alone: it checks only that the process accepts connections, never a
 * dependency, so liveness cannot fail because readiness does (and it tolerates 6 failures to
 * readiness's 3); probesIdenticalByDesign marks it for kube-score. FC-PROBE-003: a worker without a
 * liveness command is never restarted when it hangs.
 */
function checkProbePair(readiness: ResolvedProbe | undefined, liveness: ResolvedProbe | undefined, servingOrLiveGiven: boolean, at: (...rest: PropertyKey[]) => PropertyKey[], report: Report): void {
  if (!servingOrLiveGiven) {
    report(at('probes', 'live'), 'FC-PROBE-003', `expected a liveness command for a process without ports, got none: a hung worker is never restarted; add probes: { live: { command: [...] } } with a check the image can run (e.g. ['/app/bin', 'healthcheck']), or add waivers: { 'FC-PROBE-003': '<reason>' }`);
  }
  if (!readiness || !liveness) return;
  const r = readiness.handler;
  const l = liveness.handler;
  const same = (r.kind === 'http' && l.kind === 'http' && r.path === l.path && r.port === l.port) || (r.kind === 'exec' && l.kind === 'exec' && r.command.join('\u0000') === l.command.join('\u0000'));
  if (same) {
    const what = r.kind === 'http' ? `HTTP GET ${r.path} on port '${r.port}'` : `the command ${JSON.stringify(r.command)}`;
    report(at('probes', 'live'), 'FC-PROBE-002', `expected a liveness check other than the readiness check, got ${what} for both: when readiness fails (a dependency down, overload), liveness restarts every pod too; point probes.live at a check of the process alone (e.g. path: '/livez'), or add waivers: { 'FC-PROBE-002': '<reason>' }`);
  }
}

/** Readiness and liveness both a TCP connect to the same port: identical to kube-score, harmless by design (checkProbePair). */
export function probesIdenticalByDesign(container: { readonly readiness?: ResolvedProbe; readonly liveness?: ResolvedProbe }): boolean {
  const r = container.readiness?.handler;
  const l = container.liveness?.handler;
  return r?.kind === 'tcp' && l?.kind === 'tcp' && r.port === l.port;
}

/** Secret keys mounted as files: one projected volume per directory, so files of several Secrets can share one. */
function resolveSecretFiles(values: ParsedServiceValues, p: ProcessValues, at: (...rest: PropertyKey[]) => PropertyKey[], report: Report): ResolvedSecretDirectory[] {
  const secret = { ...values.secrets, ...p.secrets };
  const byDirectory = new Map<string, { secret: string; key: string; file: string }[]>();
  const seen = new Map<string, string>();
  for (const name of Object.keys(secret).sort()) {
    const ref = secret[name];
    if (!ref.file) continue;
    const where = p.secrets && name in p.secrets ? at('secrets', name, 'file') : ['secrets', name, 'file'];
    const other = seen.get(ref.file);
    if (other) {
      report(where, 'FC-PROC-001', `expected a file path no other secret uses, got '${ref.file}', which '${other}' mounts too; choose another file name`);
      continue;
    }
    seen.set(ref.file, name);
    const directory = ref.file.slice(0, ref.file.lastIndexOf('/'));
    let files = byDirectory.get(directory);
    if (!files) byDirectory.set(directory, (files = []));
    files.push({ secret: ref.secret, key: ref.key, file: ref.file.slice(directory.length + 1) });
  }
  return [...byDirectory.keys()].sort().map((directory, i) => ({ directory, volume: `secret-files-${i}`, files: byDirectory.get(directory)! }));
}

function resolveEnv(values: ParsedServiceValues, p: ProcessValues, at: (...rest: PropertyKey[]) => PropertyKey[], report: Report): ResolvedEnv[] {
  const secret = { ...values.secrets, ...p.secrets };
  const defaults = Object.entries(DEFAULTS.env).filter(([name]) => !(name in secret));
  const plain = { ...Object.fromEntries(defaults), ...values.env, ...p.env };
  const env: ResolvedEnv[] = [];
  for (const [name, value] of Object.entries(plain)) {
    if (name in secret) {
      const where = p.env && name in p.env ? at('env', name) : ['env', name];
      report(where, 'FC-PROC-005', `expected '${name}' in either env or secrets, got both; remove one`);
      // The literal never reaches a manifest, so the validate stage cannot see it: a pasted secret is reported here.
      const shape = credentialShape(value);
      if (shape) report(where, 'FC-SEC-002', `expected no credential in plain env, got ${shape} in '${name}'; remove the env entry (secrets: already reads it from a Secret) and rotate the credential`);
      else if (secretLookingName(name) && value !== '') report(where, 'FC-SEC-001', `expected a Secret reference for secret-looking variable '${name}', got a literal value beside its secrets: entry; remove the env entry and rotate the value if it was real`);
    } else {
      env.push({ name, value });
    }
  }
  // A secret file's variable holds the path, never the value.
  for (const [name, ref] of Object.entries(secret)) env.push(ref.file ? { name, value: ref.file } : { name, secret: ref.secret, key: ref.key });
  return env.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
