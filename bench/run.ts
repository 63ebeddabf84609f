/**
 * `npm run bench [-- --sizes 10,100,1000 --runs 3 --json]`
 *
 * Generates a synthetic fleet per size (bench/fleet.ts) in a temporary folder laid out like this
 * repository, and measures in the same run, on the same services:
 * - fleetchart_s        `node bin/fleetchart.js synth` in that folder: parse, resolve, render,
 *                       validate, atomic write, process start included (output removed before
 *                       each run, so every run writes everything),
 * - peak_rss_mb         peak resident memory of that process (largest over the runs),
 * - single_app_s        `fleetchart synth --app <one service>`, all clusters,
 * - helm_single_s       one `helm template` of the reference chart (bench/helm/fleet) rendering
 *                       every service × cluster from one values file,
 * - helm_per_release_s  one `helm template` per service × cluster, as most CI pipelines run it:
 *                       measured on a sample of releases and extrapolated to all of them,
 * - cdk8s_bare_s        bench/cdk8s-bare.ts: cdk8s + cdk8s-plus-27, same objects, no validation.
 * Times are wall seconds, medians of --runs runs. The three renderers' objects are compared
 * (parsed, as multisets) for sizes up to --check-max, so the comparison stays like for like.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PLATFORM_FILE } from '../lib/pipeline';
import { ARGOCD_FOLDER } from '../lib/gitops/argocd';
import { LIBRARY_VERSION } from '../lib/version';
import { ReferenceCluster, referenceService, syntheticFleet, writeFleetRepo } from './fleet';

const REPO = path.resolve(__dirname, '..');
const CHART = path.join(REPO, 'bench', 'helm', 'fleet');
const TIME = '/usr/bin/time';

interface Options {
  sizes: number[];
  runs: number;
  json: boolean;
  sample: number;
  checkMax: number;
  keep: boolean;
  profile: boolean;
}

export interface SizeResult {
  services: number;
  clusters: number;
  objects: number;
  fleetchart_s: number;
  helm_per_release_s: number;
  helm_single_s: number;
  cdk8s_bare_s: number;
  peak_rss_mb: number | null;
  single_app_s: number;
}

const USAGE = `usage: npm run bench -- [--sizes 10,100,1000] [--runs 3] [--json] [--sample 30] [--check-max 100] [--keep] [--profile]
  --sizes      fleet sizes (services) to measure
  --runs       runs per measurement; the median is reported (at least 1; 3 or more for figures you quote)
  --json       one JSON object per size on stdout (progress goes to stderr)
  --sample     helm releases (service × cluster) timed one by one; helm_per_release_s extrapolates
  --check-max  compare the objects of fleetchart, helm and bare cdk8s for sizes up to this
  --keep       keep the generated fleets (path printed at the end)
  --profile    also run fleetchart synth once per size under --cpu-prof and print where the time goes`;

function parseOptions(argv: string[]): Options {
  const options: Options = { sizes: [10, 100, 1000], runs: 3, json: false, sample: 30, checkMax: 100, keep: false, profile: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    const positive = (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) fail(`${arg}: expected a positive integer, got '${v}'`);
      return n;
    };
    if (arg === '--sizes') options.sizes = value().split(',').map(positive);
    else if (arg === '--runs') options.runs = positive(value());
    else if (arg === '--sample') options.sample = positive(value());
    else if (arg === '--check-max') options.checkMax = positive(value());
    else if (arg === '--json') options.json = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument '${arg}'\n${USAGE}`);
  }
  return options;
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

interface Timed {
  seconds: number;
  rssKb: number | null;
  stdout: string;
}

/**
 * Runs a command to completion and returns its wall time. With `stdoutFile` the output goes
 * straight to that file (as a shell redirect would); otherwise it is captured.
 */
