import * as path from 'node:path';
import { applyCluster } from '../../apply/apply';
import { Kubectl } from '../../apply/kubectl';
import { releaseHeldLocks } from '../../apply/lock';
import { documentsOfFiles, readClusterOutput, staleFiles } from '../../apply/output';
import { formatReport, reportJson } from '../../apply/summary';
import { renderFleet } from '../../pipeline';
import { Command, OUTPUT_DIR, reportFindings } from '../command';

/** `90s`, `10m`, `1h`, or seconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * factor);
}

export const DEFAULT_TIMEOUT = '10m';

export const apply: Command = {
  async run(flags, io) {
    const cluster = flags.cluster as string | undefined;
    if (!cluster || /[*?]/.test(cluster)) {
      io.err(`fleetchart apply: expected --cluster <name> naming one cluster of apps/clusters.ts${cluster ? `, got the glob '${cluster}'` : ''}`);
      return 2;
    }
    const dryRun = flags['dry-run'] as string | undefined;
    if (dryRun !== undefined && dryRun !== 'server') {
      io.err(`fleetchart apply: expected --dry-run=server, got '--dry-run=${dryRun}' (a client dry run checks nothing 'fleetchart validate' does not)`);
      return 2;
    }
    const timeout = (flags.timeout as string | undefined) ?? DEFAULT_TIMEOUT;
    const timeoutMs = parseDuration(timeout);
    if (timeoutMs === undefined || timeoutMs <= 0) {
      io.err(`fleetchart apply: expected --timeout <duration> like 90s, 10m or 1h, got '${timeout}'`);
      return 2;
    }
    const outDir = path.resolve(io.root, (flags.out as string | undefined) ?? OUTPUT_DIR);
    const committed = readClusterOutput(outDir, cluster);

    // Apply what was reviewed: charts-out/ as committed, and only while apps/ + lib/ still render exactly that.
    if (!flags['allow-stale']) {
      const result = renderFleet(io.root, { cluster });
      if (reportFindings(result.findings, io, 'nothing was applied')) return 1;
      const stale = staleFiles([...result.platform, ...result.files], committed);
      if (stale.length) {
        const rel = (p: string) => path.relative(io.root, path.join(outDir, p));
        for (const file of stale) {
          const what = { changed: 'differs from what apps/ and lib/ render now', missing: 'is rendered but not in the committed output', extra: 'is committed but no longer rendered' }[file.change];
          io.err(`${rel(file.path)}: ${what}`);
        }
        io.err(
          `${stale.length} file${stale.length === 1 ? '' : 's'} of ${rel(cluster)}/ ${stale.length === 1 ? 'is' : 'are'} stale; nothing was applied. Run 'fleetchart synth --cluster ${cluster}', review and commit charts-out/; or apply the committed output as it is with --allow-stale.`,
        );
        return 1;
      }
    }
    if (!committed.length) {
      io.err(`fleetchart apply: ${path.relative(io.root, path.join(outDir, cluster))}/ has no output to apply; run 'fleetchart synth --cluster ${cluster}' first`);
      return 1;
    }

    const kubectl = new Kubectl({ kubeconfig: flags.kubeconfig as string | undefined, context: flags.context as string | undefined });
    // An interrupted apply frees the cluster's lock before exiting (a killed one lets it expire).
    const onSignal = (signal: NodeJS.Signals) => {
      void releaseHeldLocks().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let report;
    try {
      report = await applyCluster({
        cluster,
        documents: documentsOfFiles(committed),
        kubectl,
        dryRun: dryRun === 'server',
        adopt: flags.adopt === true,
        waitTimeoutMs: flags['no-wait'] ? undefined : timeoutMs,
        waitIntervalMs: process.env.FLEETCHART_WAIT_INTERVAL_MS ? Number(process.env.FLEETCHART_WAIT_INTERVAL_MS) : undefined,
        // While waiting, a CI log shows what it waits for (stderr: stdout stays the report, or the JSON).
        onProgress: (line) => io.err(line),
      });
    } catch (error) {
      io.err(`fleetchart apply: ${(error as Error).message}`);
      return 1;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    if (flags.json) {
      io.out(JSON.stringify(reportJson(report), null, 2));
    } else {
      const { out, err } = formatReport(report);
      for (const line of out) io.out(line);
      for (const line of err) io.err(line);
    }
    return report.errors.length ? 1 : 0;
  },
};
