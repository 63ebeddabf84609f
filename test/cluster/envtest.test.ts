import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { REPO } from '../support/fleet';
import { Envtest, crdFiles, startEnvtest } from './envtest';

/** The harness itself: what the other cluster tests stand on. */

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('envtest: a real API server', () => {
  let env: Envtest;
  before(async () => {
    env = await startEnvtest();
  });
  after(async () => {
    await env?.stop();
  });

  it('is kube-apiserver v1.34.4 on a loopback port, with token authentication and RBAC', async () => {
    assert.match(env.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    const version = JSON.parse(await env.k(['get', '--raw', '/version']));
    assert.equal(version.gitVersion, 'v1.34.4');
    assert.equal((await env.k(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim(), 'admin');
    const anonymous = await env.kubectl.run(['--token=not-a-token', 'get', 'namespaces']);
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /Unauthorized|must be logged in/);
  });

  it('has every CRD of lib/crds/ installed and Established', async () => {
    const expected = crdFiles()
      .flatMap((file) => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()))
      .filter((d) => d?.kind === 'CustomResourceDefinition')
      .map((d) => d.metadata.name)
      .sort();
    assert.ok(expected.includes('virtualservices.networking.istio.io') && expected.includes('servicemonitors.monitoring.coreos.com'));
    const crds = await env.getJson(['customresourcedefinitions']);
    assert.deepEqual(crds.items.map((c: any) => c.metadata.name).sort(), expected);
    for (const crd of crds.items) {
      assert.ok(crd.status.conditions.some((c: any) => c.type === 'Established' && c.status === 'True'), `${crd.metadata.name} is not Established`);
    }
  });

  it('enforces Pod Security: a privileged Pod is rejected in a restricted namespace', async () => {
    await env.k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'restricted', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } }));
    // No controller-manager creates the `default` ServiceAccount here; the ServiceAccount admission plugin needs one.
    await env.k(['create', 'serviceaccount', 'default', '-n', 'restricted']);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad', namespace: 'restricted' }, spec: { automountServiceAccountToken: false, containers: [{ name: 'bad', image: 'registry.example/bad:1', securityContext: { privileged: true } }] } };
    const result = await env.kubectl.run(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(pod) });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /violates PodSecurity "restricted:latest"/);
  });
});

describe('envtest: cleanup', () => {
  /** Runs a script that starts an envtest and prints its pids and folder, then dies as told. */
  async function startAndDie(ending: string, signal?: NodeJS.Signals) {
    const script = `
      const { startEnvtest } = require(${JSON.stringify(path.join(__dirname, 'envtest'))});
      startEnvtest({ crds: false }).then((env) => {
        console.log(JSON.stringify({ pids: env.pids, dir: env.dir }));
        ${ending}
      });`;
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (signal && stdout.includes('\n')) child.kill(signal);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c, s) => resolve(c ?? (s ? 128 : null))));
    assert.ok(stdout.trim(), `the script printed nothing: ${stderr}`);
    return { code, stderr, ...(JSON.parse(stdout.trim().split('\n')[0]) as { pids: { etcd: number; apiserver: number }; dir: string }) };
  }

  async function gone(pids: { etcd: number; apiserver: number }) {
    for (let i = 0; i < 50 && (alive(pids.etcd) || alive(pids.apiserver)); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(pids.apiserver), false, 'kube-apiserver still runs');
    assert.equal(alive(pids.etcd), false, 'etcd still runs');
  }

  it('stops etcd and kube-apiserver and removes its folder when the test process throws', async () => {
    const run = await startAndDie(`throw new Error('a test failed');`);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /a test failed/);
    await gone(run.pids);
    assert.equal(fs.existsSync(run.dir), false);
  });

  it('stops them when the test process is interrupted (SIGINT) or terminated (SIGTERM)', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const run = await startAndDie('setInterval(() => {}, 1000);', signal);
      assert.notEqual(run.code, 0);
      await gone(run.pids);
      assert.equal(fs.existsSync(run.dir), false);
    }
  });
});
