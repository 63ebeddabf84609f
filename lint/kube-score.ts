/**
 * Applies lint/kube-score.yaml to kube-score's JSON report: prints each finding no waiver covers
 * and each waiver that covers nothing, and exits 1 if there is any.
 *
 *   node --require tsx/cjs lint/kube-score.ts <report.json>...   (one kube-score report per cluster)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

export interface Waiver {
  readonly check: string;
  /** Glob over the path below charts-out/ (`stage-*\/*`); every file when absent. */
  readonly files?: string;
  /** Object names; every object when absent. */
  readonly objects?: readonly string[];
  readonly reason: string;
}

export interface Finding {
  readonly check: string;
  readonly file: string;
  readonly object: string;
  readonly kind: string;
  readonly grade: number;
  readonly summary: string;
}

/** kube-score grades: 1 critical, 5 warning, 7 almost OK, 10 OK. */
const OK = 10;

/** The checks below OK in a kube-score JSON report, with file paths relative to charts-out/. */
export function findingsOf(report: unknown): Finding[] {
  const out: Finding[] = [];
  for (const object of report as any[]) {
    const file = String(object.file_name ?? '').replace(/^.*charts-out\//, '');
    for (const check of object.checks ?? []) {
      if (check.skipped || check.grade >= OK) continue;
      out.push({
        check: check.check.id,
        file,
        object: object.object_meta?.name ?? object.object_name,
        kind: object.type_meta?.kind ?? '',
        grade: check.grade,
        summary: (check.comments ?? []).map((c: { summary: string }) => c.summary).join('; '),
      });
    }
  }
  return out;
}

function globMatches(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(value);
}

export function waiverFor(finding: Finding, waivers: readonly Waiver[]): Waiver | undefined {
  return waivers.find((w) => w.check === finding.check && (!w.files || globMatches(w.files, finding.file)) && (!w.objects || w.objects.includes(finding.object)));
}

/** Lines to print: unwaived findings, waivers without a reason, waivers that match nothing. */
export function problems(findings: readonly Finding[], waivers: readonly Waiver[]): string[] {
  const lines: string[] = [];
  for (const f of findings) {
    if (!waiverFor(f, waivers)) lines.push(`${f.file}: ${f.kind} ${f.object}: ${f.check} (grade ${f.grade}): ${f.summary}; fix it or waive it with a reason in lint/kube-score.yaml`);
  }
  for (const w of waivers) {
    if (!w.reason || w.reason.trim().length < 40) lines.push(`lint/kube-score.yaml: waiver of ${w.check}: expected a reason of at least 40 characters`);
    if (!findings.some((f) => waiverFor(f, waivers) === w)) lines.push(`lint/kube-score.yaml: waiver of ${w.check}${w.files ? ` for ${w.files}` : ''} matches no finding any more; remove it`);
  }
  return lines;
}

export function loadWaivers(file = path.join(__dirname, 'kube-score.yaml')): Waiver[] {
  return (parse(fs.readFileSync(file, 'utf8')) as { waivers: Waiver[] }).waivers;
}

if (require.main === module) {
  const reports = process.argv.slice(2);
  if (reports.length === 0) throw new Error('usage: lint/kube-score.ts <kube-score JSON report>...');
  const findings = reports.flatMap((file) => findingsOf(JSON.parse(fs.readFileSync(file, 'utf8'))));
  const lines = problems(findings, loadWaivers());
  for (const line of lines) console.error(line);
  const waived = findings.length - findings.filter((f) => !waiverFor(f, loadWaivers())).length;
  console.log(`kube-score: ${findings.length} findings, ${waived} waived in lint/kube-score.yaml, ${lines.length} problem(s)`);
  process.exitCode = lines.length ? 1 : 0;
}
