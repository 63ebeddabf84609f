import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { displayName, objectKey, refOf } from '../../lib/apply/objects';
import type { Manifest } from '../../lib/manifest';
import { renderFleet } from '../../lib/pipeline';
import { REPO } from '../support/fleet';
import { Envtest, startEnvtest } from './envtest';
import { applyDocuments, cliApply, documentsOf } from './helpers';

/**
 * Upgrade: a cluster running the output of an earlier fleetchart release (charts-out/ as an
 * earlier commit has it, rendered by that commit's lib/) is upgraded with `fleetchart apply` to
 * what the current lib/ renders. Deployment selectors and other immutable fields must not
 * change between releases, objects a release stops rendering are pruned.
 */
const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

interface EarlierOutput {
  readonly commit: string;
  readonly subject: string;
  readonly documents: Manifest[];
}

/** The newest committed charts-out/<cluster> that differs from what the current lib/ renders. */
function earlierOutput(cluster: string, current: string): EarlierOutput {
  const commits = git('log', '--format=%H %s', '--', `charts-out/${cluster}`).trim().split('\n').filter(Boolean);
  for (const line of commits) {
    const commit = line.slice(0, 40);
    const files = git('ls-tree', '--name-only', `${commit}:charts-out/${cluster}`).trim().split('\n').filter((f) => f.endsWith('.k8s.yaml')).sort();
    const content = files.map((f) => git('show', `${commit}:charts-out/${cluster}/${f}`)).join('---\n');
    if (content !== current) return { commit, subject: line.slice(41), documents: documentsOf(content) };
  }
  throw new Error(`no commit has a charts-out/${cluster} that differs from the current output: the upgrade test needs the repository's history (a full clone)`);
}

const fleet = renderFleet(REPO);
assert.deepEqual(fleet.findings, []);

for (const cluster of fleet.clusters) {
  const files = [...fleet.platform, ...fleet.files].filter((f) => f.cluster === cluster.name);
  const current = files.flatMap((f) => f.documents);
  const earlier = earlierOutput(cluster.name, files.map((f) => f.content).join('---\n'));

  describe(`upgrade ${cluster.name}: from the output of ${earlier.commit.slice(0, 7)} (${earlier.subject.slice(0, 60)}) to the current lib/`, () => {
    let env: Envtest;
    before(async () => {
      env = await startEnvtest({ clusters: [cluster] });
    });
    after(async () => {
      await env?.stop();
    });

    it('the earlier output applies', async () => {
      const report = await applyDocuments(env, cluster.name, earlier.documents);
      assert.deepEqual(report.errors, []);
      assert.equal(report.created.length, earlier.documents.length);
    });

    it('`fleetchart apply` upgrades it in place: no immutable-field errors, new objects created, dropped objects pruned', async () => {
      const result = await cliApply(env, REPO, cluster.name);
      assert.deepEqual(result.err, [], 'the API server refused the upgrade');
      assert.equal(result.code, 0);
      const oldKeys = new Set(earlier.documents.map((d) => objectKey(refOf(d))));
      const newKeys = new Set(current.map((d) => objectKey(refOf(d))));
      const lines = (word: string, docs: Manifest[]) => docs.map((d) => `${word.padEnd(11)}${displayName(refOf(d))}`).sort();
      const sorted = (prefix: string) => result.out.filter((l) => l.startsWith(prefix)).sort();
      assert.deepEqual(sorted('created'), lines('created', current.filter((d) => !oldKeys.has(objectKey(refOf(d))))));
      assert.deepEqual(sorted('pruned'), lines('pruned', earlier.documents.filter((d) => !newKeys.has(objectKey(refOf(d))))));
      assert.deepEqual(result.out.filter((l) => l.startsWith('kept')), []);
    });

    it('a second apply changes nothing', async () => {
      const result = await cliApply(env, REPO, cluster.name);
      assert.equal(result.code, 0);
      assert.equal(result.out.at(-1), `${cluster.name}: 0 created, 0 configured, ${current.length} unchanged, 0 pruned`);
    });
  });
}
