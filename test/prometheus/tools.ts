import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../support/fleet';

/**
 * promtool and the Prometheus server, built from the Go module proxy by
 * `scripts/install-tools.sh promtool prometheus` into .tools/bin (cached). .ci/run builds them
 * before `npm run test:prometheus`; outside CI a missing binary skips the tests with that hint.
 */
export function tool(name: 'promtool' | 'prometheus'): string | undefined {
  const file = path.join(process.env.TOOLS_DIR ?? path.join(REPO, '.tools'), 'bin', name);
  if (fs.existsSync(file)) return file;
  if (process.env.CI) throw new Error(`${file} is missing: .ci/run must run scripts/install-tools.sh promtool prometheus first`);
  return undefined;
}

export const SKIP_HINT = 'needs .tools/bin/promtool and prometheus: run scripts/install-tools.sh promtool prometheus';
