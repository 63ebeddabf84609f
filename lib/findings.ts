import type { RuleId } from './validate/catalog';

/** One problem, reported as one line. Every stage reports problems this way. */
export interface Finding {
  /** The file to edit, relative to the repository root. */
  readonly file: string;
  /** Path inside the values, e.g. `processes.web.replicas`; empty for the whole file. */
  readonly path: string;
  /** What was expected, what was found and how to fix it. */
  readonly message: string;
  readonly severity: 'error' | 'warning';
  readonly rule?: RuleId;
  readonly cluster?: string;
}

export function formatFinding(finding: Finding): string {
  const where = finding.path ? `${finding.file}: ${finding.path}` : finding.file;
  const rule = finding.rule ? ` [${finding.rule}]` : '';
  const cluster = finding.cluster ? ` (cluster ${finding.cluster})` : '';
  const level = finding.severity === 'warning' ? 'warning: ' : '';
  return `${where}: ${level}${finding.message}${rule}${cluster}`;
}

/** Stable order: by file, then path, then message, so reports diff cleanly. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding) => `${f.file}\u0000${f.cluster ?? ''}\u0000${f.path}\u0000${f.message}`;
  return [...findings].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** Values path segments → `processes.web.ports[0].name`, `clusters['prod-*']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(segment))) out += out ? `.${String(segment)}` : String(segment);
    else out += `['${String(segment)}']`;
  }
  return out;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** The closest candidate within a small distance, or undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
