import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INVENTORY_NAMESPACE } from '../../lib/apply/inventory';
import { LOCK_NAME } from '../../lib/apply/lock';
import { renderFleet } from '../../lib/pipeline';
import { makeFleet, removeFleet } from '../support/fleet';
import { Envtest, startEnvtest } from './envtest';
import { exists, provideReferences, readOutput, versions } from './helpers';
import { eventually, runController, runSpawned, setDeploymentStatus, spawnCli, unobservedDeployments } from './support';

/**
 * `fleetchart apply` as a pipeline job runs it (a child process), on the example fleet's stage-eu
 * against the cluster tier's API server: what it applies, waiting for rollouts (Deployment status
 * written through the status subresource by a stand-in for the controller), pruning only after
 * that, the preflight, the lock, --json.
 */
const CLUSTER = 'stage-eu';
const POLL = { FLEETCHART_WAIT_INTERVAL_MS: '200' };
const root = makeFleet({}, { withExampleApps: true });
const output = path.join(root, 'charts-out', CLUSTER);
/** The example fleet's objects before any service is removed. */
const original = renderFleet(root, { cluster: CLUSTER });

function edit(app: string, from: string, to: string): void {
  const file = path.join(root, 'apps', app, 'values.ts');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} has no '${from}'`);
  fs.writeFileSync(file, text.replace(from, to));
}
const synth = async () => {
  const result = await runSpawned(root, ['synth', '--cluster', CLUSTER]);
  assert.equal(result.code, 0, result.err.join('\n'));
};
const apply = (...extra: string[]) => runSpawned(root, ['apply', '--cluster', CLUSTER, '--kubeconfig', env.kubeconfig, ...extra], POLL);
const logLevel = async (namespace: string, name: string) =>
  (await env.getJson(['deployment', name, '-n', namespace])).spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'LOG_LEVEL')?.value;

let env: Envtest;
before(async () => {
  env = await startEnvtest({ clusters: original.clusters });
});
after(async () => {
  await env?.stop();
  removeFleet(root);
});

describe('fleetchart apply: applies charts-out/<cluster>/ as committed', () => {
  it('refuses when apps/ renders something else than the committed output, naming the files; nothing is applied', async () => {
    await synth();
    edit('resident-preferences', `LOG_LEVEL: 'debug'`, `LOG_LEVEL: 'info'`);
    const result = await apply('--no-wait');
    assert.equal(result.code, 1);
    assert.deepEqual(result.out, []);
    assert.deepEqual(result.err, [
      `charts-out/${CLUSTER}/resident-preferences.k8s.yaml: differs from what apps/ and lib/ render now`,
      `1 file of charts-out/${CLUSTER}/ is stale; nothing was applied. Run 'fleetchart synth --cluster ${CLUSTER}', review and commit charts-out/; or apply the committed output as it is with --allow-stale.`,
    ]);
    assert.equal((await versions(env)).size, 0);
  });

  it('--allow-stale applies the committed output, not what apps/ renders now', async () => {
    const result = await apply('--no-wait', '--allow-stale');
    assert.equal(result.code, 0, result.err.join('\n'));
    assert.equal(await logLevel('resident-preferences', 'resident-preferences-web-1-14-2'), 'debug');
    const committed = readOutput(output);
    assert.equal(result.out.at(-1), `${CLUSTER}: ${committed.length} created, 0 configured, 0 unchanged, 0 pruned`);
    // The Namespaces were new: the Secrets their pods need could not exist yet, and it says so.
    assert.ok(result.out.some((l) => /^pending +Secret patient-notes\/patient-notes-db is needed by Deployment patient-notes\/patient-notes-/.test(l)), result.out.join('\n'));
  });

  it('applies any file of the cluster folder (not only <service>.k8s.yaml), in kind order', async () => {
    await synth();
    const platform = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'platform-settings', namespace: 'istio-ingress', labels: { 'app.kubernetes.io/managed-by': 'fleetchart' } },
      data: { note: 'a platform file next to the services' },
    };
    fs.writeFileSync(path.join(output, 'platform.yaml'), `${JSON.stringify(platform)}\n`);
    // A file the pipeline does not render is stale unless applied as committed.
    const refused = await apply('--no-wait');
    assert.equal(refused.code, 1);
    assert.ok(refused.err.includes(`charts-out/${CLUSTER}/platform.yaml: is committed but no longer rendered`), refused.err.join('\n'));
    await provideReferences(env, readOutput(output));
    try {
      const result = await apply('--no-wait', '--allow-stale');
      assert.equal(result.code, 0, result.err.join('\n'));
      assert.ok(result.out.includes('created    ConfigMap istio-ingress/platform-settings'), result.out.join('\n'));
      assert.ok(result.out.includes('configured Deployment resident-preferences/resident-preferences-web-1-14-2'), result.out.join('\n'));
    } finally {
      fs.rmSync(path.join(output, 'platform.yaml'));
    }
  });
});

describe('fleetchart apply: preflight', () => {
  it('refuses when a Secret the pods need is missing from an existing Namespace, naming it and its users', async () => {
    await env.k(['delete', 'secret', 'patient-notes-db', '-n', 'patient-notes']);
    const before = await versions(env);
    const result = await apply('--no-wait');
    assert.equal(result.code, 1);
    assert.ok(
      result.err.some((l) => /^error: Secret patient-notes\/patient-notes-db does not exist in the cluster \(needed by Deployment patient-notes\/patient-notes-[a-z]+.*\): pods cannot start without it; create it first$/.test(l)),
      result.err.join('\n'),
    );
    assert.deepEqual(await versions(env), before);
    await provideReferences(env, readOutput(output));
  });

  it('refuses when the ingress Gateway the routes bind to is missing', async () => {
    const gateway = await env.k(['get', 'gateways.networking.istio.io', 'care-gateway', '-n', 'istio-ingress', '-o', 'json']);
    await env.k(['delete', 'gateways.networking.istio.io', 'care-gateway', '-n', 'istio-ingress']);
    const result = await apply('--no-wait');
    assert.equal(result.code, 1);
    assert.ok(
      result.err.some((l) => /^error: Gateway istio-ingress\/care-gateway does not exist in the cluster \(needed by VirtualService [^)]+\): the ingress Gateway routes bind to; create it first$/.test(l)),
      result.err.join('\n'),
    );
    const restored = JSON.parse(gateway);
    delete restored.metadata.resourceVersion;
    delete restored.metadata.uid;
    await env.k(['create', '-f', '-'], JSON.stringify(restored));
  });
});

describe('fleetchart apply: waits for every changed Deployment, then prunes', () => {
  before(async () => {
    // What was applied so far without waiting has rolled out by now.
    for (const d of await unobservedDeployments(env)) await setDeploymentStatus(env, d, 'rolledOut');
  });

  it('waits until the changed Deployment rolled out; prunes a removed service only after that', async () => {
    edit('resident-preferences', `LOG_LEVEL: 'info'`, `LOG_LEVEL: 'warn'`);
    fs.rmSync(path.join(root, 'apps', 'medication-dispensing'), { recursive: true });
    await synth();
    const medication = original.files.find((f) => f.app === 'medication-dispensing');
    const apply = spawnCli(root, ['apply', '--cluster', CLUSTER, '--kubeconfig', env.kubeconfig, '--timeout', '2m', '--json'], POLL);
    const [waiting] = await eventually('the changed Deployment applied', async () => ((await unobservedDeployments(env)).length ? unobservedDeployments(env) : undefined));
    assert.equal(`${waiting.metadata.namespace}/${waiting.metadata.name}`, 'resident-preferences/resident-preferences-web-1-14-2');
    // Still waiting: the removed service is still there, and the cluster is locked.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(apply.child.exitCode, null, 'apply returned before the rollout finished');
    for (const doc of medicationDeployments()) assert.ok(await exists(env, doc), `${doc.metadata.name} was pruned before the rollout finished`);
    const lease = await env.getJson(['lease', LOCK_NAME, '-n', INVENTORY_NAMESPACE]);
    assert.match(lease.spec.holderIdentity, new RegExp(` pid ${apply.child.pid} `));
    assert.equal(lease.spec.leaseDurationSeconds, 30);

    await setDeploymentStatus(env, waiting, 'rolledOut');
    const result = await apply.done;
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.ok, true);
    assert.deepEqual(report.rollouts.map((r: { object: string; state: string }) => [r.object, r.state]), [['Deployment resident-preferences/resident-preferences-web-1-14-2', 'done']]);
    assert.deepEqual(report.configured, ['Deployment resident-preferences/resident-preferences-web-1-14-2']);
    assert.ok(report.pruned.includes('Deployment medication-dispensing/medication-dispensing-api-2026-11-1'), report.pruned.join('\n'));
    for (const doc of medicationDeployments()) assert.equal(await exists(env, doc), undefined, `${doc.metadata.name} was not pruned`);
    assert.equal(await exists(env, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: LOCK_NAME, namespace: INVENTORY_NAMESPACE } }), undefined, 'the lock was not released');

    function medicationDeployments() {
      return medication!.documents.filter((d) => d.kind === 'Deployment');
    }
  });

  it('fails on a stuck rollout (progress deadline exceeded), names the Deployment and the reason, and prunes nothing', async () => {
    edit('resident-preferences', `LOG_LEVEL: 'warn'`, `LOG_LEVEL: 'error'`);
    // care-events leaves the fleet, and resident-preferences stops listing it as a caller (FC-ROUTE-004).
    fs.rmSync(path.join(root, 'apps', 'care-events'), { recursive: true });
    edit('resident-preferences', `callers: { services: ['care-events'] },`, '');
    await synth();
    const stop = runController(env, { select: () => false, failOthers: true });
    const result = await apply('--timeout', '2m');
    await stop();
    assert.equal(result.code, 1);
    assert.ok(
      result.err.includes(
        'error: Deployment resident-preferences/resident-preferences-web-1-14-2 failed to roll out: ProgressDeadlineExceeded: no progress within progressDeadlineSeconds (600s): ReplicaSet "resident-preferences-web-1-14-2-7f9c6d5b8" has timed out progressing.',
      ),
      result.err.join('\n'),
    );
    assert.match(result.err.at(-1)!, /apply failed; .* nothing was pruned\.$/);
    assert.equal(result.err[0], 'waiting up to 2m for 1 Deployment to roll out: Deployment resident-preferences/resident-preferences-web-1-14-2');
    assert.ok(await exists(env, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'care-events' } }));
    assert.ok(await exists(env, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'care-events-consumer-sha256-3f1c9a7e5b2d', namespace: 'care-events' } }), 'pruned despite the failed rollout');
  });

  it('fails after --timeout when the rollout does not finish, saying what it still waited for', async () => {
    edit('resident-preferences', `LOG_LEVEL: 'error'`, `LOG_LEVEL: 'debug'`);
    await synth();
    const generation = (await env.getJson(['deployment', 'resident-preferences-web-1-14-2', '-n', 'resident-preferences'])).metadata.generation;
    const result = await apply('--timeout', '3s');
    assert.equal(result.code, 1);
    assert.ok(
      result.err.includes(
        `error: Deployment resident-preferences/resident-preferences-web-1-14-2 did not roll out within 3s: the controller has not observed generation ${generation + 1} yet (observed ${generation})`,
      ),
      result.err.join('\n'),
    );
    assert.ok(await exists(env, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'care-events-consumer-sha256-3f1c9a7e5b2d', namespace: 'care-events' } }), 'pruned despite the timeout');
    // Once the rollout finishes, the next apply prunes.
    const stop = runController(env);
    const again = await apply('--timeout', '1m');
    await stop();
    assert.equal(again.code, 0, again.err.join('\n'));
    assert.ok(again.out.includes('pruned     Deployment care-events/care-events-consumer-sha256-3f1c9a7e5b2d'), again.out.join('\n'));
  });
});

describe('fleetchart apply: one apply per cluster at a time', () => {
  const lease = (renewedAgoSeconds: number, holder = 'ci-job-4711 pid 12') => {
    const renewed = new Date(Date.now() - renewedAgoSeconds * 1000).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    return JSON.stringify({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: LOCK_NAME, namespace: INVENTORY_NAMESPACE },
      spec: { holderIdentity: holder, leaseDurationSeconds: 30, acquireTime: renewed, renewTime: renewed },
    });
  };

  it('refuses while another apply holds the lock, naming the holder; changes nothing', async () => {
    await env.k(['create', '-f', '-'], lease(2));
    const before = await versions(env);
    const result = await apply('--no-wait');
    assert.equal(result.code, 1);
    assert.match(result.err.join('\n'), /error: the cluster is locked by another apply: 'ci-job-4711 pid 12' holds Lease fleetchart-system\/apply-lock since .*Wait for it to finish and retry/);
    assert.deepEqual(await versions(env), before);
    assert.equal((await env.getJson(['lease', LOCK_NAME, '-n', INVENTORY_NAMESPACE])).spec.holderIdentity, 'ci-job-4711 pid 12');
    await env.k(['delete', 'lease', LOCK_NAME, '-n', INVENTORY_NAMESPACE]);
  });

  it('takes over a lock whose holder stopped renewing it (the process died), and releases it at the end', async () => {
    await env.k(['create', '-f', '-'], lease(45));
    const result = await apply('--no-wait');
    assert.equal(result.code, 0, result.err.join('\n'));
    assert.equal(await exists(env, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: LOCK_NAME, namespace: INVENTORY_NAMESPACE } }), undefined);
  });

  it('two applies at once: one applies, the other refuses', async () => {
    edit('resident-preferences', `LOG_LEVEL: 'debug'`, `LOG_LEVEL: 'info'`);
    await synth();
    const first = spawnCli(root, ['apply', '--cluster', CLUSTER, '--kubeconfig', env.kubeconfig, '--timeout', '1m'], POLL);
    await eventually('the first apply holding the lock', async () => (await exists(env, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: LOCK_NAME, namespace: INVENTORY_NAMESPACE } })) ?? undefined);
    const second = await apply('--no-wait');
    assert.equal(second.code, 1);
    assert.match(second.err.join('\n'), /the cluster is locked by another apply: '.* pid \d+ [0-9a-f]{8}'/);
    // Interrupted while waiting, the first frees the lock before it exits.
    first.child.kill('SIGTERM');
    const ended = await first.done;
    assert.equal(ended.code, 143);
    assert.equal(await exists(env, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: LOCK_NAME, namespace: INVENTORY_NAMESPACE } }), undefined);
    const stop = runController(env);
    const resumed = await apply('--timeout', '1m');
    await stop();
    assert.equal(resumed.code, 0, resumed.err.join('\n'));
  });
});

describe('fleetchart apply: --json and errors said once', () => {
  it('--json prints one object: what changed, the rollouts, the timings of each phase', async () => {
    const result = await apply('--no-wait', '--json');
    assert.equal(result.code, 0, result.err.join('\n'));
    const report = JSON.parse(result.stdout);
    assert.equal(report.cluster, CLUSTER);
    assert.deepEqual(report.errors, []);
    assert.equal(report.created.length + report.configured.length + report.unchanged.length, readOutput(output).length);
    assert.deepEqual(Object.keys(report.timings).sort(), ['apply', 'preflight', 'prune', 'wait']);
  });

  it('says an unreachable API server once, in text and in JSON', async () => {
    const kubeconfig = path.join(env.dir, 'unreachable.kubeconfig');
    fs.writeFileSync(kubeconfig, fs.readFileSync(env.kubeconfig, 'utf8').replace(env.server, 'https://127.0.0.1:1'));
    const text = await runSpawned(root, ['apply', '--cluster', CLUSTER, '--kubeconfig', kubeconfig, '--no-wait']);
    assert.equal(text.code, 1);
    const errors = text.err.filter((l) => l.startsWith('error: '));
    assert.equal(errors.length, 1, text.err.join('\n'));
    assert.match(errors[0], /127\.0\.0\.1:1.*refused/);
    const json = await runSpawned(root, ['apply', '--cluster', CLUSTER, '--kubeconfig', kubeconfig, '--no-wait', '--json']);
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.stdout).errors, [errors[0].slice('error: '.length)]);
  });
});

