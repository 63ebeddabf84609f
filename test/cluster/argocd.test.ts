import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { renderFleet } from '../../lib/pipeline';
import { makeFleet, removeFleet } from '../support/fleet';
import { runSpawned } from './support';
import { Envtest, startEnvtest } from './envtest';
import { PLATFORM_FILE } from '../../lib/pipeline';
import { PLATFORM_APPLICATION, applicationName } from '../../lib/gitops/argocd';

/**
 * The Argo CD Applications of charts-out/<cluster>/argocd/ against Argo CD's own CRD
 * (lib/crds/argo-cd-*-application-crd.yaml, from the github.com/argoproj/argo-cd/v3 module),
 * installed in the cluster tier's API server: what `kubectl apply -f charts-out/<cluster>/argocd/`
 * does on the cluster that runs Argo CD, after `fleetchart synth` (spawned) on the example fleet.
 */
const REPO = makeFleet({}, { withExampleApps: true });
const clusters = renderFleet(REPO).clusters.filter((c) => c.argocd);
let env: Envtest;
before(async () => {
  const result = await runSpawned(REPO, ['synth']);
  assert.equal(result.code, 0, result.err.join('\n'));
  env = await startEnvtest();
  await env.k(['create', 'namespace', 'argocd']);
});
after(async () => {
  await env?.stop();
  removeFleet(REPO);
});

describe('Argo CD Applications: accepted by the Application CRD of Argo CD', () => {
  it('the example fleet has clusters with Argo CD', () => assert.ok(clusters.length > 0));

  for (const cluster of clusters) {
    it(`${cluster.name}: every Application applies with strict field validation, one per service and one for the platform file`, async () => {
      const dir = path.join(REPO, 'charts-out', cluster.name, 'argocd');
      const services = fs.readdirSync(path.join(REPO, 'charts-out', cluster.name)).filter((f) => f.endsWith('.k8s.yaml') && f !== PLATFORM_FILE).map((f) => f.slice(0, -'.k8s.yaml'.length));
      assert.deepEqual(fs.readdirSync(dir).sort(), ['_platform', ...services].map((s) => `${s}.yaml`).sort());
      const result = await env.kubectl.run(['apply', '--server-side', '--field-manager=argocd-bootstrap', '--validate=strict', '-f', dir]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      for (const service of services) {
        const app = await env.getJson(['applications.argoproj.io', applicationName(cluster.name, service), '-n', 'argocd']);
        assert.deepEqual(app.spec.syncPolicy.automated, { prune: true, selfHeal: true });
        assert.equal(app.spec.source.path, `charts-out/${cluster.name}`);
        assert.equal(app.spec.source.directory.include, `${service}.k8s.yaml`);
      }
      const platform = await env.getJson(['applications.argoproj.io', applicationName(cluster.name, PLATFORM_APPLICATION), '-n', 'argocd']);
      assert.equal(platform.spec.source.directory.include, PLATFORM_FILE);
    });
  }

  it('the CRD rejects what Argo CD would not understand (the check can fail)', async () => {
    const file = fs.readdirSync(path.join(REPO, 'charts-out', clusters[0].name, 'argocd'))[0];
    const app = parse(fs.readFileSync(path.join(REPO, 'charts-out', clusters[0].name, 'argocd', file), 'utf8'));
    app.metadata.name = 'broken';
    const apply = (object: unknown) => env.kubectl.run(['apply', '--server-side', '--validate=strict', '-f', '-'], { input: JSON.stringify(object) });
    const wrongType = structuredClone(app);
    wrongType.spec.syncPolicy.automated.prune = 'yes';
    const typeResult = await apply(wrongType);
    assert.notEqual(typeResult.code, 0);
    assert.match(typeResult.stderr, /spec\.syncPolicy\.automated\.prune/);
    const unknownField = structuredClone(app);
    unknownField.spec.syncPolicy.autoHeal = true;
    const fieldResult = await apply(unknownField);
    assert.notEqual(fieldResult.code, 0);
    assert.match(fieldResult.stderr, /\.spec\.syncPolicy\.autoHeal: field not declared in schema/);
  });
});
