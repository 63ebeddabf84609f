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
  for (const note of report.pending) out.push(`${verb('pending')}${note}`);
  for (const rollout of report.rollouts.filter((r) => r.state === 'done')) out.push(`${verb('rolled out')}${displayName(rollout.ref)} (${seconds(rollout.ms)})`);
  // Said once: kubectl repeats one connection error for every object it could not reach.
  for (const warning of new Set(report.warnings)) err.push(`warning: ${warning}`);
  for (const error of new Set(report.errors)) err.push(`error: ${error}`);
  const counts = `${report.created.length} created, ${report.configured.length} configured, ${report.unchanged.length} unchanged, ${report.pruned.length} pruned${report.kept.length ? `, ${report.kept.length} kept` : ''}`;
  if (report.errors.length) {
    err.push(`${report.cluster}: apply failed${report.dryRun ? ' (server dry run)' : ''}; ${counts} before it stopped; nothing was pruned.`);
  } else {
    out.push(`${report.cluster}: ${counts}${report.dryRun ? ' (server dry run: nothing was changed)' : ''}`);
  }
  return { out, err };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The report for `apply --json`: one object, object references as display names. */
export function reportJson(report: ApplyReport): unknown {
  const names = (refs: readonly ObjectRef[]) => refs.map(displayName);
  return {
    cluster: report.cluster,
    dryRun: report.dryRun,
    ok: report.errors.length === 0,
    created: names(report.created),
    configured: names(report.configured),
    unchanged: names(report.unchanged),
    pruned: names(report.pruned),
    kept: report.kept.map((k) => ({ object: displayName(k.ref), reason: k.reason })),
    rollouts: report.rollouts.map((r) => ({ object: displayName(r.ref), state: r.state, reason: r.reason || undefined, seconds: Math.round(r.ms / 100) / 10 })),
    timings: Object.fromEntries(Object.entries(report.timings).map(([phase, ms]) => [phase, Math.round(ms / 100) / 10])),
    pending: report.pending,
    warnings: [...new Set(report.warnings)],
    errors: [...new Set(report.errors)],
  };
}
