import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Cluster } from './clusters/schema';
import { inventorySchema } from './clusters/schema';
import { Finding, sortFindings } from './findings';
import { INVENTORY_FILE, loadDefaultExport } from './load';
import { FleetResult, FleetSelection, renderFleet } from './pipeline';
import { globMatches } from './values/merge';
import { OutputStager, StageMark } from './write';

/**
 * Renders the fleet one cluster per task: the stages after parsing (resolve, render, validate)
 * work per cluster, so a task's objects can be dropped once its files are written out, its files
 * can go to disk while the next cluster renders, and clusters can render side by side on worker
 * threads. The result is the same as `renderFleet`'s, file for file and finding for finding
 * (test/performance-equivalence.test.ts).
 *
 * Opt-in ($FLEETCHART_WORKERS=<threads>): every worker loads lib/ and the values files again,
 * and holds its own heap. On the 2-core reference machine that buys ~20% of wall time for
 * ~60% more peak memory (bench/README.md), which breaks the 512 MiB budget at 1000 services ×
 * 4 clusters; with more cores and clusters it pays more.
 */

/** A rendered file as the commands that write or count need it (no objects kept in memory). */
export interface OutputFile {
  readonly path: string;
  readonly cluster: string;
  readonly app: string;
  readonly content: string;
  /** Number of Kubernetes objects in the file. */
  readonly objects: number;
  /** Set when renderFleetOutput staged the file (`stageIn`). */
  readonly staged?: StageMark;
}

export interface FleetOutput {
  readonly findings: readonly Finding[];
  readonly files: readonly OutputFile[];
  readonly clusters: readonly Cluster[];
  readonly apps: readonly string[];
  readonly inventory: readonly Cluster[];
}

export interface ParallelOptions {
  /**
   * Threads rendering at once, this one included, capped by the selected clusters. 0 or 1
   * renders inline. Default: $FLEETCHART_WORKERS, else 1.
   */
  readonly workers?: number;
  /** The output folder: stage each cluster's files there while the next ones render. */
  readonly stageIn?: string;
}

/** What a worker sends back for one cluster. */
export interface ClusterTaskResult {
  readonly cluster: string;
  readonly findings: readonly Finding[];
  readonly apps: readonly string[];
  readonly files: readonly OutputFile[];
}

export function toOutput(result: FleetResult): FleetOutput {
  return {
    findings: result.findings,
    files: result.files.map((f) => ({ path: f.path, cluster: f.cluster, app: f.app, content: f.content, objects: f.documents.length })),
    clusters: result.clusters,
    apps: result.apps,
    inventory: result.inventory,
  };
}

/**
 * `renderFleet` for commands that need only the files' content and the findings. Renders one
 * cluster at a time (only one cluster's objects are in memory at once), on worker threads when
 * asked. With `stageIn`, the files of each rendered cluster are written to temporary names in
 * that folder by a writer thread while the next clusters render (OutputStager); the result's
 * files then carry `staged` marks for writeOutputs. When any finding is an error, nothing is
 * staged: the temporaries are removed before this returns.
 */
export async function renderFleetOutput(root: string, selection: FleetSelection = {}, options: ParallelOptions = {}): Promise<FleetOutput> {
  const plan = planTasks(root, selection, options);
  const stager = options.stageIn === undefined ? undefined : new OutputStager(options.stageIn);
  let failed = false;
  const stage = (findings: readonly Finding[], files: readonly OutputFile[]) => {
    failed ||= findings.some((f) => f.severity === 'error');
    if (!failed) stager?.add(files);
  };
  let output: FleetOutput;
  if (!plan) {
    output = toOutput(renderFleet(root, selection));
    stage(output.findings, output.files);
  } else {
    const results = await runTasks(root, selection, plan.clusters, plan.lanes, (r) => stage(r.findings, r.files));
    // Findings that belong to no cluster (parsing, the inventory, override keys) come out of every
    // task alike: take them from the first, and each cluster's own from its task.
    const findings = results.flatMap((r, i) => (i === 0 ? r.findings : r.findings.filter((f) => f.cluster !== undefined)));
    output = {
      findings: sortFindings(findings),
      files: results.flatMap((r) => r.files),
      clusters: plan.clusters,
      apps: results[0].apps,
      inventory: plan.inventory,
    };
  }
  if (!stager) return output;
  if (failed || output.findings.some((f) => f.severity === 'error')) {
    await stager.abort();
    return output;
  }
  await stager.settle();
  return { ...output, files: output.files.map((f) => ({ ...f, staged: stager.mark(f.path) })) };
}

