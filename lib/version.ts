import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The version of the fleetchart library that is running: package.json's `version`, read from the
 * package this file belongs to (lib/ in the repository, dist/lib/ in an installed package).
 */
export const LIBRARY_VERSION: string = readVersion();

/**
 * Annotation on every rendered object (its own metadata, never its pod template): which library
 * release rendered it. Pod templates carry no version, so a release that changes nothing else
 * restarts no pod; a Deployment's annotation changes without a rollout.
 */
export const LIBRARY_VERSION_ANNOTATION = 'fleetchart.io/library-version';

function readVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'fleetchart' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new Error(`fleetchart: no package.json of fleetchart above ${__dirname}`);
  }
}
