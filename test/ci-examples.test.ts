import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { commands } from '../lib/cli/main';
import { REPO } from './support/fleet';

/**
 * ci-examples/: the pipelines a fleet repository copies. The GitHub workflow is checked by
 * actionlint (built from the Go module proxy by scripts/install-tools.sh), the GitLab file by
 * GitLab's published CI JSON schema (ci-examples/schemas/SOURCES), and every fleetchart command
 * they run by the CLI's own argument parser.
 */
const GITHUB = path.join(REPO, 'ci-examples', 'github', 'fleetchart.yml');
const GITLAB = path.join(REPO, 'ci-examples', 'gitlab', '.gitlab-ci.yml');

let actionlint: string;
before(() => {
  execFileSync('bash', [path.join(REPO, 'scripts', 'install-tools.sh'), 'actionlint'], { stdio: ['ignore', 'ignore', 'inherit'] });
  actionlint = path.join(REPO, '.tools', 'bin', 'actionlint');
});

function lintWorkflow(text: string): { code: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-actionlint-'));
  try {
    // actionlint checks files under .github/workflows/ of a repository as GitHub would read them.
    const file = path.join(dir, '.github', 'workflows', 'fleetchart.yml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    const result = spawnSync(actionlint, ['-no-color', file], { cwd: dir, encoding: 'utf8' });
    return { code: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function validateGitlab(config: unknown): string[] {
  const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'ci-examples', 'schemas', 'gitlab-ci.json'), 'utf8'));
  // strict: false: the schema uses GitLab's own keywords (markdownDescription); formats are not checked.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  return validate(config) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

/** Every `npx fleetchart <command> ...` line of a pipeline file, shell variables replaced by a word. */
function fleetchartCalls(text: string): string[][] {
  const calls: string[][] = [];
  for (const match of text.matchAll(/npx fleetchart ([^|>\n]*?)(?:\s*(?:\|\||\||>|\)|$))/gm)) {
    const words = match[1].replace(/"\$[A-Z_]+"|\$[A-Z_]+|"\$\{?[A-Za-z_.]+\}?"/g, 'value').replace(/"/g, '').trim().split(/\s+/);
    calls.push(words);
  }
  return calls;
}

describe('ci-examples: GitHub Actions', () => {
  const text = fs.readFileSync(GITHUB, 'utf8');

  it('passes actionlint', () => {
    const result = lintWorkflow(text);
    assert.equal(result.output, '');
    assert.equal(result.code, 0);
  });

  it('actionlint catches a mistake in it (the check can fail)', () => {
    const broken = text.replace('needs: [clusters, apply-stage]', 'needs: [clusters, apply-stag]');
    assert.notEqual(broken, text);
    const result = lintWorkflow(broken);
    assert.equal(result.code, 1);
    assert.match(result.output, /apply-stag/);
  });

  it('applies prod only after stage, one cluster at a time, stopping at the first failure', () => {
    const workflow = parse(text);
    const prod = workflow.jobs['apply-prod'];
    assert.ok(prod.needs.includes('apply-stage'));
    assert.equal(prod.strategy['max-parallel'], 1);
    assert.equal(prod.strategy['fail-fast'], true);
    assert.ok(workflow.on.pull_request && workflow.on.push, 'runs on pull requests and on merge');
  });
});

describe('ci-examples: GitLab CI', () => {
  const text = fs.readFileSync(GITLAB, 'utf8');

  it("is valid by GitLab's CI JSON schema", () => {
    assert.deepEqual(validateGitlab(parse(text)), []);
  });

  it('the schema catches a mistake in it (the check can fail)', () => {
    const config = parse(text);
    config['apply:prod'].when = 'after_stage';
    assert.notDeepEqual(validateGitlab(config), []);
  });

  it('applies prod only after stage', () => {
    const config = parse(text);
    assert.deepEqual(config.stages, ['review', 'stage', 'prod']);
    assert.deepEqual(config['apply:prod'].needs, ['apply:stage']);
  });
});

describe('ci-examples: the fleetchart commands they run', () => {
  // release-report is issue 12's command (release workflow); it is checked once it exists.
  const known = new Set(commands.map((c) => c.name));
  for (const [name, file] of [['GitHub', GITHUB], ['GitLab', GITLAB]]) {
    it(`${name}: every command and flag exists`, () => {
      const calls = fleetchartCalls(fs.readFileSync(file, 'utf8'));
      assert.ok(calls.some((c) => c[0] === 'apply') && calls.some((c) => c[0] === 'validate'), 'validates and applies');
      for (const call of calls.filter((c) => known.has(c[0]) || c[0] !== 'release-report')) {
        const result = spawnSync(process.execPath, [path.join(REPO, 'bin', 'fleetchart.js'), ...call, '--help'], { cwd: REPO, encoding: 'utf8' });
        assert.equal(result.status, 0, `fleetchart ${call.join(' ')}: ${result.stderr}`);
      }
    });
  }
});
