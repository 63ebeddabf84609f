import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplyReport } from '../lib/apply/apply';
import { decodeObjects, encodeObjects, inventoryObjects, parseInventory } from '../lib/apply/inventory';
import { findKubectl } from '../lib/apply/kubectl';
import { LiveObject, ObjectRef, applyOrder, displayName, itemsOf, objectKey, ownedByFleetchart } from '../lib/apply/objects';
import { formatReport } from '../lib/apply/summary';
import { REPO, runCli } from './support/fleet';

const ref = (kind: string, name: string, namespace?: string, apiVersion = 'v1'): ObjectRef => (namespace ? { apiVersion, kind, name, namespace } : { apiVersion, kind, name });

describe('apply: order', () => {
  it('applies Namespaces first, then cluster-scoped objects, then namespaced ones in the manifest kind order', () => {
    const refs = [
      ref('VirtualService', 'web', 'a', 'networking.istio.io/v1'),
      ref('Deployment', 'web', 'a', 'apps/v1'),
      ref('PriorityClass', 'x', undefined, 'scheduling.k8s.io/v1'),
      ref('DestinationRule', 'web', 'a', 'networking.istio.io/v1'),
      ref('ServiceAccount', 'a', 'a'),
      ref('Namespace', 'b'),
      ref('AuthorizationPolicy', 'allow', 'a', 'security.istio.io/v1'),
      ref('Namespace', 'a'),
    ];
    assert.deepEqual(applyOrder(refs).map(displayName), [
      'Namespace a',
      'Namespace b',
      'PriorityClass x',
      'ServiceAccount a/a',
      'AuthorizationPolicy a/allow',
      'Deployment a/web',
      'DestinationRule a/web',
      'VirtualService a/web',
    ]);
  });

  it('orders kinds it does not render itself by category: config and egress before workloads, routes with routes, the rest last', () => {
    const refs = [
      ref('PrometheusRule', 'alerts', 'a', 'monitoring.coreos.com/v1'),
      ref('HTTPRoute', 'web', 'a', 'gateway.networking.k8s.io/v1'),
      ref('Deployment', 'web', 'a', 'apps/v1'),
      ref('StatefulSet', 'db', 'a', 'apps/v1'),
      ref('ServiceEntry', 'api', 'a', 'networking.istio.io/v1'),
      ref('ConfigMap', 'settings', 'a'),
      ref('Gateway', 'ingress', 'a', 'networking.istio.io/v1'),
      ref('Widget', 'w', 'a', 'example.com/v1'),
      ref('DestinationRule', 'web', 'a', 'networking.istio.io/v1'),
    ];
    assert.deepEqual(applyOrder(refs).map(displayName), [
      'ConfigMap a/settings',
      'ServiceEntry a/api',
      'Gateway a/ingress',
      'Deployment a/web',
      'StatefulSet a/db',
      'DestinationRule a/web',
      'HTTPRoute a/web',
      'PrometheusRule a/alerts',
      'Widget a/w',
    ]);
  });

  it('identifies an object by group, kind, namespace and name: the same object under two API versions is one', () => {
    assert.equal(objectKey(ref('VirtualService', 'w', 'a', 'networking.istio.io/v1beta1')), objectKey(ref('VirtualService', 'w', 'a', 'networking.istio.io/v1')));
    assert.notEqual(objectKey(ref('Service', 'w', 'a')), objectKey(ref('Service', 'w', 'b')));
    assert.notEqual(objectKey(ref('Service', 'w', 'a')), objectKey(ref('ServiceEntry', 'w', 'a', 'networking.istio.io/v1')));
  });
});

describe('apply: inventory', () => {
  const objects = [ref('Namespace', 'a'), ref('Deployment', 'web', 'a', 'apps/v1'), ref('VirtualService', 'web', 'a', 'networking.istio.io/v1')];

  it('lists one object per line, sorted, and reads back what it wrote', () => {
    const text = encodeObjects([...objects, objects[0]]);
    assert.equal(text, ['apps/v1 Deployment a/web', 'networking.istio.io/v1 VirtualService a/web', 'v1 Namespace a'].join('\n'));
    assert.deepEqual(new Set(decodeObjects(text).map(objectKey)), new Set(objects.map(objectKey)));
  });

  it('records the cluster it belongs to, in a ConfigMap in fleetchart-system, gzipped when the list is large', () => {
    const [namespace, configMap] = inventoryObjects({ cluster: 'stage-eu', objects }) as any[];
    assert.equal(namespace.metadata.name, 'fleetchart-system');
    assert.equal(configMap.metadata.namespace, 'fleetchart-system');
    assert.equal(configMap.data.cluster, 'stage-eu');
    assert.deepEqual(parseInventory(configMap), { cluster: 'stage-eu', objects: decodeObjects(encodeObjects(objects)) });

    const many = Array.from({ length: 20_000 }, (_, i) => ref('Deployment', `service-number-${i}-web`, `service-number-${i}`, 'apps/v1'));
    const [, large] = inventoryObjects({ cluster: 'prod-eu-west', objects: many }) as any[];
    assert.equal(large.data.objects, '');
    assert.ok(JSON.stringify(large).length < 1024 * 1024, 'the ConfigMap exceeds 1 MiB');
    assert.equal(parseInventory(large).objects.length, many.length);
  });
});

