import { loadInventory, selectClusters } from '../../pipeline';
import type { Finding } from '../../findings';
import { Command, reportFindings } from '../command';

/**
 * The clusters in the order a pipeline applies them: every stage cluster first, then the prod
 * clusters one at a time in inventory order. `wave` numbers that order (stage clusters share wave
 * 0 and may run in parallel; each prod cluster has its own wave), so a CI matrix can shard
 * render, diff and apply per cluster and still roll out prod one geography at a time.
 * `delivery` says who applies a cluster: `argocd` when its inventory entry has `argocd` (Argo CD
 * syncs charts-out/<cluster>/ with self-heal, so a pipeline must not also push), else `apply`.
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
    const delivery = flags.delivery as string | undefined;
    if (delivery !== undefined && delivery !== 'apply' && delivery !== 'argocd') {
      io.err(`fleetchart clusters: expected --delivery apply or argocd, got '${delivery}'`);
      return 2;
    }
    if (reportFindings(findings, io, 'no clusters listed')) return 1;
    const stage = selected.filter((c) => c.environment === 'stage');
    const prod = selected.filter((c) => c.environment === 'prod');
    const ordered = [...stage.map((c) => ({ cluster: c, wave: 0 })), ...prod.map((c, i) => ({ cluster: c, wave: (stage.length ? 1 : 0) + i }))];
    const deliveryOf = (cluster: (typeof selected)[number]) => (cluster.argocd ? 'argocd' : 'apply');
    const listed = ordered.filter((o) => (!environment || o.cluster.environment === environment) && (!delivery || deliveryOf(o.cluster) === delivery));
    if (flags.json) {
      io.out(JSON.stringify(listed.map(({ cluster, wave }) => ({ name: cluster.name, environment: cluster.environment, region: cluster.region, provider: cluster.provider.kind, delivery: deliveryOf(cluster), wave }))));
    } else {
      for (const { cluster } of listed) io.out(cluster.name);
    }
    return 0;
  },
};
