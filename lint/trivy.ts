/**
 * Applies lint/trivy.yaml to trivy-k8s's report (one JSON object per line: scripts/trivy-k8s):
 * prints each failed check no waiver covers and each waiver that covers nothing, exits 1 if any.
 *
 *   node --require tsx/cjs lint/trivy.ts <report.jsonl>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Finding, Waiver, loadWaivers, waiverFor } from './kube-score';

export function trivyFindings(report: string): Finding[] {
  return report
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const r = JSON.parse(line);
      return { check: r.id, file: String(r.file).replace(/^\//, ''), object: `line ${r.line}`, kind: '', grade: 0, summary: r.title };
    });
}

export function trivyProblems(findings: readonly Finding[], waivers: readonly Waiver[]): string[] {
  const lines: string[] = [];
  for (const f of findings) if (!waiverFor(f, waivers)) lines.push(`${f.file}: ${f.object}: ${f.check}: ${f.summary}; fix it or waive it fleet-wide with a reason in lint/trivy.yaml`);
  for (const w of waivers) {
    if (!w.reason || w.reason.trim().length < 40) lines.push(`lint/trivy.yaml: waiver of ${w.check}: expected a reason of at least 40 characters`);
    if (!findings.some((f) => waiverFor(f, waivers) === w)) lines.push(`lint/trivy.yaml: waiver of ${w.check}${w.files ? ` for ${w.files}` : ''} matches no finding any more; remove it`);
  }
  return lines;
}

if (require.main === module) {
  const [report] = process.argv.slice(2);
  if (!report) throw new Error('usage: lint/trivy.ts <trivy-k8s report>');
  const findings = trivyFindings(fs.readFileSync(report, 'utf8'));
  const waivers = loadWaivers(path.join(__dirname, 'trivy.yaml'));
  const lines = trivyProblems(findings, waivers);
  for (const line of lines) console.error(line);
  console.log(`trivy: ${findings.length} failed checks, ${findings.length - findings.filter((f) => !waiverFor(f, waivers)).length} waived in lint/trivy.yaml, ${lines.length} problem(s)`);
  process.exitCode = lines.length ? 1 : 0;
}