describe('apply: ownership', () => {
  const live = (labels: Record<string, string>, managers: string[]): LiveObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', namespace: 'a', labels, managedFields: managers.map((manager) => ({ manager, operation: manager === 'fleetchart' ? 'Apply' : 'Update' })) },
  });

  it("is fleetchart's only with both its managed-by label and its field manager", () => {
    assert.equal(ownedByFleetchart(live({ 'app.kubernetes.io/managed-by': 'fleetchart' }, ['fleetchart'])), true);
    assert.equal(ownedByFleetchart(live({ 'app.kubernetes.io/managed-by': 'fleetchart' }, ['kubectl-create'])), false);
    assert.equal(ownedByFleetchart(live({ 'app.kubernetes.io/managed-by': 'Helm' }, ['fleetchart'])), false);
    assert.equal(ownedByFleetchart(live({}, [])), false);
  });
});

describe('apply: reading kubectl output', () => {
  it('takes the items of a List, a single object, or several concatenated JSON objects', () => {
    const object = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'a' }, data: { brace: '}{"' } });
    assert.deepEqual(itemsOf(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [object('a'), object('b')] })).map((o) => o.metadata.name), ['a', 'b']);
    assert.deepEqual(itemsOf(JSON.stringify(object('a'), null, 2)).map((o) => o.metadata.name), ['a']);
    assert.deepEqual(itemsOf(`${JSON.stringify(object('a'))}\n${JSON.stringify(object('b'))}`).map((o) => o.metadata.name), ['a', 'b']);
    assert.deepEqual(itemsOf(''), []);
  });

  it('finds kubectl in $KUBECTL, then $KUBEBUILDER_ASSETS, then PATH', () => {
    assert.equal(findKubectl({ KUBECTL: '/opt/kubectl', KUBEBUILDER_ASSETS: '/nowhere', PATH: '' }), '/opt/kubectl');
    assert.equal(findKubectl({ PATH: '' }), 'kubectl');
  });
});

describe('apply: the summary', () => {
  const report = (over: Partial<ApplyReport>): ApplyReport => ({
    cluster: 'stage-eu',
    dryRun: false,
    created: [],
    configured: [],
    unchanged: [],
    pruned: [],
    kept: [],
    unchecked: [],
    warnings: [],
    pending: [],
    rollouts: [],
    timings: { preflight: 0, apply: 0, wait: 0, prune: 0 },
    errors: [],
    ...over,
  });

  it('names every object with what happened to it, then counts', () => {
    const { out, err } = formatReport(
      report({
        created: [ref('Namespace', 'a')],
        configured: [ref('Deployment', 'web', 'a', 'apps/v1')],
        unchanged: [ref('Service', 'web', 'a')],
        pruned: [ref('Deployment', 'old', 'a', 'apps/v1')],
        kept: [{ ref: ref('Namespace', 'b'), reason: 'holds 1 object fleetchart did not apply (ConfigMap b/x)' }],
      }),
    );
    assert.deepEqual(out, [
      'created    Namespace a',
      'configured Deployment a/web',
      'unchanged  Service a/web',
      'pruned     Deployment a/old',
      'kept       Namespace b: holds 1 object fleetchart did not apply (ConfigMap b/x)',
      'stage-eu: 1 created, 1 configured, 1 unchanged, 1 pruned, 1 kept',
    ]);
    assert.deepEqual(err, []);
  });

  it('says when it was a dry run, and that a failed apply pruned nothing', () => {
    assert.equal(formatReport(report({ dryRun: true })).out.at(-1), 'stage-eu: 0 created, 0 configured, 0 unchanged, 0 pruned (server dry run: nothing was changed)');
    const failed = formatReport(report({ errors: ['boom'] }));
    assert.deepEqual(failed.err, ['error: boom', 'stage-eu: apply failed; 0 created, 0 configured, 0 unchanged, 0 pruned before it stopped; nothing was pruned.']);
  });
});

describe('fleetchart apply: usage', () => {
  it('needs --cluster naming one cluster, not a glob', async () => {
    const none = await runCli(REPO, ['apply']);
    assert.equal(none.code, 2);
    assert.deepEqual(none.err, ['fleetchart apply: expected --cluster <name> naming one cluster of apps/clusters.ts']);
    const glob = await runCli(REPO, ['apply', '--cluster', 'prod-*']);
    assert.equal(glob.code, 2);
    assert.deepEqual(glob.err, [`fleetchart apply: expected --cluster <name> naming one cluster of apps/clusters.ts, got the glob 'prod-*'`]);
  });

  it('supports only the server dry run', async () => {
    const result = await runCli(REPO, ['apply', '--cluster', 'stage-eu', '--dry-run=client']);
    assert.equal(result.code, 2);
    assert.match(result.err[0], /^fleetchart apply: expected --dry-run=server, got '--dry-run=client'/);
  });

  it('refuses an unknown cluster before contacting any API server', async () => {
    const result = await runCli(REPO, ['apply', '--cluster', 'stage-us', '--kubeconfig', '/nonexistent']);
    assert.equal(result.code, 1);
    assert.match(result.err.join('\n'), /expected a cluster name or glob matching the inventory, got 'stage-us'/);
    assert.match(result.err.at(-1)!, /nothing was applied\.$/);
  });
});
