import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Cluster } from '../../lib/clusters/schema';
import { Kubectl, KubectlResult } from '../../lib/apply/kubectl';

/**
 * The cluster tier's API server: etcd and kube-apiserver from KUBEBUILDER_ASSETS (built by
 * scripts/setup-envtest.sh), on loopback ports chosen at run time, with a static admin token,
 * RBAC and the default admission plugins (PodSecurity included). No controller-manager, no
 * scheduler, no kubelet: objects are stored and admitted exactly as on a real cluster, but
 * nothing reconciles them (Deployments create no Pods, deleted Namespaces stay Terminating).
 *
 * Both processes run in their own process groups and are killed by `stop()`, and by exit and
 * signal handlers if a test run dies first.
 */
export interface Envtest {
  /** Working folder: certs, kubeconfig, etcd data, logs. Removed by stop() unless KEEP_ENVTEST=1. */
  readonly dir: string;
  readonly kubeconfig: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** kubectl against this server (KUBEBUILDER_ASSETS' kubectl, discovery cache inside `dir`). */
  readonly kubectl: Kubectl;
  /** Process ids (each also its process group id). */
  readonly pids: { readonly etcd: number; readonly apiserver: number };
  /** Milliseconds from spawn to /readyz, and for installing CRDs and prerequisites. */
  readonly timings: { ready: number; crds: number; prerequisites: number };
  /** kubectl that throws with its stderr on a non-zero exit; returns stdout. */
  k(args: readonly string[], input?: string): Promise<string>;
  /** Parsed `kubectl get -o json`. */
  getJson(args: readonly string[]): Promise<any>;
  /** The last lines of both logs, for failure messages. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export interface EnvtestOptions {
  /** Install every CRD file in lib/crds/ and wait until all are Established. Default: true. */
  readonly crds?: boolean;
  /** Create what these clusters' output expects to exist (PriorityClasses, platform namespaces). */
  readonly clusters?: readonly Cluster[];
}

const REPO = path.resolve(__dirname, '..', '..');
export const CRD_DIR = path.join(REPO, 'lib', 'crds');

/** The envtest binaries: $KUBEBUILDER_ASSETS, else scripts/setup-envtest.sh (cached after its first build). */
export function envtestAssets(): string {
  let dir = process.env.KUBEBUILDER_ASSETS;
  if (!dir) {
    const out = execFileSync('bash', [path.join(REPO, 'scripts', 'setup-envtest.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const last = out.trim().split('\n').pop() ?? '';
    if (!last.startsWith('KUBEBUILDER_ASSETS=')) throw new Error(`setup-envtest.sh printed no KUBEBUILDER_ASSETS line: ${out}`);
    dir = last.slice('KUBEBUILDER_ASSETS='.length);
    process.env.KUBEBUILDER_ASSETS = dir;
  }
  for (const binary of ['etcd', 'kube-apiserver', 'kubectl']) {
    if (!fs.existsSync(path.join(dir, binary))) throw new Error(`KUBEBUILDER_ASSETS=${dir} has no ${binary}; run scripts/setup-envtest.sh`);
  }
  return dir;
}

const running = new Set<ChildProcess>();
const workDirs = new Set<string>();
let handlersInstalled = false;

/** Kills every process group still running and removes the work folders. Synchronous, for an 'exit' handler. */
function killAll(signal: NodeJS.Signals): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  }
  if (process.env.KEEP_ENVTEST !== '1') for (const dir of workDirs) fs.rmSync(dir, { recursive: true, force: true });
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => killAll('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll('SIGKILL');
      process.exit(128 + (os.constants.signals[signal] ?? 1));
    });
  }
}

