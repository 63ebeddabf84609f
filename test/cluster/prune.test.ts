import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INVENTORY_NAME, INVENTORY_NAMESPACE, decodeObjects } from '../../lib/apply/inventory';
import { displayName, objectKey, refOf } from '../../lib/apply/objects';
import type { Manifest } from '../../lib/manifest';
import { renderFleet } from '../../lib/pipeline';
import { makeFleet, removeFleet } from '../support/fleet';
import { Envtest, startEnvtest } from './envtest';
import { cliApply, clusterDocuments, exists, versions } from './helpers';

/**
 * Pruning: a temporary copy of the example fleet applied to stage-eu, then services and tracks
 * are removed from apps/ and the fleet is applied again.
 */
const CLUSTER = 'stage-eu';
const root = makeFleet({}, { withExampleApps: true });
const rendered = (app?: string): Manifest[] => clusterDocuments(renderFleet(root, { cluster: CLUSTER, app }));
const removeApp = (app: string) => fs.rmSync(path.join(root, 'apps', app), { recursive: true });
const configMap = (namespace: string, name: string, labels: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data: { note: 'created by hand' } });

let env: Envtest;
before(async () => {
  env = await startEnvtest({ clusters: renderFleet(root, { cluster: CLUSTER }).clusters });
  const first = await cliApply(env, root, CLUSTER);
  assert.equal(first.code, 0, first.err.join('\n'));
});
after(async () => {
  await env?.stop();
  removeFleet(root);
});

describe('fleetchart apply: pruning a service that left apps/', () => {
  const gone = rendered('medication-dispensing');
  const handmade = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'handmade', namespace: 'medication-dispensing' } };
  // Carries fleetchart's label, but fleetchart never applied it: still not fleetchart's to delete.
  const lookalike = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lookalike', namespace: 'patient-notes' } };

  it("deletes the service's objects, leaves every other object untouched, and keeps objects created by hand", async () => {
    await env.k(['create', '-f', '-'], configMap('medication-dispensing', 'handmade'));
    await env.k(['create', '-f', '-'], configMap('patient-notes', 'lookalike', { 'app.kubernetes.io/managed-by': 'fleetchart' }));
    const handmadeBefore = (await exists(env, handmade))!;
    const before = await versions(env);
    removeApp('medication-dispensing');

    const result = await cliApply(env, root, CLUSTER);
    assert.deepEqual(result.err, []);
    assert.equal(result.code, 0);
    const withoutNamespace = gone.filter((d) => d.kind !== 'Namespace');
    assert.deepEqual(
      result.out.filter((l) => l.startsWith('pruned')).sort(),
      withoutNamespace.map((d) => `pruned     ${displayName(refOf(d))}`).sort(),
    );
    for (const doc of withoutNamespace) assert.equal(await exists(env, doc), undefined, `${displayName(refOf(doc))} still exists`);

    assert.ok(
      result.out.includes(
        'kept       Namespace medication-dispensing: holds 1 object fleetchart did not apply (ConfigMap medication-dispensing/handmade); deleting the Namespace would delete them',
      ),
      result.out.join('\n'),
    );
    assert.equal((await exists(env, gone.find((d) => d.kind === 'Namespace')!))?.metadata.deletionTimestamp, undefined);
    assert.equal((await exists(env, handmade))?.metadata.resourceVersion, handmadeBefore.metadata.resourceVersion);

    const after = await versions(env);
    const goneKeys = new Set(withoutNamespace.map((d) => objectKey(refOf(d))));
    const inventoryKey = objectKey({ apiVersion: 'v1', kind: 'ConfigMap', namespace: INVENTORY_NAMESPACE, name: INVENTORY_NAME });
    const expected = new Map([...before].filter(([key]) => !goneKeys.has(key) && key !== inventoryKey));
    after.delete(inventoryKey);
    assert.deepEqual(after, expected, 'an object that stays was changed (resourceVersion differs)');
    assert.ok(after.has(objectKey(refOf(lookalike as Manifest))), 'the look-alike ConfigMap was deleted');
  });

  it('keeps the kept Namespace in the inventory, and prunes it once the objects it holds are gone', async () => {
    const inventory = await env.getJson(['configmap', INVENTORY_NAME, '-n', INVENTORY_NAMESPACE]);
    assert.ok(decodeObjects(inventory.data.objects).some((r) => r.kind === 'Namespace' && r.name === 'medication-dispensing'));
    await env.k(['delete', 'configmap', 'handmade', '-n', 'medication-dispensing']);

    const result = await cliApply(env, root, CLUSTER);
    assert.deepEqual(result.err, []);
    assert.deepEqual(result.out.filter((l) => !l.startsWith('unchanged')), [
      'pruned     Namespace medication-dispensing',
      `${CLUSTER}: 0 created, 0 configured, ${rendered().length} unchanged, 1 pruned`,
    ]);
    // No namespace controller runs here: a deleted Namespace stays Terminating instead of going away.
    const namespace = await exists(env, gone.find((d) => d.kind === 'Namespace')!);
    assert.ok(namespace === undefined || namespace.metadata.deletionTimestamp, `the Namespace was not deleted: ${JSON.stringify(namespace?.metadata)}`);
    const after = await env.getJson(['configmap', INVENTORY_NAME, '-n', INVENTORY_NAMESPACE]);
    assert.ok(!decodeObjects(after.data.objects).some((r) => r.namespace === 'medication-dispensing' || r.name === 'medication-dispensing'));
  });

  it('never deletes an object fleetchart did not apply, even one carrying its managed-by label', async () => {
    assert.ok(await exists(env, lookalike));
  });
});

