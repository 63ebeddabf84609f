import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Cluster } from './clusters/schema';
import { inventorySchema } from './clusters/schema';
import { Finding, aggregateFindings } from './findings';
import { INVENTORY_FILE, loadDefaultExport } from './load';
import { FleetResult, FleetSelection, renderFleet } from './pipeline';
import { globMatches } from './values/merge';

/**
 * Renders the fleet on worker threads, one cluster per task: the stages after parsing (resolve,
 * render, validate) work per cluster, so clusters can render side by side. The result is the
 * same as `renderFleet`'s, file for file and finding for finding
 * (test/performance-equivalence.test.ts).
 *
 * Opt-in ($FLEETCHART_WORKERS=<threads>): every worker loads lib/ and the values files again,
 * and holds its own heap. On the 2-core reference machine that buys ~10-15% of wall time for
 * ~25-40% more peak memory (bench/README.md), close to the 512 MiB budget at 1000 services ×
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
}

/** A cluster's platform file (lib/pipeline.ts PLATFORM_FILE) as writing and counting need it. */
export type OutputPlatformFile = Omit<OutputFile, 'app'>;

/** A fleet result with each file reduced to what writing and counting need. */
export interface FleetOutput extends Omit<FleetResult, 'files' | 'platform'> {
  readonly files: readonly OutputFile[];
  readonly platform: readonly OutputPlatformFile[];
}

export interface ParallelOptions {
  /**
   * Threads rendering at once, this one included, capped by the selected clusters. 0 or 1
   * renders inline. Default: $FLEETCHART_WORKERS, else 1.
   */
  readonly workers?: number;
}

/** What a worker sends back for one cluster. */
export interface ClusterTaskResult {
  readonly cluster: string;
  readonly findings: readonly Finding[];
  readonly apps: readonly string[];
  readonly files: readonly OutputFile[];
  readonly platform: readonly OutputPlatformFile[];
}

export function toOutput(result: FleetResult): FleetOutput {
  return {
    findings: result.findings,
    files: result.files.map((f) => ({ path: f.path, cluster: f.cluster, app: f.app, content: f.content, objects: f.documents.length })),
    platform: result.platform.map((f) => ({ path: f.path, cluster: f.cluster, content: f.content, objects: f.documents.length })),
    clusters: result.clusters,
    apps: result.apps,
    inventory: result.inventory,
  };
}

/**
 * `renderFleet` for commands that need only the files' content and the findings: the plain
 * pipeline, or with workers (options.workers or $FLEETCHART_WORKERS ≥ 2) one cluster per task
 * on this thread and the workers.
 */
export async function renderFleetOutput(root: string, selection: FleetSelection = {}, options: ParallelOptions = {}): Promise<FleetOutput> {
  const plan = planTasks(root, selection, options);
  if (!plan) return toOutput(renderFleet(root, selection));
  const results = await runTasks(root, selection, plan.clusters, plan.lanes);
  // Findings that belong to no cluster (parsing, the inventory, override keys) come out of every
  // task alike: take them from the first, and each cluster's own from its task.
  const findings = results.flatMap((r, i) => (i === 0 ? r.findings : r.findings.filter((f) => f.clusters !== undefined)));
  return {
    findings: aggregateFindings(findings),
    files: results.flatMap((r) => r.files),
    platform: results.flatMap((r) => r.platform),
    clusters: plan.clusters,
    apps: results[0].apps,
    inventory: plan.inventory,
  };
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
  // On one thread the plain pipeline is as fast and no larger (bench: per-cluster tasks cost
  // ~0.1 s of extra parsing at 1000 services × 4 clusters and saved no peak memory).
  if (!(requested >= 2)) return undefined;
  // An inventory that does not load or parse is reported by the inline run.
  const loaded = loadDefaultExport(root, INVENTORY_FILE, 'clusters([...])');
  const parsed = loaded.exported === undefined ? undefined : inventorySchema.safeParse(loaded.exported);
  if (!parsed?.success) return undefined;
  const inventory = parsed.data;
  const clusters = selection.cluster === undefined ? [...inventory] : inventory.filter((c) => globMatches(selection.cluster!, c.name));
  if (clusters.length < 2) return undefined;
  return { lanes: Math.min(Math.floor(requested), clusters.length), clusters, inventory };
}

/** The compiled tree or the TypeScript sources, whichever this module was loaded from. */
const FROM_SOURCE = __filename.endsWith('.ts');
const RUNTIME = path.resolve(__dirname, ...(FROM_SOURCE ? ['..'] : ['..', '..']), 'bin', 'runtime.js');
const BOOTSTRAP = `require(require('node:worker_threads').workerData.runtime).loadLib('parallel-worker', require('node:worker_threads').workerData.mode);`;

/**
 * One task per cluster, on this thread and `lanes - 1` workers; results in the clusters' order.
 * This thread takes tasks too: it has loaded everything already, and it would only wait.
 */
async function runTasks(root: string, selection: FleetSelection, clusters: readonly Cluster[], lanes: number): Promise<ClusterTaskResult[]> {
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
  return { cluster, findings: output.findings, apps: output.apps, files: output.files, platform: output.platform };
}
