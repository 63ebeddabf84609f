import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkovFindings, checkovProblems } from '../lint/checkov';
import { loadWaivers } from '../lint/kube-score';

/**
 * The waiver gate CI applies to checkov's report (scripts/lint-go.sh runs checkov itself, from
 * its PyPI venv); here the gate runs on reports in checkov's JSON format.
 */
function report(failed: { id: string; file: string; resource: string }[]) {
  return { check_type: 'kubernetes', results: { failed_checks: failed.map((f) => ({ check_id: f.id, check_name: `${f.id} summary`, file_path: `/${f.file}`, resource: f.resource })) } };
}

describe('lint: checkov waiver gate', () => {
  it('fails on a check no waiver covers and on a waiver that covers nothing, naming file and object', () => {
    const findings = checkovFindings([report([{ id: 'CKV_K8S_43', file: 'prod-eu-west/a.k8s.yaml', resource: 'Deployment.a.a-web' }, { id: 'CKV_K8S_11', file: 'prod-eu-west/a.k8s.yaml', resource: 'Deployment.a.a-web' }])]);
    assert.deepEqual(checkovProblems(findings, [{ check: 'CKV_K8S_11', reason: 'No CPU limit by design: CFS throttling adds tail latency to requests.' }, { check: 'CKV_K8S_9', reason: 'A waiver that no longer matches anything at all in the output.' }]), [
      "prod-eu-west/a.k8s.yaml: Deployment a-web: CKV_K8S_43: CKV_K8S_43 summary; fix it, waive it in the service's values, or waive it fleet-wide with a reason in lint/checkov.yaml",
      'lint/checkov.yaml: waiver of CKV_K8S_9 matches no finding any more; remove it',
    ]);
  });

  it('holds only fleet-wide waivers, each with a reason', () => {
    const waivers = loadWaivers(path.join(__dirname, '..', 'lint', 'checkov.yaml'));
    assert.ok(waivers.length > 0);
    for (const w of waivers) assert.ok(w.reason.trim().length >= 40, w.check);
    assert.ok(!waivers.some((w) => w.check === 'CKV_K8S_43'), 'image digests are enforced (FC-IMG-002), never waived fleet-wide');
  });
});
