import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface KubectlOptions {
  /** The kubectl binary. Default: `findKubectl()`. */
  readonly binary?: string;
  /** --kubeconfig. Default: kubectl's own ($KUBECONFIG, ~/.kube/config). */
  readonly kubeconfig?: string;
  /** --context. Default: the kubeconfig's current context. */
  readonly context?: string;
  /** --cache-dir for discovery. Default: kubectl's own (~/.kube/cache). */
  readonly cacheDir?: string;
  /** --request-timeout of each call. Default: 60s. */
  readonly requestTimeout?: string;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Where kubectl is: $KUBECTL, else $KUBEBUILDER_ASSETS/kubectl (the version the cluster tier
 * tests with, from scripts/setup-envtest.sh), else `kubectl` on PATH.
 */
export function findKubectl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUBECTL) return env.KUBECTL;
  if (env.KUBEBUILDER_ASSETS) {
    const candidate = path.join(env.KUBEBUILDER_ASSETS, 'kubectl');
    if (fs.existsSync(candidate)) return candidate;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'kubectl');
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'kubectl';
}

/** Runs the kubectl binary with the connection flags; never throws for a non-zero exit. */
export class Kubectl {
  readonly binary: string;

  constructor(private readonly options: KubectlOptions = {}) {
    this.binary = options.binary ?? findKubectl();
  }

  /** The connection flags every call gets. */
  connectionArgs(): string[] {
    const args: string[] = [];
    if (this.options.kubeconfig) args.push(`--kubeconfig=${this.options.kubeconfig}`);
    if (this.options.context) args.push(`--context=${this.options.context}`);
    if (this.options.cacheDir) args.push(`--cache-dir=${this.options.cacheDir}`);
    args.push(`--request-timeout=${this.options.requestTimeout ?? '60s'}`);
    return args;
  }

  run(args: readonly string[], options: { input?: string } = {}): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, [...this.connectionArgs(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new Error(`kubectl not found at '${this.binary}': install kubectl, or set KUBECTL or KUBEBUILDER_ASSETS`) : error),
      );
      child.on('close', (code, signal) =>
        resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }),
      );
      child.stdin.on('error', () => undefined); // kubectl may exit before reading stdin
      child.stdin.end(options.input ?? '');
    });
  }
}
