import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readmeSections, renderReadme } from '../lib/docs';
import { REPO } from './support/fleet';

describe('documentation', () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

  it('starts with the two set-up commands', () => {
    const firstBlock = readme.split('```')[1];
    assert.match(firstBlock, /^sh\nnpm ci && npm run synth .*\nnpm test /);
  });

  it('has its generated sections (values reference, CLI, rules) in sync with the code', () => {
    assert.equal(renderReadme(readme, readmeSections()), readme, "README.md is out of date: run 'npm run docs'");
  });

  it('documents every field of the values contract with a description', () => {
    const undocumented = readmeSections()['values-reference'].split('\n').filter((row) => row.startsWith('| `') && /\|\s*\|$/.test(row));
    assert.deepEqual(undocumented, []);
  });
});
