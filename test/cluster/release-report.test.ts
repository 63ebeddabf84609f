/**
 * What `fleetchart release-report` calls "rejected by Kubernetes" is what the API server rejects,
 * and nothing else it reports is. A copy of lib/ (a throwaway git repository) changes the
 * Deployment selector (the track label renamed), a pod template (the /tmp size) and the route
 * timeout; both renders of one cluster are applied to a real kube-apiserver: first the base,
 * then every changed object of the new render on its own.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Manifest } from '../../lib/manifest';
import { renderFleet } from '../../lib/pipeline';
import type { ReleaseReport } from '../../lib/release/report';
import { REPO } from '../support/fleet';
import { cli, edit, makeReleaseRepo } from '../support/release';
import { Envtest, startEnvtest } from './envtest';
import { applyDocuments, readOutput } from './helpers';

const cluster = renderFleet(REPO, { app: 'no-such-service' }).inventory[0];
const root = makeReleaseRepo();
const nameOf = (d: Manifest) => `${d.kind} ${d.metadata.namespace ? `${d.metadata.namespace}/` : ''}${d.metadata.name}`;

function synth(out: string): Manifest[] {
  const result = cli(root, ['synth', '--cluster', cluster.name, '--out', out]);
  assert.equal(result.code, 0, result.err);
  return readOutput(path.join(root, out, cluster.name));
}

describe(`release-report against the API server (cluster ${cluster.name})`, () => {
  let env: Envtest;
  let baseDocuments: Manifest[];
  let newDocuments: Manifest[];
  let report: ReleaseReport;

  before(async () => {
    baseDocuments = synth('before');
    edit(root, 'lib/values/labels.ts', `track: 'track',`, `track: 'release-track',`);
    edit(root, 'lib/values/defaults.ts', `tmpSize: '64Mi',`, `tmpSize: '128Mi',`);
    edit(root, 'lib/values/defaults.ts', `routeTimeout: '15s',`, `routeTimeout: '20s',`);
    newDocuments = synth('after');
    const result = cli(root, ['release-report', '--base', 'base', '--cluster', cluster.name, '--json']);
    assert.equal(result.code, 4, result.err);
    report = JSON.parse(result.out);
    env = await startEnvtest({ clusters: [cluster] });
  });
  after(async () => {
    await env?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the report sees rejected and accepted changes both', () => {
    assert.ok(report.changes.some((c) => c.impact === 'rejected'));
    assert.ok(report.changes.some((c) => c.change === 'changed' && c.impact !== 'rejected'));
  });

  it('the base render applies', async () => {
    const applied = await applyDocuments(env, cluster.name, baseDocuments);
    assert.deepEqual(applied.errors, []);
  });

  it('every changed object the report calls rejected is refused as immutable, every other one is accepted', async () => {
    const changed = new Set(report.changes.filter((c) => c.change === 'changed').map((c) => c.object));
    const rejected = new Set(report.changes.filter((c) => c.impact === 'rejected').map((c) => c.object));
    const refused: string[] = [];
    for (const doc of newDocuments.filter((d) => changed.has(nameOf(d)))) {
      const result = await env.kubectl.run(['apply', '--server-side', '--field-manager=fleetchart', '--force-conflicts', '-f', '-'], { input: JSON.stringify(doc) });
      if (result.code !== 0) {
        assert.match(result.stderr, /field is immutable/, nameOf(doc));
        refused.push(nameOf(doc));
      }
    }
    assert.deepEqual(refused.sort(), [...rejected].sort());
  });
});
