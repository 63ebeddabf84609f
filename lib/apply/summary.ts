import type { ApplyReport } from './apply';
import { ObjectRef, displayName } from './objects';

/**
 * The report as lines: one per object and what happened to it, in apply order, then one line of
 * counts. `kubectl apply --server-side` prints `serverside-applied` for everything; these words
 * come from comparing each object before and after.
 */
export function formatReport(report: ApplyReport): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const verb = (word: string) => word.padEnd(11);
  const unchecked = new Set(report.unchecked.map(displayName));
  const line = (word: string, refs: readonly ObjectRef[]) => {
    for (const ref of refs) out.push(`${verb(word)}${displayName(ref)}${unchecked.has(displayName(ref)) ? '  (its Namespace is new: the server checks it on the real apply)' : ''}`);
  };
  line('created', report.created);
  line('configured', report.configured);
  line('unchanged', report.unchanged);
  line('pruned', report.pruned);
  for (const kept of report.kept) out.push(`${verb('kept')}${displayName(kept.ref)}: ${kept.reason}`);
  for (const warning of report.warnings) err.push(`warning: ${warning}`);
  for (const error of report.errors) err.push(`error: ${error}`);
  const counts = `${report.created.length} created, ${report.configured.length} configured, ${report.unchanged.length} unchanged, ${report.pruned.length} pruned${report.kept.length ? `, ${report.kept.length} kept` : ''}`;
  if (report.errors.length) {
    err.push(`${report.cluster}: apply failed${report.dryRun ? ' (server dry run)' : ''}; ${counts} before it stopped; nothing was pruned.`);
  } else {
    out.push(`${report.cluster}: ${counts}${report.dryRun ? ' (server dry run: nothing was changed)' : ''}`);
  }
  return { out, err };
}
