import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { makeFleet, removeFleet, runCli } from './support/fleet';
import { parse } from 'yaml';
import { PLATFORM_FILE, renderFleet } from '../lib/pipeline';
import { serviceSchema } from '../lib/values/schema';
import { clusterSchema } from '../lib/clusters/schema';
import { PLATFORM_APPLICATION, applicationName } from '../lib/gitops/argocd';

/**
 * `synth` writes charts-out/<cluster>/argocd/<service>.yaml (and _platform.yaml for the platform
 * file) for clusters with `argocd` in apps/clusters.ts (Argo CD's own CRD accepts them:
 * test/cluster/argocd.test.ts); `diff` reviews them like the manifests.
 */
describe('GitOps: Argo CD Applications in charts-out/<cluster>/argocd/', () => {
  const roots: string[] = [];
  after(() => roots.forEach(removeFleet));
  const fleet = () => {
    const root = makeFleet({}, { withExampleApps: true });
    roots.push(root);
    return root;
  };
  /** What each cluster's Applications must be named after: its files, the platform file as `_platform`. */
  const synced = (root: string, cluster: string) =>
    fs.readdirSync(path.join(root, 'charts-out', cluster)).filter((f) => f.endsWith('.k8s.yaml')).map((f) => (f === PLATFORM_FILE ? '_platform' : f.slice(0, -'.k8s.yaml'.length))).sort();
  const withArgocd = (root: string) => renderFleet(root).clusters.filter((c) => c.argocd).map((c) => c.name);
  const applications = (root: string, cluster: string) =>
    fs.existsSync(path.join(root, 'charts-out', cluster, 'argocd')) ? fs.readdirSync(path.join(root, 'charts-out', cluster, 'argocd')).map((f) => f.replace(/\.yaml$/, '')).sort() : [];

  it('one Application per service and cluster with argocd, one for its platform file; none elsewhere', async () => {
    const root = fleet();
    assert.equal((await runCli(root, ['synth'])).code, 0);
    const argocd = withArgocd(root);
    assert.ok(argocd.length > 0, 'the example fleet has a cluster with argocd');
    for (const cluster of fs.readdirSync(path.join(root, 'charts-out'))) {
      assert.deepEqual(applications(root, cluster), argocd.includes(cluster) ? synced(root, cluster) : [], cluster);
    }
  });

  it('a removed service loses its Application in the same synth, and diff shows both before that', async () => {
    const root = fleet();
    assert.equal((await runCli(root, ['synth'])).code, 0);
    fs.rmSync(path.join(root, 'apps', 'medication-dispensing'), { recursive: true });
    const diff = await runCli(root, ['diff', '--exit-code']);
    assert.equal(diff.code, 3);
    for (const cluster of withArgocd(root)) {
      assert.ok(diff.out.some((l) => l.startsWith(`removed  ${cluster}/argocd/medication-dispensing.yaml  Application argocd/${cluster}.medication-dispensing`)), diff.out.join('\n'));
    }
    const result = await runCli(root, ['synth']);
    assert.equal(result.code, 0, result.err.join('\n'));
    for (const cluster of withArgocd(root)) {
      assert.ok(result.out.includes(`removed charts-out/${cluster}/argocd/medication-dispensing.yaml`), result.out.join('\n'));
      assert.deepEqual(applications(root, cluster), synced(root, cluster));
    }
    assert.equal((await runCli(root, ['diff', '--exit-code'])).code, 0);
  });

  it('the platform Application syncs only the platform file, under a name no service can take', async () => {
    const root = fleet();
    assert.equal((await runCli(root, ['synth'])).code, 0);
    for (const cluster of withArgocd(root)) {
      const application = parse(fs.readFileSync(path.join(root, 'charts-out', cluster, 'argocd', '_platform.yaml'), 'utf8'));
      assert.equal(application.metadata.name, `${cluster}--platform`);
      assert.deepEqual(application.spec.source, { repoURL: application.spec.source.repoURL, targetRevision: 'main', path: `charts-out/${cluster}`, directory: { include: PLATFORM_FILE } });
      // Service Applications are `<cluster>.<service>`; this name has no dot.
      assert.ok(!application.metadata.name.includes('.'));
    }
  });

  it('Application names never collide across clusters sharing one Argo CD namespace', () => {
    // Cluster `stage` with service `eu-api` against cluster `stage-eu` with service `api`: a plain
    // '-' join names both `stage-eu-api`.
    assert.notEqual(applicationName('stage', 'eu-api'), applicationName('stage-eu', 'api'));
    // Neither part of a service's name can hold the dot that separates them.
    assert.equal(serviceSchema.shape.name.safeParse('eu.api').success, false);
    assert.equal(clusterSchema.shape.name.safeParse('stage.eu').success, false);
    // No service is named like the platform Application's suffix.
    assert.equal(serviceSchema.shape.name.safeParse(PLATFORM_APPLICATION).success, false);
  });

  it('a cluster that loses argocd loses its Applications', async () => {
    const root = fleet();
    const file = path.join(root, 'apps', 'clusters.ts');
    assert.equal((await runCli(root, ['synth'])).code, 0);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^    argocd,\n/gm, ''));
    const result = await runCli(root, ['synth']);
    assert.equal(result.code, 0);
    assert.ok(result.out.some((l) => l.includes('/argocd/') && l.startsWith('removed')), result.out.join('\n'));
    for (const cluster of fs.readdirSync(path.join(root, 'charts-out'))) assert.deepEqual(applications(root, cluster), []);
  });

  it('a bad repoURL is one line naming the field, and nothing is written', async () => {
    const root = fleet();
    const file = path.join(root, 'apps', 'clusters.ts');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(`repoURL: 'https://git.example.com/acme-care/fleet.git'`, `repoURL: 'fleet repo'`));
    const result = await runCli(root, ['synth']);
    assert.equal(result.code, 1);
    assert.ok(result.err.some((l) => /^apps\/clusters\.ts: \[\d+\]\.argocd\.repoURL: expected a Git URL like 'https:\/\/git\.example\.com\/acme\/fleet\.git'/.test(l)), result.err.join('\n'));
    assert.equal(fs.existsSync(path.join(root, 'charts-out')), false);
  });
});
