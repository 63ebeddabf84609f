import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { renderFleet } from '../lib/pipeline';
import { REPO } from './support/fleet';

/** `fleetchart clusters`, spawned as a CI job runs it to build its matrix (README: Sharding). */
const run = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO, 'bin', 'fleetchart.js'), 'clusters', ...args], { cwd: REPO, encoding: 'utf8' });
const inventory = renderFleet(REPO, { app: 'resident-preferences' }).inventory;

describe('fleetchart clusters: the cluster list for a CI matrix', () => {
  it('--json lists every cluster once, stage before prod, one wave per prod cluster', () => {
    const result = run('--json');
    assert.equal(result.status, 0, result.stderr);
    const listed = JSON.parse(result.stdout) as { name: string; environment: string; wave: number }[];
    assert.deepEqual(listed.map((c) => c.name).sort(), inventory.map((c) => c.name).sort());
    const firstProd = listed.findIndex((c) => c.environment === 'prod');
    assert.ok(listed.slice(firstProd).every((c) => c.environment === 'prod'), 'a stage cluster after a prod cluster');
    assert.ok(listed.filter((c) => c.environment === 'stage').every((c) => c.wave === 0));
    const prodWaves = listed.filter((c) => c.environment === 'prod').map((c) => c.wave);
    assert.equal(new Set(prodWaves).size, prodWaves.length, 'two prod clusters in one wave');
  });

  it('--environment prod prints the prod clusters one per line, in inventory order', () => {
    const result = run('--environment', 'prod');
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), inventory.filter((c) => c.environment === 'prod').map((c) => c.name));
  });

  it('--delivery splits the clusters a pipeline applies from those Argo CD syncs (argocd in the inventory)', () => {
    for (const delivery of ['apply', 'argocd'] as const) {
      const result = run('--delivery', delivery, '--json');
      assert.equal(result.status, 0, result.stderr);
      const listed = JSON.parse(result.stdout) as { name: string; delivery: string }[];
      const expected = inventory.filter((c) => (c.argocd ? 'argocd' : 'apply') === delivery).map((c) => c.name);
      assert.deepEqual(listed.map((c) => c.name).sort(), expected.sort());
      assert.ok(listed.every((c) => c.delivery === delivery));
    }
    const wrong = run('--delivery', 'flux');
    assert.equal(wrong.status, 2);
    assert.equal(wrong.stderr.trim(), `fleetchart clusters: expected --delivery apply or argocd, got 'flux'`);
  });

  it('refuses an unknown environment (exit 2) and an unmatched glob (exit 1), one line each', () => {
    const environment = run('--environment', 'dev');
    assert.equal(environment.status, 2);
    assert.equal(environment.stderr.trim(), `fleetchart clusters: expected --environment stage or prod, got 'dev'`);
    const glob = run('--cluster', 'qa-*');
    assert.equal(glob.status, 1);
    assert.match(glob.stderr, /expected a cluster name or glob matching the inventory, got 'qa-\*'/);
  });
});
