/**
 * Regenerates the vendored schemas of the validate stage (a maintainer script, never loaded at
 * run time):
 *
 *   node --require tsx/cjs lib/validate/schemas/vendor.ts [--crds-only]
 *
 * - kubernetes-<minor>.json, one per supported Kubernetes minor (SUPPORTED): the upstream
 *   Kubernetes OpenAPI v3 definitions (from the k8s.io/kubernetes module,
 *   `api/openapi-spec/v3/*.json`) of the kinds fleetchart emits, trimmed to the transitive
 *   closure of their `$ref`s and to the keywords the validator reads (no descriptions), plus the
 *   list of what the newest supported release (`CURRENT`) no longer serves. Each cluster's
 *   objects are validated against the file of its `kubernetesVersion`.
 * - crds.json: the `openAPIV3Schema` of every served version of the CRDs in lib/crds/used/.
 *
 * The Kubernetes modules are fetched with `go mod download` (the Go module proxy).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/**
 * The Kubernetes minors fleetchart renders for, oldest first, with the k8s.io/kubernetes module
 * release each is vendored from. The oldest is what the rendered features need (the native
 * preStop `sleep` action: beta and on by default since 1.30); lib/imports/k8s.ts is generated
 * from it (scripts/import-k8s.ts). The newest matches the cluster tier's kube-apiserver.
 */
export const SUPPORTED = [
  { minor: '1.30', module: 'v1.30.14' },
  { minor: '1.31', module: 'v1.31.14' },
  { minor: '1.32', module: 'v1.32.13' },
  { minor: '1.33', module: 'v1.33.13' },
  { minor: '1.34', module: 'v1.34.4' },
] as const;
export const OLDEST_SUPPORTED = SUPPORTED[0];
export const CURRENT = SUPPORTED[SUPPORTED.length - 1].module;

/** Every group/version/kind fleetchart may emit from the Kubernetes API. */
export const KUBERNETES_KINDS = [
  'v1/Namespace',
  'v1/ServiceAccount',
  'v1/Service',
  'v1/ConfigMap',
  'apps/v1/Deployment',
  'policy/v1/PodDisruptionBudget',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'networking.k8s.io/v1/NetworkPolicy',
] as const;

const GROUP_FILES = ['api__v1_openapi.json', 'apis__apps__v1_openapi.json', 'apis__policy__v1_openapi.json', 'apis__autoscaling__v2_openapi.json', 'apis__networking.k8s.io__v1_openapi.json'];

/** Schema keywords the validator understands; everything else (descriptions, patch hints) goes. */
const KEEP = new Set([
  'type',
  'format',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'enum',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'nullable',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  '$ref',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-embedded-resource',
]);

type Schema = Record<string, any>;

const REF_PREFIX = '#/components/schemas/';

export function moduleDir(version: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], {
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
    cwd: fs.mkdtempSync('/tmp/fleetchart-vendor-'),
  });
  return JSON.parse(out).Dir as string;
}

function loadDefinitions(dir: string): Record<string, Schema> {
  const definitions: Record<string, Schema> = {};
  for (const file of GROUP_FILES) {
    const doc = JSON.parse(fs.readFileSync(path.join(dir, 'api/openapi-spec/v3', file), 'utf8'));
    Object.assign(definitions, doc.components.schemas);
  }
  return definitions;
}

function gvkKey(g: { group: string; version: string; kind: string }): string {
  return `${g.group ? `${g.group}/` : ''}${g.version}/${g.kind}`;
}

function rootsByKind(definitions: Record<string, Schema>): Map<string, string> {
  const roots = new Map<string, string>();
  for (const [name, schema] of Object.entries(definitions)) {
    for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) roots.set(gvkKey(gvk), name);
  }
  return roots;
}

/** Drops unknown keywords; `allOf: [{$ref}]` (how v3 attaches a description to a ref) becomes the ref. */
function trim(schema: Schema): Schema {
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && schema.allOf[0].$ref && !schema.type && !schema.properties) {
    return trim({ ...schema, $ref: schema.allOf[0].$ref, allOf: undefined });
  }
  const out: Schema = {};
  for (const key of Object.keys(schema).sort()) {
    const value = schema[key];
    if (!KEEP.has(key) || value === undefined) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.keys(value).sort().map((p) => [p, trim(value[p])]));
    } else if (key === 'items' || key === 'not' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = trim(value);
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
      out[key] = value.map(trim);
    } else if (key === '$ref') {
      out.$ref = String(value).slice(REF_PREFIX.length);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function refsOf(schema: unknown, into: Set<string>): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) return schema.forEach((s) => refsOf(s, into));
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref') into.add(String(value));
    else if (key !== 'enum' && key !== 'required') refsOf(value, into);
  }
}