async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    servers.push(server);
    ports.push((server.address() as net.AddressInfo).port);
  }
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function launch(binary: string, args: string[], log: string): ChildProcess {
  const out = fs.openSync(log, 'a');
  // detached: its own process group, so stop() can signal the group.
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    return;
  }
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone in between
    }
    await exited;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tail(file: string, lines: number): string {
  if (!fs.existsSync(file)) return '';
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

function httpsGet(url: string, ca: Buffer, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca, headers: { Authorization: `Bearer ${token}` }, timeout: 2000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

/** Starts etcd and kube-apiserver, waits for /readyz, installs CRDs and prerequisites. */
export async function startEnvtest(options: EnvtestOptions = {}): Promise<Envtest> {
  const assets = envtestAssets();
  installExitHandlers();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-envtest-'));
  workDirs.add(dir);
  const certs = path.join(dir, 'certs');
  fs.mkdirSync(certs);
  const [etcdClient, etcdPeer, apiPort] = await freePorts(3);

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const token = randomBytes(32).toString('hex');
  fs.writeFileSync(path.join(dir, 'tokens.csv'), `${token},admin,admin-uid,"system:masters"\n`);

  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  const peerUrl = `http://127.0.0.1:${etcdPeer}`;
  const etcdLog = path.join(dir, 'etcd.log');
  const apiLog = path.join(dir, 'kube-apiserver.log');
  const started = Date.now();
  const etcd = launch(path.join(assets, 'etcd'), [
    '--name=envtest',
    `--data-dir=${path.join(dir, 'etcd-data')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=envtest=${peerUrl}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ], etcdLog);
  const server = `https://127.0.0.1:${apiPort}`;
  const apiserver = launch(path.join(assets, 'kube-apiserver'), [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--cert-dir=${certs}`,
    `--service-account-issuer=${server}`,
    `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
    `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
  ], apiLog);

  const logTail = (lines = 30) => `--- etcd.log\n${tail(etcdLog, lines)}\n--- kube-apiserver.log\n${tail(apiLog, lines)}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopProcess(apiserver);
    await stopProcess(etcd);
    workDirs.delete(dir);
    if (process.env.KEEP_ENVTEST === '1') console.error(`envtest: kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const alive = () => {
      for (const [name, child] of [['etcd', etcd], ['kube-apiserver', apiserver]] as const) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited early (${child.exitCode ?? child.signalCode})\n${logTail()}`);
      }
    };
    // kube-apiserver writes a self-signed serving cert followed by its CA: the kubeconfig's CA.
    const caFile = path.join(certs, 'apiserver.crt');
    const deadline = Date.now() + 60_000;
    while (!(fs.existsSync(caFile) && fs.statSync(caFile).size > 0)) {
      alive();
      if (Date.now() > deadline) throw new Error(`no ${caFile} after 60s\n${logTail()}`);
      await sleep(50);
    }
    const ca = fs.readFileSync(caFile);
    for (;;) {
      alive();
      const answer = await httpsGet(`${server}/readyz`, ca, token).catch(() => undefined);
      if (answer?.status === 200 && answer.body === 'ok') break;
      if (Date.now() > deadline) throw new Error(`/readyz not ok after 60s: ${answer?.body ?? 'no answer'}\n${logTail()}`);
      await sleep(100);
    }
    const ready = Date.now() - started;

    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: envtest',
      `  cluster: {server: "${server}", certificate-authority: "${caFile}"}`,
      'users:',
      '- name: admin',
      `  user: {token: "${token}"}`,
      'contexts:',
      '- name: envtest',
      '  context: {cluster: envtest, user: admin}',
      'current-context: envtest',
      '',
    ].join('\n'));
    const kubectl = new Kubectl({ binary: path.join(assets, 'kubectl'), kubeconfig, cacheDir: path.join(dir, 'kube-cache') });
    const k = async (args: readonly string[], input?: string) => {
      const result: KubectlResult = await kubectl.run(args, { input });
      if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr}`);
      return result.stdout;
    };
    const env: Envtest = {
      dir,
      kubeconfig,
      server,
      kubectl,
      pids: { etcd: etcd.pid!, apiserver: apiserver.pid! },
      timings: { ready, crds: 0, prerequisites: 0 },
      k,
      getJson: async (args) => JSON.parse(await k(['get', ...args, '-o', 'json'])),
      logTail,
      stop,
    };
    if (options.crds ?? true) {
      const t = Date.now();
      await installCrds(env);
      env.timings.crds = Date.now() - t;
    }
    if (options.clusters?.length) {
      const t = Date.now();
      await createPrerequisites(env, options.clusters, options.crds !== false);
      env.timings.prerequisites = Date.now() - t;
    }
    return env;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The CRD files the validate stage's schemas come from (lib/crds/SOURCES), installed whole. */
export function crdFiles(): string[] {
  return fs
    .readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(CRD_DIR, f));
}

async function installCrds(env: Envtest): Promise<void> {
  const args = ['apply', '--server-side', '--field-manager=envtest'];
  for (const file of crdFiles()) args.push('-f', file);
  await env.k(args);
  await env.k(['wait', '--for=condition=Established', '--timeout=60s', 'customresourcedefinitions', '--all']);
}

/**
 * What the infra team provides before fleetchart runs: the PriorityClasses named in the
 * inventory, the namespaces of the platform (monitoring, ingress gateways, istio-system) and
 * the ingress Gateways.
 */
async function createPrerequisites(env: Envtest, clusters: readonly Cluster[], withCrds = true): Promise<void> {
  const namespaces = new Set(['istio-system', 'kube-system']);
  const priorityClasses = new Map<string, number>();
  for (const cluster of clusters) {
    namespaces.add(cluster.monitoringNamespace);
    namespaces.add(cluster.ingress.gateway.split('/')[0]);
    namespaces.add(cluster.ingress.serviceAccount.split('/')[0]);
    const { critical, standard, batch } = cluster.priorityClasses;
    priorityClasses.set(critical, 1_000_000);
    priorityClasses.set(standard, 100_000);
    priorityClasses.set(batch, 1_000);
  }
  const docs: string[] = [];
  for (const name of [...namespaces].sort()) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`);
  for (const [name, value] of priorityClasses) {
    docs.push(`apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: ${name}\nvalue: ${value}\nglobalDefault: false\n`);
  }
  // The ingress Gateway that external routes bind to (fleetchart apply checks it exists).
  for (const gateway of withCrds ? new Set(clusters.map((c) => c.ingress.gateway)) : []) {
    const [namespace, name] = gateway.split('/');
    docs.push(
      `apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  selector:\n    istio: ingressgateway\n  servers:\n    - port: { number: 80, name: http, protocol: HTTP }\n      hosts: ['*']\n`,
    );
  }
  await env.k(['apply', '--server-side', '--field-manager=envtest', '-f', '-'], docs.join('---\n'));
}
