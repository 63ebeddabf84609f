import type { Cluster } from '../clusters/schema';
import type { Finding } from '../findings';
import type { RenderedFile } from '../pipeline';
import { ClusterView } from './context';
import { checkAvailability } from './rules/availability';
import { checkMesh } from './rules/mesh';
import { checkMetadata } from './rules/metadata';
import { checkMonitoring } from './rules/monitoring';
import { checkPodSecurity } from './rules/pod-security';
import { checkReferences } from './rules/references';
import { checkSchemas } from './rules/schema';
import { checkSecrets } from './rules/secrets';
import { checkTraffic } from './rules/traffic';
import { checkWorkloads } from './rules/workload';

/** The rule families, each over the whole cluster. Order does not matter: findings are sorted. */
const FAMILIES: readonly ((view: ClusterView) => void)[] = [
  checkSchemas,
  checkMetadata,
  checkPodSecurity,
  checkWorkloads,
  checkAvailability,
  checkSecrets,
  checkReferences,
  checkMesh,
  checkTraffic,
  checkMonitoring,
];

/**
 * The validate stage: every object rendered for one cluster against its schema and the platform
 * rules, including the rules that cross services. `fleet` names every service of the fleet: a
 * run that renders only some (`--app`) accepts references to the others, which a full run checks;
 * `context` holds the others as the fleet index has them, for the rules that cross services.
 * Returns findings; never throws for bad input.
 */
export function validateCluster(cluster: Cluster, files: readonly RenderedFile[], fleet: readonly string[] = [], context: readonly RenderedFile[] = []): Finding[] {
  const view = new ClusterView(cluster, files, fleet, context);
  for (const family of FAMILIES) family(view);
  return view.findings;
}
