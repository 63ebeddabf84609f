import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INVENTORY_NAME, INVENTORY_NAMESPACE, decodeObjects } from '../../lib/apply/inventory';
import { objectKey } from '../../lib/apply/objects';
import { renderFleet } from '../../lib/pipeline';
import { makeFleet, removeFleet, runCli, valuesFile } from '../support/fleet';
import { Envtest, startEnvtest } from './envtest';
import { cliApply, clusterDocuments, exists, keysOf, versions } from './helpers';

/** `fleetchart apply` end to end: a temporary copy of the example fleet, the stage-eu cluster. */
const CLUSTER = 'stage-eu';
const roots: string[] = [];
function fleet(): string {
  const root = makeFleet({}, { withExampleApps: true });
  roots.push(root);
  return root;
}
function edit(root: string, app: string, from: string, to: string): void {
  const file = path.join(root, 'apps', app, 'values.ts');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} has no '${from}'`);
  fs.writeFileSync(file, text.replace(from, to));
}
const documentsOf = (root: string) => clusterDocuments(renderFleet(root, { cluster: CLUSTER }));

let env: Envtest;
before(async () => {
  env = await startEnvtest({ clusters: renderFleet(fleet(), { cluster: CLUSTER }).clusters });
});
after(async () => {
  await env?.stop();
  roots.forEach(removeFleet);
});

describe('fleetchart apply: what it reports', () => {
  const root = fleet();

  it('--dry-run=server on an empty cluster reports every object as created and stores nothing', async () => {
    const result = await cliApply(env, root, CLUSTER, '--dry-run=server');
    assert.deepEqual(result.err, []);
    assert.equal(result.code, 0);
    const total = documentsOf(root).length;
    assert.equal(result.out.at(-1), `${CLUSTER}: ${total} created, 0 configured, 0 unchanged, 0 pruned (server dry run: nothing was changed)`);
    assert.equal((await versions(env)).size, 0, 'a dry run stored objects');
    assert.equal(await exists(env, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: INVENTORY_NAMESPACE } }), undefined);
  });

  it('creates every object, names each one, and records them in the inventory of this cluster', async () => {
    const documents = documentsOf(root);
    const result = await cliApply(env, root, CLUSTER);
    assert.deepEqual(result.err, []);
    assert.equal(result.code, 0);
    assert.equal(result.out.at(-1), `${CLUSTER}: ${documents.length} created, 0 configured, 0 unchanged, 0 pruned`);
    assert.ok(result.out.includes('created    Namespace patient-notes'));
    assert.ok(result.out.includes('created    Deployment patient-notes/patient-notes-web-2026-11-3'));
    assert.ok(result.out.indexOf('created    Namespace patient-notes') < result.out.indexOf('created    ServiceAccount patient-notes/patient-notes'), 'Namespaces first');
    assert.ok(
      result.out.indexOf('created    DestinationRule patient-notes/patient-notes-web') < result.out.indexOf('created    VirtualService patient-notes/patient-notes-web'),
      'DestinationRules before the VirtualServices that use their subsets',
    );
    assert.deepEqual(new Set((await versions(env)).keys()), new Set([...keysOf(documents), objectKey({ apiVersion: 'v1', kind: 'Namespace', name: INVENTORY_NAMESPACE }), objectKey({ apiVersion: 'v1', kind: 'ConfigMap', namespace: INVENTORY_NAMESPACE, name: INVENTORY_NAME })]));
    const inventory = await env.getJson(['configmap', INVENTORY_NAME, '-n', INVENTORY_NAMESPACE]);
    assert.equal(inventory.data.cluster, CLUSTER);
    assert.deepEqual(new Set(decodeObjects(inventory.data.objects).map(objectKey)), keysOf(documents));
  });

  it('--dry-run=server after a values change names the object that would change, and changes nothing', async () => {
    edit(root, 'resident-preferences', `LOG_LEVEL: 'debug'`, `LOG_LEVEL: 'info'`);
    const before = await versions(env);
    const result = await cliApply(env, root, CLUSTER, '--dry-run=server');
    assert.deepEqual(result.err, []);
    assert.equal(result.code, 0);
    assert.deepEqual(result.out.filter((l) => !l.startsWith('unchanged')), [
      'configured Deployment resident-preferences/resident-preferences-web-1-14-2',
      `${CLUSTER}: 0 created, 1 configured, ${before.size - 3} unchanged, 0 pruned (server dry run: nothing was changed)`,
    ]);
    assert.deepEqual(await versions(env), before);
  });

  it('applies that change: exactly that object is configured, everything else unchanged', async () => {
    const before = await versions(env);
    const result = await cliApply(env, root, CLUSTER);
    assert.deepEqual(result.err, []);
    assert.deepEqual(result.out.filter((l) => !l.startsWith('unchanged')), [
      'configured Deployment resident-preferences/resident-preferences-web-1-14-2',
      `${CLUSTER}: 0 created, 1 configured, ${before.size - 3} unchanged, 0 pruned`,
    ]);
    const after = await versions(env);
    const changed = [...after].filter(([key, version]) => before.get(key) !== version).map(([key]) => key);
    assert.deepEqual(changed, [objectKey({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'resident-preferences', name: 'resident-preferences-web-1-14-2' })]);
    const deployment = await env.getJson(['deployment', 'resident-preferences-web-1-14-2', '-n', 'resident-preferences']);
    const logLevel = deployment.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'LOG_LEVEL');
    assert.equal(logLevel.value, 'info');
  });
});

describe('fleetchart apply: what it refuses, before changing anything', () => {
  it('refuses when the pipeline reports a finding: nothing is applied', async () => {
    const root = fleet();
    edit(root, 'resident-preferences', `cpu: '50m'`, `cpu: '50 millicores'`);
    const before = await versions(env);
    const result = await cliApply(env, root, CLUSTER);
    assert.equal(result.code, 1);
    assert.deepEqual(result.out, []);
    assert.match(result.err.join('\n'), /apps\/resident-preferences\/values\.ts: processes\.web\.cpu: /);
    assert.match(result.err.at(-1)!, /nothing was applied\.$/);
    assert.deepEqual(await versions(env), before);
  });

  it("refuses another cluster's output: the inventory records which cluster this API server is", async () => {
    const before = await versions(env);
    const result = await cliApply(env, fleet(), 'prod-eu-west');
    assert.equal(result.code, 1);
    assert.deepEqual(result.out, []);
    assert.ok(result.err.includes(`error: this API server holds the inventory of cluster '${CLUSTER}', not 'prod-eu-west': refusing to apply (and prune) another cluster's objects here; check --kubeconfig/--context`), result.err.join('\n'));
    assert.deepEqual(await versions(env), before);
  });

  it('refuses to take over an object it did not apply; --adopt takes it over', async () => {
    const root = fleet();
    fs.mkdirSync(path.join(root, 'apps', 'intake'));
    fs.writeFileSync(
      path.join(root, 'apps', 'intake', 'values.ts'),
      valuesFile(`{ name: 'intake', team: 'care-records', image: 'europe-docker.pkg.dev/acme-care/apps/intake', release: { default: '1.0.0@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' }, processes: { worker: { command: ['node', 'worker.js'], probes: { live: { command: ['node', 'health.js'] } } } } }`),
    );
    await env.k(['create', 'namespace', 'intake']);
    const before = await versions(env);
    const refused = await cliApply(env, root, CLUSTER);
    assert.equal(refused.code, 1);
    assert.ok(refused.err.includes('error: Namespace intake exists and was not applied by fleetchart (field managers: kubectl-create): rerun with --adopt to take it over, or delete it'), refused.err.join('\n'));
    assert.deepEqual(await versions(env), before);
    assert.equal(await exists(env, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'intake', namespace: 'intake' } }), undefined);

    const adopted = await cliApply(env, root, CLUSTER, '--adopt');
    assert.deepEqual(adopted.err, []);
    assert.equal(adopted.code, 0);
    assert.ok(adopted.out.includes('configured Namespace intake'));
    assert.ok(adopted.out.includes('created    Deployment intake/intake-worker'));
    const namespace = await env.getJson(['namespace', 'intake', '--show-managed-fields']);
    assert.equal(namespace.metadata.labels['app.kubernetes.io/managed-by'], 'fleetchart');
    assert.equal(namespace.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
  });

  it('stops with one line when kubectl cannot reach the cluster', async () => {
    const root = fleet();
    await runCli(root, ['synth', '--cluster', CLUSTER]);
    const result = await runCli(root, ['apply', '--cluster', CLUSTER, '--kubeconfig', '/nonexistent/kubeconfig']);
    assert.equal(result.code, 1);
    assert.deepEqual(result.out, []);
    assert.deepEqual(result.err, [
      'error: stat /nonexistent/kubeconfig: no such file or directory',
      `${CLUSTER}: apply failed; 0 created, 0 configured, 0 unchanged, 0 pruned before it stopped; nothing was pruned.`,
    ]);
  });

  it('refuses when the cluster lacks the CRDs or PriorityClasses the output needs, and names them', async () => {
    const bare = await startEnvtest({ crds: false });
    try {
      const result = await cliApply(bare, fleet(), CLUSTER);
      assert.equal(result.code, 1);
      const errors = result.err.join('\n');
      assert.match(errors, /error: the cluster does not serve networking\.istio\.io\/v1 \(needed for ServiceEntry, DestinationRule, VirtualService\): install its CRDs first/);
      assert.match(errors, /error: the cluster does not serve security\.istio\.io\/v1 \(needed for PeerAuthentication, RequestAuthentication, AuthorizationPolicy\): install its CRDs first/);
      assert.match(errors, /error: the cluster does not serve networking\.istio\.io\/v1alpha3 \(needed for EnvoyFilter\): install its CRDs first/);
      assert.match(errors, /error: PriorityClass 'care-critical' does not exist in the cluster \(used by [^)]*Deployment medication-dispensing\/medication-dispensing-api-2026-11-1[,)]/);
      assert.match(errors, /error: PriorityClass 'care-standard' does not exist in the cluster \(used by [^)]*Deployment resident-preferences\/resident-preferences-web-1-14-2[,)]/);
      const namespaces = await bare.getJson(['namespaces', '-l', 'app.kubernetes.io/managed-by=fleetchart']);
      assert.deepEqual(namespaces.items, []);
    } finally {
      await bare.stop();
    }
  });
});
