import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { objectKey, refOf, toStream } from '../../lib/apply/objects';
import { ingressPods } from '../../lib/constructs/gateway';
import { PLATFORM_FILE, renderFleet } from '../../lib/pipeline';
import { REPO } from '../support/fleet';
import { Envtest, startEnvtest } from './envtest';
import { applyDocuments, cliApply, documentsOf, keysOf, liveObjects, names, podsOf, readOutput } from './helpers';

/**
 * The committed output of every cluster, applied to a real kube-apiserver (with etcd, the Istio
 * and prometheus-operator CRDs, and Pod Security admission): one fresh API server per cluster,
 * as each cluster of the inventory is its own Kubernetes cluster.
 */
const inventory = renderFleet(REPO).inventory;

for (const cluster of inventory) {
  describe(`cluster ${cluster.name}: charts-out/${cluster.name} on a real API server`, () => {
    const documents = readOutput(path.join(REPO, 'charts-out', cluster.name));
    const platform = documentsOf(fs.readFileSync(path.join(REPO, 'charts-out', cluster.name, PLATFORM_FILE), 'utf8'));
    let env: Envtest;
    before(async () => {
      env = await startEnvtest({ clusters: [cluster] });
    });
    after(async () => {
      await env?.stop();
    });

    it('applies cleanly: server-side, strict field validation, no warnings, every object created', async () => {
      assert.ok(documents.length > 0, `charts-out/${cluster.name} has no objects`);
      const report = await applyDocuments(env, cluster.name, documents);
      assert.deepEqual(report.errors, []);
      assert.deepEqual(report.warnings, []);
      assert.deepEqual(names(report.created), names(documents.map((d) => ({ ...d.metadata, apiVersion: d.apiVersion, kind: d.kind }))));
      const live = await liveObjects(env, 'app.kubernetes.io/managed-by=fleetchart');
      for (const key of keysOf(documents)) assert.ok(live.has(key), `${key} is not in the cluster after apply`);
    });

    it('keeps the drain delay: the API server stores every container\'s preStop sleep action as rendered (a disabled feature gate would drop it)', async () => {
      const deployments = documents.filter((d) => d.kind === 'Deployment');
      const sleeping = deployments.filter((d) => (d as any).spec.template.spec.containers.some((c: any) => c.lifecycle?.preStop?.sleep?.seconds > 0));
      assert.ok(sleeping.length > 0, 'some Deployment drains with the sleep action');
      for (const d of deployments) {
        const live = await env.getJson(['deployment', d.metadata.name, '-n', d.metadata.namespace!]);
        const rendered = (d as any).spec.template.spec.containers.map((c: any) => c.lifecycle ?? null);
        assert.deepEqual(live.spec.template.spec.containers.map((c: any) => c.lifecycle ?? null), rendered, `Deployment ${d.metadata.name}`);
      }
    });

    it('puts every service into a Namespace that enforces Pod Security restricted', async () => {
      const namespaces = documents.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name);
      assert.ok(namespaces.length > 0);
      for (const name of namespaces) {
        const ns = await env.getJson(['namespace', name]);
        assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted', `Namespace ${name}`);
      }
      const platformKeys = keysOf(platform);
      const namespaced = documents.filter((d) => d.metadata.namespace && !platformKeys.has(objectKey(refOf(d))));
      for (const doc of namespaced) assert.ok(namespaces.includes(doc.metadata.namespace!), `${doc.kind} ${doc.metadata.name} is outside the service namespaces`);
    });

    it("puts the gateway identity objects next to the ingress gateway pods, selecting them, and the API server keeps them as rendered", async () => {
      const { namespace, labels } = ingressPods(cluster);
      assert.deepEqual(platform.map((d) => d.kind).sort(), ['EnvoyFilter', 'RequestAuthentication']);
      for (const doc of platform) {
        assert.equal(doc.metadata.namespace, namespace);
        const live = await env.getJson([`${doc.kind.toLowerCase()}s.${doc.apiVersion.split('/')[0]}`, doc.metadata.name, '-n', namespace]);
        assert.deepEqual(live.spec, (doc as any).spec, `${doc.kind}: the API server pruned or defaulted nothing`);
        const selector = doc.kind === 'EnvoyFilter' ? live.spec.workloadSelector.labels : live.spec.selector.matchLabels;
        assert.deepEqual(selector, labels);
      }
    });

    it("has pod templates that the Pod admission plugins accept as Pods (Pod Security restricted enforce, ServiceAccount, Priority)", async () => {
      const pods = podsOf(documents);
      assert.ok(pods.length > 0);
      const result = await env.kubectl.run(['create', '--dry-run=server', '-o', 'name', '-f', '-'], { input: toStream(pods) });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '', 'the API server warned about a pod');
      assert.equal(result.stdout.trim().split('\n').length, pods.length);
    });

    it('re-applied by `fleetchart apply`, changes nothing: every object unchanged, none pruned', async () => {
      const result = await cliApply(env, REPO, cluster.name);
      assert.deepEqual(result.err, []);
      assert.equal(result.code, 0);
      assert.equal(result.out.at(-1), `${cluster.name}: 0 created, 0 configured, ${documents.length} unchanged, 0 pruned`);
    });

    it('checked again with `fleetchart apply --dry-run=server`, reports nothing to change', async () => {
      const result = await cliApply(env, REPO, cluster.name, '--dry-run=server');
      assert.deepEqual(result.err, []);
      assert.equal(result.code, 0);
      assert.equal(result.out.at(-1), `${cluster.name}: 0 created, 0 configured, ${documents.length} unchanged, 0 pruned (server dry run: nothing was changed)`);
    });
  });
}
