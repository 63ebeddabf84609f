import * as path from 'node:path';
import { renderFleetOutput } from '../../parallel';
import { argocdApplications, writeArgocd } from '../../gitops/argocd';
import { HELM_OUTPUT_DIR, helmChart, writeCharts } from '../../helm';
import { writeOutputs } from '../../write';
import { Command, OUTPUT_DIR, progress, reportFindings, selection } from '../command';

export const synth: Command = {
  async run(flags, io) {
    if (flags.format !== undefined && flags.format !== 'k8s' && flags.format !== 'helm') {
      io.err(`fleetchart synth: expected --format k8s or helm, got '${flags.format}'`);
      return 2;
    }
    progress(io, 'rendering and checking the fleet');
    const result = await renderFleetOutput(io.root, selection(flags));
    if (reportFindings(result.findings, io)) return 1;
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
    // Argo CD Applications beside the files they sync, for clusters with `argocd` in the inventory.
    const applications = argocdApplications(result.clusters, written);
    const argocd = writeArgocd(outDir, result.clusters, applications, flags.app === undefined);
    const objects = written.reduce((n, f) => n + f.objects, 0) + applications.length;
    const files = written.length + applications.length;
    const changed = [...summary.written, ...argocd.written];
    const removed = [...summary.removed, ...argocd.removed];
    for (const file of changed) io.out(`wrote   ${path.relative(io.root, path.join(outDir, file))}`);
    for (const file of removed) io.out(`removed ${path.relative(io.root, path.join(outDir, file))}`);
    const unchanged = summary.unchanged + applications.length - argocd.written.length;
    io.out(`${result.apps.length} services × ${result.clusters.length} clusters: ${objects} objects in ${files} files (${changed.length} written, ${unchanged} unchanged, ${removed.length} removed)`);
    return 0;
  },
};
