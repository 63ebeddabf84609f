import { closest, formatPath } from '../findings';

/**
 * A compact validator for the OpenAPI v3 structural schemas that Kubernetes publishes and that
 * CRDs carry. Schemas are compiled once into closures; validating a document is plain loops with
 * no allocation unless something is wrong.
 *
 * Supported: type, format (int32, int64, int-or-string), properties, required,
 * additionalProperties, items, enum, nullable, allOf/anyOf/oneOf/not, minimum/maximum (and
 * exclusive), minLength/maxLength, pattern, minItems/maxItems, minProperties/maxProperties,
 * `$ref`, x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields,
 * x-kubernetes-list-type (set, map with x-kubernetes-list-map-keys), and the Quantity format.
 * Unknown fields are errors, as `kubectl --validate=strict` reports them. CEL rules
 * (x-kubernetes-validations) are not evaluated.
 */

export type Schema = Readonly<Record<string, any>>;

export interface SchemaError {
  /** Path inside the document, e.g. `spec.template.spec.containers[0].image`. */
  readonly path: string;
  readonly message: string;
  /** `removed` when the field exists in the target version but not in the current one. */
  readonly kind: 'invalid' | 'removed';
}

/** The document path while walking; formatted only when an error is recorded. */
type Path = PropertyKey[];
export type Validator = (value: unknown, path: Path, errors: SchemaError[]) => void;

export interface CompileOptions {
  /** Named definitions that `$ref` points at. */
  readonly definitions?: Readonly<Record<string, Schema>>;
  /** `Definition.field` names the newer Kubernetes release no longer has. */
  readonly removedFields?: ReadonlySet<string>;
  /** Definitions the newer release no longer has. */
  readonly removedDefinitions?: ReadonlySet<string>;
  /** The newer release, for messages: `v1.34.2`. */
  readonly currentVersion?: string;
}

const QUANTITY_DEFINITION = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING_DEFINITION = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
/** resource.ParseQuantity's grammar. */
export const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?\d+))?$/;

