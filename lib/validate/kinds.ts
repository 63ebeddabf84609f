import * as fs from 'node:fs';
import * as path from 'node:path';
import { Schema, SchemaCompiler, SchemaError, Validator } from './schema';

/**
 * The schemas every rendered object is checked against: the vendored Kubernetes OpenAPI
 * definitions of the cluster's Kubernetes minor (lib/validate/schemas/kubernetes-<minor>.json)
 * and the vendored CRD schemas (lib/validate/schemas/crds.json), compiled once per process and
 * minor on first use.
 */

interface KubernetesSchemas {
  readonly version: string;
  readonly checkedAgainst: string;
  readonly kinds: Record<string, string>;
  readonly removedInCurrent: { kinds: string[]; definitions: string[]; fields: string[] };
  readonly definitions: Record<string, Schema>;
}

interface CrdSchemas {
  readonly kinds: Record<string, Schema | string>;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

export interface KindSchemas {
  /** `apps/v1/Deployment` → validator; undefined for a kind fleetchart has no schema for. */
  validator(apiVersion: string, kind: string): Validator | undefined;
  /** Whether the kind is served by the target version but no longer by the current one. */
  removedInCurrent(apiVersion: string, kind: string): boolean;
  readonly kubernetesVersion: string;
  readonly currentVersion: string;
  readonly knownKinds: readonly string[];
}

const loaded = new Map<string, KindSchemas>();

/** The Kubernetes minors with vendored schemas, oldest first (lib/validate/schemas/vendor.ts SUPPORTED). */
export const SUPPORTED_MINORS: readonly string[] = fs
  .readdirSync(path.join(__dirname, 'schemas'))
  .map((f) => /^kubernetes-(1\.\d+)\.json$/.exec(f)?.[1])
  .filter((m): m is string => m !== undefined)
  .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));

/** The newest minor with vendored schemas. */
export const NEWEST_MINOR = SUPPORTED_MINORS[SUPPORTED_MINORS.length - 1];

function read<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'schemas', file), 'utf8')) as T;
}

/** The schemas of one Kubernetes minor (default: the newest vendored); undefined when none is vendored. */
export function kindSchemas(minor: string = NEWEST_MINOR): KindSchemas {
  const cached = loaded.get(minor);
  if (cached) return cached;
  if (!SUPPORTED_MINORS.includes(minor)) throw new Error(`no vendored Kubernetes schemas for ${minor}; supported: ${SUPPORTED_MINORS.join(', ')}`);
  const kubernetes = read<KubernetesSchemas>(`kubernetes-${minor}.json`);
  const crds = read<CrdSchemas>('crds.json');
  const compiler = new SchemaCompiler({
    definitions: kubernetes.definitions,
    removedFields: new Set(kubernetes.removedInCurrent.fields),
    removedDefinitions: new Set(kubernetes.removedInCurrent.definitions),
    currentVersion: kubernetes.checkedAgainst,
  });
  const validators = new Map<string, Validator>();
  for (const [key, definition] of Object.entries(kubernetes.kinds)) validators.set(key, compiler.definition(definition));
  for (const [key, entry] of Object.entries(crds.kinds)) {
    if (typeof entry === 'string') continue;
    // The API server validates a custom resource's apiVersion, kind and metadata (as ObjectMeta)
    // itself; CRD schemas leave them out or say only `type: object`.
    const schema = { ...entry, properties: { ...entry.properties, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { $ref: OBJECT_META } } };
    validators.set(key, compiler.compile(schema));
  }
  for (const [key, alias] of Object.entries(crds.kinds)) {
    if (typeof alias === 'string') validators.set(key, validators.get(alias)!);
  }
  const removedKinds = new Set(kubernetes.removedInCurrent.kinds);
  const schemas: KindSchemas = {
    validator: (apiVersion, kind) => validators.get(`${apiVersion}/${kind}`),
    removedInCurrent: (apiVersion, kind) => removedKinds.has(`${apiVersion}/${kind}`),
    kubernetesVersion: kubernetes.version,
    currentVersion: kubernetes.checkedAgainst,
    knownKinds: [...validators.keys()].sort(),
  };
  loaded.set(minor, schemas);
  return schemas;
}

/** Schema errors of one document; empty when it is valid. */
export function schemaErrors(document: Record<string, unknown>, minor: string = NEWEST_MINOR): SchemaError[] | 'unknown-kind' {
  const schemas = kindSchemas(minor);
  const validator = schemas.validator(String(document.apiVersion), String(document.kind));
  if (!validator) return 'unknown-kind';
  const errors: SchemaError[] = [];
  validator(document, [], errors);
  return errors;
}
