import { toYamlDocuments } from './yaml';

export type Manifest = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/**
 * Document order within a service file: what others depend on comes first. Namespaces before
 * what lives in them, and DestinationRules (subsets) before the VirtualServices that route to
 * them, so a plain `kubectl apply -f` makes before it breaks.
 */
export const KIND_ORDER = [
  'Namespace',
  'ServiceAccount',
  'PeerAuthentication',
  'EnvoyFilter',
  'RequestAuthentication',
  'AuthorizationPolicy',
  'NetworkPolicy',
  'ConfigMap',
  'ServiceEntry',
  'Service',
  'Deployment',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'DestinationRule',
  'VirtualService',
  'ServiceMonitor',
  'PodMonitor',
  'PrometheusRule',
] as const;

const rank = new Map<string, number>(KIND_ORDER.map((kind, i) => [kind, i]));

export function orderDocuments(documents: readonly Manifest[]): Manifest[] {
  const key = (d: Manifest) => rank.get(d.kind) ?? KIND_ORDER.length;
  return [...documents].sort((a, b) => key(a) - key(b) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

export function manifestFile(documents: readonly Manifest[]): string {
  return toYamlDocuments(orderDocuments(documents));
}
