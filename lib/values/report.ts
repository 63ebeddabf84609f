import type { z } from 'zod';
import { Finding, closest, formatPath } from '../findings';

/**
 * Turns zod issues into findings: one line per problem, saying what was expected, what was
 * found and, for unknown keys, which key was probably meant.
 */
export function issuesToFindings(file: string, schema: z.ZodType, issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): Finding[] {
  const findings: Finding[] = [];
  for (const issue of issues) collect(file, schema, issue, prefix, findings);
  return findings;
}

function collect(file: string, schema: z.ZodType, issue: z.core.$ZodIssue, prefix: PropertyKey[], out: Finding[]): void {
  const path = [...prefix, ...issue.path];
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, issue.path);
      for (const key of issue.keys) {
        const suggestion = closest(key, allowed);
        const fix = suggestion ? `did you mean '${suggestion}'?` : `remove it; allowed keys: ${allowed.join(', ')}`;
        out.push(error(file, [...path, key], `unknown key '${key}': ${fix}`));
      }
      return;
    }
    case 'invalid_union': {
      if ((issue as any).note === 'No matching discriminator') {
        const discriminator = (issue as any).discriminator as string;
        const found = input && typeof input === 'object' ? (input as Record<string, unknown>)[discriminator] : input;
        out.push(error(file, path, `${issue.message}, got ${describeValue(found)}`));
        return;
      }
      const branch = bestBranch(issue.errors);
      if (branch) {
        for (const inner of branch) collect(file, schema, { ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, prefix, out);
      } else {
        out.push(error(file, path, withFound(expectation(issue), input, true)));
      }
      return;
    }
    case 'invalid_key': {
      const inner = (issue as any).issues?.[0];
      out.push(error(file, path, `invalid key: ${withFound(inner ? expectation(inner) : issue.message, input, true)}`));
      return;
    }
    default:
      out.push(error(file, path, withFound(expectation(issue), input, 'input' in issue)));
  }
}

function error(file: string, path: readonly PropertyKey[], message: string): Finding {
  return { file, path: formatPath(path), message, severity: 'error' };
}

/** Our schemas phrase every error as "expected …"; zod's generic messages are rephrased. */
function expectation(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('expected')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${article(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'array' ? `expected at least ${issue.minimum} item(s)` : `expected at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array' ? `expected at most ${issue.maximum} item(s)` : `expected at most ${issue.maximum}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => describeValue(v)).join(', ')}`;
    default:
      return `expected a valid value (${issue.message})`;
  }
}

function article(type: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'an integer',
    boolean: 'true or false',
    object: 'an object',
    array: 'a list',
    record: 'an object',
    literal: 'a fixed value',
  };
  return names[type] ?? type;
}

function withFound(expected: string, input: unknown, hasInput: boolean): string {
  if (!hasInput || input === undefined) return `required: ${expected}`;
  return `${expected}, got ${describeValue(input)}`;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 77)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'function') return 'a function';
  return Object.keys(value as object).length === 0 ? 'an empty object' : 'an object';
}

/** The union branch that matched the input's shape: no type error at its root, fewest issues. */
function bestBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  const shapeMatches = branches.filter((b) => !b.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')));
  if (shapeMatches.length === 0) return undefined;
  return shapeMatches.reduce((a, b) => (b.length < a.length ? b : a));
}

/** Keys an object schema at `path` accepts, for suggestions. */
function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: any = schema;
  for (const segment of [...path, undefined]) {
    current = unwrap(current);
    if (!current) return [];
    const def = current._zod.def;
    if (segment === undefined) return def.type === 'object' ? Object.keys(def.shape) : [];
    if (def.type === 'object') current = def.shape[segment as string];
    else if (def.type === 'record') current = def.valueType;
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'union') current = def.options.find((o: any) => unwrap(o)?._zod.def.type === 'object');
    else return [];
  }
  return [];
}

function unwrap(schema: any): any {
  let s = schema;
  while (s && ['optional', 'default', 'nullable', 'pipe'].includes(s._zod.def.type)) {
    s = s._zod.def.type === 'pipe' ? s._zod.def.in : s._zod.def.innerType;
  }
  if (s && s._zod.def.type === 'union') {
    const objectBranch = s._zod.def.options.find((o: any) => unwrap(o)?._zod.def.type === 'object');
    return objectBranch ? unwrap(objectBranch) : s;
  }
  return s;
}
