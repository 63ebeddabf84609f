import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import * as path from 'node:path';
import { REPO, makeFleet, removeFleet, spawnCli } from './support/fleet';

/**
 * Every `npx fleetchart …` line of the README's shell blocks works as shown: the CLI's own
 * argument parser accepts it (command, flags and operands), and the commands that need no cluster,
 * registry or Prometheus (validate, synth, clusters, new) run and succeed in a copy of the example
 * fleet.
 */
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
const RUNNABLE = new Set(['validate', 'synth', 'clusters', 'new']);

function readmeCommands(): { line: string; args: string[] }[] {
  const found: { line: string; args: string[] }[] = [];
  for (const block of README.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
    for (const raw of block[1].split('\n')) {
      const line = raw.trim();
      if (!line.startsWith('npx fleetchart ')) continue;
      // Without the comment and any redirection: the words the CLI receives.
      const command = line.replace(/\s+#.*$/, '').replace(/\s*>.*$/, '');
      found.push({ line, args: command.split(/\s+/).slice(2) });
    }
  }
  return found;
}

const roots: string[] = [];
after(() => roots.forEach(removeFleet));

describe('README: every fleetchart command it shows works as shown', () => {
  const commands = readmeCommands();
  it('shows fleetchart commands', () => assert.ok(commands.length > 0));

  for (const { line, args } of commands) {
    it(line, () => {
      const parsed = spawnCli(REPO, [...args, '--help']);
      assert.equal(parsed.code, 0, `the CLI refuses it: ${parsed.err.join('\n')}`);
      if (!RUNNABLE.has(args[0])) return;
      const root = makeFleet({}, { withExampleApps: true });
      roots.push(root);
      const result = spawnCli(root, args);
      assert.equal(result.code, 0, result.err.join('\n'));
    });
  }
});
