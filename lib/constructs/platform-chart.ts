import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Cluster } from '../clusters/schema';
import { GatewayIdentity } from './gateway';
import { Manifest } from './manifest';

/**
 * The objects of one cluster that belong to no service but to the inventory (apps/clusters.ts):
 * what the routing of every service needs on the ingress gateway. Written to
 * charts-out/<cluster>/_platform.k8s.yaml (lib/pipeline.ts).
 */
export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    new GatewayIdentity(this, 'gateway-identity', cluster);
  }
}

/** The platform objects of one cluster as plain manifests, in construct-tree order. */
export function renderPlatform(cluster: Cluster): Record<string, unknown>[] {
  return platformChart(cluster)
    .node.findAll()
    .filter((c): c is Manifest => Manifest.isManifest(c))
    .map((m) => m.toJson());
}

export function platformChart(cluster: Cluster): PlatformChart {
  return new PlatformChart(new App({ outdir: '/nonexistent' }), 'platform', cluster);
}
