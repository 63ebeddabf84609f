import { PROD_MIN_SERVING_REPLICAS } from '../../values/defaults';
import { ClusterView, Located, describeObject, podTemplate, replicasOf, selects, serves } from '../context';

/**
 * Capacity never drops: enough replicas in prod (FC-AVAIL-001), budgets that protect without
 * blocking drains (FC-AVAIL-002, FC-AVAIL-003), autoscalers that respect them (FC-AVAIL-004),
 * rollouts that surge instead of removing pods (FC-AVAIL-005), zone spread (FC-AVAIL-006).
 */
export function checkAvailability(view: ClusterView): void {
  const deployments = view.byKind('Deployment');
  const budgets = view.byKind('PodDisruptionBudget');
  if (view.prod) checkProdReplicas(view, deployments);
  for (const pdb of budgets) checkBudget(view, pdb, view.inNamespace('Deployment', pdb.doc.metadata.namespace));
  for (const at of deployments) {
    checkCoverage(view, at, view.inNamespace('PodDisruptionBudget', at.doc.metadata.namespace));
    checkRollout(view, at);
    checkSpread(view, at);
  }
  for (const hpa of view.byKind('HorizontalPodAutoscaler')) {
    const namespace = hpa.doc.metadata.namespace;
    checkAutoscaler(view, hpa, view.inNamespace('Deployment', namespace), view.inNamespace('PodDisruptionBudget', namespace));
  }
}

/** Pods a selector picks among the Deployments of its namespace (given), and those Deployments. */
function selected(at: Located, deployments: readonly Located[]): { replicas: number; targets: Located[] } {
  const targets = deployments.filter((d) => selects(at.doc.spec?.selector, podTemplate(d.doc)?.metadata.labels));
  return { replicas: targets.reduce((n, d) => n + replicasOf(d.doc), 0), targets };
}

function checkProdReplicas(view: ClusterView, deployments: readonly Located[]): void {
  // A process's Deployments (one per version it runs) together serve it.
  const byProcess = new Map<string, { first: Located; replicas: number }>();
  for (const at of deployments) {
    const pod = podTemplate(at.doc);
    if (!pod || !serves(pod.spec)) continue;
    const key = `${at.doc.metadata.namespace}\u0000${view.processOf(at) ?? at.doc.metadata.name}`;
    const entry = byProcess.get(key);
    if (entry) entry.replicas += replicasOf(at.doc);
    else byProcess.set(key, { first: at, replicas: replicasOf(at.doc) });
  }
  for (const { first, replicas } of byProcess.values()) {
    if (replicas < PROD_MIN_SERVING_REPLICAS) {
      view.report(first, 'FC-AVAIL-001', view.processPath(first, 'replicas'), `expected at least ${PROD_MIN_SERVING_REPLICAS} replicas for a serving process in prod cluster ${view.cluster.name}, got ${replicas} in ${describeObject(first)}; raise replicas, or add waivers: { 'FC-AVAIL-001': '<reason>' }`);
    }
  }
}

/** maxUnavailable as the disruption controller computes it (percentages round up). */
function allowedDisruptions(value: unknown, replicas: number): number | undefined {
  if (typeof value === 'number') return value;
  const percent = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  return percent ? Math.ceil((Number(percent[1]) * replicas) / 100) : undefined;
}

function checkBudget(view: ClusterView, at: Located, deployments: readonly Located[]): void {
  const spec = at.doc.spec ?? {};
  const path = view.processPath(at, 'disruption', 'maxUnavailable');
  const where = describeObject(at);
  const { replicas, targets } = selected(at, deployments);
  if (targets.length === 0) {
    view.report(at, 'FC-AVAIL-002', path, `expected ${where} to select the pods of a Deployment in its namespace, got a selector that matches none; select the process's pods`);
    return;
  }
  if (spec.minAvailable !== undefined) {
    view.report(at, 'FC-AVAIL-002', path, `expected maxUnavailable in ${where}, got minAvailable: ${spec.minAvailable}, which blocks drains whenever pods are missing; use maxUnavailable`);
  }
  if (spec.unhealthyPodEvictionPolicy !== 'AlwaysAllow') {
    view.report(at, 'FC-AVAIL-002', path, `expected unhealthyPodEvictionPolicy: AlwaysAllow in ${where}, got ${spec.unhealthyPodEvictionPolicy ?? 'none'}; without it a crash-looping pod blocks node drains`);
  }
  if (spec.maxUnavailable === undefined) {
    if (spec.minAvailable === undefined) view.report(at, 'FC-AVAIL-002', path, `expected maxUnavailable in ${where}, got none; set maxUnavailable: 1`);
    return;
  }
  const allowed = allowedDisruptions(spec.maxUnavailable, replicas);
  if (allowed === undefined) return; // The schema check reports malformed values.
  if (allowed < 1) {
    view.report(at, 'FC-AVAIL-002', path, `expected maxUnavailable of at least 1 in ${where}, got ${JSON.stringify(spec.maxUnavailable)}, which blocks every node drain; allow at least 1`);
  } else if (allowed >= replicas) {
    view.report(at, 'FC-AVAIL-002', path, `expected maxUnavailable below the ${replicas} selected pod(s) in ${where}, got ${JSON.stringify(spec.maxUnavailable)}: a drain may evict every pod at once; lower it or raise replicas`);
  }
}

