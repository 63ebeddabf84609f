import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { LABEL, MANAGED_BY } from '../values/labels';
import { INVENTORY_NAMESPACE } from './inventory';
import type { Kubectl, KubectlResult } from './kubectl';
import { FIELD_MANAGER, itemsOf, toStream } from './objects';

/**
 * One apply at a time per cluster: a coordination.k8s.io/v1 Lease `fleetchart-system/apply-lock`,
 * as Kubernetes' own leader election uses it (k8s.io/client-go/tools/leaderelection/resourcelock/
 * leaselock.go): the holder renews `renewTime` well within `leaseDurationSeconds`; a lease not
 * renewed for that long has expired (its holder died) and the next apply takes it over. Taking
 * over and renewing are updates carrying the resourceVersion that was read, so two appliers
 * racing for an expired lease cannot both win (the API server answers one with a conflict).
 */
export const LOCK_NAME = 'apply-lock';
export const LOCK_DURATION_SECONDS = 30;

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
}

export interface ApplyLock {
  readonly holder: string;
  /** Renews until released; stops renewing when release() is called. */
  release(): Promise<void>;
}

const held = new Set<ApplyLock>();

/** Releases every lock this process holds: for signal handlers (an interrupted apply frees the cluster at once). */
export async function releaseHeldLocks(): Promise<void> {
  await Promise.all([...held].map((lock) => lock.release()));
}

/** When a lease ends unless renewed; undefined for a lease without a holder. */
export function leaseExpiry(spec: LeaseSpec): number | undefined {
  if (!spec.holderIdentity) return undefined;
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  if (Number.isNaN(renewed)) return 0;
  return renewed + (spec.leaseDurationSeconds ?? LOCK_DURATION_SECONDS) * 1000;
}

function microTime(ms = Date.now()): string {
  // MicroTime: RFC 3339 with microseconds.
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function leaseObject(spec: LeaseSpec, resourceVersion?: string): unknown {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: LOCK_NAME, namespace: INVENTORY_NAMESPACE, labels: { [LABEL.managedBy]: MANAGED_BY }, ...(resourceVersion ? { resourceVersion } : {}) },
    spec,
  };
}

function firstLine(result: KubectlResult): string {
  return result.stderr.split('\n').map((l) => l.trim().replace(/^error: /, '')).find((l) => l && !l.startsWith('Warning: ')) ?? `kubectl exited with code ${result.code}`;
}

/**
 * Takes the cluster's apply lock, or says who holds it. Creates the `fleetchart-system` Namespace
 * if needed (where the inventory lives too).
 */
export async function acquireLock(kubectl: Kubectl, options: { durationSeconds?: number; renewMs?: number } = {}): Promise<{ lock?: ApplyLock; error?: string }> {
  const duration = options.durationSeconds ?? LOCK_DURATION_SECONDS;
  const holder = `${process.env.FLEETCHART_LOCK_HOLDER ?? `${os.hostname()} pid ${process.pid}`} ${randomBytes(4).toString('hex')}`;
  const namespace = await kubectl.run(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], {
    input: toStream([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: INVENTORY_NAMESPACE, labels: { [LABEL.managedBy]: MANAGED_BY, 'pod-security.kubernetes.io/enforce': 'restricted' } } }]),
  });
  if (namespace.code !== 0) return { error: `cannot create the lock's Namespace ${INVENTORY_NAMESPACE}: ${firstLine(namespace)}` };
  const now = Date.now();
  const fresh: LeaseSpec = { holderIdentity: holder, leaseDurationSeconds: duration, acquireTime: microTime(now), renewTime: microTime(now) };
  const created = await kubectl.run(['create', '-o', 'json', '-f', '-'], { input: toStream([leaseObject(fresh)]) });
  let resourceVersion: string | undefined;
  if (created.code === 0) {
    resourceVersion = itemsOf(created.stdout)[0]?.metadata.resourceVersion;
  } else if (/AlreadyExists|already exists/.test(created.stderr)) {
    const read = await kubectl.run(['get', 'lease', LOCK_NAME, '-n', INVENTORY_NAMESPACE, '-o', 'json']);
    if (read.code !== 0) return { error: `cannot read the apply lock (Lease ${INVENTORY_NAMESPACE}/${LOCK_NAME}): ${firstLine(read)}` };
    const current = JSON.parse(read.stdout) as { metadata: { resourceVersion: string }; spec?: LeaseSpec };
    const spec = current.spec ?? {};
    const expiry = leaseExpiry(spec);
    if (expiry !== undefined && expiry > now) {
      return {
        error: `the cluster is locked by another apply: '${spec.holderIdentity}' holds Lease ${INVENTORY_NAMESPACE}/${LOCK_NAME} since ${spec.acquireTime ?? '?'} (renewed ${spec.renewTime ?? '?'}; it expires ${Math.ceil((expiry - now) / 1000)}s after its last renewal if that process is gone). Wait for it to finish and retry`,
      };
    }
    const taken = await kubectl.run(['replace', '-o', 'json', '-f', '-'], { input: toStream([leaseObject(fresh, current.metadata.resourceVersion)]) });
    if (taken.code !== 0) {
      return { error: /Conflict|modified/.test(taken.stderr) ? `another apply took the expired lock (Lease ${INVENTORY_NAMESPACE}/${LOCK_NAME}) first: retry later` : `cannot take the apply lock: ${firstLine(taken)}` };
    }
    resourceVersion = itemsOf(taken.stdout)[0]?.metadata.resourceVersion;
  } else {
    return { error: `cannot take the apply lock (Lease ${INVENTORY_NAMESPACE}/${LOCK_NAME}): ${firstLine(created)}` };
  }

  let released = false;
  let renewing: Promise<unknown> = Promise.resolve();
  const renew = async () => {
    const spec = { ...fresh, renewTime: microTime() };
    const result = await kubectl.run(['replace', '-o', 'json', '-f', '-'], { input: toStream([leaseObject(spec, resourceVersion)]) });
    if (result.code === 0) resourceVersion = itemsOf(result.stdout)[0]?.metadata.resourceVersion ?? resourceVersion;
  };
  // Renew at a third of the duration, as leader election does, so one missed renewal is harmless.
  const timer = setInterval(() => {
    if (!released) renewing = renew();
  }, options.renewMs ?? (duration * 1000) / 3);
  timer.unref();
  const lock: ApplyLock = {
      holder,
      async release() {
        if (released) return;
        released = true;
        held.delete(lock);
        clearInterval(timer);
        await renewing;
        // Delete only our own lease (an expired one may have been taken over meanwhile).
        const read = await kubectl.run(['get', 'lease', LOCK_NAME, '-n', INVENTORY_NAMESPACE, '-o', 'json', '--ignore-not-found']);
        if (read.code === 0 && read.stdout.trim() && (JSON.parse(read.stdout) as { spec?: LeaseSpec }).spec?.holderIdentity === holder) {
          await kubectl.run(['delete', 'lease', LOCK_NAME, '-n', INVENTORY_NAMESPACE, '--ignore-not-found', '--wait=false']);
        }
      },
  };
  held.add(lock);
  return { lock };
}
