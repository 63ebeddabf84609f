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
  { id: 'FC-OVR-001', severity: 'error', waivable: false, summary: 'Every per-cluster override key matches at least one cluster of the inventory (a typo must not be ignored).' },
] as const satisfies readonly RuleInfo[];

export type RuleId = (typeof rules)[number]['id'];
export const RULES: readonly RuleInfo[] = rules;
export const RULE_IDS: readonly RuleId[] = rules.map((r) => r.id);

export function ruleInfo(id: RuleId): RuleInfo {
  return RULES.find((r) => r.id === id)!;
}