const INT32 = { min: -2147483648, max: 2147483647 };
const INT64 = { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

function fail(errors: SchemaError[], path: Path, message: string, kind: SchemaError['kind'] = 'invalid'): void {
  errors.push({ path: formatPath(path), message, kind });
}

/** Compiles schemas sharing one definitions table and one cache of compiled definitions. */
export class SchemaCompiler {
  private readonly compiled = new Map<string, Validator>();

  constructor(private readonly options: CompileOptions = {}) {}

  /** The validator of a named definition. */
  definition(name: string): Validator {
    const cached = this.compiled.get(name);
    if (cached) return cached;
    const schema = this.options.definitions?.[name];
    if (!schema) throw new Error(`schema definition not found: ${name}`);
    // Placeholder first, so recursive definitions terminate.
    let target: Validator | undefined;
    const forward: Validator = (v, p, e) => target!(v, p, e);
    this.compiled.set(name, forward);
    if (name === QUANTITY_DEFINITION) target = quantity(false);
    else if (name === INT_OR_STRING_DEFINITION) target = intOrString(false);
    else target = this.compile(schema, name);
    this.compiled.set(name, target);
    return target;
  }

  /** Compiles a schema; `owner` names the definition it belongs to (for removed fields). */
  compile(schema: Schema, owner?: string): Validator {
    if (schema.$ref) {
      const ref = this.definition(schema.$ref);
      if (this.options.removedDefinitions?.has(schema.$ref)) {
        const name = schema.$ref as string;
        return (v, p, e) => {
          fail(e, p, `${name.split('.').pop()} is removed in Kubernetes ${this.options.currentVersion ?? 'current'}; remove this field`, 'removed');
          ref(v, p, e);
        };
      }
      return ref;
    }
    const nullable = schema.nullable === true;
    const checks: Validator[] = [];

    if (schema['x-kubernetes-int-or-string'] === true || schema.format === 'int-or-string') {
      checks.push(intOrString(nullable));
    } else if (typeof schema.type === 'string') {
      checks.push(this.typed(schema, owner));
    } else if (schema.properties || schema.additionalProperties !== undefined) {
      checks.push(this.typed({ ...schema, type: 'object' }, owner));
    } else if (Array.isArray(schema.required)) {
      // An untyped `required` (CRDs write mutually exclusive fields as oneOf of these).
      checks.push(requiredOnly(schema.required));
    }
    if (Array.isArray(schema.enum)) checks.push(enumeration(schema.enum));
    for (const sub of schema.allOf ?? []) checks.push(this.compile(sub, owner));
    if (Array.isArray(schema.anyOf)) checks.push(this.anyOf(schema.anyOf.map((s: Schema) => this.compile(s))));
    if (Array.isArray(schema.oneOf) && !(schema['x-kubernetes-int-or-string'] || schema.format === 'int-or-string')) {
      checks.push(this.oneOf(schema.oneOf.map((s: Schema) => this.compile(s))));
    }
    if (schema.not) checks.push(this.not(this.compile(schema.not)));

    if (checks.length === 0) return () => {};
    if (checks.length === 1) return nullable ? skipNull(checks[0]) : checks[0];
    const all: Validator = (v, p, e) => {
      for (let i = 0; i < checks.length; i++) checks[i](v, p, e);
    };
    return nullable ? skipNull(all) : all;
  }

  private typed(schema: Schema, owner?: string): Validator {
    const nullable = schema.nullable === true;
    switch (schema.type) {
      case 'object':
        return this.object(schema, owner, nullable);
      case 'array':
        return this.array(schema, nullable);
      case 'string':
        return string(schema, nullable);
      case 'integer':
      case 'number':
        return number(schema, nullable);
      case 'boolean':
        return (v, p, e) => {
          if (typeof v !== 'boolean' && !(nullable && v === null)) fail(e, p, `expected true or false, got ${describe(v)}`);
        };
      default:
        return () => {};
    }
  }

  private object(schema: Schema, owner: string | undefined, nullable: boolean): Validator {
    const properties = new Map<string, Validator>();
    const removed = this.options.removedFields;
    for (const [name, sub] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
      const gone = owner !== undefined && removed?.has(`${owner}.${name}`);
      // A removed field reports once, not again for its (also removed) type.
      const inner = gone && sub.$ref ? this.definition(sub.$ref) : this.compile(sub);
      if (gone) {
        properties.set(name, (v, p, e) => {
          fail(e, p, `'${name}' is removed in Kubernetes ${this.options.currentVersion ?? 'current'}; remove it`, 'removed');
          inner(v, p, e);
        });
      } else {
        properties.set(name, inner);
      }
    }
    const names = [...properties.keys()];
    const required: readonly string[] = schema.required ?? [];
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    const additional: Validator | undefined =
      schema.additionalProperties && typeof schema.additionalProperties === 'object' ? this.compile(schema.additionalProperties) : undefined;
    const anyAdditional = schema.additionalProperties === true || preserve;
    const minProperties: number | undefined = schema.minProperties;
    const maxProperties: number | undefined = schema.maxProperties;
    const embedded = schema['x-kubernetes-embedded-resource'] === true;

    return (v, p, e) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        if (!(nullable && v === null)) fail(e, p, `expected an object, got ${describe(v)}`);
        return;
      }
      const object = v as Record<string, unknown>;
      let count = 0;
      for (const key in object) {
        const value = object[key];
        if (value === undefined) continue;
        count++;
        const check = properties.get(key);
        p.push(key);
        if (check) check(value, p, e);
        else if (additional) additional(value, p, e);
        else if (!anyAdditional && !(embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata'))) {
          const suggestion = closest(key, names);
          fail(e, p, `unknown field '${key}'${suggestion ? `; did you mean '${suggestion}'?` : names.length ? `; known fields: ${names.join(', ')}` : ''}`);
        }
        p.pop();
      }
      for (let i = 0; i < required.length; i++) {
        if (object[required[i]] === undefined) {
          p.push(required[i]);
          fail(e, p, `required field '${required[i]}' is missing`);
          p.pop();
        }
      }
      if (minProperties !== undefined && count < minProperties) fail(e, p, `expected at least ${minProperties} field(s), got ${count}`);
      if (maxProperties !== undefined && count > maxProperties) fail(e, p, `expected at most ${maxProperties} field(s), got ${count}`);
    };
  }

  private array(schema: Schema, nullable: boolean): Validator {
    const items = schema.items ? this.compile(schema.items) : undefined;
    const minItems: number | undefined = schema.minItems;
    const maxItems: number | undefined = schema.maxItems;
    const listType: string | undefined = schema['x-kubernetes-list-type'];
    const mapKeys: readonly string[] | undefined = schema['x-kubernetes-list-map-keys'];
    return (v, p, e) => {
      if (!Array.isArray(v)) {
        if (!(nullable && v === null)) fail(e, p, `expected a list, got ${describe(v)}`);
        return;
      }
      if (items) {
        for (let i = 0; i < v.length; i++) {
          p.push(i);
          items(v[i], p, e);
          p.pop();
        }
      }
      if (minItems !== undefined && v.length < minItems) fail(e, p, `expected at least ${minItems} item(s), got ${v.length}`);
      if (maxItems !== undefined && v.length > maxItems) fail(e, p, `expected at most ${maxItems} item(s), got ${v.length}`);
      if (v.length > 1 && (listType === 'set' || (listType === 'map' && mapKeys))) duplicates(v, listType, mapKeys, p, e);
    };
  }

  private anyOf(options: readonly Validator[]): Validator {
    return (v, p, e) => {
      const scratch: SchemaError[] = [];
      for (const option of options) {
        scratch.length = 0;
        option(v, p, scratch);
        if (scratch.length === 0) return;
      }
      fail(e, p, `expected one of ${options.length} allowed shapes, matched none (${scratch[0]?.message ?? 'no match'})`);
    };
  }

  private oneOf(options: readonly Validator[]): Validator {
    return (v, p, e) => {
      const scratch: SchemaError[] = [];
      let matches = 0;
      let first: SchemaError | undefined;
      for (const option of options) {
        scratch.length = 0;
        option(v, p, scratch);
        if (scratch.length === 0) matches++;
        else first ??= scratch[0];
      }
      if (matches === 0) fail(e, p, `expected exactly one of ${options.length} allowed shapes, matched none (${first?.message ?? 'no match'})`);
      else if (matches > 1) fail(e, p, `expected exactly one of ${options.length} allowed shapes, matched ${matches}: set only one of the alternative fields`);
    };
  }

  private not(inner: Validator): Validator {
    return (v, p, e) => {
      const scratch: SchemaError[] = [];
      inner(v, p, scratch);
      if (scratch.length === 0) fail(e, p, 'expected a value that does not match an excluded shape: set only one of the alternative fields');
    };
  }
}

