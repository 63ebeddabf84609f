import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Command, Flag, Flags, Io, OUTPUT_DIR, selectionFlags } from './command';

/**
 * A command: what `--help` shows of it, and how to load it. The command's module
 * (./commands/<name>.ts) is required only when that command runs: the pipeline behind most
 * commands pulls in cdk8s, cdk8s-plus-27, zod and yaml (~360 modules), which `help` and `rules`
 * never need.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly Flag[];
  /** One required positional operand, e.g. `<service>`: the command reads it as `flags.operand`. */
  readonly operands?: string;
  load(): Command;
}

/**
 * bin/runtime.js loads compiled lib/ (dist/lib) with Node's own loader and registers tsx (for the
 * values files) only after this file: under tsx every further .js file is lexed for ESM syntax
 * and source maps are on, which adds ~0.13 s to loading the pipeline's modules. A command's
 * modules therefore load with the .js loader and the source-map setting that were in place when
 * this file loaded (when lib/ runs from source, through tsx, those are tsx's: nothing changes).
 */
const JS_LOADER = require.extensions['.js'];
const SOURCE_MAPS = process.sourceMapsEnabled;

function loadAsAtStart<T>(load: () => T): T {
  const current = require.extensions['.js'];
  const sourceMaps = process.sourceMapsEnabled;
  require.extensions['.js'] = JS_LOADER;
  process.setSourceMapsEnabled(SOURCE_MAPS);
  try {
    return load();
  } finally {
    require.extensions['.js'] = current;
    process.setSourceMapsEnabled(sourceMaps);
  }
}

