import { parentPort, workerData } from 'node:worker_threads';
import { renderClusterTask } from './parallel';

/**
 * A render worker (lib/parallel.ts): renders one cluster per message and sends back its files'
 * content and its findings. Values files are loaded once per worker (lib/load.ts keeps unchanged
 * modules), so later clusters only parse and render.
 */
const { root } = workerData as { root: string };

parentPort!.on('message', (task: { index: number; cluster: string; app?: string }) => {
  try {
    parentPort!.postMessage({ index: task.index, result: renderClusterTask(root, task.cluster, task.app) });
  } catch (error) {
    parentPort!.postMessage({ index: task.index, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
