/** The CLI as a user types it: spawned, from the repository root or any sub-folder. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { commands } from '../lib/cli/main';
import { REPO } from './support/fleet';

const fleetchart = (args: string[], cwd = REPO) => {
  const result = spawnSync(process.execPath, [path.join(REPO, 'bin', 'fleetchart.js'), ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
};

describe('cli: help per command', () => {
  for (const command of commands) {
    it(`fleetchart ${command.name} --help shows that command's usage and every flag, nothing else`, () => {
      const { code, out } = fleetchart([command.name, '--help']);
      assert.equal(code, 0);
      assert.match(out, new RegExp(`^Usage: fleetchart ${command.name}( <\\w+>)? \\[flags\\]$`, 'm'));
      for (const flag of command.flags) assert.ok(out.includes(`--${flag.name}`), flag.name);
      for (const other of commands.filter((c) => c.name !== command.name && !c.name.startsWith(command.name))) {
        assert.ok(!new RegExp(`^  ${other.name} `, 'm').test(out), `lists ${other.name}`);
      }
    });
  }

  it('fleetchart help <command> is the same as <command> --help', () => {
    assert.equal(fleetchart(['help', 'diff']).out, fleetchart(['diff', '--help']).out);
  });
});

describe('cli: works from any sub-folder of the repository', () => {
  it('finds the repository root (apps/clusters.ts) upwards from the working directory', () => {
    const fromRoot = fleetchart(['validate', '--app', 'patient-notes']);
    const fromSubFolder = fleetchart(['validate', '--app', 'patient-notes'], path.join(REPO, 'apps', 'patient-notes'));
    assert.equal(fromSubFolder.code, 0, fromSubFolder.err);
    assert.equal(fromSubFolder.out, fromRoot.out);
    assert.equal(fleetchart(['diff', '--exit-code', '--app', 'patient-notes'], path.join(REPO, 'lib', 'values')).code, 0);
  });

  it('outside any fleet repository says what is missing, in one line', () => {
    const { code, err } = fleetchart(['validate'], '/');
    assert.equal(code, 1);
    assert.equal(err.split('\n')[0], `apps/clusters.ts: expected this file in the fleet repository, found none in /; run fleetchart inside a repository with apps/clusters.ts (any sub-folder works)`);
  });
});

describe('cli: progress on stderr only when it is a terminal', () => {
  it('a terminal sees what a long command is doing; a pipeline reads stdout and stderr without it', () => {
    const command = `${process.execPath} ${path.join(REPO, 'bin', 'fleetchart.js')} validate --app patient-notes`;
    // script(1) (util-linux) runs the command on a pseudo-terminal, as a user's shell does.
    const terminal = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(terminal.status, 0, terminal.stderr);
    assert.match(terminal.stdout, /^… rendering and checking the fleet\r?$/m);
    const piped = fleetchart(['validate', '--app', 'patient-notes']);
    assert.equal(piped.err, '');
    assert.doesNotMatch(piped.out, /rendering/);
  });
});
