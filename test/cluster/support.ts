import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO } from '../support/fleet';
import type { Envtest } from './envtest';

/** `fleetchart` as a user runs it: a child process of bin/fleetchart.js in the fleet's root. */
export interface Spawned {
  readonly child: ChildProcess;
  /** Resolves when it exited. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function spawnCli(root: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'fleetchart.js'), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export async function runSpawned(root: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const result = await spawnCli(root, args, env).done;
  const lines = (text: string) => text.split('\n').filter((l) => l !== '');
  return { code: result.code, out: lines(result.stdout), err: lines(result.stderr), stdout: result.stdout };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 200 ms until it returns a value (not undefined), at most `ms`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

interface DeploymentLike {
  metadata: { name: string; namespace: string; generation: number };
  spec: { replicas?: number };
  status?: { observedGeneration?: number };
}

/**
 * Stands in for the Deployment controller that the cluster tier does not run: writes each
 * Deployment's status through the status subresource, as kube-controller-manager would.
 * `rolledOut` reports every replica updated and available (what a finished rollout looks like);
 * `deadlineExceeded` what the controller writes when progressDeadlineSeconds passed without progress.
 */
export async function setDeploymentStatus(env: Envtest, deployment: DeploymentLike, outcome: 'rolledOut' | 'deadlineExceeded'): Promise<void> {
  const replicas = deployment.spec.replicas ?? 1;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastUpdateTime: now, lastTransitionTime: now });
  const status =
    outcome === 'rolledOut'
      ? {
          observedGeneration: deployment.metadata.generation,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: replicas,
          availableReplicas: replicas,
          conditions: [
            condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
            condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${deployment.metadata.name}-5d8f7c9b4" has successfully progressed.`),
          ],
        }
      : {
          observedGeneration: deployment.metadata.generation,
          replicas,
          updatedReplicas: 1,
          readyReplicas: 0,
          availableReplicas: 0,
          unavailableReplicas: replicas,
          conditions: [
            condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
            condition('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${deployment.metadata.name}-7f9c6d5b8" has timed out progressing.`),
          ],
        };
  await env.k(['patch', 'deployment', deployment.metadata.name, '-n', deployment.metadata.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

/** Deployments whose current generation the (absent) controller has not observed yet. */
export async function unobservedDeployments(env: Envtest): Promise<DeploymentLike[]> {
  const list = await env.getJson(['deployments.apps', '--all-namespaces']);
  return (list.items as DeploymentLike[]).filter((d) => (d.status?.observedGeneration ?? 0) < d.metadata.generation);
}

/**
 * A stand-in controller: until stopped, rolls out every Deployment whose generation is new
 * (optionally only those `select` picks; the others are marked as past their deadline if
 * `failOthers`). Returns a function that stops it.
 */
export function runController(env: Envtest, options: { select?: (d: DeploymentLike) => boolean; failOthers?: boolean } = {}): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const d of await unobservedDeployments(env)) {
        const ok = options.select ? options.select(d) : true;
        if (ok) await setDeploymentStatus(env, d, 'rolledOut');
        else if (options.failOthers) await setDeploymentStatus(env, d, 'deadlineExceeded');
      }
      await sleep(200);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}