function closure(definitions: Record<string, Schema>, roots: readonly string[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (out[name]) continue;
    if (!definitions[name]) throw new Error(`missing definition ${name}`);
    out[name] = trim(definitions[name]);
    const refs = new Set<string>();
    refsOf(out[name], refs);
    queue.push(...refs);
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}

/** What the target version has and the current one does not: kinds, definitions, fields. */
function removedSince(target: Record<string, Schema>, targetKinds: Map<string, string>, current: Record<string, Schema>, currentKinds: Map<string, string>) {
  const kinds = [...targetKinds.keys()].filter((k) => !currentKinds.has(k));
  const fields: string[] = [];
  const definitions: string[] = [];
  for (const [name, schema] of Object.entries(target)) {
    const now = current[name];
    if (!now) {
      definitions.push(name);
      continue;
    }
    for (const property of Object.keys(schema.properties ?? {})) {
      if (!(property in (now.properties ?? {}))) fields.push(`${name}.${property}`);
    }
  }
  return { kinds: kinds.sort(), definitions: definitions.sort(), fields: fields.sort() };
}

/** Compact but diffable: one definition per line. */
function writeJson(file: string, head: Record<string, unknown>, table: string, entries: Record<string, unknown>): void {
  const lines = ['{'];
  for (const [key, value] of Object.entries(head)) lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)},`);
  lines.push(`  ${JSON.stringify(table)}: {`);
  const names = Object.keys(entries);
  names.forEach((name, i) => lines.push(`    ${JSON.stringify(name)}: ${JSON.stringify(entries[name])}${i < names.length - 1 ? ',' : ''}`));
  lines.push('  }', '}');
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

export function vendorKubernetes(target: string, targetDir: string, currentDir: string, outFile: string): void {
  const targetAll = loadDefinitions(targetDir);
  const currentAll = loadDefinitions(currentDir);
  const targetKinds = rootsByKind(targetAll);
  const currentKinds = rootsByKind(currentAll);
  const kinds: Record<string, string> = {};
  for (const kind of KUBERNETES_KINDS) {
    const name = targetKinds.get(kind);
    if (!name) throw new Error(`${kind} is not in Kubernetes ${target}`);
    kinds[kind] = name;
  }
  const definitions = closure(targetAll, Object.values(kinds));
  const usedKinds = new Map([...targetKinds].filter(([k]) => k in kinds));
  const currentUsed = closure(currentAll, [...currentKinds].filter(([k]) => k in kinds).map(([, n]) => n));
  const removed = removedSince(definitions, usedKinds, { ...currentAll, ...currentUsed }, currentKinds);
  writeJson(outFile, { version: target, checkedAgainst: CURRENT, kinds, removedInCurrent: removed }, 'definitions', definitions);
  console.log(`${path.basename(outFile)}: ${Object.keys(kinds).length} kinds, ${Object.keys(definitions).length} definitions; removed in ${CURRENT}: ${JSON.stringify(removed)}`);
}

/**
 * The served versions of every CRD in lib/crds/used/, keyed `group/version/Kind`. A version whose
 * schema equals another's is stored as the name of that one.
 */
export function crdSchemas(crdDir: string): Record<string, Schema | string> {
  const out: Record<string, Schema | string> = {};
  const seen = new Map<string, string>();
  for (const file of fs.readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).sort()) {
    const crd = parse(fs.readFileSync(path.join(crdDir, file), 'utf8'));
    const versions = [...crd.spec.versions].sort((a: any, b: any) => Number(b.storage) - Number(a.storage));
    for (const version of versions) {
      if (!version.served) continue;
      const schema = trim(version.schema.openAPIV3Schema);
      const key = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
      const text = JSON.stringify(schema);
      out[key] = seen.get(text) ?? schema;
      if (!seen.has(text)) seen.set(text, key);
    }
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}

export const CRD_DIR = 'lib/crds/used';

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..', '..');
  // `--crds-only`: regenerate crds.json alone (after `npm run cdk8s:import` added a kind), no Go download.
  if (!process.argv.includes('--crds-only')) {
    const currentDir = moduleDir(CURRENT);
    for (const { minor, module } of SUPPORTED) {
      vendorKubernetes(module, moduleDir(module), currentDir, path.join(__dirname, `kubernetes-${minor}.json`));
    }
  }
  const crds = crdSchemas(path.join(root, CRD_DIR));
  writeJson(path.join(__dirname, 'crds.json'), { source: CRD_DIR }, 'kinds', crds);
  console.log(`crds.json: ${Object.keys(crds).join(', ')}`);
}
