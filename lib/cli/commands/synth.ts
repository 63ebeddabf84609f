import * as path from 'node:path';
import { renderFleetOutput } from '../../parallel';
import { writeArgocd } from '../../gitops/argocd';
import { HELM_OUTPUT_DIR, helmChart, writeCharts } from '../../helm';
import { writeOutputs } from '../../write';
import { Command, OUTPUT_DIR, progress, reportFindings, selection } from '../command';

export const synth: Command = {
  async run(flags, io) {
    if (flags.format !== undefined && flags.format !== 'k8s' && flags.format !== 'helm' && flags.format !== 'argocd') {
      io.err(`fleetchart synth: expected --format k8s, helm or argocd, got '${flags.format}'`);
      return 2;
    }
    progress(io, 'rendering and checking the fleet');
    const result = await renderFleetOutput(io.root, selection(flags));
    if (reportFindings(result.findings, io)) return 1;
    if (flags.format === 'argocd') {
      const outDir = path.resolve(io.root, (flags.out as string | undefined) ?? OUTPUT_DIR);
      const written = writeArgocd(outDir, result.clusters, result.apps, flags.app === undefined);
      for (const file of written.written) io.out(`wrote   ${path.relative(io.root, path.join(outDir, file))}`);
      for (const file of written.removed) io.out(`removed ${path.relative(io.root, path.join(outDir, file))}`);
      const withArgocd = result.clusters.filter((c) => c.argocd).length;
      io.out(`${withArgocd} of ${result.clusters.length} clusters have argocd in apps/clusters.ts: Applications in <cluster>/argocd/ (${written.written.length} written, ${written.removed.length} removed)`);
      return 0;
    }
    if (flags.format === 'helm') {
      const helmDir = path.resolve(io.root, (flags.out as string | undefined) ?? HELM_OUTPUT_DIR);
      const charts = result.files.flatMap(helmChart);
      const summary = writeCharts(helmDir, charts, result.clusters.map((c) => c.name));
      io.out(`${result.files.length} Helm charts in ${path.relative(io.root, helmDir) || '.'}/<cluster>/<service>/ (${summary.written} files written, ${summary.removed} removed)`);
      return 0;
    }
    const outDir = path.resolve(io.root, (flags.out as string | undefined) ?? process.env.CDK8S_OUTDIR ?? OUTPUT_DIR);
    const full = flags.cluster === undefined && flags.app === undefined;
    const written = [...result.platform, ...result.files];
    const summary = writeOutputs(outDir, written, {
      clusters: result.clusters.map((c) => c.name),
      apps: flags.app === undefined ? undefined : result.apps,
      inventory: full ? result.inventory.map((c) => c.name) : undefined,
    });
    const objects = written.reduce((n, f) => n + f.objects, 0);
    for (const file of summary.written) io.out(`wrote   ${path.relative(io.root, path.join(outDir, file))}`);
    for (const file of summary.removed) io.out(`removed ${path.relative(io.root, path.join(outDir, file))}`);
    io.out(`${result.apps.length} services × ${result.clusters.length} clusters: ${objects} objects in ${written.length} files (${summary.written.length} written, ${summary.unchanged} unchanged, ${summary.removed.length} removed)`);
    return 0;
  },
};
