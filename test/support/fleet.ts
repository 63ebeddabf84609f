import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');

/**
 * A throwaway fleet repository: the real lib/ (symlinked), the real cluster inventory unless
 * replaced, and the given files. Returns its root; remove it with `removeFleet`.
 */
export function makeFleet(files: Record<string, string>, options: { withExampleApps?: boolean } = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-test-'));
  fs.symlinkSync(path.join(REPO, 'lib'), path.join(root, 'lib'));
  fs.mkdirSync(path.join(root, 'apps'));
  fs.copyFileSync(path.join(REPO, 'apps', 'clusters.ts'), path.join(root, 'apps', 'clusters.ts'));
  if (options.withExampleApps) fs.cpSync(path.join(REPO, 'apps'), path.join(root, 'apps'), { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

export function removeFleet(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

/** A values.ts body for `service({...})` given as a TypeScript object literal. */
export function valuesFile(literal: string): string {
  return `import { service } from '../../lib';\n\nexport default service(${literal});\n`;
}

/** Every file under a folder with its content, for byte-for-byte comparisons. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
  }
  return out;
}

/** Runs the CLI in-process against a fleet root; returns exit code and output lines. */
export async function runCli(root: string, args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { main } = require('../../lib/cli/main') as typeof import('../../lib/cli/main');
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { root, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** Runs the CLI as users do (`node bin/fleetchart.js`, a process of its own) in a fleet root. */
export function spawnCli(root: string, args: string[]): { code: number; out: string[]; err: string[] } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const result = spawnSync(process.execPath, [path.join(REPO, 'bin', 'fleetchart.js'), ...args], { cwd: root, encoding: 'utf8' });
  const lines = (text: string) => text.split('\n').filter((line) => line !== '');
  return { code: result.status ?? -1, out: lines(result.stdout), err: lines(result.stderr) };
}