/* eslint-disable @typescript-eslint/no-require-imports */
/** Every command, in the order `--help` lists them. Add a command by adding its file here. */
export const commands: readonly CommandEntry[] = [
  {
    name: 'synth',
    summary: 'Render, check and write charts-out/<cluster>/<service>.k8s.yaml. Writes nothing if any check fails.',
    flags: [
      ...selectionFlags,
      { name: 'out', type: 'string', value: '<dir>', help: `Output folder. Default: ${OUTPUT_DIR} (or $CDK8S_OUTDIR when cdk8s synth runs it); helm-charts for --format helm.` },
      {
        name: 'format',
        type: 'string',
        value: 'k8s|helm',
        help: 'k8s: charts-out/<cluster>/, with Argo CD Applications in charts-out/<cluster>/argocd/ for clusters with argocd. helm: one Helm chart per service and cluster rendering exactly its charts-out file (into helm-charts/). Default: k8s.',
      },
    ],
    load: () => (require('./commands/synth') as typeof import('./commands/synth')).synth,
  },
  {
    name: 'validate',
    summary: 'Run every check of synth without writing anything, and the TypeScript compiler on the values files and the inventory. Exit 1 when a check fails.',
    flags: [
      ...selectionFlags,
      {
        name: 'json',
        type: 'boolean',
        help: 'Print JSON on stdout instead of lines on stderr: {ok, services, clusters, findings: [{file, path, message, severity, rule, clusters, line}]} (line: the text the default output prints), e.g. for pull-request annotations.',
      },
    ],
    load: () => (require('./commands/validate') as typeof import('./commands/validate')).validate,
  },
  {
    name: 'diff',
    summary: 'Show what a synth would change in charts-out/, without writing: each changed object as a unified old → new YAML diff, with its impact (rejected by Kubernetes, replaced, removed, restarts pods, traffic, metadata only).',
    flags: [
      ...selectionFlags,
      { name: 'out', type: 'string', value: '<dir>', help: `Folder to compare with. Default: ${OUTPUT_DIR}.` },
      { name: 'exit-code', type: 'boolean', help: 'Exit 3 when anything would change (for CI: fails when charts-out/ is stale).' },
      { name: 'json', type: 'boolean', help: 'Print JSON (one array of changes: object, impact, reasons, each field old → new, the YAML diff).' },
    ],
    load: () => (require('./commands/diff') as typeof import('./commands/diff')).diff,
  },
  {
    name: 'routes',
    summary: 'Print the live versions and who gets which, per host and path: pinned users, pinned and held organizations, the rollout by organization bucket, the default; and what processes that cannot be routed run.',
    flags: [
      ...selectionFlags,
      { name: 'org', type: 'string', value: '<id>', help: 'Answer for this organization instead: the version it gets on every route of every cluster, and why.' },
      { name: 'bucket', type: 'string', value: '<0-99>', help: `The organization's bucket (x-care-org-bucket), to ask "what if". Default: the bucket the ingress gateway computes from --org.` },
      { name: 'user', type: 'string', value: '<id>', help: 'Answer for this user (pinned users come before their organization).' },
      { name: 'json', type: 'boolean', help: 'Print JSON (one array of rows) instead of a table.' },
    ],
    load: () => (require('./commands/routes') as typeof import('./commands/routes')).routes,
  },
  {
    name: 'rules',
    summary: 'List the platform rules: id, severity, whether a service may waive it, and what it demands.',
    flags: [{ name: 'json', type: 'boolean', help: 'Print JSON instead of a table.' }],
    load: () => (require('./commands/rules') as typeof import('./commands/rules')).rules,
  },
  {
    name: 'clusters',
    summary: 'List the clusters of apps/clusters.ts in apply order (stage, then prod), for a CI matrix: one job per cluster.',
    flags: [
      { name: 'cluster', type: 'string', value: '<name|glob>', help: 'Only clusters matching this name or glob. Default: every cluster.' },
      { name: 'environment', type: 'string', value: 'stage|prod', help: 'Only clusters of this environment. Default: both.' },
      { name: 'delivery', type: 'string', value: 'apply|argocd', help: 'Only clusters delivered this way: argocd when the cluster has argocd in apps/clusters.ts, else apply. Default: both.' },
      { name: 'json', type: 'boolean', help: 'Print JSON (an array of {name, environment, region, provider, delivery, wave}) instead of one name per line.' },
    ],
    load: () => (require('./commands/clusters') as typeof import('./commands/clusters')).clusters,
  },
  {
    name: 'apply',
    summary:
      'Apply charts-out/<cluster>/ as committed (refused when apps/ now renders something else), wait until every changed Deployment rolled out, then prune what fleetchart applied there earlier and no longer renders. One apply per cluster at a time (a Lease).',
    flags: [
      { name: 'cluster', type: 'string', value: '<name>', help: 'The cluster of apps/clusters.ts to apply (one name, no glob). Required.' },
      { name: 'kubeconfig', type: 'string', value: '<path>', help: `kubeconfig file. Default: kubectl's ($KUBECONFIG or ~/.kube/config).` },
      { name: 'context', type: 'string', value: '<name>', help: `kubeconfig context. Default: its current context.` },
      { name: 'dry-run', type: 'string', value: 'server', help: 'Have the API server admit and validate everything without storing it; prints what would change.' },
      {
        name: 'adopt',
        type: 'boolean',
        help: 'Take over objects that exist but were not applied by fleetchart (e.g. by kubectl apply), forcing field conflicts. Default: refuse.',
      },
      { name: 'timeout', type: 'string', value: '<duration>', help: 'How long to wait for the rollouts, e.g. 90s, 10m. Default: 10m. A Deployment past its progressDeadlineSeconds fails at once.' },
      { name: 'no-wait', type: 'boolean', help: 'Do not wait for rollouts: prune right after applying.' },
      { name: 'allow-stale', type: 'boolean', help: 'Apply the committed output even when apps/ and lib/ now render something else (break glass). Default: refuse.' },
      { name: 'out', type: 'string', value: '<dir>', help: `Folder of the committed output. Default: ${OUTPUT_DIR}.` },
      { name: 'json', type: 'boolean', help: 'Print the report as JSON (objects, rollouts, timings, errors).' },
    ],
    load: () => (require('./commands/apply') as typeof import('./commands/apply')).apply,
  },
  {
    name: 'verdict',
    operands: '<service>',
    summary:
      'Compare the version rolling out with the default version (5xx ratio, p99, requests) in Prometheus and say advance (exit 0), hold (exit 3) or roll back (exit 4), with the figures.',
    flags: [
      { name: 'cluster', type: 'string', value: '<name>', help: 'The cluster of apps/clusters.ts whose Prometheus is asked (one name, no glob). Required.' },
      { name: 'prometheus', type: 'string', value: '<url>', help: "That cluster's Prometheus, e.g. http://127.0.0.1:9090 (kubectl port-forward). Required." },
      { name: 'window', type: 'string', value: '<30m>', help: 'How far back to compare. Default: 30m (slo thresholds come from the values).' },
      { name: 'at', type: 'string', value: '<time>', help: 'End of the window, RFC 3339 or Unix seconds. Default: now.' },
      { name: 'json', type: 'boolean', help: 'Print JSON (decision, reasons, thresholds, figures per version).' },
    ],
    load: () => (require('./commands/verdict') as typeof import('./commands/verdict')).verdict,
  },
  {
    name: 'release-report',
    summary:
      'Render the fleet with lib/ as it is at a git ref and as it is now, and report per cluster and service what the library change does: rejected by Kubernetes, replaced, removed, restarts pods, traffic, metadata only. Exit 4 when anything is rejected or replaced.',
    flags: [
      ...selectionFlags,
      { name: 'base', type: 'string', value: '<git-ref>', help: 'The release to compare with: a tag (v0.1.0), branch or commit. Required.' },
      { name: 'json', type: 'boolean', help: 'Print JSON instead of Markdown.' },
      { name: 'allow-breaking', type: 'boolean', help: 'Exit 0 even when objects are rejected or replaced (a major release that ships a migration).' },
    ],
    load: () => (require('./commands/release-report') as typeof import('./commands/release-report')).releaseReportCommand,
  },
  {
    name: 'explain',
    operands: '<service>',
    summary: "Print a service's values on one cluster after defaults and overrides, each marked with where it comes from: a values.ts line, a cluster override, or a default of lib/values/defaults.ts.",
    flags: [
      { name: 'cluster', type: 'string', value: '<name>', help: 'The cluster (one name of apps/clusters.ts). Required.' },
      { name: 'json', type: 'boolean', help: 'Print JSON (one array of values with their source).' },
    ],
    load: () => (require('./commands/explain') as typeof import('./commands/explain')).explain,
  },
  {
    name: 'new',
    operands: '<service>',
    summary: 'Write a documented, valid apps/<service>/values.ts to start from. Refuses to overwrite an existing one.',
    flags: [
      { name: 'team', type: 'string', value: '<name>', help: "Owning team. Default: 'my-team' (change it)." },
      { name: 'image', type: 'string', value: '<repository>', help: 'Image repository without tag. Default: registry.example.com/<team>/<service>.' },
    ],
    load: () => (require('./commands/new') as typeof import('./commands/new')).newService,
  },
  {
    name: 'schema',
    summary: 'Print the JSON Schema (draft 2020-12) of values files, or of the cluster inventory, for editors and tools.',
    flags: [{ name: 'of', type: 'string', value: 'values|clusters', help: "Which contract. Default: 'values'." }],
    load: () => (require('./commands/schema') as typeof import('./commands/schema')).schema,
  },
];
/* eslint-enable @typescript-eslint/no-require-imports */

