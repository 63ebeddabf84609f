import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { makeFleet, removeFleet, snapshotTree, spawnCli, valuesFile } from './support/fleet';

/**
 * `--app X` checks X against the whole fleet: the checks that cross services (a host another
 * service claims, a caller or callee that must exist) see every other service of each cluster,
 * from the fleet index (lib/fleet-index.ts), while only X is rendered and written.
 */
const roots: string[] = [];
after(() => roots.forEach(removeFleet));

const web = `processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } } }`;
const serviceClaiming = (name: string, host: string, paths: string) =>
  valuesFile(`{ name: '${name}', team: 'care-records', image: 'europe-docker.pkg.dev/acme-care/apps/${name}', release: { default: '2026.11.3@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' }, ${web}, routes: { api: { host: '${host}', paths: [${paths}] } } }`);

function fleet(): string {
  const root = makeFleet({
    'apps/intake/values.ts': serviceClaiming('intake', 'care', `'/api'`),
    'apps/admissions/values.ts': serviceClaiming('admissions', 'care', `'/api/admissions'`),
  });
  roots.push(root);
  return root;
}

const claimLine = /^apps\/intake\/values\.ts: routes\.api\.paths: .*overlaps .* by apps\/admissions\/values\.ts \(routes\.api\).*\[FC-ROUTE-003\]/;

describe('--app: cross-service checks against the whole fleet', () => {
  for (const command of ['validate', 'synth']) {
    it(`${command} --app reports a host and path another service claims, like a full run`, () => {
      const root = fleet();
      const full = spawnCli(root, ['validate']);
      assert.equal(full.code, 1);
      assert.ok(full.err.some((line) => claimLine.test(line)));
      // Once with the index the full run left, once building it from nothing.
      for (const cache of ['current', 'absent']) {
        if (cache === 'absent') fs.rmSync(path.join(root, 'node_modules'), { recursive: true, force: true });
        const selected = spawnCli(root, [command, '--app', 'intake']);
        assert.equal(selected.code, 1, `${cache} index`);
        assert.deepEqual(
          selected.err.filter((line) => claimLine.test(line)),
          full.err.filter((line) => claimLine.test(line)),
          `${cache} index`,
        );
        assert.deepEqual(snapshotTree(path.join(root, 'charts-out')), {});
      }
    });
  }

  it('sees an edit of another service at once (the index follows file contents)', () => {
    const root = fleet();
    assert.equal(spawnCli(root, ['validate', '--app', 'intake']).code, 1);
    fs.writeFileSync(path.join(root, 'apps/admissions/values.ts'), serviceClaiming('admissions', 'admissions', `'/api'`));
    const after = spawnCli(root, ['synth', '--app', 'intake']);
    assert.equal(after.code, 0, after.err.join('\n'));
    // Its manifests, and its Argo CD Applications on clusters with argocd.
    const written = Object.keys(snapshotTree(path.join(root, 'charts-out'))).map((file) => path.basename(file).replace(/\.(k8s\.)?yaml$/, ''));
    assert.ok(written.length > 0);
    assert.deepEqual([...new Set(written)], ['intake'], 'writes only the selected service');
    fs.writeFileSync(path.join(root, 'apps/admissions/values.ts'), serviceClaiming('admissions', 'care', `'/'`));
    assert.equal(spawnCli(root, ['validate', '--app', 'intake']).code, 1);
  });
});
