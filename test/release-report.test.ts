/**
 * `fleetchart release-report --base <ref>`: a library change in a copy of lib/ (in a throwaway
 * git repository), reported by that repository's own CLI. Which fields Kubernetes refuses to
 * change is proven against a real API server in test/cluster/release-report.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { after, beforeEach, describe, it } from 'node:test';
import YAML from 'yaml';
import type { ReleaseReport } from '../lib/release/report';
import { cli, edit, makeReleaseRepo } from './support/release';

const root = makeReleaseRepo();
after(() => fs.rmSync(root, { recursive: true, force: true }));
beforeEach(() => execFileSync('git', ['checkout', '-q', '--', 'lib'], { cwd: root }));

const report = (...extra: string[]) => {
  const result = cli(root, ['release-report', '--base', 'base', '--json', ...extra]);
  return { ...result, report: result.out ? (JSON.parse(result.out) as ReleaseReport) : undefined };
};
/** Every Deployment the fleet renders: `diff` against an empty folder lists every object as added. */
const deploymentsOf = (root: string) =>
  (JSON.parse(cli(root, ['diff', '--json', '--out', 'no-such-folder']).out) as { kind: string; cluster: string; object: string; diff: string }[]).filter((c) => c.kind === 'Deployment');
/** The object an added change's unified diff creates. */
const addedObject = (diff: string) => YAML.parse(diff.split('\n').filter((l) => l.startsWith('+')).map((l) => l.slice(1)).join('\n'));

describe('release-report: classifies what a library change does', () => {
  it('reports nothing, and exits 0, when lib/ is unchanged', () => {
    const { code, report: r } = report();
    assert.equal(code, 0);
    assert.deepEqual(r!.changes, []);
    assert.equal(r!.breaking, false);
  });

  it('a changed Deployment selector (the track label renamed) is rejected by Kubernetes, citing its validation; exit 4 unless --allow-breaking', () => {
    edit(root, 'lib/values/labels.ts', `track: 'track',`, `track: 'release-track',`);
    const { code, err, report: r } = report();
    assert.equal(code, 4, err);
    assert.match(err, /rejected or replaced/);
    const rejected = r!.changes.filter((c) => c.impact === 'rejected');
    assert.deepEqual(new Set(rejected.map((c) => c.kind)), new Set(['Deployment']));
    // Every Deployment whose selector carries the track (those that roll in place), on every cluster.
    const deployments = deploymentsOf(root).filter((d) => 'release-track' in (addedObject(d.diff).spec.selector.matchLabels ?? {}));
    assert.ok(deployments.length > 0);
    assert.deepEqual(rejected.map((c) => `${c.cluster} ${c.object}`).sort(), deployments.map((d) => `${d.cluster} ${d.object}`).sort());
    for (const c of rejected) {
      assert.ok(c.fields.some((f) => f.startsWith('spec.selector.matchLabels')));
      assert.match(c.reasons[0], /^spec\.selector\.matchLabels\.\S+ cannot change on an existing Deployment \(k8s\.io\/kubernetes pkg\/registry\/apps\/deployment\/strategy\.go ValidateUpdate\)$/);
    }
    assert.equal(r!.breaking, true);
    assert.equal(report('--allow-breaking').code, 0);
  });

  it('a renamed object is replaced (delete + create), with what that means for traffic', () => {
    edit(root, 'lib/constructs/availability.ts', 'metadata: { name: process.fullName,', 'metadata: { name: `${process.fullName}-budget`,');
    const { code, report: r } = report();
    assert.equal(code, 4);
    const replaced = r!.changes.filter((c) => c.impact === 'replaced');
    assert.ok(replaced.length > 0);
    for (const c of replaced) {
      assert.equal(c.kind, 'PodDisruptionBudget');
      assert.equal(c.replaces, c.object.replace(/-budget$/, ''));
      assert.match(c.reasons[0], /no budget protects the pods/);
    }
    assert.deepEqual(r!.changes.filter((c) => c.impact === 'removed'), [], 'a rename is not reported as a removal');
  });

  it('a renamed Argo CD Application is replaced, with the step Argo CD needs', () => {
    edit(root, 'lib/gitops/argocd.ts', '`${cluster}.${service}`', '`${cluster}.app-${service}`');
    const { code, report: r } = report();
    assert.equal(code, 4);
    const replaced = r!.changes.filter((c) => c.impact === 'replaced');
    assert.ok(replaced.length > 0, 'the example fleet has a cluster with argocd');
    for (const c of replaced) {
      assert.equal(c.kind, 'Application');
      assert.equal(c.file, `${c.cluster}/argocd/${c.app}.yaml`);
      assert.equal(c.object, `Application argocd/${c.cluster}.app-${c.app}`);
      assert.equal(c.replaces, `Application argocd/${c.cluster}.${c.app}`);
      assert.match(c.reasons[0], /delete the old Application/);
    }
    assert.deepEqual(new Set(r!.changes.map((c) => c.impact)), new Set(['replaced']));
  });

  it('a pod template change restarts pods, with the pods per cluster; exit 0', () => {
    edit(root, 'lib/values/defaults.ts', `tmpSize: '64Mi',`, `tmpSize: '128Mi',`);
    const { code, out } = cli(root, ['release-report', '--base', 'base']);
    assert.equal(code, 0);
    const r = report().report!;
    const restarts = r.changes.filter((c) => c.impact === 'restarts');
    assert.ok(restarts.length > 0);
    assert.deepEqual(new Set(r.changes.map((c) => c.impact)), new Set(['restarts']));
    for (const c of restarts) assert.ok(c.fields.some((f) => f.startsWith('spec.template.spec.volumes')), c.fields.join());
    const perCluster: Record<string, number> = {};
    for (const c of restarts) perCluster[c.cluster] = (perCluster[c.cluster] ?? 0) + c.pods!;
    assert.deepEqual(r.restartedPods, perCluster);
    // The Markdown for the pull request names each cluster with its pods.
    assert.match(out, /^### Restarts pods$/m);
    for (const [cluster, pods] of Object.entries(perCluster)) assert.ok(out.includes(`**${cluster}** — ${pods} pods`), cluster);
  });
});

describe('release-report: usage errors', () => {
  it('requires --base and a ref that exists, exit 2', () => {
    const missing = cli(root, ['release-report']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /expected --base <git-ref>/);
    const unknown = cli(root, ['release-report', '--base', 'v9.9.9']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /--base: expected a git ref of this repository .*got 'v9\.9\.9'/);
  });
});
