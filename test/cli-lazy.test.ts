/**
 * lib/cli/main.ts loads a command's module only when that command runs, and lists commands in
 * --help from its own catalog. Here: the catalog says exactly what each command module says, and
 * help and rules load neither cdk8s nor the pipeline.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { commands } from '../lib/cli/main';
import { REPO } from './support/fleet';

describe('cli: commands load when they run', () => {
  it('the catalog in main.ts has the name, summary and flags of every command module', () => {
    assert.deepEqual(commands.map((c) => c.name), ['synth', 'validate', 'diff', 'routes', 'rules', 'apply']);
    for (const entry of commands) {
      const command = entry.load();
      assert.equal(command.name, entry.name);
      assert.equal(command.summary, entry.summary, `${entry.name}: summary`);
      assert.deepEqual(command.flags, entry.flags, `${entry.name}: flags`);
    }
  });

  // A fresh process per case, through lib/ and tsx, so the modules loaded are the CLI's alone.
  const loadedBy = (args: string[]) => {
    const script = `
      const { main } = require(${JSON.stringify(path.join(REPO, 'lib', 'cli', 'main.ts'))});
      main(${JSON.stringify(args)}, { root: ${JSON.stringify(REPO)}, out: () => {}, err: () => {} }).then((code) => {
        const loaded = Object.keys(require.cache).map((f) => require('node:path').relative(${JSON.stringify(REPO)}, f));
        process.stdout.write(JSON.stringify({ code, loaded }));
      });`;
    return JSON.parse(execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: REPO, encoding: 'utf8' })) as { code: number; loaded: string[] };
  };
  const heavy = (loaded: string[]) => loaded.filter((f) => /node_modules\/(cdk8s|cdk8s-plus-27|zod|yaml)\/|lib\/(pipeline|constructs|validate\/(?!catalog))/.test(f));

  for (const args of [['help'], ['synth', '--help'], ['rules'], ['rules', '--json'], ['nope']]) {
    it(`fleetchart ${args.join(' ')} loads neither cdk8s, zod, yaml nor the pipeline`, () => {
      const { code, loaded } = loadedBy(args);
      assert.equal(code, args[0] === 'nope' ? 2 : 0);
      assert.deepEqual(heavy(loaded), []);
    });
  }

  it('fleetchart validate loads the pipeline (the check above sees it)', () => {
    const { code, loaded } = loadedBy(['validate']);
    assert.equal(code, 0);
    assert.ok(heavy(loaded).some((f) => f.includes('node_modules/cdk8s/')));
    assert.ok(loaded.includes(path.join('lib', 'pipeline.ts')));
  });
});