export function helpText(): string {
  const lines = ['Usage: fleetchart <command> [flags]', '', 'Commands:'];
  for (const command of commands) lines.push(...commandLines(command));
  lines.push(`  ${'help'.padEnd(10)} Show this help (also --help, -h, and <command> --help).`);
  lines.push('', 'Exit codes: 0 success, 1 a check failed (one line per problem on stderr), 2 wrong usage, 3 diff --exit-code found changes, 4 release-report found rejected or replaced objects.');
  return lines.join('\n');
}

/** Runs one command; returns the exit code. Never throws for bad input. */
export async function main(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  const asked = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
  if (asked) {
    io.out(commandHelpText(asked));
    return 0;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(helpText());
    return name === undefined ? 2 : 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.err(`fleetchart: unknown command '${name}'; commands: ${commands.map((c) => c.name).join(', ')}, help`);
    return 2;
  }
  let flags: Flags;
  try {
    const options = Object.fromEntries([...entry.flags.map((f) => [f.name, { type: f.type }]), ['help', { type: 'boolean', short: 'h' }]]);
    const parsed = parseArgs({ args: [...rest], options, strict: true, allowPositionals: entry.operands !== undefined });
    flags = parsed.values as Flags;
    if (entry.operands !== undefined && !flags.help) {
      if (parsed.positionals.length !== 1) throw new Error(`expected one operand ${entry.operands}, got ${parsed.positionals.length}`);
      flags.operand = parsed.positionals[0];
    }
  } catch (error) {
    io.err(`fleetchart ${name}: ${(error as Error).message}; see 'fleetchart ${name} --help'`);
    return 2;
  }
  if (flags.help) {
    io.out(commandHelpText(entry));
    return 0;
  }
  return loadAsAtStart(() => entry.load()).run(flags, io);
}

function commandLines(command: CommandEntry): string[] {
  const lines = [`  ${`${command.name}${command.operands ? ` ${command.operands}` : ''}`.padEnd(10)} ${command.summary}`];
  for (const flag of command.flags) {
    const usage = `--${flag.name}${flag.value ? ` ${flag.value}` : ''}`;
    lines.push(`      ${usage.padEnd(26)} ${flag.help}`);
  }
  return lines;
}

/** `fleetchart <command> --help`: that command alone, from its one declaration above. */
export function commandHelpText(command: CommandEntry): string {
  const operands = command.operands ? ` ${command.operands}` : '';
  return [`Usage: fleetchart ${command.name}${operands} [flags]`, '', ...commandLines(command), `      ${'--help, -h'.padEnd(26)} Show this help.`].join('\n');
}

/**
 * The fleet repository that contains `dir`: the nearest folder upwards with apps/clusters.ts, so
 * commands work from any sub-folder. `dir` itself when none has one (the command then reports the
 * missing inventory there).
 */
export function findRoot(dir: string): string {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, 'apps', 'clusters.ts'))) return at;
    if (path.dirname(at) === at) return path.resolve(dir);
  }
}

function defaultIo(): Io {
  // `fleetchart diff | head`: a reader that stops early is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return { root: findRoot(process.cwd()), out: (line) => console.log(line), err: (line) => console.error(line) };
}
