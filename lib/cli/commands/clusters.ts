import { loadInventory, selectClusters } from '../../pipeline';
import type { Finding } from '../../findings';
import { Command, reportFindings } from '../command';

/**
 * The clusters in the order a pipeline applies them: every stage cluster first, then the prod
 * clusters one at a time in inventory order. `wave` numbers that order (stage clusters share wave
 * 0 and may run in parallel; each prod cluster has its own wave), so a CI matrix can shard
 * render, diff and apply per cluster and still roll out prod one geography at a time.
 */
export const clusters: Command = {
  run(flags, io) {
    const findings: Finding[] = [];
    const inventory = loadInventory(io.root, findings);
    const selected = inventory ? selectClusters(inventory, flags.cluster as string | undefined, findings) : [];
    const environment = flags.environment as string | undefined;
    if (environment !== undefined && environment !== 'stage' && environment !== 'prod') {
      io.err(`fleetchart clusters: expected --environment stage or prod, got '${environment}'`);
      return 2;
    }
    if (reportFindings(findings, io, 'no clusters listed')) return 1;
    const stage = selected.filter((c) => c.environment === 'stage');
    const prod = selected.filter((c) => c.environment === 'prod');
    const ordered = [...stage.map((c) => ({ cluster: c, wave: 0 })), ...prod.map((c, i) => ({ cluster: c, wave: (stage.length ? 1 : 0) + i }))];
    const listed = environment ? ordered.filter((o) => o.cluster.environment === environment) : ordered;
    if (flags.json) {
      io.out(JSON.stringify(listed.map(({ cluster, wave }) => ({ name: cluster.name, environment: cluster.environment, region: cluster.region, provider: cluster.provider.kind, wave }))));
    } else {
      for (const { cluster } of listed) io.out(cluster.name);
    }
    return 0;
  },
};
