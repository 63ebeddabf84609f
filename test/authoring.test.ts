/**
 * Authoring values: `fleetchart schema` (checked by a JSON Schema validator, Ajv), `fleetchart new`
 * and `fleetchart explain`, each spawned as a user runs it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import { discoverApps } from '../lib/load';
import { REPO, makeFleet, removeFleet, valuesFile } from './support/fleet';

const roots: string[] = [];
after(() => roots.forEach(removeFleet));
const fleet = (files: Record<string, string> = {}) => {
  const root = makeFleet(files);
  roots.push(root);
  return root;
};
const fleetchart = (args: string[], cwd = REPO) => {
  const result = spawnSync(process.execPath, [path.join(REPO, 'bin', 'fleetchart.js'), ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const exported = (file: string) => require(file).default as Record<string, unknown>;

describe('fleetchart schema', () => {
  const compile = (...args: string[]) => {
    const { code, out } = fleetchart(['schema', ...args]);
    assert.equal(code, 0);
    return new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(out));
  };

  it('accepts every example values file and rejects a mistyped field, as Ajv reads it', () => {
    const validate = compile();
    for (const app of discoverApps(REPO)) {
      const values = exported(path.join(REPO, 'apps', app, 'values.ts'));
      assert.ok(validate(values), `${app}: ${JSON.stringify(validate.errors)}`);
    }
    const values = exported(path.join(REPO, 'apps', discoverApps(REPO)[0], 'values.ts'));
    assert.equal(validate({ ...values, imge: 'typo' }), false);
    assert.ok(validate.errors!.some((e) => e.keyword === 'additionalProperties' && e.params.additionalProperty === 'imge'));
    assert.equal(validate({ ...values, processes: 'web' }), false);
  });

  it('--of clusters describes the inventory', () => {
    const validate = compile('--of', 'clusters');
    assert.ok(validate(exported(path.join(REPO, 'apps', 'clusters.ts'))), JSON.stringify(validate.errors));
    assert.equal(fleetchart(['schema', '--of', 'nodes']).code, 2);
  });

  it('carries every field description, for editors', () => {
    const schema = JSON.parse(fleetchart(['schema']).out);
    assert.match(schema.properties.team.description, /Owning team/);
    assert.ok(schema.properties.processes.additionalProperties.properties.replicas.description);
  });
});

describe('fleetchart new', () => {
  it('scaffolds a documented values.ts that validates on every cluster, and refuses to overwrite it', () => {
    const root = fleet();
    const created = fleetchart(['new', 'billing', '--team', 'finance'], root);
    assert.equal(created.code, 0, created.err);
    const file = path.join(root, 'apps', 'billing', 'values.ts');
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^  \/\/ Owning team/m, 'fields are documented in place');
    assert.match(text, /team: 'finance'/);
    const validate = fleetchart(['validate', '--app', 'billing'], root);
    assert.equal(validate.code, 0, validate.err);

    fs.appendFileSync(file, '// edited\n');
    const again = fleetchart(['new', 'billing'], root);
    assert.equal(again.code, 1);
    assert.equal(again.err.trim(), 'fleetchart new: apps/billing/values.ts exists; refusing to overwrite it (edit it, or pick another name)');
    assert.match(fs.readFileSync(file, 'utf8'), /\/\/ edited\n$/);
  });

  it('rejects a name Kubernetes cannot use, and a missing one, with usage exit code 2', () => {
    const root = fleet();
    const bad = fleetchart(['new', 'Billing_Service'], root);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^fleetchart new: <service>: expected a service name .*got 'Billing_Service'$/m);
    assert.equal(fs.existsSync(path.join(root, 'apps', 'Billing_Service')), false);
    const missing = fleetchart(['new'], root);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /expected one operand <service>, got 0/);
  });
});

describe('fleetchart explain', () => {
  const values = valuesFile(`{
  name: 'billing',
  team: 'finance',
  image: 'registry.example.com/finance/billing',
  release: { default: '1.0.0@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' },
  processes: {
    web: {
      ports: [{ name: 'http', port: 8080 }],
      replicas: 3,
    },
  },
  env: { MODE: 'normal' },
  clusters: {
    'stage-*': {
      processes: { web: { replicas: 1 } },
      env: { MODE: 'test' },
    },
  },
}`);

  it('marks each value with its origin: a values.ts line, the cluster override that set it, or a default', () => {
    const root = fleet({ 'apps/billing/values.ts': values });
    const lines = values.split('\n');
    const lineOf = (text: string, from = 0) => lines.findIndex((l, i) => i >= from && l.includes(text)) + 1;
    const stage = JSON.parse(fleetchart(['explain', 'billing', '--cluster', 'stage-eu', '--json'], root).out) as { path: string; value?: unknown; source: any }[];
    const at = (p: string) => stage.find((e) => e.path === p)!;
    assert.deepEqual(at('processes.web.replicas'), { path: 'processes.web.replicas', value: 1, source: { kind: 'override', file: 'apps/billing/values.ts', override: 'stage-*', line: lineOf('replicas: 1') } });
    assert.deepEqual(at('env.MODE').source, { kind: 'override', file: 'apps/billing/values.ts', override: 'stage-*', line: lineOf(`MODE: 'test'`) });
    assert.deepEqual(at('team'), { path: 'team', value: 'finance', source: { kind: 'values', file: 'apps/billing/values.ts', line: lineOf('team:') } });
    assert.equal(at('processes.web.cpu').source.kind, 'default');
    assert.equal(at('processes.web.cpu').source.file, 'lib/values/defaults.ts');

    const prod = fleetchart(['explain', 'billing', '--cluster', 'prod-eu-west'], root);
    assert.equal(prod.code, 0);
    assert.match(prod.out, new RegExp(`^processes\\.web\\.replicas: 3 +← apps/billing/values\\.ts:${lineOf('replicas: 3')}$`, 'm'));
    assert.match(prod.out, /^processes\.web\.cpu: .*100m.* +← default \(lib\/values\/defaults\.ts\)$/m);
  });

  it('needs one cluster and a known service', () => {
    const root = fleet({ 'apps/billing/values.ts': values });
    assert.equal(fleetchart(['explain', 'billing'], root).code, 2);
    assert.equal(fleetchart(['explain', 'billing', '--cluster', 'prod-*'], root).code, 2);
    const unknown = fleetchart(['explain', 'billin', '--cluster', 'stage-eu'], root);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /did you mean 'billing'\?/);
  });
});
