import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { formatFinding, hasErrors } from '../findings';
import { renderFleet } from '../pipeline';
import { writeOutputs } from '../write';

export const OUTPUT_DIR = 'charts-out';

interface Flag {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly value?: string;
  readonly help: string;
}

interface Command {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly Flag[];
  run(values: Record<string, string | boolean | undefined>, io: Io): number;
}

export interface Io {
  readonly root: string;
  out(line: string): void;
  err(line: string): void;
}

const selectionFlags: Flag[] = [
  { name: 'cluster', type: 'string', value: '<name|glob>', help: `Only clusters matching this name or glob, e.g. 'prod-*'. Default: every cluster in apps/clusters.ts.` },
  { name: 'app', type: 'string', value: '<name>', help: 'Only this service (its folder name under apps/). Default: every service.' },
];

const commands: Command[] = [
  {
    name: 'synth',
    summary: 'Render, check and write charts-out/<cluster>/<service>.k8s.yaml. Writes nothing if any check fails.',
    flags: [...selectionFlags, { name: 'out', type: 'string', value: '<dir>', help: `Output folder. Default: ${OUTPUT_DIR}.` }],
    run(flags, io) {
      const result = renderFleet(io.root, { cluster: flags.cluster as string | undefined, app: flags.app as string | undefined });
      if (report(result.findings, io)) return 1;
      const outDir = path.resolve(io.root, (flags.out as string | undefined) ?? process.env.CDK8S_OUTDIR ?? OUTPUT_DIR);
      const full = flags.cluster === undefined && flags.app === undefined;
      const summary = writeOutputs(outDir, result.files, {
        clusters: result.clusters.map((c) => c.name),
        apps: flags.app === undefined ? undefined : result.apps,
        inventory: full ? result.inventory.map((c) => c.name) : undefined,
      });
      const objects = result.files.reduce((n, f) => n + f.documents.length, 0);
      for (const file of summary.written) io.out(`wrote   ${path.relative(io.root, path.join(outDir, file))}`);
      for (const file of summary.removed) io.out(`removed ${path.relative(io.root, path.join(outDir, file))}`);
      io.out(`${result.apps.length} services × ${result.clusters.length} clusters: ${objects} objects in ${result.files.length} files (${summary.written.length} written, ${summary.unchanged} unchanged, ${summary.removed.length} removed)`);
      return 0;
    },
  },
  {
    name: 'validate',
    summary: 'Run every check of synth without writing anything. Exit 1 when a check fails.',
    flags: selectionFlags,
    run(flags, io) {
      const result = renderFleet(io.root, { cluster: flags.cluster as string | undefined, app: flags.app as string | undefined });
      if (report(result.findings, io)) return 1;
      io.out(`ok: ${result.apps.length} services × ${result.clusters.length} clusters, ${result.files.length} manifests checked`);
      return 0;
    },
  },
];

/** Prints findings to stderr; true when any is an error. */
function report(findings: readonly ReturnType<typeof renderFleet>['findings'][number][], io: Io): boolean {
  for (const finding of findings) io.err(formatFinding(finding));
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (hasErrors(findings)) {
    io.err(`${errors} problem${errors === 1 ? '' : 's'} found; nothing was written.`);
    return true;
  }
  return false;
}

export function helpText(): string {
  const lines = ['Usage: fleetchart <command> [flags]', '', 'Commands:'];
  for (const command of commands) {
    lines.push(`  ${command.name.padEnd(10)} ${command.summary}`);
    for (const flag of command.flags) {
      const usage = `--${flag.name}${flag.value ? ` ${flag.value}` : ''}`;
      lines.push(`      ${usage.padEnd(24)} ${flag.help}`);
    }
  }
  lines.push(`  ${'help'.padEnd(10)} Show this help. Also: fleetchart --help, fleetchart <command> --help.`);
  lines.push('', 'Exit codes: 0 success, 1 a check failed (one line per problem on stderr), 2 wrong usage.');
  return lines.join('\n');
}

export function main(argv: readonly string[], io: Io = defaultIo()): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(helpText());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`fleetchart: unknown command '${name}'; commands: ${commands.map((c) => c.name).join(', ')}, help`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries([...command.flags.map((f) => [f.name, { type: f.type }]), ['help', { type: 'boolean', short: 'h' }]]);
    values = parseArgs({ args: [...rest], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    io.err(`fleetchart ${name}: ${(error as Error).message}; see 'fleetchart ${name} --help'`);
    return 2;
  }
  if (values.help) {
    io.out(helpText());
    return 0;
  }
  return command.run(values, io);
}

function defaultIo(): Io {
  return { root: process.cwd(), out: (line) => console.log(line), err: (line) => console.error(line) };
}
