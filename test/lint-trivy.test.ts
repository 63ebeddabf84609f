import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadWaivers } from '../lint/kube-score';
import { trivyFindings, trivyProblems } from '../lint/trivy';

/**
 * The waiver gate CI applies to trivy-k8s's report (scripts/lint-go.sh runs the scanner itself);
 * here the gate runs on reports in its format.
 */
describe('lint: trivy waiver gate', () => {
  it('fails on a check no waiver covers and on a waiver that covers nothing', () => {
    const findings = trivyFindings(
      [
        JSON.stringify({ id: 'KSV-0011', file: 'prod-eu-west/a.k8s.yaml', line: 40, title: 'CPU not limited' }),
        JSON.stringify({ id: 'KSV-0125', file: 'prod-eu-west/a.k8s.yaml', line: 41, title: 'Restrict container images to trusted registries' }),
      ].join('\n'),
    );
    assert.deepEqual(trivyProblems(findings, [{ check: 'KSV-0011', reason: 'No CPU limit by design: CFS throttling adds tail latency.' }, { check: 'KSV-0014', reason: 'A waiver that no longer matches anything in the output.' }]), [
      'prod-eu-west/a.k8s.yaml: line 41: KSV-0125: Restrict container images to trusted registries; fix it or waive it fleet-wide with a reason in lint/trivy.yaml',
      'lint/trivy.yaml: waiver of KSV-0014 matches no finding any more; remove it',
    ]);
  });

  it('settles trusted registries by configuration, not by a waiver', () => {
    const waivers = loadWaivers(path.join(__dirname, '..', 'lint', 'trivy.yaml'));
    assert.ok(!waivers.some((w) => w.check === 'KSV-0125'));
    const data = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'lint', 'trivy-data', 'trusted-registries.json'), 'utf8'));
    assert.ok(data.ksv0125.trusted_registries.length > 0);
  });
});
