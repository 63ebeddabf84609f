import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GOOD_SERVICE } from './bad-values/good';
import { makeFleet, removeFleet, runCli, snapshotTree } from './support/fleet';

/**
 * The bad-input corpus: every folder under test/bad-values/ holds the files of one mistake a
 * feature team can make (placed into a fleet beside one good service) and expected.txt, the exact
 * lines `fleetchart synth` prints for it. Each mistake must be reported, exactly so, and must
 * leave charts-out/ byte for byte as it was. `fleetchart validate` reports the same lines.
 */

const CORPUS = path.join(__dirname, 'bad-values');

interface Case {
  readonly name: string;
  readonly description: string;
  readonly files: Record<string, string>;
  readonly expected: string[];
}

function readCases(): Case[] {
  return fs
    .readdirSync(CORPUS, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const dir = path.join(CORPUS, name);
      const files: Record<string, string> = {};
      for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
        const full = path.join(entry.parentPath, entry.name);
        if (entry.isFile() && entry.name !== 'expected.txt') files[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
      }
      const first = Object.values(files).join('\n').match(/^\/\/ (.+)$/m);
      const expected = fs.readFileSync(path.join(dir, 'expected.txt'), 'utf8').trimEnd().split('\n');
      return { name, description: first ? first[1] : name, files, expected };
    });
}

const cases = readCases();
let baseline: Record<string, string>;
const roots: string[] = [];

before(async () => {
  const root = makeFleet({ 'apps/good/values.ts': GOOD_SERVICE });
  roots.push(root);
  const result = await runCli(root, ['synth']);
  assert.equal(result.code, 0, result.err.join('\n'));
  baseline = snapshotTree(path.join(root, 'charts-out'));
});

after(() => roots.forEach(removeFleet));

describe('bad values: the corpus', () => {
  it('holds at least 40 mistakes, each with its expected lines', () => {
    assert.ok(cases.length >= 40, `${cases.length} cases`);
    for (const c of cases) assert.ok(c.expected.length >= 2 && /problems? found; nothing was written\.$/.test(c.expected.at(-1)!), c.name);
  });

  it('starts from a fleet whose output is not empty', () => {
    assert.ok(Object.keys(baseline).length >= 4);
  });
});

describe('bad values: each is rejected with exact lines and nothing written', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.description}`, async () => {
      const root = makeFleet({ 'apps/good/values.ts': GOOD_SERVICE, ...c.files });
      roots.push(root);
      for (const [file, content] of Object.entries(baseline)) {
        fs.mkdirSync(path.dirname(path.join(root, 'charts-out', file)), { recursive: true });
        fs.writeFileSync(path.join(root, 'charts-out', file), content);
      }
      const synth = await runCli(root, ['synth']);
      assert.equal(synth.code, 1);
      assert.deepEqual(synth.err, c.expected);
      assert.deepEqual(synth.out, []);
      assert.deepEqual(snapshotTree(path.join(root, 'charts-out')), baseline);
      for (const line of synth.err) assert.ok(!/^\s+at |Error:/.test(line), `no stack trace: ${line}`);

      const validate = await runCli(root, ['validate']);
      assert.equal(validate.code, 1);
      assert.deepEqual(validate.err.slice(0, -1), c.expected.slice(0, -1));
    });
  }
});
