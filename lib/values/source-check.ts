import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCache, writeCache } from '../cache';
import type { Finding } from '../findings';

/**
 * What TypeScript rejects in a values file but running it hides: a key written twice in one
 * object literal (TS1117) loads fine, the last value silently wins. esbuild (which loads the
 * values files through tsx) reports it as the warning `duplicate-object-key`
 * (https://esbuild.github.io/api/#log-override); results are cached by file content, so an
 * unchanged file costs one hash.
 *
 * Every run (synth too) checks this: it changes what renders. Other type errors are `validate`'s,
 * through the compiler (lib/values/type-check.ts), which leaves TS1117 to this check.
 */

const CACHE = 'source-checks.json';
type Cache = Record<string, Omit<Finding, 'file'>[]>;

let cache: { root: string; entries: Cache; dirty: boolean } | undefined;

export function sourceFindings(root: string, file: string): Finding[] {
  let source: string;
  try {
    source = fs.readFileSync(path.join(root, file), 'utf8');
  } catch {
    return [];
  }
  if (cache?.root !== root) cache = { root, entries: readCache<Cache>(root, CACHE) ?? {}, dirty: false };
  const hash = createHash('sha256').update(source).digest('hex');
  let found = cache.entries[hash];
  if (!found) {
    found = duplicateKeys(source);
    cache.entries[hash] = found;
    cache.dirty = true;
  }
  return found.map((f) => ({ file, ...f }));
}

/** Writes what this run learnt, for the next one. */
export function saveSourceChecks(): void {
  if (cache?.dirty && writeCache(cache.root, CACHE, cache.entries)) cache.dirty = false;
}

function duplicateKeys(source: string): Omit<Finding, 'file'>[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  let warnings: import('esbuild').Message[];
  try {
    warnings = esbuild.transformSync(source, { loader: 'ts', logLevel: 'silent' }).warnings;
  } catch {
    // A syntax error: loading the file reports it.
    return [];
  }
  return warnings
    .filter((w) => w.id === 'duplicate-object-key')
    .map((w) => {
      const key = /"(.*)"/.exec(w.text)?.[1] ?? '?';
      const where = w.location ? ` at line ${w.location.line}, column ${w.location.column + 1}` : '';
      return {
        path: '',
        severity: 'error' as const,
        message: `expected each key once per object, got '${key}' twice${where}: TypeScript rejects this (TS1117) and only the last value counts; remove one`,
      };
    });
}