describe('fleetchart apply: pruning inside a service that stays', () => {
  it('finishing a cutover deletes the old version\'s Deployment and reconfigures its subset and routes, in one apply', async () => {
    const file = path.join(root, 'apps', 'patient-notes', 'values.ts');
    const text = fs.readFileSync(file, 'utf8');
    // The held version leaves with its last pin: drop its line from versions and Oak Lodge's pin.
    const held = /\n\s*'2026\.11\.2@sha256:[0-9a-f]{64}',/;
    const pins = "orgs: { 'oak-lodge': '2026.11.2', 'st-marys': '2026.11.4' },";
    assert.ok(held.test(text) && text.includes(pins));
    fs.writeFileSync(file, text.replace(held, '').replace(pins, "orgs: { 'st-marys': '2026.11.4' },"));

    const result = await cliApply(env, root, CLUSTER);
    assert.deepEqual(result.err, []);
    assert.equal(result.code, 0);
    assert.deepEqual(result.out.filter((l) => l.startsWith('pruned')), ['pruned     Deployment patient-notes/patient-notes-web-2026-11-2']);
    assert.ok(result.out.includes('configured DestinationRule patient-notes/patient-notes-web'));
    assert.ok(result.out.includes('configured VirtualService patient-notes/patient-notes-web'));
    assert.ok(result.out.includes('configured VirtualService patient-notes/patient-notes-ingress-api'));
    // The dashboard's "who is on which version" panel follows the release model.
    assert.ok(result.out.includes('configured ConfigMap patient-notes/patient-notes-dashboard'));
    assert.match(result.out.at(-1)!, /: 0 created, 4 configured, \d+ unchanged, 1 pruned$/);
    for (const name of ['patient-notes-web', 'patient-notes-ingress-api']) {
      const route = await env.getJson(['virtualservice.networking.istio.io', name, '-n', 'patient-notes']);
      const subsets = route.spec.http.flatMap((h: any) => h.route.map((r: any) => r.destination.subset));
      assert.deepEqual([...new Set(subsets)].sort(), ['2026-11-3', '2026-11-4'], `VirtualService ${name} still routes to the old version`);
    }
  });

  it('an object that no longer carries fleetchart\'s label is left alone, and so is its Namespace', async () => {
    await env.k(['label', '--overwrite', 'deployment', 'patient-notes-indexer', '-n', 'patient-notes', 'app.kubernetes.io/managed-by=platform-team']);
    removeApp('patient-notes');
    // fhir-gateway calls patient-notes: a call to a service that left the fleet is an error (FC-CALL-001).
    const caller = path.join(root, 'apps', 'fhir-gateway', 'values.ts');
    fs.writeFileSync(caller, fs.readFileSync(caller, 'utf8').replace(/\n\s*calls: \{ 'patient-notes': [^\n]*/, ''));
    const result = await cliApply(env, root, CLUSTER);
    assert.deepEqual(result.err, []);
    assert.equal(result.code, 0);
    assert.ok(
      result.out.includes(
        "kept       Deployment patient-notes/patient-notes-indexer: no longer fleetchart's (app.kubernetes.io/managed-by=platform-team; field managers: fleetchart, kubectl-label); left alone and dropped from the inventory",
      ),
      result.out.join('\n'),
    );
    assert.ok(result.out.some((l) => l.startsWith('kept       Namespace patient-notes: holds 2 objects fleetchart did not apply (')), result.out.join('\n'));
    for (const id of ['2026-11-3', '2026-11-4']) assert.ok(result.out.includes(`pruned     Deployment patient-notes/patient-notes-web-${id}`), result.out.join('\n'));
    assert.ok(await exists(env, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'patient-notes-indexer', namespace: 'patient-notes' } }));
  });
});
