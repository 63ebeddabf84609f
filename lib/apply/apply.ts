import type { Manifest } from '../manifest';
import { LABEL } from '../values/labels';
import { INVENTORY_NAME, INVENTORY_NAMESPACE, Inventory, inventoryObjects, parseInventory } from './inventory';
import type { Kubectl, KubectlResult } from './kubectl';
import { ApplyLock, acquireLock } from './lock';
import { FIELD_MANAGER, LiveObject, ObjectRef, applyOrder, displayName, itemsOf, objectKey, ownedByFleetchart, refOf, stub, toStream } from './objects';
import { externalReferences } from './references';
import { RolloutResult, waitForRollouts } from './rollout';

export interface ApplyOptions {
  /** The inventory cluster the documents were rendered for (apps/clusters.ts). */
  readonly cluster: string;
  /** Every object fleetchart renders for that cluster. Objects applied earlier and missing here are pruned. */
  readonly documents: readonly Manifest[];
  readonly kubectl: Kubectl;
  /** Server-side dry run: the API server admits and validates everything, nothing is stored. Default: false. */
  readonly dryRun?: boolean;
  /**
   * Take over objects that exist but were not applied by fleetchart (forcing field conflicts).
   * Default: false, such objects stop the apply before anything changes.
   */
  readonly adopt?: boolean;
  /**
   * After applying, wait until every created or changed Deployment has rolled out, at most this
   * many milliseconds, and prune only then. Default: undefined, no wait (prune right away).
   */
  readonly waitTimeoutMs?: number;
  /** Between two reads of the Deployments while waiting. Default: 2000. */
  readonly waitIntervalMs?: number;
  /** Hold the cluster's apply lock (a Lease) from the preflight to the end. Default: true (never for a dry run). */
  readonly lock?: boolean;
  /** Progress for a person watching, e.g. `rolled out Deployment a/b (12.3s)`. */
  readonly onProgress?: (line: string) => void;
}

export interface KeptObject {
  readonly ref: ObjectRef;
  readonly reason: string;
}

export interface ApplyReport {
  readonly cluster: string;
  readonly dryRun: boolean;
  readonly created: ObjectRef[];
  readonly configured: ObjectRef[];
  readonly unchanged: ObjectRef[];
  readonly pruned: ObjectRef[];
  /** Objects fleetchart no longer renders but did not delete, and why. */
  readonly kept: KeptObject[];
  /** Dry run only: objects in Namespaces the apply would create, which the server cannot check before they exist. */
  readonly unchecked: ObjectRef[];
  /** Warnings the API server returned (e.g. Pod Security `warn`), one per line. */
  readonly warnings: string[];
  /** Referenced Secrets/ConfigMaps in Namespaces this apply creates: they cannot exist yet; pods wait for them. */
  readonly pending: string[];
  /** Each created or changed Deployment's rollout, when the apply waited. */
  readonly rollouts: RolloutResult[];
  /** Milliseconds per phase (preflight includes taking the lock). */
  readonly timings: { preflight: number; apply: number; wait: number; prune: number };
  /** Anything that failed; when not empty, the apply stopped (and nothing was pruned). */
  readonly errors: string[];
}

/**
 * Applies one cluster's rendered objects with server-side apply (field manager `fleetchart`,
 * strict field validation), then prunes what fleetchart applied earlier and no longer renders.
 *
 * 1. Preflight, before anything changes: every apiVersion is served (CRDs installed), every
 *    PriorityClass the pods name exists, the cluster's inventory (if any) belongs to this
 *    cluster, and no existing object is one fleetchart does not own (unless `adopt`).
 * 2. The inventory is widened to old ∪ new, so an interrupted run still knows what it created.
 * 3. One `kubectl apply --server-side` over all objects in apply order (Namespaces first,
 *    DestinationRules before VirtualServices, see `applyOrder`).
 * 4. Only if every object applied: objects listed in the inventory, missing from this render and
 *    still owned by fleetchart are deleted in reverse order. A Namespace that still holds objects
 *    fleetchart did not apply is kept (deleting it would delete them) and stays in the inventory.
 * 5. The inventory is narrowed to what was applied plus what was kept.
 */
