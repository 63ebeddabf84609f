import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { applyOrder, refOf } from '../lib/apply/objects';
import { platformChart } from '../lib/constructs/platform-chart';
import { Manifest, cdk8sJson } from '../lib/constructs/manifest';
import { BUCKETS, fnv1a32, organizationBucket, organizationBucketHeader } from '../lib/gateway/bucket';
import { PLATFORM_FILE, renderFleet } from '../lib/pipeline';
import { makeFleet, removeFleet, runCli, snapshotTree } from './support/fleet';

/**
 * Identity at the ingress gateway, on the TypeScript side: the bucket function, and the
 * per-cluster platform file that carries the gateway's objects through synth, --app runs,
 * validation and apply ordering. test/lua/ runs the rendered Lua under LuaJIT;
 * test/cluster/fleet.test.ts applies the objects to a real API server.
 */
const roots: string[] = [];
after(() => roots.forEach(removeFleet));
function fleet(): string {
  const root = makeFleet({}, { withExampleApps: true });
  roots.push(root);
  return root;
}
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('the organization bucket', () => {
  it('is FNV-1a 32-bit: the published test vectors hold', () => {
    // Test vectors of the FNV reference (http://www.isthe.com/chongo/tech/comp/fnv/, test_fnv.c, FNV1A_32).
    assert.equal(fnv1a32(utf8('')), 0x811c9dc5);
    assert.equal(fnv1a32(utf8('a')), 0xe40c292c);
    assert.equal(fnv1a32(utf8('foobar')), 0xbf9cf968);
  });

  it('is that hash of the UTF-8 bytes of the id, mod 100', () => {
    for (const id of ['oak-lodge', 'Kräuterhof', '日本ケア', '🏥']) assert.equal(organizationBucket(id), fnv1a32(Buffer.from(id, 'utf8')) % BUCKETS);
  });

  it('is written as canonical decimal 0–99 and spreads organizations over every bucket', () => {
    const counts = new Array<number>(BUCKETS).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const header = organizationBucketHeader(`org-${i}`);
      assert.match(header, /^(0|[1-9][0-9]?)$/);
      counts[Number(header)]++;
    }
    assert.ok(Math.min(...counts) > 0.7 * 200 && Math.max(...counts) < 1.3 * 200, `counts per bucket ${Math.min(...counts)}..${Math.max(...counts)}`);
  });

  it('has no bucket for an empty organization', () => {
    assert.throws(() => organizationBucket(''), /no bucket/);
  });
});

describe('the platform file: charts-out/<cluster>/_platform.k8s.yaml', () => {
  it('is rendered once per cluster, owned by the inventory, and not for a single-service run', () => {
    const all = renderFleet(fleet());
    assert.deepEqual(all.findings, []);
    assert.deepEqual(all.platform.map((p) => p.path), all.clusters.map((c) => `${c.name}/${PLATFORM_FILE}`));
    const one = renderFleet(fleet(), { app: 'patient-notes' });
    assert.deepEqual(one.platform, []);
  });

  it('is left alone by `synth --app` and restored by a cluster-wide synth', async () => {
    const root = fleet();
    assert.equal((await runCli(root, ['synth'])).code, 0);
    const [cluster] = renderFleet(root).clusters;
    const file = path.join(root, 'charts-out', cluster.name, PLATFORM_FILE);
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, `${original}# edited\n`);
    const app = await runCli(root, ['synth', '--app', 'patient-notes']);
    assert.equal(app.code, 0);
    assert.equal(fs.readFileSync(file, 'utf8'), `${original}# edited\n`, '--app does not own the platform file');
    const clusterRun = await runCli(root, ['synth', '--cluster', cluster.name]);
    assert.ok(clusterRun.out.includes(`wrote   charts-out/${cluster.name}/${PLATFORM_FILE}`), clusterRun.out.join('\n'));
    assert.equal(fs.readFileSync(file, 'utf8'), original);
  });

  it('reports a bad identity section of the inventory as one line per problem, writing nothing', async () => {
    const root = fleet();
    const inventory = path.join(root, 'apps', 'clusters.ts');
    const text = fs.readFileSync(inventory, 'utf8');
    fs.writeFileSync(inventory, text.replace("issuer: 'https://login.care.example.com'", "issuer: 'http://login.care.example.com'").replace("orgClaim: 'org_id'", "orgClaim: 'org id'"));
    const result = await runCli(root, ['synth']);
    assert.equal(result.code, 1);
    assert.ok(result.err.includes(`apps/clusters.ts: [0].identity.issuer: expected the token issuer as an https URL, e.g. 'https://login.care.example.com', got 'http://login.care.example.com'`), result.err.join('\n'));
    assert.ok(result.err.includes(`apps/clusters.ts: [0].identity.orgClaim: expected a claim name like 'org_id' or a nested one like 'care.org', got 'org id'`), result.err.join('\n'));
    assert.deepEqual(snapshotTree(path.join(root, 'charts-out')), {});
  });

  it('renders each object exactly as cdk8s renders the same props through the generated class', () => {
    for (const cluster of renderFleet(fleet()).clusters) {
      const manifests = platformChart(cluster).node.findAll().filter((c): c is Manifest => Manifest.isManifest(c));
      assert.ok(manifests.length > 0);
      const ours = manifests.map((m) => m.toJson());
      manifests.forEach((m, i) => assert.deepEqual(ours[i], cdk8sJson(m), `${cluster.name} ${m.node.path}`));
    }
  });

  it('is applied before the routes that read its headers and pruned after them', () => {
    const result = renderFleet(fleet(), { cluster: 'stage-eu' });
    const ordered = applyOrder([...result.platform, ...result.files].flatMap((f) => f.documents).map(refOf)).map((r) => r.kind);
    const first = (kind: string) => ordered.indexOf(kind);
    assert.ok(first('EnvoyFilter') >= 0 && first('RequestAuthentication') >= 0 && first('VirtualService') >= 0);
    // The header stripping exists before the claims are copied, and both before any route matches them.
    assert.ok(first('EnvoyFilter') < first('RequestAuthentication'));
    assert.ok(ordered.lastIndexOf('RequestAuthentication') < first('VirtualService'));
  });
});
