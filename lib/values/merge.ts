/**
 * Merge rules for per-cluster overrides, in one place:
 * - objects merge deeply (so `env` and `secrets` merge by variable name),
 * - lists of named items (`ports`) merge by `name`: a known name merges into that item, a new
 *   name is appended,
 * - other lists and all scalars replace.
 * Neither input is modified.
 */
export function mergeOverride<T>(base: T, override: unknown): T {
  return merge(base, override) as T;
}

function merge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) out[key] = merge(base[key], value);
    return out;
  }
  if (Array.isArray(base) && Array.isArray(override) && isNamedList(base) && isNamedList(override)) {
    const out = [...base];
    for (const item of override) {
      const index = out.findIndex((existing) => existing.name === item.name);
      if (index >= 0) out[index] = merge(out[index], item) as { name: string };
      else out.push(item);
    }
    return out;
  }
  return override;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNamedList(list: unknown[]): list is { name: string }[] {
  return list.every((item) => isPlainObject(item) && typeof item.name === 'string');
}

/** `prod-*` style globs: `*` matches any run of characters, `?` one character. */
export function globMatches(pattern: string, name: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(name);
}

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/**
 * The override keys that apply to a cluster, in application order: globs first in the order
 * written, then the exact cluster name, so the most specific setting wins.
 */
export function matchingOverrideKeys(keys: readonly string[], clusterName: string): string[] {
  const globs = keys.filter((k) => isGlob(k) && globMatches(k, clusterName));
  const exact = keys.filter((k) => k === clusterName);
  return [...globs, ...exact];
}
