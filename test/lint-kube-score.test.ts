import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findingsOf, loadWaivers, problems } from '../lint/kube-score';

/**
 * The waiver gate CI applies to kube-score's report (scripts/lint-go.sh): kube-score itself runs
 * in CI, where its Go build is available; here the gate runs on reports in kube-score's format.
 */

function report(file: string, name: string, checks: { id: string; grade: number; skipped?: boolean; summary?: string }[]) {
  return {
    file_name: `/ci/charts-out/${file}`,
    object_meta: { name },
    type_meta: { kind: 'Deployment' },
    checks: checks.map((c) => ({ check: { id: c.id }, grade: c.grade, skipped: c.skipped ?? false, comments: [{ summary: c.summary ?? c.id }] })),
  };
}

describe('lint: kube-score waiver gate', () => {
  const waivers = [
    { check: 'container-image-pull-policy', reason: 'images are pinned to release tags or digests, so IfNotPresent is safe' },
    { check: 'deployment-replicas', files: 'stage-*/*', reason: 'stage clusters run single pods; prod requires two (FC-AVAIL-001)' },
  ];

  it('passes when every finding below OK is waived and every waiver is used', () => {
    const findings = findingsOf([
      report('prod-eu-west/a.k8s.yaml', 'a-web', [{ id: 'container-image-pull-policy', grade: 1 }, { id: 'pod-probes', grade: 10 }]),
      report('stage-eu/a.k8s.yaml', 'a-web', [{ id: 'deployment-replicas', grade: 5 }, { id: 'container-resources', grade: 1, skipped: true }]),
    ]);
    assert.equal(findings.length, 2);
    assert.deepEqual(problems(findings, waivers), []);
  });

  it('fails on a finding no waiver covers, naming file, object and check', () => {
    const findings = findingsOf([report('prod-eu-west/a.k8s.yaml', 'a-web', [{ id: 'container-image-pull-policy', grade: 1 }, { id: 'deployment-replicas', grade: 5, summary: 'Deployment few replicas' }])]);
    assert.deepEqual(problems(findings, waivers), [
      'prod-eu-west/a.k8s.yaml: Deployment a-web: deployment-replicas (grade 5): Deployment few replicas; fix it or waive it with a reason in lint/kube-score.yaml',
      'lint/kube-score.yaml: waiver of deployment-replicas for stage-*/* matches no finding any more; remove it',
    ]);
  });

  it('reads lint/kube-score.yaml, where every waiver gives a reason', () => {
    const checked = loadWaivers();
    assert.ok(checked.length > 0);
    for (const waiver of checked) assert.ok(waiver.reason.trim().length >= 40, waiver.check);
  });
});