function requiredOnly(required: readonly string[]): Validator {
  return (v, p, e) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
    for (const name of required) {
      if ((v as Record<string, unknown>)[name] === undefined) {
        p.push(name);
        fail(e, p, `required field '${name}' is missing`);
        p.pop();
      }
    }
  };
}

function skipNull(check: Validator): Validator {
  return (v, p, e) => {
    if (v !== null) check(v, p, e);
  };
}

function string(schema: Schema, nullable: boolean): Validator {
  const minLength: number | undefined = schema.minLength;
  const maxLength: number | undefined = schema.maxLength;
  const pattern = typeof schema.pattern === 'string' ? goRegExp(schema.pattern) : undefined;
  return (v, p, e) => {
    if (typeof v !== 'string') {
      if (!(nullable && v === null)) fail(e, p, `expected a string, got ${describe(v)}`);
      return;
    }
    if (minLength !== undefined && v.length < minLength) fail(e, p, `expected at least ${minLength} character(s), got ${describe(v)}`);
    if (maxLength !== undefined && v.length > maxLength) fail(e, p, `expected at most ${maxLength} characters, got ${v.length}`);
    if (pattern && !pattern.test(v)) fail(e, p, `expected a string matching ${schema.pattern}, got ${describe(v)}`);
  };
}

