import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { renderFleet } from '../lib/pipeline';
import { RULES } from '../lib/validate/catalog';
import { SUPPORTED_MINORS, kindSchemas } from '../lib/validate/kinds';
import { Schema, SchemaCompiler, SchemaError, goRegExp } from '../lib/validate/schema';
import { CRD_DIR, CURRENT, SUPPORTED, crdSchemas } from '../lib/validate/schemas/vendor';
import { REPO } from './support/fleet';

/** The schema validator on its own, and the vendored schemas it reads. */

function errors(schema: Schema, value: unknown, definitions: Record<string, Schema> = {}): string[] {
  const out: SchemaError[] = [];
  new SchemaCompiler({ definitions }).compile(schema)(value, [], out);
  return out.map((e) => `${e.path || '(root)'}: ${e.message}`);
}

describe('schema validator: structural OpenAPI v3', () => {
  const object: Schema = { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 5 }, size: { type: 'integer', format: 'int32', minimum: 1 } } };

  it('accepts a matching value and reports every problem of one that does not', () => {
    assert.deepEqual(errors(object, { name: 'web', size: 2 }), []);
    assert.deepEqual(errors(object, { nmae: 'web', size: 0.5 }), [
      "nmae: unknown field 'nmae'; did you mean 'name'?",
      'size: expected a 32-bit integer, got 0.5',
      "name: required field 'name' is missing",
    ]);
    assert.deepEqual(errors(object, { name: 'webserver', size: 2 ** 40 }), ['name: expected at most 5 characters, got 9', 'size: expected a 32-bit integer between -2147483648 and 2147483647, got 1099511627776']);
  });

  it('treats maps, preserved unknown fields and nullable values as the API server does', () => {
    assert.deepEqual(errors({ type: 'object', additionalProperties: { type: 'string' } }, { a: 'x', b: 1 }), ['b: expected a string, got 1']);
    assert.deepEqual(errors({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } }, { a: 'x', anything: { goes: 1 } }), []);
    assert.deepEqual(errors({ type: 'string', nullable: true }, null), []);
    assert.deepEqual(errors({ type: 'string' }, null), ['(root): expected a string, got null']);
  });

  it('accepts int-or-string and Kubernetes quantities, and nothing else there', () => {
    const definitions = { 'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' }, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string' } };
    const schema = { type: 'object', properties: { q: { $ref: 'io.k8s.apimachinery.pkg.api.resource.Quantity' }, port: { $ref: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString' }, surge: { 'x-kubernetes-int-or-string': true } } };
    assert.deepEqual(errors(schema, { q: '1.5Gi', port: 'http', surge: 1 }, definitions), []);
    assert.deepEqual(errors(schema, { q: '512MB', port: 1.5, surge: true }, definitions), [
      "q: expected a Kubernetes quantity like '250m', '1.5' or '512Mi', got '512MB'",
      'port: expected a 32-bit integer or a string, got 1.5',
      'surge: expected a 32-bit integer or a string, got true',
    ]);
  });

  it('follows recursive $refs', () => {
    const definitions = { node: { type: 'object', properties: { value: { type: 'integer' }, next: { $ref: 'node' } } } };
    assert.deepEqual(errors({ $ref: 'node' }, { value: 1, next: { value: 2, next: { value: 'three' } } }, definitions), ["next.next.value: expected an integer, got 'three'"]);
  });

  it('enforces mutually exclusive fields written as oneOf/not/anyOf of required', () => {
    const exclusive = {
      type: 'object',
      properties: { exact: { type: 'string' }, prefix: { type: 'string' } },
      oneOf: [{ not: { anyOf: [{ required: ['exact'] }, { required: ['prefix'] }] } }, { required: ['exact'] }, { required: ['prefix'] }],
    };
    assert.deepEqual(errors(exclusive, { prefix: '/' }), []);
    assert.deepEqual(errors(exclusive, {}), []);
    assert.deepEqual(errors(exclusive, { exact: '/a', prefix: '/' }), ['(root): expected exactly one of 3 allowed shapes, matched 2: set only one of the alternative fields']);
  });

  it('reports duplicate keys of map-type and set-type lists', () => {
    const list = { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } };
    assert.deepEqual(errors(list, [{ name: 'a' }, { name: 'b' }, { name: 'a' }]), ["[2]: duplicate list entry: name 'a' appears more than once"]);
    assert.deepEqual(errors({ type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } }, ['x', 'x']), ["[1]: duplicate list entry: value 'x' appears more than once"]);
  });

  it("reads Go patterns, inline flags included", () => {
    assert.ok(goRegExp('^(?i)(abort|warn)?$').test('ABORT'));
    assert.deepEqual(errors({ type: 'string', pattern: '^[a-z]+$' }, 'Abc'), ["(root): expected a string matching ^[a-z]+$, got 'Abc'"]);
  });
});

describe('vendored schemas', () => {
  it('cover every kind the example fleet renders', () => {
    const schemas = kindSchemas();
    const result = renderFleet(REPO);
    const kinds = new Set(result.files.flatMap((f) => f.documents.map((d) => `${d.apiVersion}/${d.kind}`)));
    assert.ok(kinds.size >= 5);
    for (const kind of kinds) {
      const [apiVersion, name] = [kind.slice(0, kind.lastIndexOf('/')), kind.slice(kind.lastIndexOf('/') + 1)];
      assert.ok(schemas.validator(apiVersion, name), `${kind} has a schema`);
      assert.equal(schemas.removedInCurrent(apiVersion, name), false, `${kind} is still served`);
    }
  });

  it('record the Kubernetes versions they come from and are checked against, one per supported minor', () => {
    const sources = fs.readFileSync(path.join(REPO, 'lib/validate/schemas/SOURCES'), 'utf8');
    assert.deepEqual(SUPPORTED_MINORS, SUPPORTED.map((s) => s.minor));
    for (const { minor, module } of SUPPORTED) {
      const schemas = kindSchemas(minor);
      assert.equal(schemas.kubernetesVersion, module);
      assert.equal(schemas.currentVersion, CURRENT);
      assert.ok(sources.includes(`kubernetes-${minor}.json`) && sources.includes(`k8s.io/kubernetes ${module}`), `SOURCES names kubernetes-${minor}.json`);
    }
  });

  it('hold the served versions of the CRDs in lib/crds/used exactly as they are now', () => {
    const vendored = JSON.parse(fs.readFileSync(path.join(REPO, 'lib/validate/schemas/crds.json'), 'utf8')).kinds;
    assert.deepEqual(vendored, crdSchemas(path.join(REPO, CRD_DIR)), 'run: node --require tsx/cjs lib/validate/schemas/vendor.ts');
  });
});

describe('rules documentation', () => {

  it('every rule of the catalog is expected by some failing case of the test suite', () => {
    const testDir = path.join(REPO, 'test');
    const sources = fs.readdirSync(testDir).filter((f) => f.endsWith('.test.ts')).map((f) => fs.readFileSync(path.join(testDir, f), 'utf8'));
    const corpus = path.join(testDir, 'bad-values');
    for (const entry of fs.readdirSync(corpus, { withFileTypes: true })) {
      if (entry.isDirectory()) sources.push(fs.readFileSync(path.join(corpus, entry.name, 'expected.txt'), 'utf8'));
    }
    const all = sources.join('\n');
    const untested = RULES.filter((r) => !all.includes(`[${r.id}]`) && !all.includes(`'${r.id}')`)).map((r) => r.id);
    assert.deepEqual(untested, []);
  });
});