function checkCoverage(view: ClusterView, at: Located, budgets: readonly Located[]): void {
  if (replicasOf(at.doc) < 2) return;
  const labels = podTemplate(at.doc)?.metadata.labels;
  const covering = budgets.filter((b) => selects(b.doc.spec?.selector, labels));
  if (covering.length === 1) return;
  const path = view.processPath(at, 'disruption');
  if (covering.length === 0) {
    view.report(at, 'FC-AVAIL-003', path, `expected a PodDisruptionBudget covering ${describeObject(at)} (${replicasOf(at.doc)} replicas), got none; a drain could take all its pods at once`);
  } else {
    view.report(at, 'FC-AVAIL-003', path, `expected exactly one PodDisruptionBudget covering ${describeObject(at)}, got ${covering.length} (${covering.map((b) => b.doc.metadata.name).join(', ')}); the eviction API refuses pods under two budgets, which blocks drains`);
  }
}

function checkRollout(view: ClusterView, at: Located): void {
  const strategy = at.doc.spec?.strategy ?? {};
  const path = view.processPath(at);
  const where = describeObject(at);
  if (strategy.type === 'Recreate') {
    view.report(at, 'FC-AVAIL-005', path, `expected strategy RollingUpdate in ${where}, got Recreate, which stops every pod before starting new ones; use RollingUpdate with maxUnavailable: 0`);
    return;
  }
  const maxUnavailable = strategy.rollingUpdate?.maxUnavailable;
  if (maxUnavailable !== 0 && maxUnavailable !== '0%') {
    view.report(at, 'FC-AVAIL-005', path, `expected rollingUpdate.maxUnavailable: 0 in ${where}, got ${maxUnavailable === undefined ? "none (Kubernetes defaults to '25%')" : JSON.stringify(maxUnavailable)}; surge new pods instead of removing old ones`);
  }
}

function checkSpread(view: ClusterView, at: Located): void {
  const pod = podTemplate(at.doc);
  if (!pod) return;
  const constraints: Record<string, any>[] = pod.spec.topologySpreadConstraints ?? [];
  const zone = constraints.filter((c) => c?.topologyKey === 'topology.kubernetes.io/zone');
  const where = describeObject(at);
  if (zone.length === 0) {
    view.report(at, 'FC-AVAIL-006', view.processPath(at), `expected a topologySpreadConstraint on topology.kubernetes.io/zone in ${where}, got none; spread pods over zones so one zone outage leaves capacity`);
  } else if (!zone.some((c) => selects(c.labelSelector, pod.metadata.labels))) {
    view.report(at, 'FC-AVAIL-006', view.processPath(at), `expected the zone spread constraint of ${where} to select its own pods, got a labelSelector that matches none of them; select the Deployment's selector labels`);
  }
}

function checkAutoscaler(view: ClusterView, at: Located, deployments: readonly Located[], budgets: readonly Located[]): void {
  const spec = at.doc.spec ?? {};
  const where = describeObject(at);
  const path = view.processPath(at, 'replicas');
  const ref = spec.scaleTargetRef ?? {};
  const target = deployments.find((d) => ref.kind === 'Deployment' && d.doc.metadata.name === ref.name);
  if (!target) {
    view.report(at, 'FC-AVAIL-004', path, `expected ${where} to scale a Deployment rendered in its namespace, got ${ref.kind ?? 'no kind'} '${ref.name ?? ''}'; point scaleTargetRef at the process's Deployment`);
    return;
  }
  const minReplicas = typeof spec.minReplicas === 'number' ? spec.minReplicas : 1;
  if (typeof spec.maxReplicas === 'number' && spec.maxReplicas < minReplicas) {
    view.report(at, 'FC-AVAIL-004', path, `expected maxReplicas ≥ minReplicas (${minReplicas}) in ${where}, got ${spec.maxReplicas}; raise maxReplicas`);
  }
  const pod = podTemplate(target.doc);
  if (view.prod && pod && serves(pod.spec) && minReplicas < PROD_MIN_SERVING_REPLICAS) {
    view.report(at, 'FC-AVAIL-004', path, `expected minReplicas of at least ${PROD_MIN_SERVING_REPLICAS} for a serving process in prod cluster ${view.cluster.name}, got ${minReplicas} in ${where}; raise minReplicas`);
  }
  const budget = budgets.find((b) => selects(b.doc.spec?.selector, pod?.metadata.labels));
  const allowed = budget ? allowedDisruptions(budget.doc.spec?.maxUnavailable, minReplicas) : undefined;
  if (budget && allowed !== undefined && minReplicas <= allowed) {
    view.report(at, 'FC-AVAIL-004', path, `expected minReplicas above the maxUnavailable (${allowed}) of PodDisruptionBudget ${budget.doc.metadata.name} in ${where}, got ${minReplicas}: scaled down, a drain could evict every pod; raise minReplicas`);
  }
}
