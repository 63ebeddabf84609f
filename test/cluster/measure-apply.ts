// Measures apply + wait + prune of stage-eu on the cluster tier (run: node --require tsx/cjs test/cluster/measure-apply.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderFleet } from '../../lib/pipeline';
import { makeFleet, removeFleet } from '../support/fleet';
import { startEnvtest } from './envtest';
import { provideReferences, readOutput } from './helpers';
import { runController, runSpawned } from './support';

(async () => {
  const root = makeFleet({}, { withExampleApps: true });
  const cluster = 'stage-eu';
  const env = await startEnvtest({ clusters: renderFleet(root, { cluster }).clusters });
  try {
    await runSpawned(root, ['synth', '--cluster', cluster]);
    const stop = runController(env);
    const first = await runSpawned(root, ['apply', '--cluster', cluster, '--kubeconfig', env.kubeconfig, '--json', '--timeout', '5m'], { FLEETCHART_WAIT_INTERVAL_MS: '500' });
    const r1 = JSON.parse(first.stdout);
    console.log('first apply', first.code, 'objects', r1.created.length, 'rollouts', r1.rollouts.length, 'timings', JSON.stringify(r1.timings));
    await provideReferences(env, readOutput(path.join(root, 'charts-out', cluster)));
    const f = path.join(root, 'apps', 'resident-preferences', 'values.ts');
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(`LOG_LEVEL: 'debug'`, `LOG_LEVEL: 'info'`));
    fs.rmSync(path.join(root, 'apps', 'medication-dispensing'), { recursive: true });
    await runSpawned(root, ['synth', '--cluster', cluster]);
    const second = await runSpawned(root, ['apply', '--cluster', cluster, '--kubeconfig', env.kubeconfig, '--json', '--timeout', '5m'], { FLEETCHART_WAIT_INTERVAL_MS: '500' });
    const r2 = JSON.parse(second.stdout);
    console.log('second apply', second.code, 'configured', r2.configured.length, 'pruned', r2.pruned.length, 'rollouts', r2.rollouts.length, 'timings', JSON.stringify(r2.timings), r2.errors);
    await stop();
  } finally {
    await env.stop();
    removeFleet(root);
  }
})();
