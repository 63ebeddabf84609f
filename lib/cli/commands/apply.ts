import { applyCluster } from '../../apply/apply';
import { Kubectl } from '../../apply/kubectl';
import { formatReport } from '../../apply/summary';
import { renderFleet } from '../../pipeline';
import { Command, reportFindings } from '../command';

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
    const result = renderFleet(io.root, { cluster });
    if (reportFindings(result.findings, io, 'nothing was applied')) return 1;
    const kubectl = new Kubectl({ kubeconfig: flags.kubeconfig as string | undefined, context: flags.context as string | undefined });
    let report;
    try {
      report = await applyCluster({ cluster, documents: [...result.platform, ...result.files].flatMap((f) => f.documents), kubectl, dryRun: dryRun === 'server', adopt: flags.adopt === true });
    } catch (error) {
      io.err(`fleetchart apply: ${(error as Error).message}`);
      return 1;
    }
    const { out, err } = formatReport(report);
    for (const line of out) io.out(line);
    for (const line of err) io.err(line);
    return report.errors.length ? 1 : 0;
  },
};