interface Plan {
  /** Threads rendering at once, this one included. */
  readonly lanes: number;
  readonly clusters: Cluster[];
  readonly inventory: Cluster[];
}

/** Undefined when the run cannot be split by cluster: the inline pipeline reports why. */
function planTasks(root: string, selection: FleetSelection, options: ParallelOptions): Plan | undefined {
  const fromEnv = process.env.FLEETCHART_WORKERS;
  const requested = options.workers ?? (fromEnv ? Number(fromEnv) : 1);
  // An inventory that does not load or parse is reported by the inline run.
  const loaded = loadDefaultExport(root, INVENTORY_FILE, 'clusters([...])');
  const parsed = loaded.exported === undefined ? undefined : inventorySchema.safeParse(loaded.exported);
  if (!parsed?.success) return undefined;
  const inventory = parsed.data;
  const clusters = selection.cluster === undefined ? [...inventory] : inventory.filter((c) => globMatches(selection.cluster!, c.name));
  if (clusters.length === 0) return undefined;
  const lanes = requested >= 2 ? Math.min(Math.floor(requested), clusters.length) : 1;
  return { lanes, clusters, inventory };
}

/** The compiled tree or the TypeScript sources, whichever this module was loaded from. */
const FROM_SOURCE = __filename.endsWith('.ts');
const RUNTIME = path.resolve(__dirname, ...(FROM_SOURCE ? ['..'] : ['..', '..']), 'bin', 'runtime.js');
const BOOTSTRAP = `require(require('node:worker_threads').workerData.runtime).loadLib('parallel-worker', require('node:worker_threads').workerData.mode);`;

/**
 * One task per cluster, on this thread and `lanes - 1` workers; results in the clusters' order.
 * This thread takes tasks too: it has loaded everything already, and it would only wait.
 */
async function runTasks(root: string, selection: FleetSelection, clusters: readonly Cluster[], lanes: number, onResult: (result: ClusterTaskResult) => void): Promise<ClusterTaskResult[]> {
  const results: ClusterTaskResult[] = new Array(clusters.length);
  let next = 0;
  let done = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const settle = () => wake?.();
  const pool: Worker[] = [];
  const give = (worker: Worker) => {
    if (next >= clusters.length) return;
    const index = next++;
    worker.postMessage({ index, cluster: clusters[index].name, app: selection.app });
  };
  for (let i = 1; i < lanes; i++) {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { runtime: RUNTIME, mode: FROM_SOURCE ? 'source' : 'dist', root } });
    pool.push(worker);
    worker.on('message', (message: { index: number; result?: ClusterTaskResult; error?: string }) => {
      if (message.error !== undefined) failure ??= new Error(`rendering cluster ${clusters[message.index].name} failed in a worker: ${message.error}`);
      else {
        results[message.index] = message.result!;
        done++;
        onResult(message.result!);
        give(worker);
      }
      settle();
    });
    worker.on('error', (error) => {
      failure ??= error;
      settle();
    });
    worker.on('exit', (code) => {
      if (done < clusters.length) failure ??= new Error(`a render worker exited with code ${code} before its work was done`);
      settle();
    });
    // Two tasks in flight, so the worker never waits while this thread is busy rendering.
    give(worker);
    give(worker);
  }
  try {
    while (next < clusters.length && !failure) {
      const index = next++;
      results[index] = renderClusterTask(root, clusters[index].name, selection.app);
      done++;
      onResult(results[index]);
      // Let the workers' messages in (and hand them more work) between this thread's tasks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    while (done < clusters.length && !failure) await new Promise<void>((resolve) => (wake = resolve));
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  if (failure) throw failure;
  return results;
}

/** One cluster of the fleet, as a worker renders it. */
export function renderClusterTask(root: string, cluster: string, app: string | undefined): ClusterTaskResult {
  const output = toOutput(renderFleet(root, { cluster, app }));
  return { cluster, findings: output.findings, apps: output.apps, files: output.files };
}