/** A Go (RE2) pattern as a JavaScript RegExp: RE2's inline flags `(?i)` become RegExp flags. */
export function goRegExp(pattern: string): RegExp {
  let flags = 'u';
  const source = pattern.replace(/\(\?([ims]+)\)/g, (_, f: string) => {
    for (const flag of f) if (!flags.includes(flag)) flags += flag;
    return '';
  });
  return new RegExp(source, flags);
}

function number(schema: Schema, nullable: boolean): Validator {
  const integer = schema.type === 'integer';
  const range = schema.format === 'int32' ? INT32 : integer ? INT64 : undefined;
  const minimum: number | undefined = schema.minimum;
  const maximum: number | undefined = schema.maximum;
  const exclusiveMinimum = schema.exclusiveMinimum === true;
  const exclusiveMaximum = schema.exclusiveMaximum === true;
  const expected = integer ? (schema.format === 'int32' ? 'a 32-bit integer' : 'an integer') : 'a number';
  return (v, p, e) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      if (!(nullable && v === null)) fail(e, p, `expected ${expected}, got ${describe(v)}`);
      return;
    }
    if (range && (v < range.min || v > range.max)) fail(e, p, `expected ${expected} between ${range.min} and ${range.max}, got ${v}`);
    if (minimum !== undefined && (exclusiveMinimum ? v <= minimum : v < minimum)) fail(e, p, `expected ${exclusiveMinimum ? 'more than' : 'at least'} ${minimum}, got ${v}`);
    if (maximum !== undefined && (exclusiveMaximum ? v >= maximum : v > maximum)) fail(e, p, `expected ${exclusiveMaximum ? 'less than' : 'at most'} ${maximum}, got ${v}`);
  };
}

function enumeration(values: readonly unknown[]): Validator {
  const allowed = new Set(values);
  return (v, p, e) => {
    if (!allowed.has(v)) fail(e, p, `expected one of ${values.map(describe).join(', ')}, got ${describe(v)}`);
  };
}

function intOrString(nullable: boolean): Validator {
  return (v, p, e) => {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v) && v >= INT32.min && v <= INT32.max)) return;
    if (!(nullable && v === null)) fail(e, p, `expected a 32-bit integer or a string, got ${describe(v)}`);
  };
}

function quantity(nullable: boolean): Validator {
  return (v, p, e) => {
    if (typeof v === 'string' && QUANTITY.test(v)) return;
    if (typeof v === 'number' && Number.isFinite(v)) return;
    if (!(nullable && v === null)) fail(e, p, `expected a Kubernetes quantity like '250m', '1.5' or '512Mi', got ${describe(v)}`);
  };
}

function duplicates(list: readonly unknown[], listType: string, mapKeys: readonly string[] | undefined, p: Path, e: SchemaError[]): void {
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    const key =
      listType === 'set'
        ? JSON.stringify(item)
        : mapKeys!.map((k) => JSON.stringify((item as Record<string, unknown> | null)?.[k] ?? null)).join('\u0000');
    if (seen.has(key)) {
      p.push(i);
      const what = listType === 'set' ? `value ${describe(item)}` : mapKeys!.map((k) => `${k} ${describe((item as Record<string, unknown>)?.[k])}`).join(', ');
      fail(e, p, `duplicate list entry: ${what} appears more than once`);
      p.pop();
    }
    seen.add(key);
  }
}
