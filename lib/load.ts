import * as fs from 'node:fs';
import * as path from 'node:path';
import { Finding } from './findings';

/** Where the fleet lives, relative to the repository root. */
export const APPS_DIR = 'apps';
export const INVENTORY_FILE = 'apps/clusters.ts';
export const VALUES_FILE = 'values.ts';

export interface LoadedModule {
  /** Path relative to the root, as findings print it. */
  readonly file: string;
  readonly exported?: unknown;
  readonly findings: readonly Finding[];
}

/** The service folders under apps/, sorted: every folder with a values.ts. */
export function discoverApps(root: string): string[] {
  const dir = path.join(root, APPS_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, VALUES_FILE)))
    .map((entry) => entry.name)
    .sort();
}

export function valuesFile(app: string): string {
  return `${APPS_DIR}/${app}/${VALUES_FILE}`;
}

/**
 * Loads a TypeScript module's default export. A module that throws, or exports nothing, becomes
 * a finding: one bad values file must not hide the problems of the others.
 */
export function loadDefaultExport(root: string, file: string, expected: string): LoadedModule {
  const absolute = path.join(root, file);
  if (!fs.existsSync(absolute)) {
    const message = `expected this file in the fleet repository, found none in ${root}; run fleetchart inside a repository with ${INVENTORY_FILE} (any sub-folder works)`;
    return { file, findings: [{ file, path: '', severity: 'error', message }] };
  }
  let module: { default?: unknown };
  try {
    module = requireFresh(absolute);
  } catch (error) {
    return { file, findings: [{ file, path: '', severity: 'error', message: loadFailure(error, file) }] };
  }
  if (module?.default === undefined) {
    return { file, findings: [{ file, path: '', severity: 'error', message: `expected a default export, found none; end the file with 'export default ${expected}'` }] };
  }
  return { file, exported: module.default, findings: [] };
}

/** A syntax error names its line and column; anything thrown while running names itself. */
function loadFailure(error: unknown, file: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const syntax = /^.*:(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  if (message.startsWith('Transform failed') && syntax) {
    return `expected TypeScript that compiles, got a syntax error at line ${syntax[1]}, column ${syntax[2]}: ${syntax[3]}; fix it there`;
  }
  return `expected a module that loads, but it threw: ${message.split('\n')[0]}; fix that line (run 'node --require tsx/cjs ${file}' to see the stack)`;
}

const loaded = new Map<string, { stamp: string; module: { default?: unknown } }>();

/**
 * `require`, re-evaluating the module when its file changed since the last load, so a
 * long-lived process (tests, watch, a worker rendering cluster after cluster) sees edits but
 * does not run an unchanged file twice.
 */
function requireFresh(absolute: string): { default?: unknown } {
  const stat = fs.statSync(absolute, { throwIfNoEntry: false });
  // No file: let require report it in its own words.
  const stamp = stat ? `${stat.mtimeMs}:${stat.ctimeMs}:${stat.size}:${stat.ino}` : undefined;
  const cached = loaded.get(absolute);
  if (stamp !== undefined && cached?.stamp === stamp) return cached.module;
  delete require.cache[require.resolve(absolute)];
  const module = require(absolute) as { default?: unknown };
  if (stamp !== undefined) loaded.set(absolute, { stamp, module });
  return module;
}
