/**
 * Manifest (lib/constructs/manifest.ts) writes typed props through the generated mapping
 * functions without cdk8s's generic ApiObject.toJson(). Here every object it renders is compared
 * with what cdk8s itself renders for the same props through the generated class (resolution,
 * sanitizing, key sorting and all), so no construct, present or future, can drift from cdk8s.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { App, Chart } from 'cdk8s';
import { SyntheticService, syntheticFleet, valuesModule } from '../bench/fleet';
import { Istio, PeerAuthenticationSpecMtlsMode } from '../lib/constructs/istio';
import { k8s, Kube } from '../lib/constructs/k8s';
import { Manifest, cdk8sJson } from '../lib/constructs/manifest';
import { renderService, renderServiceBothWays, withLibraryVersion } from '../lib/constructs/service-chart';
import type { ResolvedService } from '../lib/values/model';
import { renderFleet } from '../lib/pipeline';
import { REPO, makeFleet, removeFleet } from './support/fleet';

const roots: string[] = [];
after(() => roots.forEach(removeFleet));

function assertSameAsCdk8s(services: readonly ResolvedService[]): number {
  let objects = 0;
  for (const service of services) {
    const both = renderServiceBothWays(service);
    assert.ok(both.length > 0, service.name);
    for (const { path, manifest, cdk8s } of both) {
      assert.deepStrictEqual(manifest, cdk8s, `${service.cluster.name} ${path}`);
      objects++;
    }
    // renderService writes the same objects in the same (construct-tree) order, stamped with the library version.
    assert.deepStrictEqual(renderService(service), both.map((b) => withLibraryVersion({ ...b.manifest })), `${service.cluster.name} ${service.name}`);
  }
  return objects;
}

describe('Manifest renders what cdk8s renders', () => {
  it('for every object of every example app on every cluster', () => {
    const result = renderFleet(REPO);
    assert.deepEqual(result.findings, []);
    assert.equal(result.files.length, result.apps.length * result.clusters.length);
    const objects = assertSameAsCdk8s(result.files.map((f) => f.service));
    assert.equal(objects, result.files.reduce((n, f) => n + f.documents.length, 0));
  });

  it('for every object of a synthetic fleet (canaries, routes, workers, overrides) on every cluster', () => {
    const files: Record<string, string> = {};
    for (const service of syntheticFleet(24)) files[`apps/${service.name}/values.ts`] = valuesModule(service as SyntheticService);
    const root = makeFleet(files);
    roots.push(root);
    const result = renderFleet(root);
    assert.deepEqual(result.findings.filter((f) => f.severity === 'error'), []);
    assert.ok(assertSameAsCdk8s(result.files.map((f) => f.service)) > 24 * 4 * 5);
  });

  it('in the corners: empty and undefined metadata, the chart namespace and labels, empty specs, IntOrString, Quantity, renamed Istio fields', () => {
    const app = new App({ outdir: '/nonexistent' });
    const plain = new Chart(app, 'plain', { disableResourceNameHashes: true });
    const labelled = new Chart(app, 'labelled', { namespace: 'from-chart', labels: { team: 'chart', tier: 'web' } });
    const manifests: Manifest[] = [];
    for (const chart of [plain, labelled]) {
      manifests.push(
        new Manifest(chart, 'ns', Kube.Namespace, { metadata: { name: 'a', labels: {}, annotations: undefined } }),
        new Manifest(chart, 'sa', Kube.ServiceAccount, { metadata: { name: 'b', namespace: 'own', labels: { tier: 'own' }, annotations: { x: 'y' } }, automountServiceAccountToken: false }),
        new Manifest(chart, 'np', Kube.NetworkPolicy, {
          metadata: { name: 'c', finalizers: [], ownerReferences: [] },
          spec: { podSelector: {}, policyTypes: [], ingress: [{ from: [], ports: [{ port: k8s.IntOrString.fromNumber(53), protocol: undefined }] }] },
        }),
        new Manifest(chart, 'pdb', Kube.PodDisruptionBudget, { metadata: { name: 'd' }, spec: { maxUnavailable: k8s.IntOrString.fromString('25%'), selector: { matchLabels: {} } } }),
        new Manifest(chart, 'deploy', Kube.Deployment, {
          metadata: { name: 'e' },
          spec: {
            selector: {},
            template: {
              spec: {
                containers: [{ name: 'c', command: [], resources: { requests: { cpu: k8s.Quantity.fromString('250m'), memory: undefined as unknown as k8s.Quantity }, limits: {} } }],
                volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromNumber(1) } }],
              },
            },
          },
        }),
        new Manifest(chart, 'dr', Istio.DestinationRule, {
          metadata: { name: 'f' },
          spec: { host: 'h', trafficPolicy: { outlierDetection: { consecutive5XxErrors: 5, consecutiveGatewayErrors: undefined } }, subsets: [] },
        }),
        new Manifest(chart, 'pa', Istio.PeerAuthentication, { metadata: { name: 'g' }, spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT }, portLevelMtls: {} } }),
        new Manifest(chart, 'vs', Istio.VirtualService, { metadata: { name: 'h' }, spec: {} }),
      );
    }
    const rendered = manifests.map((m) => m.toJson());
    manifests.forEach((m, i) => assert.deepStrictEqual(rendered[i], cdk8sJson(m), m.node.path));
    // Rendering twice gives the same and leaves the props alone.
    manifests.forEach((m, i) => assert.deepStrictEqual(m.toJson(), rendered[i], m.node.path));
    // What the corners are: the renames, .value, and which empties stay.
    const [ns, sa, np, pdb, deploy, dr] = rendered as any[];
    assert.deepStrictEqual(ns.metadata, { name: 'a' });
    assert.deepStrictEqual(sa.metadata, { name: 'b', namespace: 'own', labels: { tier: 'own' }, annotations: { x: 'y' } });
    assert.deepStrictEqual(np.spec, { podSelector: {}, policyTypes: [], ingress: [{ from: [], ports: [{ port: 53 }] }] });
    assert.equal(pdb.spec.maxUnavailable, '25%');
    assert.deepStrictEqual(deploy.spec.template.spec.containers[0].resources, { requests: { cpu: '250m' }, limits: {} });
    assert.equal(deploy.spec.template.spec.volumes[0].emptyDir.sizeLimit, 1);
    assert.deepStrictEqual(dr.spec.trafficPolicy.outlierDetection, { consecutive5xxErrors: 5 });
    const fromLabelledChart = rendered[9] as any;
    assert.deepStrictEqual(fromLabelledChart.metadata, { name: 'b', namespace: 'own', labels: { team: 'chart', tier: 'own' }, annotations: { x: 'y' } });
    assert.deepStrictEqual((rendered[8] as any).metadata, { name: 'a', namespace: 'from-chart', labels: { team: 'chart', tier: 'web' } });
  });

  it('names the construct path when the mapping throws', () => {
    const chart = new Chart(new App({ outdir: '/nonexistent' }), 'broken');
    const m = new Manifest(chart, 'dr', Istio.DestinationRule, { metadata: { name: 'x' }, spec: null as never });
    assert.throws(() => m.toJson(), /broken\/dr/);
  });
});
