import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './fleet';

/**
 * A throwaway git repository holding a copy of this one's lib/, bin/, package.json and apps/
 * (node_modules linked), committed and tagged `base`: edit its lib/ and run its own CLI to see
 * what a library change does, as the infra team would in a release branch.
 */
export function makeReleaseRepo(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-release-test-'));
  for (const entry of ['lib', 'bin', 'apps']) fs.cpSync(path.join(REPO, entry), path.join(root, entry), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  fs.writeFileSync(path.join(root, '.gitignore'), 'node_modules\n');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: root, stdio: 'pipe' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'base');
  git('tag', 'base');
  return root;
}

/** Replaces `from` by `to` in a file of the repository; throws when `from` is not there. */
export function edit(root: string, file: string, from: string, to: string): void {
  const full = path.join(root, file);
  const text = fs.readFileSync(full, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  fs.writeFileSync(full, text.replace(from, to));
}

/** The repository's own CLI, spawned as a user runs it (bin/fleetchart.js, its lib/ compiled as it loads). */
export function cli(root: string, args: string[], cwd = root): { code: number; out: string; err: string } {
  const result = spawnSync(process.execPath, [path.join(root, 'bin', 'fleetchart.js'), ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status ?? -1, out: result.stdout, err: result.stderr };
}
