import type { Kubectl } from './kubectl';
import { LiveObject, ObjectRef, displayName, itemsOf, objectKey, refOf, stub, toStream } from './objects';

/** Where one Deployment's rollout stands. */
export type RolloutState = { readonly state: 'done' } | { readonly state: 'waiting'; readonly reason: string } | { readonly state: 'failed'; readonly reason: string };

export interface RolloutResult {
  readonly ref: ObjectRef;
  readonly state: 'done' | 'failed' | 'timeout';
  /** Why it failed or what it was still waiting for; empty when done. */
  readonly reason: string;
  /** Milliseconds from the start of the wait until it was done (or gave up). */
  readonly ms: number;
}

interface DeploymentCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/**
 * The rollout state of a Deployment as the API server reports it, by the rules of
 * `kubectl rollout status` (kubectl/pkg/polymorphichelpers/rollout_status.go,
 * DeploymentStatusViewer.Status): the controller has observed the current generation; it has not
 * given up (condition Progressing with reason ProgressDeadlineExceeded, set once
 * progressDeadlineSeconds passed without progress); every replica is updated; no old replica is
 * left; every updated replica is available.
 */
export function rolloutState(deployment: LiveObject): RolloutState {
  const spec = (deployment as any).spec ?? {};
  const status = (deployment as any).status ?? {};
  const generation: number = deployment.metadata.generation as number;
  const observed: number = status.observedGeneration ?? 0;
  if (observed < generation) return { state: 'waiting', reason: `the controller has not observed generation ${generation} yet (observed ${observed})` };
  const progressing = ((status.conditions ?? []) as DeploymentCondition[]).find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { state: 'failed', reason: `ProgressDeadlineExceeded: no progress within progressDeadlineSeconds (${spec.progressDeadlineSeconds ?? 600}s)${progressing.message ? `: ${progressing.message}` : ''}` };
  }
  const desired: number | undefined = spec.replicas;
  const updated: number = status.updatedReplicas ?? 0;
  const total: number = status.replicas ?? 0;
  const available: number = status.availableReplicas ?? 0;
  if (desired !== undefined && updated < desired) return { state: 'waiting', reason: `${updated} of ${desired} replicas updated` };
  if (total > updated) return { state: 'waiting', reason: `${total - updated} old replica${total - updated === 1 ? '' : 's'} pending termination` };
  if (available < updated) return { state: 'waiting', reason: `${available} of ${updated} updated replicas available` };
  return { state: 'done' };
}

export interface WaitOptions {
  /** Give up after this many milliseconds. */
  readonly timeoutMs: number;
  /** Between two reads of the Deployments. Default: 2000. */
  readonly intervalMs?: number;
  /** Called when a Deployment finishes, for progress output. */
  readonly onResult?: (result: RolloutResult) => void;
}

/**
 * Waits until every Deployment has rolled out, one has failed, or the timeout passed. Reads all
 * of them with one `kubectl get` per round. A failed Deployment ends the wait at once: the
 * others' results are reported as they stood.
 */
export async function waitForRollouts(kubectl: Kubectl, deployments: readonly ObjectRef[], options: WaitOptions): Promise<{ results: RolloutResult[]; errors: string[] }> {
  const start = Date.now();
  const pending = new Map(deployments.map((d) => [objectKey(d), d]));
  const results: RolloutResult[] = [];
  const lastReason = new Map<string, string>();
  const finish = (result: RolloutResult) => {
    results.push(result);
    pending.delete(objectKey(result.ref));
    options.onResult?.(result);
  };
  while (pending.size) {
    const read = await kubectl.run(['get', '--ignore-not-found', '-o', 'json', '-f', '-'], { input: toStream([...pending.values()].map(stub)) });
    if (read.code !== 0) {
      // A passing network error is retried until the timeout; the last one is reported then.
      lastReason.set('*', read.stderr.trim().split('\n')[0] ?? `kubectl exited with code ${read.code}`);
    } else {
      const live = new Map(itemsOf(read.stdout).map((o) => [objectKey(refOf(o)), o]));
      for (const [key, ref] of [...pending]) {
        const object = live.get(key);
        if (!object) {
          finish({ ref, state: 'failed', reason: 'it was deleted while waiting for its rollout', ms: Date.now() - start });
          continue;
        }
        const state = rolloutState(object);
        if (state.state === 'done') finish({ ref, state: 'done', reason: '', ms: Date.now() - start });
        else if (state.state === 'failed') finish({ ref, state: 'failed', reason: state.reason, ms: Date.now() - start });
        else lastReason.set(key, state.reason);
      }
      if (results.some((r) => r.state === 'failed')) break;
    }
    if (!pending.size) break;
    if (Date.now() - start >= options.timeoutMs) {
      for (const [key, ref] of [...pending]) finish({ ref, state: 'timeout', reason: lastReason.get(key) ?? lastReason.get('*') ?? 'no status read yet', ms: Date.now() - start });
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs ?? 2000, Math.max(0, options.timeoutMs - (Date.now() - start)))));
  }
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;
  const errors = results
    .filter((r) => r.state !== 'done')
    .map((r) =>
      r.state === 'timeout'
        ? `${displayName(r.ref)} did not roll out within ${seconds(options.timeoutMs)}: ${r.reason}`
        : `${displayName(r.ref)} failed to roll out: ${r.reason}`,
    );
  // What was still pending when another Deployment failed.
  for (const ref of pending.values()) results.push({ ref, state: 'timeout', reason: `not finished when the wait stopped: ${lastReason.get(objectKey(ref)) ?? 'no status read yet'}`, ms: Date.now() - start });
  return { results, errors };
}
