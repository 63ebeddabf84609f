import type { Finding } from '../findings';
import { formatFinding } from '../findings';

/**
 * What a command module (lib/cli/commands/<name>.ts) exports. Its name, summary and flags are
 * declared once, in lib/cli/main.ts, so `--help` loads no command module.
 */
export interface Command {
  run(flags: Flags, io: Io): number | Promise<number>;
}

export interface Flag {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** Placeholder shown in help, e.g. `<name|glob>`. */
  readonly value?: string;
  readonly help: string;
}

export type Flags = Record<string, string | boolean | undefined>;

export interface Io {
  /** The fleet repository: where apps/ and charts-out/ are. */
  readonly root: string;
  out(line: string): void;
  err(line: string): void;
}

export const OUTPUT_DIR = 'charts-out';

export const selectionFlags: Flag[] = [
  { name: 'cluster', type: 'string', value: '<name|glob>', help: `Only clusters matching this name or glob, e.g. 'prod-*'. Default: every cluster in apps/clusters.ts.` },
  { name: 'app', type: 'string', value: '<name>', help: 'Only this service (its folder name under apps/). Default: every service.' },
];

export function selection(flags: Flags): { cluster?: string; app?: string } {
  return { cluster: flags.cluster as string | undefined, app: flags.app as string | undefined };
}

/** Prints findings to stderr, one line each; true when any is an error. */
export function reportFindings(findings: readonly Finding[], io: Io, consequence = 'nothing was written'): boolean {
  for (const finding of findings) io.err(formatFinding(finding));
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (errors > 0) io.err(`${errors} problem${errors === 1 ? '' : 's'} found; ${consequence}.`);
  return errors > 0;
}

/**
 * A progress line on stderr, only when stderr is a terminal (a pipeline or CI log reads stdout and
 * gets no noise); for steps that take more than a second.
 */
export function progress(io: Io, line: string): void {
  if (process.stderr.isTTY) io.err(`… ${line}`);
}
