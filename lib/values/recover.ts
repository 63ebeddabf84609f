import type { z } from 'zod';

/**
 * After a values file fails the schema, the values without the rejected entries: unknown keys
 * dropped, and each invalid value that is a single setting (a string, a number, a boolean, a
 * list of scalars) removed so its default applies. Resolve and validate then still run on the
 * rest, so one run reports the parse problems and what the later stages find (a typo'd key and
 * a prod replica count together).
 *
 * Gives up (undefined) when a removal would drop structure — a whole process, a port, a route —
 * or a required field, since later findings about the remains would be noise.
 */
export function withoutRejected<T>(schema: z.ZodType<T>, input: unknown, issues: readonly z.core.$ZodIssue[]): T | undefined {
  const copy = clone(input);
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const target = at(copy, issue.path);
      if (!isObject(target)) return undefined;
      for (const key of issue.keys) delete target[key];
      continue;
    }
    if (issue.path.length === 0) return undefined;
    const parent = at(copy, issue.path.slice(0, -1));
    const key = issue.path[issue.path.length - 1];
    if (!isObject(parent) || typeof key === 'number' || !(String(key) in parent)) return undefined;
    const value = parent[String(key)];
    if (isObject(value) || (Array.isArray(value) && value.some((item) => typeof item === 'object' && item !== null))) return undefined;
    delete parent[String(key)];
  }
  const again = schema.safeParse(copy);
  return again.success ? again.data : undefined;
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}
