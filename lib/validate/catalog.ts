/**
 * The catalog of platform rules: stable ids, severity and the one-line summary that the README's
 * rules table and `fleetchart rules` print. Checks live next to the stage that can see the data
 * (resolve for values, validate for rendered documents); they refer to rules by id.
 */
export interface RuleInfo {
  readonly id: string;
  readonly severity: 'error' | 'warning';
  /** What the rule demands, as a user reads it in the rules table. */
  readonly summary: string;
  /** Whether a service may waive it with a reason. */
  readonly waivable: boolean;
}

const rules = [
  { id: 'FC-AVAIL-001', severity: 'error', waivable: true, summary: 'A serving process in a prod cluster runs at least 2 replicas, so a drain or a crash never takes it offline.' },
  { id: 'FC-AVAIL-002', severity: 'error', waivable: false, summary: 'A PodDisruptionBudget both protects and lets drains proceed: 1 ≤ disruption.maxUnavailable < replicas.' },
  { id: 'FC-MESH-001', severity: 'error', waivable: false, summary: 'Sidecar injection in a Pod Security restricted namespace needs the Istio CNI on the cluster (the init container would need NET_ADMIN).' },
  { id: 'FC-ID-001', severity: 'error', waivable: false, summary: 'Workload identity on an AKS cluster needs identity.azureClientId.' },
  { id: 'FC-ID-002', severity: 'error', waivable: false, summary: 'Workload identity on an EKS cluster needs identity.awsRoleArn.' },
  { id: 'FC-ID-003', severity: 'error', waivable: false, summary: 'A derived GCP service account e-mail is valid (account ids are 6–30 characters); otherwise set identity.gcpServiceAccount.' },
  { id: 'FC-PROC-001', severity: 'error', waivable: false, summary: 'Port names and numbers are unique within a process, and probes name a port the process serves.' },
  { id: 'FC-PROC-002', severity: 'error', waivable: false, summary: 'terminationGracePeriodSeconds exceeds preStopSeconds, so the app gets time to shut down after the preStop sleep.' },
  { id: 'FC-PROC-003', severity: 'error', waivable: false, summary: 'Limits are at least the requests (memoryLimit ≥ memory, cpuLimit ≥ cpu).' },
  { id: 'FC-PROC-004', severity: 'error', waivable: false, summary: 'A process without ports probes with a command, not an HTTP path or TCP.' },
  { id: 'FC-PROC-005', severity: 'error', waivable: false, summary: 'An environment variable is either plain (env) or from a Secret (secrets), never both.' },
  { id: 'FC-PROC-006', severity: 'error', waivable: false, summary: 'progressDeadlineSeconds exceeds minReadySeconds, or every rollout is reported failed (the API server rejects it).' },
  { id: 'FC-PROC-007', severity: 'error', waivable: false, summary: "A port's protocol agrees with its name by Istio's convention protocol[-suffix] (grpc, http2, https, tcp, tls, mongo, redis…); without protocol the name decides, and an ambiguous name (grpc-web, udp) needs an explicit protocol." },
  { id: 'FC-RELEASE-001', severity: 'error', waivable: false, summary: 'release.default and release.rollout.version are live versions (listed in release.versions), and the rollout version is not the default.' },
  { id: 'FC-RELEASE-002', severity: 'error', waivable: false, summary: 'release.rollout.step is an index into release.rollout.steps.' },
  { id: 'FC-RELEASE-003', severity: 'error', waivable: false, summary: 'A version stays in release.versions while organizations or users are pinned to it (the error names them).' },
  { id: 'FC-RELEASE-004', severity: 'error', waivable: false, summary: 'A rollout gives its share as weight or as step, not both.' },
  { id: 'FC-RELEASE-005', severity: 'error', waivable: false, summary: 'Live versions are listed once and stay distinct as Kubernetes names and labels.' },
  { id: 'FC-RELEASE-006', severity: 'error', waivable: false, summary: 'followRollout is set only on processes that cannot be routed by organization (no ports, or a tcp/tls port).' },
  { id: 'FC-ROUTE-001', severity: 'error', waivable: false, summary: 'The destination weights of every HTTP route sum to 100.' },
  { id: 'FC-ROUTE-002', severity: 'error', waivable: false, summary: 'Every route destination is a subset of a DestinationRule whose pods a Deployment runs (no traffic to a subset without pods).' },
  { id: 'FC-ROUTE-003', severity: 'error', waivable: false, summary: 'No two services claim the same host and path prefix on one cluster.' },
  { id: 'FC-ROUTE-004', severity: 'error', waivable: false, summary: 'Every service named in callers exists on the cluster.' },
  { id: 'FC-ROUTE-005', severity: 'error', waivable: false, summary: 'A route targets a process and port that serve HTTP.' },
  { id: 'FC-CALL-001', severity: 'error', waivable: false, summary: 'Every call (values `calls`) names a service, process and port that exist on the cluster, and the callee lists the caller in callers.services.' },
  { id: 'FC-CALL-002', severity: 'error', waivable: false, summary: 'No environment value addresses another service of the fleet (host:port, URL): declare it in calls, so its address, consent and egress follow.' },
  { id: 'FC-NET-001', severity: 'error', waivable: false, summary: 'A NetworkPolicy that restricts egress still allows DNS (UDP and TCP 53 to kube-system).' },
  { id: 'FC-OVR-001', severity: 'error', waivable: false, summary: 'Every per-cluster override key matches at least one cluster of the inventory (a typo must not be ignored).' },
  { id: 'FC-OVR-002', severity: 'error', waivable: false, summary: 'A per-cluster override names only processes, ports, routes and calls the service declares (a typo must not add a Deployment).' },
  // Document rules: checked by lib/validate over every rendered object of a cluster.
  { id: 'FC-SCHEMA-001', severity: 'error', waivable: false, summary: "Every object is valid against its schema: the Kubernetes OpenAPI definitions of the cluster's kubernetesVersion (1.30–1.34 vendored) or the vendored CRD schema (Istio 1.30). Unknown fields, wrong types and missing required fields are errors." },
  { id: 'FC-SCHEMA-002', severity: 'error', waivable: false, summary: 'Nothing rendered was removed from the API since: every kind and field is still served by Kubernetes 1.34.' },
  { id: 'FC-SCHEMA-003', severity: 'error', waivable: false, summary: "The cluster's kubernetesVersion serves every feature the rendered objects use (the preStop sleep action needs 1.30), and fleetchart has that version's schemas." },
  { id: 'FC-META-001', severity: 'error', waivable: false, summary: 'Names, label keys and label values are what the API server accepts (DNS-1123 names; label values of at most 63 characters, alphanumeric at both ends).' },
  { id: 'FC-META-002', severity: 'error', waivable: false, summary: 'Every object carries the standard labels (app.kubernetes.io/name, instance, part-of, managed-by, team); pods also carry component, version, app and version for Istio.' },
  { id: 'FC-META-003', severity: 'error', waivable: false, summary: 'Each object (kind, namespace, name) is rendered once per cluster.' },
  { id: 'FC-NS-001', severity: 'error', waivable: false, summary: "A service's namespace is not a system or platform namespace (default, kube-*, istio-*, the cluster's ingress and monitoring namespaces)." },
  { id: 'FC-PSS-001', severity: 'error', waivable: false, summary: 'The service namespace enforces Pod Security restricted (enforce, audit and warn labels).' },
  { id: 'FC-PSS-002', severity: 'error', waivable: false, summary: 'Pods run as non-root: runAsNonRoot is true and no runAsUser is 0.' },
  { id: 'FC-PSS-003', severity: 'error', waivable: false, summary: 'No container is privileged or allows privilege escalation.' },
  { id: 'FC-PSS-004', severity: 'error', waivable: false, summary: 'Every container drops ALL capabilities and adds none but NET_BIND_SERVICE.' },
  { id: 'FC-PSS-005', severity: 'error', waivable: false, summary: 'Pods use the RuntimeDefault or a Localhost seccomp profile.' },
  { id: 'FC-PSS-006', severity: 'error', waivable: false, summary: 'No host namespaces, host ports, hostPath or other volume types outside restricted, sysctls, SELinux or AppArmor overrides.' },
  { id: 'FC-PSS-007', severity: 'error', waivable: true, summary: 'Every container has a read-only root filesystem; writable paths are emptyDir mounts (/tmp).' },
  { id: 'FC-PROBE-001', severity: 'error', waivable: false, summary: 'A container that serves ports has a readiness and a liveness probe.' },
  { id: 'FC-PROBE-002', severity: 'warning', waivable: true, summary: 'Liveness is not the same HTTP path or command as readiness: when readiness fails (a dependency down, overload), an identical liveness probe restarts every pod too. kube-score: pod-probes-identical.' },
  { id: 'FC-PROBE-003', severity: 'warning', waivable: true, summary: 'A process without ports has a liveness command, so a hung worker is restarted. checkov: CKV_K8S_8.' },
  { id: 'FC-RES-001', severity: 'error', waivable: false, summary: 'Every container requests cpu and memory and has a memory limit.' },
  { id: 'FC-IMG-001', severity: 'error', waivable: false, summary: 'Every image is pinned by a tag or a digest, never :latest or untagged.' },
  { id: 'FC-IMG-002', severity: 'error', waivable: true, summary: "In prod clusters every image is pinned by digest ('2026.11.3@sha256:…' keeps the tag readable); stage clusters may run tags." },
  { id: 'FC-AVAIL-003', severity: 'error', waivable: false, summary: 'A Deployment with 2 or more replicas is covered by exactly one PodDisruptionBudget (the eviction API refuses pods under two).' },
  { id: 'FC-AVAIL-004', severity: 'error', waivable: false, summary: "A HorizontalPodAutoscaler targets a rendered Deployment, and minReplicas exceeds its PDB's maxUnavailable (2 or more for serving processes in prod)." },
  { id: 'FC-AVAIL-005', severity: 'error', waivable: false, summary: 'Rollouts never drop capacity: RollingUpdate with maxUnavailable 0.' },
  { id: 'FC-AVAIL-006', severity: 'error', waivable: false, summary: "Pods spread over zones: a topology.kubernetes.io/zone spread constraint that selects the Deployment's own pods." },
  { id: 'FC-SEC-001', severity: 'error', waivable: true, summary: 'No secret-looking environment variable or command-line flag (a name containing PASS, PWD, TOKEN, SECRET, CREDENTIAL, KEY or AUTH; exceptions in the README) has a literal value; read it from a Secret with secrets: { NAME: { secret, key } } (flags: --flag=$(NAME)).' },
  { id: 'FC-SEC-002', severity: 'error', waivable: false, summary: 'No literal value looks like a credential: a URL with a password, a PEM private key, a JWT, a cloud key (AWS, Google, Azure), a GitHub, GitLab, Slack, Stripe or npm token.' },
  { id: 'FC-SEC-003', severity: 'error', waivable: false, summary: 'No Secret object is rendered: secret values never go into manifests or git.' },
  { id: 'FC-ID-004', severity: 'error', waivable: false, summary: 'The ServiceAccount and every pod set automountServiceAccountToken explicitly, and true only when the service asks for it.' },
  { id: 'FC-REF-001', severity: 'error', waivable: false, summary: 'A Service selects the pods of exactly one process, and at least one Deployment.' },
  { id: 'FC-REF-002', severity: 'error', waivable: false, summary: "A pod's ServiceAccount is rendered in its namespace." },
  { id: 'FC-REF-003', severity: 'error', waivable: false, summary: 'Every Secret a pod reads is declared in the values (secrets), and no reference is optional.' },
  { id: 'FC-REF-004', severity: 'error', waivable: false, summary: "Named ports resolve: a Service's targetPort and a probe's port name a port of the container." },
  { id: 'FC-REF-005', severity: 'error', waivable: false, summary: "A VirtualService binds only to 'mesh' or the cluster's ingress gateway, and routes to ports its destination Services expose." },
  { id: 'FC-REF-006', severity: 'error', waivable: false, summary: "A DestinationRule's host is a rendered Service, and its subset names are unique." },
  { id: 'FC-REF-007', severity: 'error', waivable: false, summary: "An AuthorizationPolicy allows only named principals of the cluster's trust domain that exist on the cluster (rendered ServiceAccounts or the ingress gateway), never a wildcard." },
  { id: 'FC-REF-008', severity: 'error', waivable: false, summary: "A ServiceMonitor selects exactly one rendered Service and scrapes a port name that Service exposes; a PodMonitor selects the pods of exactly one process." },
  { id: 'FC-PROM-001', severity: 'error', waivable: false, summary: 'Every PromQL expression rendered (alert rules, dashboard queries) parses with Prometheus\'s PromQL grammar (@prometheus-io/lezer-promql).' },
  { id: 'FC-WAIVE-001', severity: 'error', waivable: false, summary: 'A waiver names a rule that can be waived (see the Waivable column).' },
] as const satisfies readonly RuleInfo[];

export type RuleId = (typeof rules)[number]['id'];
export const RULES: readonly RuleInfo[] = rules;
export const RULE_IDS: readonly RuleId[] = rules.map((r) => r.id);

export function ruleInfo(id: RuleId): RuleInfo {
  return RULES.find((r) => r.id === id)!;
}