export async function applyCluster(options: ApplyOptions): Promise<ApplyReport> {
  const dryRun = options.dryRun ?? false;
  const report: ApplyReport = {
    cluster: options.cluster,
    dryRun,
    created: [],
    configured: [],
    unchanged: [],
    pruned: [],
    kept: [],
    unchecked: [],
    warnings: [],
    pending: [],
    rollouts: [],
    timings: { preflight: 0, apply: 0, wait: 0, prune: 0 },
    errors: [],
  };
  const started = Date.now();
  let lock: ApplyLock | undefined;
  try {
    await applyLocked(options, report, (taken) => (lock = taken));
  } finally {
    await lock?.release();
  }
  if (!report.timings.apply) report.timings.preflight = Date.now() - started;
  return report;
}

async function applyLocked(options: ApplyOptions, report: ApplyReport, locked: (lock: ApplyLock) => void): Promise<void> {
  const { kubectl, cluster } = options;
  const dryRun = options.dryRun ?? false;
  const started = Date.now();

  const ordered = applyOrder(options.documents.map((doc) => Object.assign(refOf(doc), { doc })));
  const keys = new Set<string>();
  for (const item of ordered) {
    const key = objectKey(item);
    if (keys.has(key)) report.errors.push(`${displayName(item)} is rendered twice; every object must be rendered by one service`);
    keys.add(key);
  }
  if (report.errors.length) return;

  // 1. Preflight.
  const [served, priorityClasses, inventoryResult] = await Promise.all([
    kubectl.run(['api-versions']),
    kubectl.run(['get', 'priorityclasses.scheduling.k8s.io', '-o', 'name']),
    kubectl.run(['get', 'configmap', INVENTORY_NAME, '-n', INVENTORY_NAMESPACE, '--ignore-not-found', '-o', 'json']),
  ]);
  // The three calls fail alike when the cluster cannot be reached: say it once.
  const failed = [served, priorityClasses, inventoryResult].filter((r) => r.code !== 0);
  const unreachable = failed.flatMap(errorLines).filter((l) => UNREACHABLE.test(l));
  if (unreachable.length) report.errors.push(unreachable.find((l) => l.startsWith('The connection to the server')) ?? unreachable[0]);
  else for (const result of failed) report.errors.push(...errorLines(result).filter((l) => !report.errors.includes(l)));
  if (report.errors.length) return;

  const servedVersions = new Set(served.stdout.split('\n').map((l) => l.trim()).filter(Boolean));
  for (const [apiVersion, kinds] of groupBy(ordered, (o) => o.apiVersion)) {
    if (!servedVersions.has(apiVersion)) {
      report.errors.push(`the cluster does not serve ${apiVersion} (needed for ${[...new Set(kinds.map((k) => k.kind))].join(', ')}): install its CRDs first`);
    }
  }
  const existingClasses = new Set(priorityClasses.stdout.split('\n').map((l) => l.trim().replace(/^priorityclass\.scheduling\.k8s\.io\//, '')).filter(Boolean));
  for (const [name, users] of groupBy(ordered.filter((o) => podSpec(o.doc)?.priorityClassName), (o) => podSpec(o.doc)!.priorityClassName as string)) {
    if (!existingClasses.has(name)) {
      report.errors.push(`PriorityClass '${name}' does not exist in the cluster (used by ${users.map(displayName).join(', ')}): pods would be rejected; create it first`);
    }
  }
  let previous: Inventory | undefined = inventoryResult.stdout.trim() ? parseInventory(JSON.parse(inventoryResult.stdout)) : undefined;
  if (previous && previous.cluster !== cluster) {
    report.errors.push(`this API server holds the inventory of cluster '${previous.cluster}', not '${cluster}': refusing to apply (and prune) another cluster's objects here; check --kubeconfig/--context`);
  }
  if (report.errors.length) return;

  // One apply at a time: taken before the inventory is read, held until the end.
  if (!dryRun && options.lock !== false) {
    const taken = await acquireLock(kubectl);
    if (taken.error) {
      report.errors.push(taken.error);
      return;
    }
    locked(taken.lock!);
    // Read again under the lock: an apply that just finished may have changed it.
    const again = await kubectl.run(['get', 'configmap', INVENTORY_NAME, '-n', INVENTORY_NAMESPACE, '--ignore-not-found', '-o', 'json']);
    if (again.code !== 0) {
      report.errors.push(...errorLines(again));
      return;
    }
    previous = again.stdout.trim() ? parseInventory(JSON.parse(again.stdout)) : undefined;
  }

  const liveResult = await kubectl.run(['get', '--ignore-not-found', '--show-managed-fields', '-o', 'json', '-f', '-'], { input: toStream(ordered.map(stub)) });
  if (liveResult.code !== 0) {
    report.errors.push(...errorLines(liveResult));
    return;
  }
  const live = new Map(itemsOf(liveResult.stdout).map((o) => [objectKey(refOf(o)), o]));
  const newNamespaces = new Set(ordered.filter((o) => o.kind === 'Namespace' && !live.has(objectKey(o))).map((o) => o.name));
  await checkReferences(kubectl, ordered.map((o) => o.doc), newNamespaces, report);
  if (!options.adopt) {
    for (const item of ordered) {
      const existing = live.get(objectKey(item));
      if (existing && !ownedByFleetchart(existing)) {
        report.errors.push(`${displayName(item)} exists and was not applied by fleetchart (${managers(existing)}): rerun with --adopt to take it over, or delete it`);
      }
    }
  }
  if (report.errors.length) return;

  // 2. Widen the inventory.
  const previousObjects = previous?.objects ?? [];
  if (!dryRun) {
    const widened = await writeInventory(kubectl, { cluster, objects: [...previousObjects, ...ordered] });
    if (widened.code !== 0) {
      report.errors.push(...errorLines(widened));
      return;
    }
  }

  report.timings.preflight = Date.now() - started;

  // 3. Apply. A dry run cannot admit objects into Namespaces that do not exist yet.
  const applyStarted = Date.now();
  const toApply = dryRun ? ordered.filter((o) => !(o.namespace && newNamespaces.has(o.namespace))) : ordered;
  if (dryRun) report.unchecked.push(...ordered.filter((o) => o.namespace && newNamespaces.has(o.namespace)).map(plainRef));
  const applyArgs = ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--validate=strict', '--show-managed-fields', '-o', 'json', '-f', '-'];
  if (options.adopt) applyArgs.push('--force-conflicts');
  if (dryRun) applyArgs.push('--dry-run=server');
  const applied = await kubectl.run(applyArgs, { input: toStream(toApply.map((o) => o.doc)) });
  report.warnings.push(...warningLines(applied));
  const results = new Map(itemsOf(applied.stdout).map((o) => [objectKey(refOf(o)), o]));
  for (const item of ordered) {
    const key = objectKey(item);
    const before = live.get(key);
    const after = results.get(key);
    const ref = plainRef(item);
    if (!before) {
      if (after || report.unchecked.some((u) => objectKey(u) === key)) report.created.push(ref);
    } else if (after) {
      const changed = dryRun ? !sameContent(before, after) : before.metadata.resourceVersion !== after.metadata.resourceVersion;
      (changed ? report.configured : report.unchanged).push(ref);
    }
  }
  report.timings.apply = Date.now() - applyStarted;
  if (applied.code !== 0) {
    report.errors.push(...errorLines(applied));
    return;
  }

  // 3b. Wait until every created or changed Deployment rolled out: prune only then, so nothing
  // that the pruned objects served (e.g. a canary's pods behind a subset) goes before its
  // replacement is available.
  if (!dryRun && options.waitTimeoutMs !== undefined) {
    const waitStarted = Date.now();
    const deployments = [...report.created, ...report.configured].filter((r) => r.kind === 'Deployment' && groupOfApi(r.apiVersion) === 'apps');
    if (deployments.length) {
      const limit = options.waitTimeoutMs % 60_000 === 0 ? `${options.waitTimeoutMs / 60_000}m` : `${Math.round(options.waitTimeoutMs / 100) / 10}s`;
      options.onProgress?.(`waiting up to ${limit} for ${deployments.length} Deployment${deployments.length === 1 ? '' : 's'} to roll out: ${deployments.map(displayName).join(', ')}`);
    }
    const waited = await waitForRollouts(kubectl, deployments, {
      timeoutMs: options.waitTimeoutMs,
      intervalMs: options.waitIntervalMs,
      onResult: (r) => r.state === 'done' && options.onProgress?.(`rolled out ${displayName(r.ref)} (${(r.ms / 1000).toFixed(1)}s)`),
    });
    report.rollouts.push(...waited.results);
    report.timings.wait = Date.now() - waitStarted;
    if (waited.errors.length) {
      report.errors.push(...waited.errors);
      return;
    }
  }

  // 4. Prune.
  const pruneStarted = Date.now();
  const candidates = applyOrder(previousObjects.filter((r) => !keys.has(objectKey(r)))).reverse();
  const keptInInventory: ObjectRef[] = [];
  if (candidates.length) {
    const found = await kubectl.run(['get', '--ignore-not-found', '--show-managed-fields', '-o', 'json', '-f', '-'], { input: toStream(candidates.map(stub)) });
    if (found.code !== 0) {
      report.errors.push(...errorLines(found).map((l) => `reading objects to prune: ${l}`));
      return;
    }
    const existing = new Map(itemsOf(found.stdout).map((o) => [objectKey(refOf(o)), o]));
    const doomed: ObjectRef[] = [];
    for (const ref of candidates) {
      const object = existing.get(objectKey(ref));
      if (!object) continue; // already gone
      if (object.metadata.deletionTimestamp) continue; // already being deleted
      if (!ownedByFleetchart(object)) {
        report.kept.push({ ref, reason: `no longer fleetchart's (${ownership(object)}); left alone and dropped from the inventory` });
        continue;
      }
      doomed.push(ref);
    }
    const doomedKeys = new Set(doomed.map(objectKey));
    for (const ns of doomed.filter((r) => r.kind === 'Namespace')) {
      const foreign = await foreignObjects(kubectl, ns.name, doomedKeys);
      if (foreign.length) {
        doomedKeys.delete(objectKey(ns));
        keptInInventory.push(ns);
        const names = foreign.slice(0, 5).map(displayName).join(', ');
        report.kept.push({ ref: ns, reason: `holds ${foreign.length} object${foreign.length === 1 ? '' : 's'} fleetchart did not apply (${names}${foreign.length > 5 ? ', …' : ''}); deleting the Namespace would delete them` });
      }
    }
    const toDelete = doomed.filter((r) => doomedKeys.has(objectKey(r)));
    if (toDelete.length) {
      const deleteArgs = ['delete', '--ignore-not-found', '--wait=false', '-f', '-'];
      if (dryRun) deleteArgs.push('--dry-run=server');
      const deleted = await kubectl.run(deleteArgs, { input: toStream(toDelete.map(stub)) });
      report.warnings.push(...warningLines(deleted));
      if (deleted.code !== 0) {
        report.errors.push(...errorLines(deleted));
        return;
      }
      report.pruned.push(...toDelete);
    }
  }

  // 5. Narrow the inventory.
  if (!dryRun) {
    const narrowed = await writeInventory(kubectl, { cluster, objects: [...ordered.map(plainRef), ...keptInInventory] });
    if (narrowed.code !== 0) report.errors.push(...errorLines(narrowed));
  }
  report.timings.prune = Date.now() - pruneStarted;
}

function groupOfApi(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/**
 * Referenced Secrets, ConfigMaps and ingress Gateways must exist: a missing one lets the
 * Deployment in and keeps every pod from starting (or leaves a route unbound). In a Namespace
 * this apply creates, they cannot exist yet: noted as pending, and the rollout wait catches them.
 * By name (`-o custom-columns`): nothing of a Secret's data is printed or kept (the deploy
 * identity still needs `get` on Secrets: RBAC has no metadata-only verb).
 */
async function checkReferences(kubectl: Kubectl, documents: readonly Manifest[], newNamespaces: ReadonlySet<string>, report: ApplyReport): Promise<void> {
  const references = externalReferences(documents);
  const checkable = references.filter((r) => !(r.ref.namespace && newNamespaces.has(r.ref.namespace)));
  for (const r of references.filter((x) => !checkable.includes(x))) {
    report.pending.push(`${displayName(r.ref)} is needed by ${r.users.map(displayName).join(', ')}; its Namespace is new, so create it right after this apply`);
  }
  if (!checkable.length) return;
  const found = await kubectl.run(['get', '--ignore-not-found', '--no-headers', '-o', 'custom-columns=KIND:.kind,NAMESPACE:.metadata.namespace,NAME:.metadata.name', '-f', '-'], {
    input: toStream(checkable.map((r) => stub(r.ref))),
  });
  // A Gateway kind the cluster does not serve makes kubectl fail for that object only; it counts as missing.
  const present = new Set(found.stdout.split('\n').map((l) => l.trim().split(/\s+/).join('|')).filter(Boolean));
  for (const r of checkable) {
    if (present.has(`${r.ref.kind}|${r.ref.namespace}|${r.ref.name}`)) continue;
    const what = r.ref.kind === 'Gateway' ? 'the ingress Gateway routes bind to' : 'pods cannot start without it';
    report.errors.push(`${displayName(r.ref)} does not exist in the cluster (needed by ${r.users.map(displayName).join(', ')}): ${what}; create it first`);
  }
}


function writeInventory(kubectl: Kubectl, inventory: Inventory): Promise<KubectlResult> {
  return kubectl.run(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--validate=strict', '-f', '-'], { input: toStream(inventoryObjects(inventory)) });
}

function plainRef(ref: ObjectRef): ObjectRef {
  return ref.namespace ? { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name } : { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name };
}

function podSpec(doc: Manifest): Record<string, unknown> | undefined {
  return (doc as any).spec?.template?.spec ?? (doc as any).spec?.jobTemplate?.spec?.template?.spec;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

/** Why an object is not fleetchart's, for messages. */
function ownership(object: LiveObject): string {
  const label = object.metadata.labels?.[LABEL.managedBy];
  const parts = [label === undefined ? `no ${LABEL.managedBy} label` : `${LABEL.managedBy}=${label}`, managers(object)];
  return parts.join('; ');
}

function managers(object: LiveObject): string {
  const names = [...new Set((object.metadata.managedFields ?? []).map((f) => f.manager).filter(Boolean))];
  return names.length ? `field managers: ${names.join(', ')}` : 'no field managers';
}

/** Same object apart from what every write changes: for classifying a dry run's answers. */
function sameContent(a: LiveObject, b: LiveObject): boolean {
  const strip = (o: LiveObject) => {
    const copy = structuredClone(o);
    delete copy.metadata.resourceVersion;
    copy.metadata.managedFields = copy.metadata.managedFields?.map(({ time: _time, ...rest }) => rest);
    return copy;
  };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function warningLines(result: KubectlResult): string[] {
  return result.stderr.split('\n').filter((l) => l.startsWith('Warning: ')).map((l) => l.slice('Warning: '.length));
}

/** Errors that mean the API server cannot be reached at all (then every call fails alike). */
const UNREACHABLE = /connection to the server .* was refused|Unable to connect to the server|dial tcp|no such host|i\/o timeout|connection refused/;
/** klog's lines (`E1204 01:59:35.163580 26157 memcache.go:265] ...`): kubectl logs one per discovery retry. */
const KLOG = /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [^\]]+\] /;

function errorLines(result: KubectlResult): string[] {
  const all = result.stderr
    .split('\n')
    .map((l) => l.trim().replace(/^error: /, ''))
    .filter((l) => l && !l.startsWith('Warning: '));
  // Said once: kubectl repeats discovery failures as klog lines before its own error line.
  const plain = all.filter((l) => !KLOG.test(l));
  const lines = [...new Set(plain.length ? plain : all.map((l) => l.replace(KLOG, '')))];
  return lines.length ? lines : [`kubectl exited with code ${result.code}`];
}

/**
 * Objects in a namespace that fleetchart did not apply and that the namespace's deletion would
 * take with it. Not counted: what the platform creates in every namespace (the `default`
 * ServiceAccount, the root CA ConfigMaps), derived objects (anything with an owner, Events,
 * Endpoints, metrics), and `ours` (objects being pruned in this run).
 */
async function foreignObjects(kubectl: Kubectl, namespace: string, ours: ReadonlySet<string>): Promise<ObjectRef[]> {
  const resources = await kubectl.run(['api-resources', '--verbs=list', '--namespaced', '-o', 'name']);
  const types = resources.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((t) => t && !IGNORED_RESOURCES.has(t) && !t.endsWith('.metrics.k8s.io'));
  const listed = resources.code === 0 ? await kubectl.run(['get', types.join(','), '-n', namespace, '--ignore-not-found', '-o', 'json']) : resources;
  if (listed.code !== 0) {
    // Cannot tell what is inside: keeping the Namespace is the safe answer.
    return [{ apiVersion: 'v1', kind: 'Namespace', name: `${namespace} (its contents could not be listed: ${errorLines(listed)[0]})` }];
  }
  return itemsOf(listed.stdout)
    .filter((o) => !o.metadata.ownerReferences?.length)
    .filter((o) => !PLATFORM_OBJECTS.has(`${o.kind}/${o.metadata.name}`))
    .filter((o) => !ours.has(objectKey(refOf(o))))
    .map(refOf);
}

const IGNORED_RESOURCES = new Set(['events', 'events.events.k8s.io', 'endpoints', 'endpointslices.discovery.k8s.io']);
const PLATFORM_OBJECTS = new Set(['ServiceAccount/default', 'ConfigMap/kube-root-ca.crt', 'ConfigMap/istio-ca-root-cert']);
