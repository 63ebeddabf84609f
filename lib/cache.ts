import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * fleetchart's caches between runs: JSON files in the fleet repository's
 * node_modules/.cache/fleetchart/ (source checks, type checks, the fleet index). A cache that is
 * missing or does not parse reads as undefined; one that cannot be written only costs time on the
 * next run.
 */
const CACHE_DIR = path.join('node_modules', '.cache', 'fleetchart');

export function readCache<T>(root: string, name: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, CACHE_DIR, name), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Written to a temporary file and renamed, so no reader (process or worker) sees half of it. Returns whether it was written. */
export function writeCache(root: string, name: string, value: unknown): boolean {
  try {
    const dir = path.join(root, CACHE_DIR);
    fs.mkdirSync(dir, { recursive: true });
    const temporary = path.join(dir, `${name}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    fs.writeFileSync(temporary, JSON.stringify(value));
    fs.renameSync(temporary, path.join(dir, name));
    return true;
  } catch {
    return false;
  }
}
