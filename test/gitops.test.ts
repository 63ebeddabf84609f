import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { makeFleet, removeFleet, runCli } from './support/fleet';
import { PLATFORM_FILE } from '../lib/pipeline';

/**
 * `synth --format argocd` writes charts-out/<cluster>/argocd/<service>.yaml for clusters with `argocd` in
 * apps/clusters.ts (Argo CD's own CRD accepts them: test/cluster/argocd.test.ts).
 */
describe('GitOps: Argo CD Applications in charts-out/<cluster>/argocd/', () => {
  const roots: string[] = [];
  after(() => roots.forEach(removeFleet));
  const fleet = () => {
    const root = makeFleet({}, { withExampleApps: true });
    roots.push(root);
    return root;
  };
  const services = (root: string, cluster: string) =>
    fs.readdirSync(path.join(root, 'charts-out', cluster)).filter((f) => f.endsWith('.k8s.yaml') && f !== PLATFORM_FILE).map((f) => f.slice(0, -'.k8s.yaml'.length)).sort();
  const applications = (root: string, cluster: string) =>
    fs.existsSync(path.join(root, 'charts-out', cluster, 'argocd')) ? fs.readdirSync(path.join(root, 'charts-out', cluster, 'argocd')).map((f) => f.replace(/\.yaml$/, '')).sort() : [];

  it('one Application per service and cluster; a removed service loses its Application', async () => {
    const root = fleet();
    assert.equal((await runCli(root, ['synth'])).code, 0);
    assert.equal((await runCli(root, ['synth', '--format', 'argocd'])).code, 0);
    const clusters = fs.readdirSync(path.join(root, 'charts-out'));
    for (const cluster of clusters) assert.deepEqual(applications(root, cluster), services(root, cluster), cluster);
    fs.rmSync(path.join(root, 'apps', 'medication-dispensing'), { recursive: true });
    assert.equal((await runCli(root, ['synth'])).code, 0);
    const result = await runCli(root, ['synth', '--format', 'argocd']);
    assert.equal(result.code, 0, result.err.join('\n'));
    for (const cluster of clusters) {
      assert.ok(result.out.includes(`removed charts-out/${cluster}/argocd/medication-dispensing.yaml`), result.out.join('\n'));
      assert.deepEqual(applications(root, cluster), services(root, cluster));
    }
  });

  it('a cluster without argocd gets no Applications', async () => {
    const root = fleet();
    const file = path.join(root, 'apps', 'clusters.ts');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^    argocd,\n/gm, ''));
    assert.equal((await runCli(root, ['synth'])).code, 0);
    assert.equal((await runCli(root, ['synth', '--format', 'argocd'])).code, 0);
    for (const cluster of fs.readdirSync(path.join(root, 'charts-out'))) assert.deepEqual(applications(root, cluster), []);
  });

  it('a bad repoURL is one line naming the field, and nothing is written', async () => {
    const root = fleet();
    const file = path.join(root, 'apps', 'clusters.ts');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(`repoURL: 'https://git.example.com/acme-care/fleet.git'`, `repoURL: 'fleet repo'`));
    const result = await runCli(root, ['synth']);
    assert.equal(result.code, 1);
    assert.ok(result.err.some((l) => l.startsWith(`apps/clusters.ts: [0].argocd.repoURL: expected a Git URL like 'https://git.example.com/acme/fleet.git'`)), result.err.join('\n'));
    assert.equal(fs.existsSync(path.join(root, 'charts-out')), false);
  });
});
