/** Label keys in one place, so selectors and objects never disagree. */
export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  version: 'app.kubernetes.io/version',
  managedBy: 'app.kubernetes.io/managed-by',
  team: 'team',
  track: 'track',
  istioApp: 'app',
  istioVersion: 'version',
} as const;

export const MANAGED_BY = 'fleetchart';

/** Label values allow 63 characters of [A-Za-z0-9._-]; digests become `sha256-<12 hex>`. */
export function versionLabel(version: string): string {
  if (version.startsWith('sha256:')) return `sha256-${version.slice(7, 19)}`;
  return version.length <= 63 ? version : version.slice(0, 63).replace(/[-_.]+$/, '');
}
