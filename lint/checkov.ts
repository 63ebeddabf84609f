/**
 * Applies lint/checkov.yaml to checkov's JSON report (`checkov -d charts-out --framework
 * kubernetes -o json`): prints each failed check no waiver covers and each waiver that covers
 * nothing, and exits 1 if there is any.
 *
 *   node --require tsx/cjs lint/checkov.ts <report.json>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Finding, Waiver, loadWaivers, waiverFor } from './kube-score';

/** Failed checks of a checkov report, with file paths relative to charts-out/. */
export function checkovFindings(report: unknown): Finding[] {
  const runs = Array.isArray(report) ? report : [report];
  return runs.flatMap((run: any) =>
    (run?.results?.failed_checks ?? []).map((c: any) => {
      const [kind, , name] = String(c.resource).split('.');
      return { check: c.check_id, file: String(c.file_path).replace(/^\//, ''), object: name ?? c.resource, kind, grade: 0, summary: c.check_name };
    }),
  );
}

export function checkovProblems(findings: readonly Finding[], waivers: readonly Waiver[]): string[] {
  const lines: string[] = [];
  for (const f of findings) if (!waiverFor(f, waivers)) lines.push(`${f.file}: ${f.kind} ${f.object}: ${f.check}: ${f.summary}; fix it, waive it in the service's values, or waive it fleet-wide with a reason in lint/checkov.yaml`);
  for (const w of waivers) {
    if (!w.reason || w.reason.trim().length < 40) lines.push(`lint/checkov.yaml: waiver of ${w.check}: expected a reason of at least 40 characters`);
    if (!findings.some((f) => waiverFor(f, waivers) === w)) lines.push(`lint/checkov.yaml: waiver of ${w.check}${w.files ? ` for ${w.files}` : ''} matches no finding any more; remove it`);
  }
  return lines;
}

if (require.main === module) {
  const [report] = process.argv.slice(2);
  if (!report) throw new Error('usage: lint/checkov.ts <checkov JSON report>');
  const findings = checkovFindings(JSON.parse(fs.readFileSync(report, 'utf8')));
  const waivers = loadWaivers(path.join(__dirname, 'checkov.yaml'));
  const lines = checkovProblems(findings, waivers);
  for (const line of lines) console.error(line);
  console.log(`checkov: ${findings.length} failed checks, ${findings.length - findings.filter((f) => !waiverFor(f, waivers)).length} waived in lint/checkov.yaml, ${lines.length} problem(s)`);
  process.exitCode = lines.length ? 1 : 0;
}