function timed(command: string, args: string[], options: { cwd: string; stdoutFile?: string; rss?: boolean; env?: Record<string, string> }): Timed {
  const rssFile = options.rss && hasTime() ? path.join(os.tmpdir(), `fleetchart-bench-rss-${process.pid}`) : undefined;
  const [cmd, cmdArgs] = rssFile ? [TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  const out = options.stdoutFile ? fs.openSync(options.stdoutFile, 'w') : 'pipe';
  const start = process.hrtime.bigint();
  const env = options.env ? { ...process.env, ...options.env } : process.env;
  const result = spawnSync(cmd, cmdArgs, { cwd: options.cwd, env, stdio: ['ignore', out, 'pipe'], maxBuffer: 1 << 30, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (typeof out === 'number') fs.closeSync(out);
  if (result.status !== 0) {
    throw new Error(`'${command} ${args.join(' ')}' in ${options.cwd} exited ${result.status ?? result.signal}:\n${(result.stderr ?? '').slice(-3000)}`);
  }
  let rssKb: number | null = null;
  if (rssFile) {
    rssKb = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    fs.rmSync(rssFile, { force: true });
  }
  return { seconds, rssKb, stdout: result.stdout ?? '' };
}

let timeAvailable: boolean | undefined;
function hasTime(): boolean {
  if (timeAvailable === undefined) {
    if (!fs.existsSync(TIME) && process.getuid?.() === 0) {
      progress('installing GNU time (apt-get install time) for peak RSS');
      spawnSync('sh', ['-c', 'apt-get install -y -qq time >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1)']);
    }
    timeAvailable = fs.existsSync(TIME);
    if (!timeAvailable) progress(`${TIME} not found: peak_rss_mb will be null (apt-get install time)`);
  }
  return timeAvailable;
}

/** Progress goes to stderr, so `--json` output on stdout stays machine-readable. */
function progress(line: string): void {
  console.error(`bench: ${line}`);
}

function helmBinary(): string {
  const local = path.join(REPO, '.tools', 'bin', 'helm');
  if (fs.existsSync(local)) return local;
  const onPath = spawnSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return onPath.stdout.trim();
  progress('helm not found: scripts/install-tools.sh helm (builds it with Go, a few minutes the first time)');
  const install = spawnSync('bash', [path.join(REPO, 'scripts', 'install-tools.sh'), 'helm'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (install.status !== 0 || !fs.existsSync(local)) fail('could not install helm (see above)');
  return local;
}

function loadClusters(): ReferenceCluster[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(REPO, 'apps', 'clusters.ts')).default as ReferenceCluster[];
}

/** Evenly spread releases (service index, cluster index) over the fleet. */
function sampleReleases(services: number, clusters: number, sample: number): [number, number][] {
  const total = services * clusters;
  const n = Math.min(sample, total);
  return Array.from({ length: n }, (_, k) => {
    const index = Math.floor((k * total) / n);
    return [Math.floor(index / clusters), index % clusters];
  });
}

/** Services → fleetchart with FLEETCHART_WORKERS=2: median seconds and peak RSS. */
const workerFigures = new Map<number, { seconds: number; rssMb: number | null }>();

/** Set when a renderer's objects differ from fleetchart's: the table says so. */
let equivalent = true;

/** `Deployment ×12, Service ×4` for a multiset of canonical objects. */
function kindCounts(objects: Map<string, number>): string {
  const kinds = new Map<string, number>();
  for (const [key, n] of objects) {
    const kind = (JSON.parse(key) as { kind?: string }).kind ?? '?';
    kinds.set(kind, (kinds.get(kind) ?? 0) + n);
  }
  return [...kinds].sort().map(([k, n]) => `${k} ×${n}`).join(', ');
}

/**
 * Renames an output folder out of the way before a timed run and deletes it after: deleting
 * thousands of files just before the run would charge the file system's clean-up to the run.
 */
function moveAside(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const moved = `${dir}.old-${process.hrtime.bigint()}`;
  fs.renameSync(dir, moved);
  return moved;
}

function removeMoved(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** Every document of the given YAML files, as canonical JSON, counted. */
function objectMultiset(files: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  for (const file of files) {
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const value = doc.toJS();
      if (value == null) continue;
      const key = JSON.stringify(canonical(value));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

function sameMultiset(a: Map<string, number>, b: Map<string, number>): boolean {
  return a.size === b.size && [...a].every(([k, n]) => b.get(k) === n);
}

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => path.join(e.parentPath, e.name));
}

function measureSize(size: number, options: Options, work: string, helm: string, clusters: ReferenceCluster[]): SizeResult {
  const dir = path.join(work, `fleet-${size}`);
  const services = syntheticFleet(size);
  writeFleetRepo(dir, REPO, services);
  const reference = services.map((s) => referenceService(s, clusters));
  const valuesFile = path.join(work, `reference-${size}.json`);
  // libraryVersion: the fleetchart.io/library-version annotation every rendered object carries.
  fs.writeFileSync(valuesFile, JSON.stringify({ libraryVersion: LIBRARY_VERSION, clusters, services: reference }));
  const outDir = path.join(dir, 'charts-out');
  const cli = path.join(REPO, 'bin', 'fleetchart.js');

  progress(`${size} services: fleetchart synth × ${options.runs}`);
  const fleetRuns: Timed[] = [];
  for (let r = 0; r < options.runs; r++) {
    const previous = moveAside(outDir);
    fleetRuns.push(timed(process.execPath, [cli, 'synth'], { cwd: dir, rss: true, env: { FLEETCHART_WORKERS: '1' } }));
    removeMoved(previous);
  }
  const summary = fleetRuns[fleetRuns.length - 1].stdout.trim().split('\n').pop() ?? '';
  const match = /(\d+) services × (\d+) clusters: (\d+) objects/.exec(summary);
  if (!match || Number(match[1]) !== size) throw new Error(`unexpected synth summary: '${summary}'`);
  const objects = Number(match[3]);

  // The opt-in worker mode (FLEETCHART_WORKERS, lib/parallel.ts): table only, not in --json.
  progress(`${size} services: FLEETCHART_WORKERS=2 fleetchart synth × ${options.runs}`);
  const workerRuns: Timed[] = [];
  for (let r = 0; r < options.runs; r++) {
    const previous = moveAside(outDir);
    workerRuns.push(timed(process.execPath, [cli, 'synth'], { cwd: dir, rss: true, env: { FLEETCHART_WORKERS: '2' } }));
    removeMoved(previous);
  }
  const workerRss = workerRuns.map((r) => r.rssKb).filter((x): x is number => x !== null);
  workerFigures.set(size, { seconds: round(median(workerRuns.map((r) => r.seconds))), rssMb: workerRss.length ? round(Math.max(...workerRss) / 1024, 1) : null });

  progress(`${size} services: fleetchart synth --app × ${options.runs}`);
  const app = services[Math.floor(size / 2)].name;
  const singleRuns = Array.from({ length: options.runs }, () => timed(process.execPath, [cli, 'synth', '--app', app], { cwd: dir, env: { FLEETCHART_WORKERS: '1' } }).seconds);

  progress(`${size} services: helm template (all services, one process) × ${options.runs}`);
  const helmOut = path.join(work, `helm-${size}.yaml`);
  const helmSingle = Array.from({ length: options.runs }, () => timed(helm, ['template', 'fleet', CHART, '-f', valuesFile], { cwd: work, stdoutFile: helmOut }).seconds);

  const releases = sampleReleases(size, clusters.length, options.sample);
  progress(`${size} services: helm template per release, ${releases.length} of ${size * clusters.length} releases`);
  const releaseDir = path.join(work, `releases-${size}`);
  let releaseSeconds = 0;
  for (const [s, c] of releases) {
    const cluster = clusters[c];
    const file = path.join(releaseDir, cluster.name, `${services[s].name}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // A release's values hold its own cluster's generated payloads only, as a per-cluster values file would.
    const generated = (reference[s].generated ?? {}) as Record<string, unknown>;
    const release = { ...reference[s], generated: { [cluster.name]: generated[cluster.name] } };
    fs.writeFileSync(file, JSON.stringify({ libraryVersion: LIBRARY_VERSION, clusters: [cluster], services: [release] }));
    releaseSeconds += timed(helm, ['template', services[s].name, CHART, '-f', file], { cwd: work, stdoutFile: file.replace(/\.json$/, '.k8s.yaml') }).seconds;
  }
  const perRelease = releaseSeconds / releases.length;

  progress(`${size} services: bare cdk8s × ${options.runs}`);
  const bareOut = path.join(work, `cdk8s-${size}`);
  const bare = path.join(REPO, 'bench', 'cdk8s-bare.ts');
  const bareRuns: number[] = [];
  for (let r = 0; r < options.runs; r++) {
    const previous = moveAside(bareOut);
    bareRuns.push(timed(process.execPath, ['--require', 'tsx/cjs', bare, valuesFile, bareOut], { cwd: REPO }).seconds);
    removeMoved(previous);
  }

  if (size <= options.checkMax) {
    progress(`${size} services: comparing objects of fleetchart, helm and bare cdk8s`);
    // The baselines render services only; the per-cluster platform file (the ingress gateway's
    // identity objects, a fixed 2 objects per cluster) and the Argo CD Application that syncs it
    // (argocd/_platform.yaml) have no counterpart there. The services' Applications they render.
    const platformApplication = path.join(ARGOCD_FOLDER, '_platform.yaml');
    const fleetchart = objectMultiset(yamlFiles(outDir).filter((f) => path.basename(f) !== PLATFORM_FILE && !f.endsWith(`${path.sep}${platformApplication}`)));
    const helmObjects = objectMultiset([helmOut]);
    const bareObjects = objectMultiset(yamlFiles(bareOut));
    for (const [name, other] of [['helm', helmObjects], ['bare cdk8s', bareObjects]] as const) {
      if (sameMultiset(fleetchart, other)) continue;
      equivalent = false;
      progress(`WARNING: at ${size} services ${name} renders other objects than fleetchart (${kindCounts(other)} vs ${kindCounts(fleetchart)}); its times are not like for like until bench/helm and bench/cdk8s-bare.ts follow lib/ (compare with --keep)`);
    }
  }

  if (options.profile) profileRun(dir, outDir, cli, work, size);

  const rss = fleetRuns.map((r) => r.rssKb).filter((x): x is number => x !== null);
  return {
    services: size,
    clusters: clusters.length,
    objects,
    fleetchart_s: round(median(fleetRuns.map((r) => r.seconds))),
    helm_per_release_s: round(perRelease * size * clusters.length, 2),
    helm_single_s: round(median(helmSingle)),
    cdk8s_bare_s: round(median(bareRuns)),
    peak_rss_mb: rss.length ? round(Math.max(...rss) / 1024, 1) : null,
    single_app_s: round(median(singleRuns)),
  };
}

/** The stages of the pipeline, by the functions that run them (for --profile). */
const STAGES = [
  'loadDefaultExport',
  'parseApp',
  'resolveService',
  'renderService',
  'ServiceChart',
  '_synthChart',
  'toJson@api-object',
  'validateCluster',
  'manifestFile',
  'writeOutputs',
];

/** One synth under --cpu-prof; its summary goes to stderr, the profile stays in the work folder. */
function profileRun(dir: string, outDir: string, cli: string, work: string, size: number): void {
  const profiles = path.join(work, `profile-${size}`);
  const previous = moveAside(outDir);
  timed(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profiles}`, cli, 'synth'], { cwd: dir, env: { FLEETCHART_WORKERS: '1' } });
  removeMoved(previous);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { summarize } = require('./profile') as typeof import('./profile');
  // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: the main thread is thread 0.
  for (const file of fs.readdirSync(profiles).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))) {
    const summary = summarize(JSON.parse(fs.readFileSync(path.join(profiles, file), 'utf8')), { top: 15, focus: STAGES });
    progress(`profile of fleetchart synth at ${size} services (${path.join(profiles, file)}):\n${summary}`);
  }
}

export function formatTable(results: readonly SizeResult[], options: { runs: number; sample: number; checkMax: number }): string {
  const header = ['services', 'clusters', 'objects', 'fleetchart_s', 'helm_single_s', 'helm_per_release_s*', 'cdk8s_bare_s', 'peak_rss_mb', 'single_app_s', 'fc/helm_single', 'helm_per_release/fc', 'workers=2_s', 'workers=2_rss_mb'];
  const rows = results.map((r) => [
    r.services,
    r.clusters,
    r.objects,
    r.fleetchart_s.toFixed(3),
    r.helm_single_s.toFixed(3),
    r.helm_per_release_s.toFixed(2),
    r.cdk8s_bare_s.toFixed(3),
    r.peak_rss_mb === null ? 'n/a' : r.peak_rss_mb.toFixed(1),
    r.single_app_s.toFixed(3),
    (r.fleetchart_s / r.helm_single_s).toFixed(2),
    `${(r.helm_per_release_s / r.fleetchart_s).toFixed(1)}×`,
    workerFigures.get(r.services)?.seconds.toFixed(3) ?? 'n/a',
    workerFigures.get(r.services)?.rssMb?.toFixed(1) ?? 'n/a',
  ].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
  const lines = [line(header), `|${widths.map((w) => '-'.repeat(w + 1) + ':').join('|')}|`, ...rows.map(line)];
  lines.push('', `Wall seconds, process start included; medians of ${options.runs} run(s). peak_rss_mb: largest over the fleetchart runs.`);
  lines.push(
    equivalent
      ? `Helm and bare cdk8s rendered the same objects as fleetchart (checked up to ${options.checkMax} services).`
      : 'WARNING: Helm or bare cdk8s rendered other objects than fleetchart (see above): those columns are not like for like.',
  );
  lines.push('workers=2: the same synth with FLEETCHART_WORKERS=2 (clusters rendered on this thread and one worker; opt-in).');
  lines.push(`* helm_per_release_s is extrapolated: ${options.sample} releases (service × cluster) timed one \`helm template\` each, mean × all releases.`);
  const by = new Map(results.map((r) => [r.services, r]));
  for (const r of results) {
    const tenth = by.get(r.services / 10);
    if (tenth) lines.push(`Scaling: time(${r.services}) / time(${tenth.services}) = ${(r.fleetchart_s / tenth.fleetchart_s).toFixed(2)} (target ≤ 11).`);
  }
  return lines.join('\n');
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const helm = helmBinary();
  // Measure what an installed fleetchart runs: lib/ precompiled (npm ci runs the same build).
  const build = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build-dist.js')], { encoding: 'utf8' });
  progress(build.status === 0 ? build.stdout.trim() : `dist build failed, fleetchart runs lib/ through tsx: ${build.stderr}`);
  // Others may edit lib/ while the bench runs: keep measuring the build made above.
  if (build.status === 0) process.env.FLEETCHART_DIST = '1';
  hasTime();
  const clusters = loadClusters();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-bench-'));
  const started = Date.now();
  const results: SizeResult[] = [];
  try {
    for (const size of options.sizes) {
      const result = measureSize(size, options, work, helm, clusters);
      results.push(result);
      if (options.json) console.log(JSON.stringify(result));
      else progress(JSON.stringify(result));
    }
  } finally {
    if (options.keep) progress(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
  const note = `helm_per_release_s is extrapolated from ${options.sample} sampled releases per size; bench took ${((Date.now() - started) / 1000).toFixed(0)} s`;
  if (options.json) console.error(`bench: ${note}`);
  else console.log(`\n${formatTable(results, options)}\nBench took ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}

if (require.main === module) main();
