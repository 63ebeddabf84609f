/**
 * Istio's analyzers (the combined set `istioctl analyze` runs, istio.io/istio/pkg/config/analysis)
 * over every cluster's output, with one Pod per Deployment derived from the rendered objects. Every
 * finding is either fixed or waived in lint/istio-analyze.yaml with a reason; a waiver that matches
 * nothing fails too, so the list stays true.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { REPO } from '../support/fleet';
import { type AnalyzeOutput, SKIP_WITHOUT_PROBE, analyzeCluster, clusterDirs } from '../support/istio-routes';

interface Waiver { code: string; resource?: string; clusters?: string; reason: string }

const WAIVERS_FILE = path.join(REPO, 'lint', 'istio-analyze.yaml');

/** Glob with `*` only, over the whole string. */
function glob(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  return new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);
}

describe('istio analyzers over every cluster', { skip: SKIP_WITHOUT_PROBE }, () => {
  const results: { cluster: string; out: AnalyzeOutput }[] = [];
  const waivers: Waiver[] = (parse(fs.readFileSync(WAIVERS_FILE, 'utf8'))?.waivers ?? []) as Waiver[];

  before(() => {
    for (const { cluster, dir } of clusterDirs()) results.push({ cluster, out: analyzeCluster(dir) });
    const total = results.reduce((n, r) => n + r.out.findings.length, 0);
    console.log(`istio analyzers: ${results[0]?.out.analyzers.length ?? 0} analyzers, ${total} finding(s) over ${results.length} clusters, ${waivers.length} waiver(s)`);
  });

  it('runs the analyzers on every cluster with a Pod for every Deployment', () => {
    assert.ok(results.length > 0);
    for (const { cluster, out } of results) {
      assert.ok(out.analyzers.length > 10, `${cluster}: only ${out.analyzers.length} analyzers ran`);
      assert.ok(out.derivedPods.length > 0, `${cluster}: no Deployment to derive a Pod from`);
    }
  });

  it('gives every waiver a reason', () => {
    for (const w of waivers) assert.ok(typeof w.reason === 'string' && w.reason.trim().length >= 30, `waiver ${w.code} ${w.resource ?? ''}: reason too short`);
  });

  it('leaves no finding unexplained', () => {
    const unexplained = results.flatMap(({ cluster, out }) =>
      out.findings.filter((f) => !waivers.some((w) => w.code === f.code && glob(w.resource, f.resource) && glob(w.clusters, cluster))).map((f) => `${cluster}: ${f.message}`),
    );
    assert.deepEqual(unexplained, []);
  });

  it('has no waiver that matches nothing', () => {
    const unused = waivers.filter((w) => !results.some(({ cluster, out }) => out.findings.some((f) => w.code === f.code && glob(w.resource, f.resource) && glob(w.clusters, cluster))));
    assert.deepEqual(unused.map((w) => `${w.code} ${w.resource ?? '*'}`), []);
  });
});
