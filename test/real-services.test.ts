import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkovFindings } from '../lint/checkov';
import { Finding, findingsOf, loadWaivers, waiverFor } from '../lint/kube-score';
import { LINTER_CHECKS } from '../lib/constructs/metadata';
import { REPO, makeFleet, removeFleet, spawnCli } from './support/fleet';
import { checkovReport, kubeScoreReport } from './support/linters';

/**
 * A real public application translated into values: Google's Online Boutique
 * (github.com/GoogleCloudPlatform/microservices-demo, release/kubernetes-manifests.yaml): eleven
 * gRPC and HTTP services, a Redis cart behind a TCP port, and a load generator without ports,
 * with their ports, probes, resources and calls as upstream declares them and v0.10.3 pinned by a
 * stand-in digest, as prod requires (test/fixtures/online-boutique/apps/). What `validate` says about it must be what kube-score and
 * checkov (built by scripts/install-tools.sh) report beyond the fleet-wide decisions of
 * lint/*.yaml, and a waiver in the values must silence both.
 */

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'online-boutique', 'apps');

function boutique(): string {
  const files: Record<string, string> = {};
  for (const service of fs.readdirSync(FIXTURE)) files[`apps/${service}/values.ts`] = fs.readFileSync(path.join(FIXTURE, service, 'values.ts'), 'utf8');
  return makeFleet(files);
}

/** kube-score and checkov findings over charts-out/ that lint/kube-score.yaml and lint/checkov.yaml do not waive. */
function linterFindings(root: string): Finding[] {
  const out = path.join(root, 'charts-out');
  const kubeScore = fs.readdirSync(out).flatMap((cluster) => {
    const files = fs.readdirSync(path.join(out, cluster)).filter((f) => f.endsWith('.k8s.yaml')).map((f) => path.join(out, cluster, f));
    return findingsOf(kubeScoreReport(files));
  });
  const checkov = checkovReport(out, ['--quiet', '--compact']);
  const kubeScoreWaivers = loadWaivers(path.join(REPO, 'lint', 'kube-score.yaml'));
  const checkovWaivers = loadWaivers(path.join(REPO, 'lint', 'checkov.yaml'));
  return [
    ...kubeScore.filter((f) => !waiverFor(f, kubeScoreWaivers)),
    ...checkovFindings(checkov).filter((f) => !waiverFor(f, checkovWaivers)),
  ];
}

/** `service check` pairs: linter findings by the service whose file they are in. */
const byService = (findings: readonly Finding[]) => [...new Set(findings.map((f) => `${path.basename(f.file, '.k8s.yaml')} ${f.check}`))].sort();

describe('a real public application translated into values (Online Boutique)', () => {
  const roots: string[] = [];
  after(() => roots.forEach(removeFleet));
  before(() => execFileSync('bash', [path.join(REPO, 'scripts', 'install-tools.sh'), 'kube-score', 'checkov'], { stdio: 'ignore' }));

  it('validates, and its warnings are exactly what kube-score and checkov report beyond the fleet-wide waivers', () => {
    const root = boutique();
    roots.push(root);
    const validate = spawnCli(root, ['validate', '--json']);
    assert.equal(validate.code, 0, validate.err.join('\n'));
    const report = JSON.parse(validate.out.join('\n')) as { ok: boolean; findings: { file: string; rule: string; severity: string }[] };
    assert.equal(report.ok, true);
    assert.ok(report.findings.every((f) => f.severity === 'warning'), JSON.stringify(report.findings));
    // What upstream declares: the frontend probes /_healthz for both, the load generator has no probe.
    assert.deepEqual(report.findings.map((f) => `${f.file} ${f.rule}`).sort(), ['apps/frontend/values.ts FC-PROBE-002', 'apps/loadgenerator/values.ts FC-PROBE-003']);

    assert.equal(spawnCli(root, ['synth']).code, 0);
    const expected = report.findings.flatMap((f) => {
      const service = path.basename(path.dirname(f.file));
      const checks = LINTER_CHECKS[f.rule]!;
      return [...(checks.kubeScore ?? []), ...(checks.checkov ?? [])].map((check) => `${service} ${check}`);
    });
    assert.deepEqual(byService(linterFindings(root)), [...new Set(expected)].sort());
  });

  it('with those warnings waived in the values, validate and both linters are clean', () => {
    const root = boutique();
    roots.push(root);
    const waive = (service: string, rule: string, reason: string) => {
      const file = path.join(root, 'apps', service, 'values.ts');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n\}\);\n$/, `\n  waivers: { '${rule}': '${reason}' },\n});\n`));
    };
    waive('frontend', 'FC-PROBE-002', '/_healthz answers from the process alone, never from its backends');
    waive('loadgenerator', 'FC-PROBE-003', 'synthetic load only; a hung generator harms nobody');
    const validate = spawnCli(root, ['validate', '--json']);
    assert.equal(validate.code, 0, validate.err.join('\n'));
    assert.deepEqual(JSON.parse(validate.out.join('\n')).findings, []);
    assert.equal(spawnCli(root, ['synth']).code, 0);
    assert.deepEqual(byService(linterFindings(root)), []);
  });
});
