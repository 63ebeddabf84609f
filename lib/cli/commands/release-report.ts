import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderFleet } from '../../pipeline';
import { isOutputFile, outputFiles } from '../../write';
import { compareRenders, renderedBy } from '../../release/impact';
import { releaseMarkdown, releaseReport } from '../../release/report';
import { LIBRARY_VERSION } from '../../version';
import { Command, progress, reportFindings, selection } from '../command';

/** Exit code when the release rejects or replaces objects and --allow-breaking is not given. */
export const BREAKING_EXIT_CODE = 4;

/**
 * Renders the fleet twice — with lib/ as it is at --base and as it is now, the same apps/ and
 * inventory both times — and reports what the library change does to every object.
 */
export const releaseReportCommand: Command = {
  run(flags, io) {
    const ref = flags.base as string | undefined;
    if (!ref) {
      io.err(`fleetchart release-report: expected --base <git-ref> (the last release's tag, e.g. v0.1.0, or main); see 'fleetchart release-report --help'`);
      return 2;
    }
    const git = (...args: string[]) => spawnSync('git', args, { cwd: io.root, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
    const resolved = git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
    if (resolved.status !== 0) {
      io.err(`fleetchart release-report: --base: expected a git ref of this repository (a tag, branch or commit), got '${ref}'; list tags with 'git tag'`);
      return 2;
    }
    const commit = resolved.stdout.toString().trim();

    progress(io, 'rendering the fleet with lib/ as it is now');
    const head = renderFleet(io.root, selection(flags));
    if (reportFindings(head.findings, io, 'no report (fix the values or lib/ first)')) return 1;

    progress(io, `rendering the fleet with lib/ at ${ref} (${commit.slice(0, 7)})`);
    const base = renderAtRef(io.root, commit, flags);
    if ('error' in base) {
      io.err(`fleetchart release-report: lib/ at ${ref} does not render the current apps/: ${base.error}`);
      return 1;
    }
    // The per-cluster platform files belong to the fleet, not to one service: compared unless --app
    // narrows to services. Argo CD Applications are compared like the manifests they sync.
    const headFiles = outputFiles(flags.app === undefined ? head : { ...head, platform: [] });
    const changes = compareRenders(base.files, new Map(headFiles.map((f) => [f.path, f.content])));
    const firstBase = base.files.values().next().value;
    const report = releaseReport({ ref, commit, version: (firstBase && renderedBy(firstBase)) ?? base.version }, LIBRARY_VERSION, changes);
    io.out(flags.json ? JSON.stringify(report, null, 2) : releaseMarkdown(report));
    if (report.breaking && !flags['allow-breaking']) {
      io.err(`fleetchart release-report: objects are rejected or replaced (see the report); exit ${BREAKING_EXIT_CODE}. Fix lib/, or pass --allow-breaking for a major release with a migration.`);
      return BREAKING_EXIT_CODE;
    }
    return 0;
  },
};

/**
 * lib/ (with bin/ and package.json) of `commit` extracted into a temporary folder beside a copy
 * of the current apps/, rendered there by that commit's own CLI (`synth --out`): whatever the
 * old library's internals, its CLI is what it promised.
 */
function renderAtRef(root: string, commit: string, flags: Record<string, unknown>): { files: Map<string, string>; version: string } | { error: string } {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-release-'));
  try {
    const archive = spawnSync('git', ['archive', '--format=tar', commit, 'lib', 'bin', 'package.json'], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
    if (archive.status !== 0) return { error: archive.stderr.toString().trim() };
    const untar = spawnSync('tar', ['-x', '-C', work], { input: archive.stdout });
    if (untar.status !== 0) return { error: untar.stderr.toString().trim() };
    fs.cpSync(path.join(root, 'apps'), path.join(work, 'apps'), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));
    const args = [path.join(work, 'bin', 'fleetchart.js'), 'synth', '--out', 'out'];
    if (typeof flags.cluster === 'string') args.push('--cluster', flags.cluster);
    if (typeof flags.app === 'string') args.push('--app', flags.app);
    const synth = spawnSync(process.execPath, args, { cwd: work, encoding: 'utf8', env: { ...process.env, FLEETCHART_DIST: '0' } });
    if (synth.status !== 0) return { error: (synth.stderr || synth.stdout).trim().split('\n').slice(0, 5).join(' | ') };
    const files = new Map<string, string>();
    const out = path.join(work, 'out');
    for (const entry of (fs.readdirSync(out, { recursive: true }) as string[]).sort()) {
      if (isOutputFile(entry)) files.set(entry.split(path.sep).join('/'), fs.readFileSync(path.join(out, entry), 'utf8'));
    }
    const version = (JSON.parse(fs.readFileSync(path.join(work, 'package.json'), 'utf8')) as { version: string }).version;
    return { files, version };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
