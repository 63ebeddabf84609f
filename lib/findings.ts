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
  /** The cluster a stage found it on (resolve and validate work per cluster). */
  readonly cluster?: string;
  /** After `aggregateFindings`: every cluster the same problem was found on, sorted. */
  readonly clusters?: readonly string[];
}

export function formatFinding(finding: Finding): string {
  const where = finding.path ? `${finding.file}: ${finding.path}` : finding.file;
  const rule = finding.rule ? ` [${finding.rule}]` : '';
  const clusters = finding.clusters ?? (finding.cluster ? [finding.cluster] : []);
  const cluster = clusters.length ? ` (cluster${clusters.length > 1 ? 's' : ''} ${clusters.join(', ')})` : '';
  const level = finding.severity === 'warning' ? 'warning: ' : '';
  return `${where}: ${level}${finding.message}${rule}${cluster}`;
}

/** Stands for the cluster's name in a message that is the same on several clusters. */
export const CLUSTER_PLACEHOLDER = '<cluster>';

/**
 * One finding per problem: the same problem found on several clusters (or for several processes
 * that share a service-level value) becomes one finding listing the clusters. Messages that
 * differ only by naming their own cluster are the same problem; the merged message says
 * `<cluster>` there. Sorted by `sortFindings`. Accepts its own output (workers merge results).
 */
export function aggregateFindings(findings: readonly Finding[]): Finding[] {
  const groups = new Map<string, { first: Finding; message: string; clusters: Set<string> }>();
  for (const finding of findings) {
    const own = finding.clusters ?? (finding.cluster ? [finding.cluster] : []);
    const message = own.length === 1 ? finding.message.replace(clusterNamePattern(own[0]), CLUSTER_PLACEHOLDER) : finding.message;
    const key = [finding.file, finding.path, finding.severity, finding.rule ?? '', own.length > 0, message].join('\u0000');
    const group = groups.get(key);
    if (group) own.forEach((c) => group.clusters.add(c));
    else groups.set(key, { first: finding, message, clusters: new Set(own) });
  }
  const out: Finding[] = [];
  for (const { first, message, clusters } of groups.values()) {
    const { cluster: _single, clusters: _several, ...rest } = first;
    if (clusters.size === 0) out.push(rest);
    else if (clusters.size === 1) out.push({ ...rest, message: first.message.replace(CLUSTER_PLACEHOLDER_PATTERN, [...clusters][0]), clusters: [...clusters] });
    else out.push({ ...rest, message, clusters: [...clusters].sort() });
  }
  return sortFindings(out);
}

const CLUSTER_PLACEHOLDER_PATTERN = new RegExp(CLUSTER_PLACEHOLDER, 'g');

function clusterNamePattern(name: string): RegExp {
  return new RegExp(`(?<![-a-z0-9])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![-a-z0-9])`, 'g');
}

/** Stable order: by file, then path, then message, then clusters, so reports diff cleanly. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding) => `${f.file}\u0000${f.path}\u0000${f.message}\u0000${(f.clusters ?? (f.cluster ? [f.cluster] : [])).join(',')}`;
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
