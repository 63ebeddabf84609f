import { IMPACTS, Impact, ObjectChange } from './impact';

/** Changes per impact class, in IMPACTS order. */
export function byImpact(changes: readonly ObjectChange[]): Map<Impact, ObjectChange[]> {
  const out = new Map<Impact, ObjectChange[]>();
  for (const { impact } of IMPACTS) {
    const matching = changes.filter((c) => c.impact === impact);
    if (matching.length) out.set(impact, matching);
  }
  return out;
}

/** `fleetchart diff`'s text: each object's unified YAML diff under a header naming its impact, then counts per impact. */
export function formatChanges(changes: readonly ObjectChange[]): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    const replaces = c.replaces ? ` (replaces ${c.replaces})` : '';
    lines.push(`${c.change.padEnd(8)} ${c.file}  ${c.object}${replaces}  [${title(c.impact)}${c.pods !== undefined ? `: ${c.pods} pods` : ''}]`);
    for (const reason of c.reasons) lines.push(`  ! ${reason}`);
    for (const line of c.diff.split('\n')) lines.push(`  ${line}`);
  }
  const files = new Set(changes.map((c) => c.file)).size;
  if (!changes.length) lines.push('no changes');
  else {
    const counts = [...byImpact(changes)].map(([impact, list]) => `${list.length} ${title(impact).toLowerCase()}`);
    lines.push(`${changes.length} object changes in ${files} files: ${counts.join(', ')}`);
  }
  return lines;
}

export const title = (impact: Impact) => IMPACTS.find((i) => i.impact === impact)!.title;

export interface ReleaseReport {
  readonly base: { readonly ref: string; readonly commit: string; readonly version: string };
  readonly head: { readonly version: string };
  /** True when anything is rejected or replaced: the release needs a migration or a major version. */
  readonly breaking: boolean;
  readonly counts: Partial<Record<Impact, number>>;
  /** Pods restarted per cluster. */
  readonly restartedPods: Record<string, number>;
  readonly changes: readonly ObjectChange[];
}

export function releaseReport(base: ReleaseReport['base'], headVersion: string, changes: readonly ObjectChange[]): ReleaseReport {
  const groups = byImpact(changes);
  const restartedPods: Record<string, number> = {};
  for (const c of groups.get('restarts') ?? []) restartedPods[c.cluster] = (restartedPods[c.cluster] ?? 0) + (c.pods ?? 0);
  return {
    base,
    head: { version: headVersion },
    breaking: groups.has('rejected') || groups.has('replaced'),
    counts: Object.fromEntries([...groups].map(([impact, list]) => [impact, list.length])),
    restartedPods,
    changes,
  };
}

/** The report as Markdown for the release pull request: per impact, per cluster, per service. */
export function releaseMarkdown(report: ReleaseReport): string {
  const out: string[] = [];
  out.push(`## fleetchart release report: ${report.base.version} (${report.base.ref}, ${report.base.commit.slice(0, 7)}) → ${report.head.version}`, '');
  if (report.changes.length === 0) {
    out.push('No rendered object changes on any cluster.');
    return out.join('\n');
  }
  out.push(report.breaking ? '**Breaking: objects are rejected or replaced — see below before merging.**' : 'Nothing is rejected or replaced.', '');
  out.push('| Impact | Objects | Clusters | Services |', '| --- | --- | --- | --- |');
  const groups = byImpact(report.changes);
  for (const [impact, list] of groups) {
    out.push(`| ${title(impact)} | ${list.length} | ${new Set(list.map((c) => c.cluster)).size} | ${new Set(list.map((c) => c.app)).size} |`);
  }
  for (const [impact, list] of groups) {
    out.push('', `### ${title(impact)}`, '', `_${IMPACTS.find((i) => i.impact === impact)!.meaning}._`);
    for (const cluster of [...new Set(list.map((c) => c.cluster))]) {
      const inCluster = list.filter((c) => c.cluster === cluster);
      const pods = impact === 'restarts' ? ` — ${report.restartedPods[cluster]} pods` : '';
      out.push('', `**${cluster}**${pods}`, '');
      for (const app of [...new Set(inCluster.map((c) => c.app))]) {
        const ofApp = inCluster.filter((c) => c.app === app);
        if (impact === 'metadata') {
          const fields = [...new Set(ofApp.flatMap((c) => c.fields))].map((f) => `\`${f}\``).join(', ');
          out.push(`- ${app}: ${ofApp.length} objects (${fields})`);
          continue;
        }
        for (const c of ofApp) {
          const detail = c.replaces ? `replaces ${c.replaces}` : c.pods !== undefined ? `${c.pods} pods; ${fieldList(c.fields)}` : fieldList(c.fields);
          out.push(`- ${app}: ${c.object}${detail ? ` — ${detail}` : ''}`);
          for (const reason of c.reasons) out.push(`  - ${reason}`);
        }
      }
    }
  }
  return out.join('\n');
}

function fieldList(fields: readonly string[]): string {
  const shown = fields.slice(0, 6).map((f) => `\`${f}\``).join(', ');
  return fields.length > 6 ? `${shown} and ${fields.length - 6} more` : shown;
}
