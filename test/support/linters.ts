import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO } from './fleet';

/**
 * kube-score's and checkov's JSON reports, from the binaries scripts/install-tools.sh builds into
 * .tools/bin. Both exit 1 when they report a finding, which is what the tests read, not a failure.
 */
function report(tool: 'kube-score' | 'checkov', args: readonly string[]): unknown {
  let out: string;
  try {
    out = execFileSync(path.join(REPO, '.tools', 'bin', tool), args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch (e: any) {
    out = e.stdout;
  }
  return JSON.parse(out);
}

export function kubeScoreReport(files: readonly string[]): unknown {
  return report('kube-score', ['score', '--output-format', 'json', ...files]);
}

/** checkov's Kubernetes framework over a folder; `options` such as ['--check', 'CKV_K8S_8'] or ['--quiet', '--compact']. */
export function checkovReport(dir: string, options: readonly string[] = []): unknown {
  return report('checkov', ['-d', dir, '--framework', 'kubernetes', ...options, '--output', 'json', '--skip-download']);
}
